"""竣工验收 pages: thin views over :mod:`renovation.domain.acceptance`. Every write answers htmx with
the project page's 竣工验收 section (``acceptanceChanged``) and a plain post with a 303 back to it."""
from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from renovation import permissions
from renovation.acceptance import bp, panels
from renovation.acceptance.forms import RectificationForm
from renovation.consultations.attachment_forms import AttachmentUploadForm, DeleteAttachmentForm, outcome_message
from renovation.domain import project_list
from renovation.domain.acceptance import attachments, records, rectifications
from renovation.domain.errors import Conflict, RuleViolation
from renovation.domain.photos import operations as photos
from renovation.domain.photos.processing import ImageRejected
from renovation.extensions import csrf
from renovation.photos.files import send_content
from renovation.templating import fragment_or_redirect, render, wants_fragment
from renovation.upload_limits import accepts_photos, read_photo_upload, uploaded_file_name

can_view = permissions.require(permissions.can_view_projects)


def _project_to_record(code):
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_record_acceptance(current_user, project):
        abort(403)
    return project


def _section(project, **context) -> str:
    return render("acceptance/_section.html", project=project,
                  acceptance=panels.acceptance_panel(project, **context))


def _saved(project, message: str):
    return fragment_or_redirect(lambda: _section(project, saved=message),
                                url_for("projects.show", code=project.code, _anchor="acceptance"),
                                trigger="acceptanceChanged", flashes=[(message, "success")])


@bp.route("/projects/<code>/acceptances/new")
@can_view
def new(code):
    """A blank acceptance form: the section asks for it (htmx) when opened; a page without a script."""
    project = _project_to_record(code)
    page = "acceptance/_acceptance_form.html" if wants_fragment() else "acceptance/new.html"
    return render(page, project=project, form=panels.acceptance_form(project))


@bp.route("/projects/<code>/acceptances", methods=["POST"])
@can_view
def record(code):
    project = _project_to_record(code)
    form = panels.acceptance_form(project, formdata=_form_data())
    if form.validate_on_submit():
        try:
            records.record_acceptance(project, current_user, form.values())
        except RuleViolation as violation:
            _add_errors(form, violation.errors)
        else:
            return _saved(project, _("Acceptance recorded."))
    if not wants_fragment():
        return render("acceptance/new.html", project=project, form=form), 422
    return _section(project, sent_acceptance=form), 422


@bp.route("/projects/<code>/rectifications/new")
@can_view
def new_rectification(code):
    """A blank rectification item's form: the section asks for it (htmx) when 添加整改事项 is opened;
    a page without a script."""
    project = _project_to_record(code)
    page = "acceptance/_rectification_form.html" if wants_fragment() else "acceptance/rectification.html"
    return render(page, project=project, form=RectificationForm.blank())


@bp.route("/projects/<code>/rectifications", methods=["POST"])
@can_view
def add_rectification(code):
    project = _project_to_record(code)
    form = RectificationForm.blank(_form_data())
    if form.validate_on_submit():
        try:
            rectifications.add_rectification(project, current_user, form.values())
        except RuleViolation as violation:
            _add_errors(form, violation.errors)
        else:
            return _saved(project, _("Rectification item added."))
    if not wants_fragment():
        return render("acceptance/rectification.html", project=project, form=form), 422
    return _section(project, rectification_form=form, adding_open=True), 422


def _item_to_close(rectification_id):
    item = rectifications.rectification_by_id(rectification_id) or abort(404)
    if not permissions.can_record_acceptance(current_user, item.project):
        abort(403)
    return item


@bp.route("/rectifications/<int:rectification_id>/close")
@can_view
def close_page(rectification_id):
    """The close form on a page of its own (without a script, or from a link)."""
    item = _item_to_close(rectification_id)
    return render("acceptance/close.html", project=item.project, item=item, form=panels.close_form(item))


@bp.route("/rectifications/<int:rectification_id>/close", methods=["POST"])
@accepts_photos(files=1)
@csrf.exempt  # the body is read only after the permission check; the form checks the token
@can_view
def close(rectification_id):
    item = _item_to_close(rectification_id)
    read_photo_upload(files=1)
    form = panels.close_form(item, posted=True)
    status = 422
    if not form.validate_on_submit():
        if form.errors.get("csrf_token"):
            raise CSRFError(form.errors["csrf_token"][0])
    else:
        try:
            _close(item, form)
        except Conflict as conflict:
            item, form, status = conflict.current, panels.close_form(conflict.current), 409
            form.form_errors.append(_("Someone else changed this item since you loaded it: it is shown as it is now."))
        except RuleViolation as violation:
            _add_errors(form, violation.errors)
        else:
            return _saved(item.project, _("Rectification item closed."))
    if not wants_fragment():
        return render("acceptance/close.html", project=item.project, item=item, form=form), status
    return _section(item.project, sent_close={item.id: form}), status


