"""What the 长效管理 section of the project page shows: the after-care as recorded (or that nothing is),
whether the user may edit it, and the form when it is open."""
from flask_login import current_user

from renovation import permissions
from renovation.domain.aftercare.records import aftercare_of
from renovation.models.aftercare import PROPERTY_MANAGEMENT_LABELS


def aftercare_panel(project, record=None, form=None, **extra) -> dict:
    """The section: the record (read once; ``record`` when the caller has it), the management's label,
    whether the user may edit, the form (``form``: open, as the user sent it) and any message
    (``saved``, ``conflict``)."""
    record = record if record is not None else aftercare_of(project.id)
    return {"record": record, "management": PROPERTY_MANAGEMENT_LABELS.get(record.property_management, ""),
            "can_edit": permissions.can_edit_aftercare(current_user, project), "form": form, **extra}
