"""Bulletin pages: the archive (everyone who reads projects), preview and issue (engineers and
admins), the stored PDF (always the same bytes), and rendering a failed bulletin again."""
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from renovation import permissions
from renovation.bulletins.forms import IssueBulletinForm
from renovation.domain import bulletin_archive, bulletins
from renovation.domain.bulletin_pdf import BulletinRenderError, render_html
from renovation.domain.bulletin_photos import pair_choices
from renovation.domain.project_list import streets_and_communities
from renovation.models.bulletins import BULLETIN_KIND_LABELS

bp = Blueprint("bulletins", __name__)


def _form(formdata, **kwargs) -> IssueBulletinForm:
    form = IssueBulletinForm(formdata, **kwargs)
    form.set_choices(streets_and_communities()[0], pair_choices(), bulletin_archive.issued_bulletins())
    return form


def _scope_and_correction(choice: dict):
    scope = bulletins.scope_named(choice["kind"], choice["street"], choice["project"])
    corrects = bulletin_archive.bulletin_by_id(choice["corrects_id"]) if choice["corrects_id"] else None
    return scope, corrects


def _photo_urls(snapshot: dict):
    """The preview shows the photos through the photo pages' display route (which checks access)."""
    data = snapshot["data"]
    photos = [pair[side] for pair in data["pairs"] for side in ("before", "after")] + data.get("photos", [])
    urls = {photo["sha256"]: url_for("photos.display", photo_id=photo["id"]) for photo in photos}
    return urls.__getitem__


@bp.route("/bulletins")
@permissions.require(permissions.can_view_projects)
def archive():
    return render_template("bulletins/archive.html", bulletins=bulletin_archive.issued_bulletins(),
                           kind_labels=BULLETIN_KIND_LABELS)


@bp.route("/bulletins/new")
@permissions.require(permissions.can_issue_bulletins)
def new():
    return render_template("bulletins/new.html", form=_form(None))


@bp.route("/bulletins/preview")
@permissions.require(permissions.can_issue_bulletins)
def preview():
    form = _form(request.args, meta={"csrf": False})
    form.validate()
    try:
        scope, corrects = _scope_and_correction(form.choice())
        choice = form.choice()
        snapshot = bulletins.preview_snapshot(choice["kind"], scope, choice["notes"], choice["pair_ids"],
                                              current_user, corrects)
    except bulletins.BulletinError as error:
        return render_template("bulletins/new.html", form=form, error=str(error)), 422
    return render_html(snapshot, _photo_urls(snapshot))


@bp.route("/bulletins", methods=["POST"])
@permissions.require(permissions.can_issue_bulletins)
def issue():
    form = _form(request.form)
    if not form.validate():
        return render_template("bulletins/new.html", form=form), 422
    choice = form.choice()
    try:
        scope, corrects = _scope_and_correction(choice)
        bulletin = bulletins.issue_bulletin(choice["kind"], scope, current_user, choice["notes"],
                                            choice["pair_ids"], corrects)
    except (bulletins.BulletinError, BulletinRenderError) as error:
        return render_template("bulletins/new.html", form=form, error=str(error)), 422
    if bulletin.render_status == "done":
        flash(_("Bulletin %(label)s issued.", label=bulletin.label), "success")
    else:
        flash(_("Bulletin %(label)s issued, but its PDF failed: %(error)s", label=bulletin.label,
                error=bulletin.render_error), "error")
    return redirect(url_for("bulletins.archive"), 303)


@bp.route("/bulletins/<int:bulletin_id>/render", methods=["POST"])
@permissions.require(permissions.can_issue_bulletins)
def render_again(bulletin_id):
    bulletin = bulletin_archive.bulletin_by_id(bulletin_id) or abort(404)
    bulletin = bulletins.render_bulletin(bulletin.id)
    if bulletin.render_status == "done":
        flash(_("Bulletin %(label)s rendered.", label=bulletin.label), "success")
    else:
        flash(_("Rendering failed: %(error)s", error=bulletin.render_error), "error")
    return redirect(url_for("bulletins.archive"), 303)


@bp.route("/bulletins/<int:bulletin_id>/download")
@permissions.require(permissions.can_view_projects)
def download(bulletin_id):
    bulletin = bulletin_archive.bulletin_by_id(bulletin_id) or abort(404)
    try:
        data = bulletins.pdf_bytes(bulletin)
    except bulletins.BulletinError:
        abort(404)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=bulletin-{bulletin.kind}-{bulletin.year}-{bulletin.number:02d}.pdf; "
        f"filename*=UTF-8''{quote(bulletin_archive.download_name(bulletin))}")
    response.set_etag(bulletin.pdf_sha256)
    response.cache_control.private, response.cache_control.max_age = True, 365 * 24 * 3600
    return response.make_conditional(request)
