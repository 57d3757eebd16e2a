"""The sections the consultation area puts on pages, each built from its record and the user: the
project page's consultations (with the form to add one), a consultation's files. Called by the
pages' views and by the views that re-render a section after a write."""
from flask_login import current_user

from renovation import permissions
from renovation.consultations.attachment_forms import AttachmentUploadForm
from renovation.consultations.forms import ConsultationForm
from renovation.domain.clock import today
from renovation.domain.residents import attachments
from renovation.domain.residents import consultations as operations


def blank_form(project) -> ConsultationForm:
    """A new consultation of today; the voting scope defaults to the project's compound."""
    form = ConsultationForm(formdata=None, date=today())
    form.vote.total_owners.data = project.households
    form.vote.total_area.data = project.floor_area
    return form


def live_outcome(form) -> operations.VoteOutcome | None:
    """The outcome of the vote figures a consultation form holds (shown beside them)."""
    return operations.vote_outcome(form.vote_values())


def consultations_panel(project, form: ConsultationForm | None = None) -> dict:
    """The project's consultations and whether the user may add one. ``form`` (with the user's
    input after a refused add) comes back open in the section, with the outcome of its vote
    figures; otherwise the section holds no form: it asks for a blank one when the user opens
    添加协商 (``consultations.new``), so that a page whose form stays folded does not write its
    two dozen fields."""
    can_write = permissions.can_write_consultations(current_user, project)
    form = form if can_write else None
    return {"records": operations.project_consultations(project.id), "can_write": can_write,
            "form": form, "outcome": live_outcome(form) if form is not None else None}


def attachments_panel(consultation, chosen_kind: str | None = None) -> dict:
    """A consultation's files, which of them the user may delete, and the upload form for a user who
    may add files (with the kind chosen last time, after an htmx upload, or the default)."""
    files = attachments.consultation_attachments(consultation.id)
    can_upload = permissions.can_write_consultations(current_user, consultation.project)
    return {"files": files,
            "deletable": {file.id for file in files if permissions.can_delete_attachment(current_user, file)},
            "upload_form": AttachmentUploadForm(formdata=None, **({"kind": chosen_kind} if chosen_kind else {}))
            if can_upload else None}
