"""The forms of a consultation's files (and an acceptance's papers): upload (one kind, one or many
files) and delete; and the message of each file's outcome."""
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import SelectChoice, SelectField
from wtforms.validators import ValidationError

from renovation.app_form import AppForm
from renovation.domain.messages import with_values
from renovation.models.attachments import ATTACHMENT_KIND_LABELS, AttachmentKind


class AttachmentUploadForm(AppForm):
    """One or many files of one kind; the domain judges each file on its own."""

    kind = SelectField(_l("What the files are"), default=AttachmentKind.SIGN_IN_SHEET.value,
                       choices=[SelectChoice(kind.value, label) for kind, label in ATTACHMENT_KIND_LABELS.items()])
    files = MultipleFileField(_l("Files"))

    def uploads(self) -> list:
        """The chosen files (a browser sends one empty part when none is chosen)."""
        return [upload for upload in (self.files.data or []) if upload and upload.filename]

    def validate_files(self, field):
        chosen = self.uploads()
        if not chosen:
            raise ValidationError(_l("Choose at least one file."))
        limit = current_app.config["PHOTO_MAX_FILES_PER_UPLOAD"]
        if len(chosen) > limit:
            raise ValidationError(with_values(_l("Send at most %(num)d files at a time."), num=limit))


class DeleteAttachmentForm(AppForm):
    """A button and its CSRF token."""


def outcome_message(outcome) -> tuple[str, str]:
    """The message (and its category) of one uploaded file's outcome
    (``renovation.domain.residents.attachments.AttachmentOutcome``)."""
    if outcome.attachment is not None:
        return _("%(file)s: saved.", file=outcome.filename), "success"
    if outcome.duplicate_of is not None:
        return _("%(file)s: already attached.", file=outcome.filename), "info"
    return _("%(file)s was refused: %(reason)s", file=outcome.filename, reason=outcome.error), "error"
