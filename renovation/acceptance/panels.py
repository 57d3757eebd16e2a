"""What the 竣工验收 section of the project page shows, from the records and the signed-in user: the
acceptances (the latest, which counts, first) with representatives, checked items and papers; the
rectification items (open first, overdue in red) with their close forms; the forms the user may use."""
from flask_login import current_user

from renovation import permissions
from renovation.acceptance.forms import AcceptanceForm, CloseForm
from renovation.consultations.attachment_forms import AttachmentUploadForm
from renovation.domain import clock
from renovation.domain.acceptance import attachments, records, rectifications
from renovation.domain.contents.operations import contents_of
from renovation.models.acceptance import ACCEPTANCE_UNIT_LABELS


def acceptance_form(project, formdata=None, contents=None) -> AcceptanceForm:
    """A new acceptance's form: blank with a row per content of the project, or as the user sent it."""
    contents = contents if contents is not None else contents_of(project.id)
    return AcceptanceForm.blank(contents, formdata)


def close_form(item, posted: bool = False) -> CloseForm:
    """The close form of ``item``: blank with the version seen, or as posted (its fields and photo)."""
    return CloseForm() if posted else CloseForm(formdata=None, version=item.version)


def acceptance_panel(project, *, sent_close: dict | None = None, rectification_form=None, found=None, items=None,
                     **extra) -> dict:
    """The section: acceptances, their papers, the items (each with its close form when the user may
    close it; ``sent_close``: ``{item id: form}`` as the user sent it), and the add-item form.
    ``found`` and ``items``: the acceptances and the items when the caller has them (none, say)."""
    may_record = permissions.can_record_acceptance(current_user, project)
    found = records.acceptances_of(project.id) if found is None else found
    items = rectifications.rectifications_of(project.id) if items is None else items
    today = clock.today()
    sent_close = sent_close or {}
    rows = [{"item": item, "late": rectifications.days_overdue(item, today),
             "close_form": (sent_close.get(item.id) or close_form(item)) if may_record and item.is_open else None}
            for item in items]
    return {"records": found, "papers": attachments.attachments_by_acceptance([record.id for record in found]),
            "rows": rows, "open_count": sum(1 for item in items if item.is_open), "may_record": may_record,
            "rectification_form": rectification_form if may_record else None,  # else asked for when opened
            "upload_form": AttachmentUploadForm() if may_record and found else None, "today": today,
            "unit_labels": ACCEPTANCE_UNIT_LABELS, **extra}
