"""Photo evidence through the API: list and upload a project's photos, read one, fetch its files.

Files are served only here (and by the pages), after the same permission check as the rest
of the API: the storage is never exposed directly.
"""
from flask import abort, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import RequestEntityTooLarge

from renovation import permissions
from renovation.api import bp
from renovation.api.auth import api_error, token_required
from renovation.api.json_bodies import json_object
from renovation.api.serializers import photo_json
from renovation.domain import project_list
from renovation.domain.errors import RuleViolation
from renovation.domain.photos.operations import add_photo, delete_photo
from renovation.domain.photos.processing import ImageRejected
from renovation.domain.stages.keys import STAGE_ORDER
from renovation.extensions import db
from renovation.models import Photo
from renovation.models.audit import REASON_MAX
from renovation.models.limits import column_limit
from renovation.models.photos import Phase
from renovation.photos.files import send_photo_file
from renovation.upload_limits import accepts_photos, read_photo_upload, uploaded_file_name

CAPTION_MAX = column_limit(Photo.caption)
TOO_LARGE_STATUS = {"too_large": 413, "too_many_pixels": 413}  # every other reason: 415



def _too_large_message() -> str:
    return ImageRejected("too_large", mb=current_app.config["PHOTO_MAX_BYTES"] // (1024 * 1024)).message


@bp.errorhandler(RequestEntityTooLarge)
def request_too_large(error):
    """A request over the limit is refused before the view runs: say what the limit is."""
    if request.endpoint == "api.add_photo":
        return api_error(413, _("%(field)s: %(value)s", field=_("Photo"), value=_too_large_message()))
    return api_error(413, _("What you sent is too large."))


@bp.get("/projects/<code>/photos")
@token_required(permissions.can_view_projects)
def project_photos(code):
    project = project_list.project_by_code(code) or abort(404)
    photos = db.session.scalars(
        select(Photo)
        .where(Photo.project_id == project.id, Photo.deleted_at.is_(None))
        .options(joinedload(Photo.uploaded_by))
        .order_by(Photo.uploaded_at.desc(), Photo.id.desc())
    )
    show_gps = permissions.can_see_gps(g.api_user)
    return jsonify(items=[photo_json(photo, show_gps) for photo in photos])


@bp.post("/projects/<code>/photos", endpoint="add_photo")
@accepts_photos(files=1)
@token_required(permissions.can_view_projects)
def add_photo_route(code):
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_add_photo(g.api_user, project):
        abort(403)
    read_photo_upload(files=1)
    errors, upload = {}, None
    phase = request.form.get("phase", "").strip()
    if phase not in set(Phase):
        errors["phase"] = _("Choose the phase: before, during or after.")
    stage = request.form.get("stage", "").strip() or None
    if stage is not None and stage not in set(STAGE_ORDER):
        errors["stage"] = _("Choose a stage from the list.")
    caption = request.form.get("caption", "").strip()
    if len(caption) > CAPTION_MAX:
        errors["caption"] = _("A caption has at most %(n)d characters.", n=CAPTION_MAX)
    hidden_works, content_id = _hidden_works_fields(errors)
    uploads = [part for part in request.files.getlist("file") if _has_content(part)]
    if not uploads:
        errors["file"] = _("Choose a photo to upload.")
    elif len(uploads) > 1:
        errors["file"] = _("Send one photo per request.")
    else:
        upload = uploads[0]
    if errors:
        raise RuleViolation(errors)
    filename = uploaded_file_name(upload.filename, "photo")
    try:
        photo = add_photo(project, g.api_user, filename, upload.stream, phase, stage, caption, hidden_works,
                          content_id)
    except ImageRejected as rejected:
        message = _("%(field)s: %(value)s", field=filename, value=rejected.message)
        return api_error(TOO_LARGE_STATUS.get(rejected.reason, 415), message, reason=rejected.reason)
    response = jsonify(photo_json(photo, permissions.can_see_gps(g.api_user)))
    response.status_code = 201
    response.headers["Location"] = _photo_url(photo.id)
    return response


def _hidden_works_fields(errors: dict) -> tuple[bool, int | None]:
    """``hidden_works`` (true/false, 1/0) and the optional ``content_id`` of the upload form."""
    flag = request.form.get("hidden_works", "").strip().lower()
    if flag not in ("", "true", "false", "1", "0", "yes", "no", "on"):
        errors["hidden_works"] = _("Send true or false.")
    text = request.form.get("content_id", "").strip()
    if text and not (text.isascii() and text.isdigit() and 0 < int(text) < 2**31):
        errors["content_id"] = _("Choose a content item of this project.")
        text = ""
    return flag in ("true", "1", "yes", "on"), int(text) if text else None


def _has_content(part) -> bool:
    """A browser sends an empty part, without a name, for a file input left empty."""
    if part.filename:
        return True
    part.stream.seek(0, 2)
    size = part.stream.tell()
    part.stream.seek(0)
    return size > 0


def _photo_url(photo_id: int) -> str:
    return url_for("api.photo", photo_id=photo_id, _external=True)


def _live_photo(photo_id: int) -> Photo | None:
    photo = db.session.get(Photo, photo_id, options=[joinedload(Photo.uploaded_by)])
    return photo if photo is not None and photo.deleted_at is None else None


@bp.get("/photos/<int:photo_id>")
@token_required(permissions.can_view_projects)
def photo(photo_id):
    found = _live_photo(photo_id) or abort(404)
    return jsonify(photo_json(found, permissions.can_see_gps(g.api_user)))


@bp.delete("/photos/<int:photo_id>")
@token_required(permissions.can_view_projects)
def delete_photo_route(photo_id):
    """Soft delete (audited), like the page: uploader, engineers and admins only."""
    found = _live_photo(photo_id) or abort(404)
    if not permissions.can_change_photo(g.api_user, found):
        abort(403)
    reason = json_object(optional=True).get("reason", "")
    if not isinstance(reason, str) or "\x00" in reason:
        raise RuleViolation({"reason": _("Must be text.")})
    delete_photo(found, g.api_user, reason.strip()[:REASON_MAX])
    return "", 204


@bp.get("/photos/<int:photo_id>/<any(display, thumbnail):kind>")
@token_required(permissions.can_view_projects)
def photo_image(photo_id, kind):
    """A derived JPEG, cached for a year (see :mod:`renovation.photos.files`)."""
    found = _live_photo(photo_id) or abort(404)
    return send_photo_file(found, kind)


@bp.get("/photos/<int:photo_id>/original")
@token_required(permissions.can_view_projects)
def photo_original(photo_id):
    """The original as a download under its own name (RFC 5987 for Chinese): byte for byte for
    those who may see GPS, without its GPS metadata for the others (see :mod:`renovation.photos.files`)."""
    found = _live_photo(photo_id) or abort(404)
    return send_photo_file(found, "original")
