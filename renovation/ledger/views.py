"""Ledger import pages (engineers and admins): upload → preview → import, and the template.

Thin views over :mod:`renovation.domain.ledger.preview` and :mod:`renovation.domain.ledger.commit`.
An upload beyond the limits (:mod:`renovation.domain.ledger.limits`) is refused on the upload
form (422) before anything parses it. The uploaded workbook is kept under its sha256 and its
preview is computed once and kept (by the background worker for a large file, with a progress
bar); the import re-reads and re-judges it, and refuses when what it would do differs from the
preview the user confirmed (the fingerprint).
"""
import io
from datetime import date
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from htmx_flask import make_response as htmx_response

from renovation import permissions
from renovation.domain.clock import today
from renovation.domain.ledger import exports as ledger_exports
from renovation.domain.ledger.commit import StaleLedgerPreview, commit_import
from renovation.domain.ledger.preview import preview_ledger
from renovation.domain.ledger.reader import LedgerFileError
from renovation.domain.ledger.spreadsheets import XLSX_MIMETYPE, xlsx_bytes
from renovation.domain.stages.keys import Status, status_label
from renovation.extensions import csrf
from renovation.ledger import bp, kept_previews
from renovation.ledger.cli import import_ledger
from renovation.ledger.forms import CommitLedgerForm, LedgerUploadForm
from renovation.ledger.uploads import store_upload, upload_path
from renovation.templating import render, wants_fragment
from renovation.upload_limits import accepts_photos, read_photo_upload

can_import = permissions.require(permissions.can_import_ledger)
ROWS_SHOWN = 300  # per section of the preview page; the CLI prints every row


@bp.record_once
def _register_command(state) -> None:
    state.app.cli.add_command(import_ledger)


def ledger_value(field: str, value) -> str:
    """A ledger value as the preview shows it."""
    if value is None or value == "":
        return "—"
    if field.endswith(".status") and value in Status.__members__.values():
        return str(status_label(value))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


@bp.route("/ledger/import")
@can_import
def upload_form():
    return render_template("ledger/upload.html", form=LedgerUploadForm(formdata=None))


@bp.route("/ledger/template.xlsx")
@can_import
def template():
    """The empty ledger to fill in, with a sheet that explains its columns."""
    return send_file(io.BytesIO(xlsx_bytes(*ledger_exports.template_tables())), mimetype=XLSX_MIMETYPE,
                     as_attachment=True, download_name="项目台账导入模板.xlsx", max_age=0)


@bp.route("/ledger/import", methods=["POST"])
@accepts_photos(1)  # a large ledger may exceed the app-wide limit: read after the permission check
@csrf.exempt  # the form checks the token once the body is read
@can_import
def upload():
    read_photo_upload(1)
    form = LedgerUploadForm()
    if not form.validate_on_submit():
        if form.errors.get("csrf_token"):
            raise CSRFError(form.errors["csrf_token"][0])
        return render_template("ledger/upload.html", form=form), 422
    data = form.ledger.data.stream.read()
    try:
        rows = kept_previews.check_upload(io.BytesIO(data))  # before anything parses it
    except LedgerFileError as error:
        form.ledger.errors.append(error.message)
        return render_template("ledger/upload.html", form=form), 422
    sha256 = store_upload(data)
    kept_previews.start_preview(sha256, rows)
    return redirect(url_for("ledger.preview", sha256=sha256), code=303)


@bp.route("/ledger/import/<sha256>")
@can_import
def preview(sha256):
    """The kept preview; while the worker judges a large file, a progress bar (``?fragment=progress``
    is the part that polls, and asks for the whole page once the preview is ready)."""
    if upload_path(sha256) is None:
        return _upload_gone()
    state = kept_previews.preview_state(sha256)
    if request.args.get("fragment") == "progress" and wants_fragment() and not state.running:
        return htmx_response("", refresh=True)
    fragment = "progress" if request.args.get("fragment") == "progress" else None
    form = CommitLedgerForm(formdata=None, fingerprint=state.fingerprint)
    return render("ledger/preview.html", fragment, state=state, preview=state.preview, file_error=state.file_error,
                  form=form, sha256=sha256, stale=False, rows_shown=ROWS_SHOWN, ledger_value=ledger_value)


@bp.route("/ledger/import/<sha256>", methods=["POST"])
@can_import
def commit(sha256):
    form = CommitLedgerForm()
    if not form.validate_on_submit():
        abort(400)
    if upload_path(sha256) is None:
        return _upload_gone()
    judged, file_error = _judge(sha256)  # afresh: the kept preview may be out of date
    if file_error or judged.has_errors:
        return _preview_page(sha256, judged, file_error, status=422)
    if judged.fingerprint != form.fingerprint.data:
        return _preview_page(sha256, judged, stale=True, status=409)
    try:
        result = commit_import(judged, current_user, sha256)
    except StaleLedgerPreview:
        return _preview_page(sha256, judged, stale=True, status=409)
    kept_previews.forget(sha256)
    if result.changed:
        flash(_("Ledger imported: %(created)d new projects, %(updated)d updated, %(unchanged)d unchanged.",
                created=result.created, updated=result.updated, unchanged=result.unchanged), "success")
    else:
        flash(_("Nothing to import: every project is already as the ledger says."), "success")
    return redirect(url_for("projects.index"), code=303)


def _upload_gone():
    flash(_("That upload is not here any more: upload the ledger again."), "error")
    return redirect(url_for("ledger.upload_form"), code=303 if request.method == "POST" else 302)


def _judge(sha256: str):
    try:
        return preview_ledger(upload_path(sha256), today()), None
    except LedgerFileError as error:
        return None, error.message


def _preview_page(sha256: str, judged, file_error=None, stale: bool = False, status: int = 200):
    """The page for a preview just judged by the commit, which is kept in place of the old one."""
    if judged is not None:
        kept_previews.keep(sha256, judged)
    form = CommitLedgerForm(formdata=None, fingerprint=judged.fingerprint if judged else "")
    return render_template("ledger/preview.html", state=kept_previews.PreviewState(preview=judged),
                           preview=judged, file_error=file_error, form=form, sha256=sha256, stale=stale,
                           rows_shown=ROWS_SHOWN, ledger_value=ledger_value), status

