"""Checking what a problem says (its facts) and whom it may be given to: shared by raising a
problem and editing it, for the pages and the API alike."""
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from renovation.domain.date_range import implausible_date_message
from renovation.domain.problems.flow import departments_setting
from renovation.domain.stages.keys import STAGE_ORDER
from renovation.extensions import db
from renovation.models import Photo, User
from renovation.models.problems import ProblemCategory
from renovation.models.users import Role

FACTS = ("title", "description", "category", "departments", "proposal", "deadline", "stage", "photos")
REQUIRED_MESSAGES = {
    "title": _l("Give the problem a short title."),
    "description": _l("Describe the problem."),
    "category": _l("Choose a category."),
    "deadline": _l("Enter the date by which the problem should be solved."),
}


def fact_errors(values: dict, project, today: date, kept_departments=(), old_deadline=None) -> dict:
    """The rule violations of ``values`` (every fact given, as raising or editing would store it).
    ``kept_departments``: those the problem names already (kept when the configured list changes);
    ``old_deadline``: the deadline it has (kept even once past)."""
    errors = {}
    for name in ("title", "description"):
        if not (values.get(name) or "").strip():
            errors[name] = str(REQUIRED_MESSAGES[name])
    if values.get("category") not in set(ProblemCategory):
        errors["category"] = str(REQUIRED_MESSAGES["category"])
    allowed = set(departments_setting()) | set(kept_departments)
    unknown = [name for name in values.get("departments") or [] if name not in allowed]
    if unknown:
        errors["departments"] = _("Not one of the departments: %(names)s", names="、".join(unknown))
    deadline = values.get("deadline")
    if deadline is None:
        errors["deadline"] = str(REQUIRED_MESSAGES["deadline"])
    elif implausible_date_message(deadline) is not None:
        errors["deadline"] = str(implausible_date_message(deadline))
    elif deadline < today and deadline != old_deadline:
        errors["deadline"] = str(_l("The deadline cannot be in the past."))
    if values.get("stage") not in (None, "", *STAGE_ORDER):
        errors["stage"] = str(_l("Choose a stage."))
    photo_ids = values.get("photos") or []
    if photo_ids and len(live_photos(project.id, photo_ids)) != len(set(photo_ids)):
        errors["photos"] = str(_l("Choose photos of this project."))
    return errors


def live_photos(project_id: int, photo_ids) -> list[Photo]:
    """The project's live photos among ``photo_ids``."""
    if not photo_ids:
        return []
    return list(db.session.scalars(select(Photo).where(
        Photo.project_id == project_id, Photo.id.in_(list(photo_ids)), Photo.deleted_at.is_(None))
        .order_by(Photo.id)))


def project_photos(project_id: int) -> list[Photo]:
    """The project's live photos, newest first: the choices of a problem's photos."""
    return list(db.session.scalars(select(Photo).where(Photo.project_id == project_id, Photo.deleted_at.is_(None))
                                   .order_by(Photo.uploaded_at.desc(), Photo.id.desc())))


def leaders() -> list[User]:
    """The active leaders a problem may be given to, by name."""
    return list(db.session.scalars(select(User).where(User.role == Role.LEADER.value, User.active.is_(True))
                                   .order_by(User.display_name, User.username)))


def find_leader(name: str) -> tuple[User | None, str | None]:
    """The active leader called ``name`` (a username, or a display name only one leader has), or
    why there is none."""
    name = (name or "").strip()
    found = list(db.session.scalars(select(User).where(
        User.role == Role.LEADER.value, User.active.is_(True),
        or_(User.username == name, User.display_name == name)))) if name else []
    exact = [user for user in found if user.username == name]
    if exact:
        return exact[0], None
    if len(found) == 1:
        return found[0], None
    if found:
        return None, str(_l("Several leaders have this name: give the username."))
    return None, str(_l("No active leader has this name."))
