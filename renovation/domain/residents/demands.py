"""Resident demands (诉求): the flow as data, raising and changing a demand, when one is overdue.

Views and the API call :func:`raise_demand` and :func:`change_demand`; each either saves
everything (the demand, its history event, the audit entry) or raises and saves nothing. Lists,
pages and figures of many demands are read by :mod:`renovation.domain.residents.demand_list`.
"""
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from renovation.domain import audit
from renovation.domain.clock import today as china_today
from renovation.domain.clock import utcnow
from renovation.domain.date_range import implausible_date_message
from renovation.domain.errors import Conflict, RuleViolation, commit_or_conflict
from renovation.extensions import db
from renovation.models import Compound, Project
from renovation.models.consultations import Consultation, Demand, DemandCategory, DemandEvent, DemandStatus

S = DemandStatus
# Where each status may go next. Resolved and declined are final: nothing leaves them.
TRANSITIONS: dict[DemandStatus, frozenset[DemandStatus]] = {
    S.PENDING: frozenset({S.IN_PROGRESS, S.RESOLVED, S.DECLINED}),
    S.IN_PROGRESS: frozenset({S.RESOLVED, S.DECLINED}),
    S.RESOLVED: frozenset(),
    S.DECLINED: frozenset(),
}
FINAL = frozenset(status for status, targets in TRANSITIONS.items() if not targets)
OPEN = frozenset(DemandStatus) - FINAL
# What a status needs written down before a demand may enter it.
REQUIRED_TEXT = {S.RESOLVED: "response", S.DECLINED: "reason"}
REQUIRED_MESSAGES = {
    "response": _l("Write the response given to the residents."),
    "reason": _l("Write why the demand is declined."),
}
CHANGEABLE_FIELDS = ("status", "response", "reason", "assignee")
DEFAULT_OVERDUE_DAYS = 15


class DemandConflict(Conflict):
    """Someone else saved the demand since the user loaded it; ``current`` is the demand now."""


class DemandRuleViolation(RuleViolation):
    """The values break a demand rule; ``errors`` maps fields to messages."""


def overdue_days_setting() -> int:
    """Days a demand may stay open before it is overdue (``DEMAND_OVERDUE_DAYS``)."""
    return int(current_app.config.get("DEMAND_OVERDUE_DAYS", DEFAULT_OVERDUE_DAYS))


def days_overdue(demand, today: date, limit: int | None = None) -> int:
    """How many days past the limit an open demand is; 0 when it is not overdue.

    Overdue means more than ``limit`` days since it was raised: exactly 15 days is not yet late.
    """
    limit = overdue_days_setting() if limit is None else limit
    if demand.status in FINAL:
        return 0
    return max(0, (today - demand.raised_on).days - limit)


def transition_errors(current: str, proposed: dict) -> dict[str, str]:
    """The rule violations of moving a demand in ``current`` status to the ``proposed`` values."""
    target = proposed["status"]
    if target not in set(DemandStatus):
        return {"status": str(_l("Choose a status."))}
    if current in FINAL:
        return {"status": str(_l("This demand is closed and cannot be reopened or changed; "
                                  "raise a new demand instead."))}
    if target != current and target not in TRANSITIONS[DemandStatus(current)]:
        return {"status": str(_l("A demand being handled cannot go back to pending."))}
    field = REQUIRED_TEXT.get(DemandStatus(target))
    if field and not (proposed.get(field) or "").strip():
        return {field: str(REQUIRED_MESSAGES[field])}
    return {}


# --- writing -----------------------------------------------------------------------------------

