"""A consultation's files on its page: upload (plain or htmx, each file with its own outcome),
soft delete, and the files themselves, served only after the permission check.

Thin views over :mod:`renovation.domain.residents.attachments`; the headers come from the one policy of
:mod:`renovation.photos.files` (PDFs are shown inline, image originals are downloads).
"""
from flask import abort, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from renovation import permissions
from renovation.consultations import bp
from renovation.consultations.attachment_forms import AttachmentUploadForm, DeleteAttachmentForm, outcome_message
from renovation.consultations.panels import attachments_panel
from renovation.domain.residents import attachments as operations
from renovation.domain.residents import consultations
from renovation.extensions import csrf
from renovation.photos.files import send_content
from renovation.templating import fragment_or_redirect, render
from renovation.upload_limits import accepts_photos, read_photo_upload, uploaded_file_name

can_view = permissions.require(permissions.can_view_projects)


@bp.route("/consultations/<int:consultation_id>/attachments", methods=["POST"])
@accepts_photos()
@csrf.exempt  # the body is read only after the permission check; the form checks the token
@can_view
def upload_attachments(consultation_id):
    consultation = consultations.live_consultation(consultation_id) or abort(404)
    if not permissions.can_write_consultations(current_user, consultation.project):
        abort(403)
    read_photo_upload()
    form = AttachmentUploadForm()
    if not form.validate_on_submit():
        if form.errors.get("csrf_token"):
            raise CSRFError(form.errors["csrf_token"][0])
        return _answer(consultation, [], [message for errors in form.errors.values() for message in errors])
    uploads = [(uploaded_file_name(upload.filename, "file"), upload.stream) for upload in form.uploads()]
    outcomes = operations.add_attachments(consultation, current_user, form.kind.data, uploads)
    return _answer(consultation, outcomes, [], form.kind.data)


def _answer(consultation, outcomes, form_errors, kind=None):
    """htmx: the attachments section with each file's outcome; a plain post: flashes and a 303."""
    stored = any(outcome.attachment or outcome.duplicate_of for outcome in outcomes)
    return _section_or_redirect(
        consultation, [(message, "error") for message in form_errors] + [outcome_message(o) for o in outcomes],
        status=200 if stored else 422, outcomes=outcomes, form_errors=form_errors, chosen_kind=kind)


def _section_or_redirect(consultation, flashes, status: int = 200, chosen_kind=None, **context):
    """htmx: the attachments section, swapped in place (other panels may listen to the event); a
    plain post: the messages flashed and a 303 to the consultation's page."""
    return fragment_or_redirect(
        lambda: render("consultations/_attachments.html", consultation=consultation, project=consultation.project,
                       attachments=attachments_panel(consultation, chosen_kind), **context),
        url_for("consultations.show", consultation_id=consultation.id, _anchor="attachments"),
        trigger="attachmentsChanged", flashes=flashes, status=status)


def _attachment_or_404(attachment_id: int):
    return operations.live_attachment(attachment_id) or abort(404)


@bp.route("/consultations/attachments/<int:attachment_id>/delete", methods=["POST"])
@can_view
def delete_attachment(attachment_id):
    attachment = _attachment_or_404(attachment_id)
    if not permissions.can_delete_attachment(current_user, attachment):
        abort(403)
    if not DeleteAttachmentForm().validate_on_submit():
        abort(400)
    consultation, name = attachment.consultation, attachment.original_filename
    operations.delete_attachment(attachment, current_user)
    return _section_or_redirect(consultation, [(_("%(file)s deleted.", file=name), "success")])


@bp.route("/consultations/attachments/<int:attachment_id>/<any(display, thumbnail):kind>")
@can_view
def attachment_image(attachment_id, kind):
    attachment = _attachment_or_404(attachment_id)
    if attachment.is_pdf:
        abort(404)
    return send_content(attachment.sha256, kind, attachment.content_type, attachment.original_filename)


@bp.route("/consultations/attachments/<int:attachment_id>/file")
@can_view
def attachment_file(attachment_id):
    """The original: a PDF inline (to read in the browser), an image as a download."""
    attachment = _attachment_or_404(attachment_id)
    return send_content(attachment.sha256, "original", attachment.content_type, attachment.original_filename,
                        inline=attachment.is_pdf)