def _close(item, form) -> None:
    """Upload the chosen photo (as photo evidence of the project) and close the item with it and the
    note. What would refuse the closing is checked first, so a refused closing leaves no photo."""
    version = _int(form.version.data)
    if version != item.version:
        raise rectifications.RectificationConflict(item)
    upload, note = form.upload(), (form.note.data or "").strip()
    errors = rectifications.close_errors(item, {"note": note, "photo_id": None if upload is None else -1})
    errors.pop("photo_id", None)  # the photo is uploaded below
    if errors:
        raise RuleViolation(errors)
    photo_id = None
    if upload is not None:
        try:
            photo = photos.add_photo(item.project, current_user, uploaded_file_name(upload.filename, "photo"),
                                     upload.stream, "after", "acceptance", item.description[:100])
        except ImageRejected as rejected:
            raise RuleViolation({"photo": rejected.message}) from None
        except photos.DuplicatePhoto as duplicate:
            photo = duplicate.current
        photo_id = photo.id
    rectifications.close_rectification(item, current_user, {"note": note, "photo_id": photo_id}, version)


@bp.route("/acceptances/<int:acceptance_id>/attachments", methods=["POST"])
@accepts_photos()
@csrf.exempt  # the body is read only after the permission check; the form checks the token
@can_view
def upload_attachments(acceptance_id):
    found = records.acceptance_by_id(acceptance_id) or abort(404)
    if not permissions.can_record_acceptance(current_user, found.project):
        abort(403)
    read_photo_upload()
    form = AttachmentUploadForm()
    if not form.validate_on_submit():
        if form.errors.get("csrf_token"):
            raise CSRFError(form.errors["csrf_token"][0])
        messages = [message for errors in form.errors.values() for message in errors]
        return _papers_answer(found, [(str(message), "error") for message in messages], 422)
    uploads = [(uploaded_file_name(upload.filename, "file"), upload.stream) for upload in form.uploads()]
    outcomes = attachments.add_attachments(found, current_user, form.kind.data, uploads)
    stored = any(outcome.attachment or outcome.duplicate_of for outcome in outcomes)
    return _papers_answer(found, [outcome_message(outcome) for outcome in outcomes], 200 if stored else 422)


def _papers_answer(found, messages, status):
    return fragment_or_redirect(
        lambda: _section(found.project, messages=messages),
        url_for("projects.show", code=found.project.code, _anchor="acceptance"),
        trigger="acceptanceChanged", flashes=messages, status=status)


def _paper_or_404(paper_id: int):
    return attachments.live_attachment(paper_id) or abort(404)


@bp.route("/acceptances/attachments/<int:paper_id>/delete", methods=["POST"])
@can_view
def delete_attachment(paper_id):
    attachment = _paper_or_404(paper_id)
    if not permissions.can_record_acceptance(current_user, attachment.acceptance.project):
        abort(403)
    if not DeleteAttachmentForm().validate_on_submit():
        abort(400)
    found, name = attachment.acceptance, attachment.original_filename
    attachments.delete_attachment(attachment, current_user)
    return _papers_answer(found, [(_("%(file)s deleted.", file=name), "success")], 200)


@bp.route("/acceptances/attachments/<int:paper_id>/<any(display, thumbnail):kind>")
@can_view
def attachment_image(paper_id, kind):
    attachment = _paper_or_404(paper_id)
    if attachment.is_pdf:
        abort(404)
    return send_content(attachment.sha256, kind, attachment.content_type, attachment.original_filename)


@bp.route("/acceptances/attachments/<int:paper_id>/file")
@can_view
def attachment_file(paper_id):
    """The original: a PDF inline (to read in the browser), an image as a download."""
    attachment = _paper_or_404(paper_id)
    return send_content(attachment.sha256, "original", attachment.content_type, attachment.original_filename,
                        inline=attachment.is_pdf)


def _form_data():
    return request.form if request.method == "POST" else None


def _add_errors(form, errors: dict) -> None:
    for name, message in errors.items():
        field = getattr(form, name, None)
        if name.startswith("check_"):
            row = next((row for row in getattr(form, "checks", []) if row.form.content_id.data == name[6:]), None)
            if row is not None:
                row.form.note.errors = [*row.form.note.errors, str(message)]
                continue
        if name in ("representatives", "checks"):
            form.list_errors[name] = str(message)
            continue
        if field is None or name == "version" or not hasattr(field, "errors"):
            form.form_errors.append(str(message))
        else:
            field.errors = [*field.errors, str(message)]


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