def raise_demand(project, user, values: dict, today: date | None = None) -> Demand:
    """Record a new demand for ``project`` and commit. ``values``: category, text, raised_by,
    raised_on and an optional consultation_id (of the same project). Raises
    :class:`DemandRuleViolation` with nothing saved."""
    today = today or china_today()
    errors = {}
    category = values.get("category")
    if category not in set(DemandCategory):
        errors["category"] = str(_l("Choose a category."))
    text = (values.get("text") or "").strip()
    if not text:
        errors["text"] = str(_l("Write what the residents ask for."))
    raised_on = values.get("raised_on")
    if raised_on is None:
        errors["raised_on"] = str(_l("Enter the date the demand was raised."))
    elif implausible_date_message(raised_on) is not None:
        errors["raised_on"] = str(implausible_date_message(raised_on))
    elif raised_on > today:
        errors["raised_on"] = str(_l("The date cannot be in the future."))
    consultation_id = values.get("consultation_id") or None
    if consultation_id is not None:
        consultation = db.session.get(Consultation, consultation_id)
        if consultation is None or consultation.project_id != project.id or consultation.deleted_at:
            errors["consultation_id"] = str(_l("Choose a consultation of this project."))
    if errors:
        raise DemandRuleViolation(errors)
    now = utcnow()
    demand = Demand(project_id=project.id, consultation_id=consultation_id, category=category, text=text,
                    raised_by=(values.get("raised_by") or "").strip(), raised_on=raised_on,
                    status=S.PENDING.value, created_by_id=user.id, created_at=now, updated_at=now)
    db.session.add(demand)
    db.session.flush()
    changes = [{"field": "status", "old": None, "new": S.PENDING.value}]
    db.session.add(DemandEvent(demand_id=demand.id, at=now, user_id=user.id, changes=changes))
    audit.record(user, "demand.raise", "project", project.code, demand=demand.id, category=category)
    db.session.commit()
    return demand


def change_demand(demand, user, changes: dict, seen_version: int, today: date | None = None) -> Demand:
    """Apply ``changes`` (a subset of :data:`CHANGEABLE_FIELDS`) and commit.

    Raises :class:`DemandConflict` when ``seen_version`` is stale and
    :class:`DemandRuleViolation` when a rule is broken; nothing is saved in either case.
    """
    today = today or china_today()
    if seen_version != demand.version:
        raise DemandConflict(demand)
    current = {field: getattr(demand, field) or "" for field in CHANGEABLE_FIELDS}
    proposed = {**current, **{f: (changes[f] or "").strip() for f in CHANGEABLE_FIELDS if f in changes}}
    diff = [{"field": f, "old": current[f], "new": proposed[f]}
            for f in CHANGEABLE_FIELDS if current[f] != proposed[f]]
    if not diff:
        return demand
    errors = transition_errors(current["status"], proposed)
    if errors:
        raise DemandRuleViolation(errors)
    with db.session.no_autoflush:
        for field in CHANGEABLE_FIELDS:
            setattr(demand, field, proposed[field])
        if proposed["status"] in FINAL and current["status"] not in FINAL:
            demand.resolved_on = today
            diff.append({"field": "resolved_on", "old": None, "new": today.isoformat()})
        now = utcnow()
        demand.updated_at = now
        db.session.add(DemandEvent(demand_id=demand.id, at=now, user_id=user.id, changes=diff))
        audit.record(user, "demand.update", "project", demand.project.code, demand=demand.id, changes=diff)
    return commit_or_conflict(demand, DemandConflict)


# --- reading one ---------------------------------------------------------------------------------

def demand_by_id(demand_id: int) -> Demand | None:
    """A demand with its project, place and history."""
    return db.session.scalar(
        select(Demand).where(Demand.id == demand_id)
        .options(joinedload(Demand.project).joinedload(Project.compound).joinedload(Compound.community),
                 selectinload(Demand.events).joinedload(DemandEvent.user))
    )


def project_consultations(project_id: int) -> list[Consultation]:
    """The project's consultations (not deleted), newest first: the choices of 'raised at'."""
    return list(db.session.scalars(
        select(Consultation).where(Consultation.project_id == project_id, Consultation.deleted_at.is_(None))
        .order_by(Consultation.date.desc(), Consultation.id.desc())
    ))
