"""Rectification items (整改事项): what an acceptance found wanting, or what was added directly, with a
deadline and the unit responsible. Open until closed with a photo of the project or a note (or both).

Each write saves the item and an audit entry and commits, or raises having saved nothing:
:class:`RectificationRuleViolation` (422, messages by field) or :class:`RectificationConflict` (409:
someone saved the item since ``seen_version``).
"""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select
from sqlalchemy.orm import joinedload

from renovation.domain import audit, clock
from renovation.domain.clock import utcnow
from renovation.domain.date_range import implausible_date_message
from renovation.domain.errors import Conflict, RuleViolation, commit_or_conflict
from renovation.extensions import db
from renovation.models import Compound, Photo, Project
from renovation.models.acceptance import AcceptanceRecord, AcceptanceUnit, Rectification, RectificationStatus
from renovation.models.limits import column_limit

DESCRIPTION_MAX = column_limit(Rectification.description)
NOTE_MAX = column_limit(Rectification.closing_note)


class RectificationConflict(Conflict):
    """Someone else changed the item since it was loaded; ``current`` is the item now."""


class RectificationRuleViolation(RuleViolation):
    """The values break a rule; ``errors`` maps fields to messages."""


def days_overdue(item, today: date) -> int:
    """How many days an open item is past its deadline (0 on the deadline, and for a closed one)."""
    if not item.is_open:
        return 0
    return max(0, (today - item.deadline).days)


def is_overdue(item, today: date) -> bool:
    return days_overdue(item, today) > 0


def add_rectification(project, user, values: dict, today: date | None = None) -> Rectification:
    """Add an open item to ``project`` and commit. ``values``: ``description``, ``deadline``,
    ``responsible_unit`` (an :class:`AcceptanceUnit` key) and optionally ``acceptance_id`` (one of
    the project's acceptances)."""
    today = today or clock.today()
    description = (values.get("description") or "").replace("\x00", "").strip()
    deadline, unit = values.get("deadline"), values.get("responsible_unit")
    acceptance_id = values.get("acceptance_id")
    errors = {}
    if not description:
        errors["description"] = str(_l("Describe what is to be rectified."))
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = str(_l("The description is too long."))
    if deadline is None:
        errors["deadline"] = str(_l("Enter the date by which it is to be rectified."))
    elif implausible_date_message(deadline) is not None:
        errors["deadline"] = str(implausible_date_message(deadline))
    elif deadline < today:
        errors["deadline"] = str(_l("The deadline cannot be in the past."))
    if unit not in set(AcceptanceUnit):
        errors["responsible_unit"] = str(_l("Choose the unit responsible."))
    if acceptance_id is not None and db.session.scalar(select(AcceptanceRecord.id).where(
            AcceptanceRecord.id == acceptance_id, AcceptanceRecord.project_id == project.id)) is None:
        errors["acceptance_id"] = str(_l("Choose an acceptance of this project."))
    if errors:
        raise RectificationRuleViolation(errors)
    now = utcnow()
    item = Rectification(project_id=project.id, acceptance_id=acceptance_id, description=description,
                         deadline=deadline, responsible_unit=unit, status=RectificationStatus.OPEN.value,
                         closing_note="", created_by_id=user.id, created_at=now, updated_at=now)
    db.session.add(item)
    db.session.flush()
    audit.record(user, "rectification.add", "project", project.code, rectification=item.id,
                 description=description, deadline=deadline.isoformat(), responsible_unit=unit)
    db.session.commit()
    return item


def close_errors(item, values: dict) -> dict:
    """Why ``item`` cannot be closed with ``values`` (``note``, ``photo_id``); empty when it can."""
    note, photo_id = (values.get("note") or "").strip(), values.get("photo_id")
    if not item.is_open:
        return {"status": str(_l("This item is closed already."))}
    if len(note) > NOTE_MAX:
        return {"note": str(_l("The note is too long."))}
    if photo_id is not None and db.session.scalar(select(Photo.id).where(
            Photo.id == photo_id, Photo.project_id == item.project_id, Photo.deleted_at.is_(None))) is None:
        return {"photo_id": str(_l("Choose a photo of this project."))}
    if not note and photo_id is None:
        return {"note": str(_l("Closing an item needs a photo of the rectified work or a note."))}
    return {}


def close_rectification(item, user, values: dict, seen_version: int | None,
                        today: date | None = None) -> Rectification:
    """Close an open item with ``note`` and/or ``photo_id`` (a live photo of the project), and commit."""
    today = today or clock.today()
    if seen_version != item.version:
        raise RectificationConflict(item)
    values = {**values, "note": (values.get("note") or "").replace("\x00", "").strip()}
    errors = close_errors(item, values)
    if errors:
        raise RectificationRuleViolation(errors)
    with db.session.no_autoflush:
        item.status = RectificationStatus.CLOSED.value
        item.closing_note, item.photo_id = values["note"], values.get("photo_id")
        item.closed_on, item.closed_by_id, item.updated_at = today, user.id, utcnow()
        audit.record(user, "rectification.close", "project", item.project.code, rectification=item.id,
                     note=item.closing_note, photo=item.photo_id)
    return commit_or_conflict(item, RectificationConflict)


def _open_first():
    return (case((Rectification.status == RectificationStatus.OPEN.value, 0), else_=1), Rectification.deadline,
            Rectification.id)


def rectifications_of(project_id: int) -> list[Rectification]:
    """The project's items, open first (by deadline), with their closing photos and people."""
    return list(db.session.scalars(
        select(Rectification).where(Rectification.project_id == project_id)
        .options(joinedload(Rectification.photo), joinedload(Rectification.closed_by))
        .order_by(*_open_first())))


def rectification_by_id(item_id: int) -> Rectification | None:
    """An item with its project and place (for the permission check) and its photo."""
    return db.session.scalar(
        select(Rectification).where(Rectification.id == item_id)
        .options(joinedload(Rectification.photo), joinedload(Rectification.closed_by),
                 joinedload(Rectification.project).joinedload(Project.compound).joinedload(Compound.community)))
