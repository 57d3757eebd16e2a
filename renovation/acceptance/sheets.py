"""The printable acceptance sheet (竣工验收单) of an acceptance: a PDF printed when asked for, like a
bulletin's preview (one page takes a second or two). Everyone who reads the project may print it."""
import logging

from flask import Response, abort
from flask_babel import gettext as _

from renovation import permissions
from renovation.acceptance import bp
from renovation.domain.acceptance import records
from renovation.domain.acceptance.sheet import render_sheet, sheet_data, sheet_filename
from renovation.domain.bulletins.pdf import BulletinRenderError
from renovation.domain.clock import today
from renovation.security_headers import SANDBOX_POLICY
from renovation.templating import render

log = logging.getLogger(__name__)


@bp.route("/acceptances/<int:acceptance_id>/sheet.pdf")
@permissions.require(permissions.can_view_projects)
def sheet(acceptance_id):
    record = records.acceptance_by_id(acceptance_id) or abort(404)
    data = sheet_data(record, today())
    try:
        pdf = render_sheet(data)
    except BulletinRenderError:
        log.exception("acceptance sheet %s", acceptance_id)
        message = _("The acceptance sheet cannot be printed on this server now. Please tell the administrator.")
        return render("errors/error.html", code=503, message=message), 503
    # Read inline in the browser's viewer, sandboxed as an uploaded PDF is: it holds what users typed.
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{sheet_filename(data)}"',
        "Cache-Control": "private, no-store", "Content-Security-Policy": SANDBOX_POLICY})
