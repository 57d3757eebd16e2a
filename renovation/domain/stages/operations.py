"""Changing a stage: check the version and the rules, save, and write the history.

Views and the API both call :func:`update_stage`; it either saves everything (stage, derived
project columns, stage event, audit entry) or raises and leaves the database untouched.
"""
from datetime import date
from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from renovation.domain import audit
from renovation.domain.clock import today as china_today
from renovation.domain.clock import utcnow
from renovation.domain.errors import Conflict, RuleViolation
from renovation.domain.stages.keys import Status
from renovation.domain.stages.rules import (
    EVIDENCE_RULES,
    StageState,
    broken_completion_rules,
    broken_evidence_rules,
    completion_rules_apply,
    lag_errors,
    stage_errors,
)
from renovation.domain.stages.schedule import refresh_project_summary
from renovation.extensions import db
from renovation.models import Project, RuleOverride, StageEvent
from renovation.models.limits import column_limit

OVERRIDE_REASON_MAX = column_limit(RuleOverride.reason)

EDITABLE_FIELDS = ("status", "percent", "actual_start", "actual_end", "note", "lag_reason", "lag_note",
                   "catch_up_date")


class StageConflict(Conflict):
    """Someone else saved the stage since the user loaded it; ``current`` is the stage now."""


class StageRuleViolation(RuleViolation):
    """The change breaks a stage rule; ``errors`` maps fields to messages. ``overridable``: the keys of
    the evidence rules the user may set aside with a written reason (``override_reason``)."""

    def __init__(self, errors: dict, overridable: tuple[str, ...] = ()):
        super().__init__(errors)
        self.overridable = overridable


def state_of(stage) -> StageState:
    """The plain values of a stage record."""
    return StageState(
        key=stage.key,
        status=stage.status,
        percent=stage.percent,
        actual_start=stage.actual_start,
        actual_end=stage.actual_end,
        note=stage.note or "",
        planned_start=stage.planned_start,
        planned_end=stage.planned_end,
        lag_reason=stage.lag_reason or "",
        lag_note=stage.lag_note or "",
        catch_up_date=stage.catch_up_date,
    )


def completion_changes(changes: dict, stage, today: date) -> dict:
    """``changes`` as "mark as completed" makes them: 100%, completed, ended today.

    The actual start stays what the user typed or what the stage had; only when neither
    exists does it become today too, so one action completes a stage that was never started.
    """
    return {**changes, "status": Status.COMPLETED.value, "percent": 100,
            "actual_start": changes.get("actual_start") or stage.actual_start or today,
            "actual_end": changes.get("actual_end") or today}


def enabled_evidence_rules() -> set[str]:
    """The evidence rules switched on (each by its setting; on unless set off)."""
    return {rule.key for rule in EVIDENCE_RULES if current_app.config.get(rule.setting, True)}


def evidence_rules_broken(project_id: int, current, proposed, others) -> list:
    """The evidence rules (switched on) that changing ``current`` to ``proposed`` breaks. The photos
    are read only when the change could break a rule without them (a stage starting that a rule
    covers); most changes cannot. The page, the API and the ledger import all ask here."""
    from renovation.domain.contents.hidden_works import evidenced_stages  # the contents read photos

    enabled = enabled_evidence_rules()
    if not enabled or not broken_evidence_rules(current, proposed, others, set(), enabled):
        return []
    return broken_evidence_rules(current, proposed, others, evidenced_stages(project_id), enabled)


def completion_rules_broken(project_id: int, current, proposed) -> list:
    """The messages of the completion rules (竣工验收: no open rectification item, residents'
    representatives present) that marking the stage completed breaks; the facts are read only then."""
    if not completion_rules_apply(current, proposed):
        return []
    from renovation.domain.acceptance.facts import completion_facts  # acceptance reads contents and photos

    return broken_completion_rules(current, proposed, completion_facts(project_id))


def _evidence_check(project, user, current, proposed, others, override_reason: str) -> tuple[list, dict]:
    """The evidence rules the change breaks, and the errors to show: the first broken rule's message
    unless the user may override rules and gave a reason (a reason from anyone else is refused)."""
    errors = {}
    if override_reason and not getattr(user, "may_override_rules", False):
        errors["override_reason"] = _l("Only someone an administrator allows may override a stage rule.")
    elif len(override_reason) > OVERRIDE_REASON_MAX:
        errors["override_reason"] = _l("The reason is too long.")
    broken = evidence_rules_broken(project.id, current, proposed, others)
    if broken and (errors or not override_reason):
        errors.setdefault("status", broken[0].message)
    return broken, errors


def update_stage(project, key: str, user, changes: dict, seen_version: int, today: date | None = None,
                 override_reason: str = ""):
    """Apply ``changes`` (a subset of :data:`EDITABLE_FIELDS`) to a stage and commit.

    Raises :class:`StageConflict` when ``seen_version`` is stale and
    :class:`StageRuleViolation` when a rule is broken; nothing is saved in either case. An evidence
    rule (hidden-works photos before paving) is set aside by a user allowed to override rules who
    gives ``override_reason``; the override is recorded (its own row, the stage's history, the audit).
    """
    override_reason = (override_reason or "").replace("\x00", "").strip()
    today = today or china_today()
    _lock_project(project)
    stage = project.stage(key)
    if seen_version != stage.version:
        raise StageConflict(stage)
    current = state_of(stage)
    proposed = current.with_changes(**{f: changes[f] for f in EDITABLE_FIELDS if f in changes})
    others = {other.key: state_of(other) for other in project.stages}
    # The delay is asked at a change; saving the form untouched stays a no-op.
    lag = lag_errors(proposed, today) if proposed != current else {}
    broken, evidence = _evidence_check(project, user, current, proposed, others, override_reason)
    errors = {**lag, **stage_errors(proposed, others, today)}
    for field, message in evidence.items():
        errors.setdefault(field, message)
    for message in completion_rules_broken(project.id, current, proposed):
        errors.setdefault("status", message)
    if errors:
        may_override = getattr(user, "may_override_rules", False) and "override_reason" not in errors
        raise StageRuleViolation(errors, overridable=tuple(rule.key for rule in broken) if may_override else ())
    overridden = broken  # nothing refused: each broken rule was set aside with the reason
    diff = [
        {"field": field, "old": _plain(getattr(current, field)), "new": _plain(getattr(proposed, field))}
        for field in EDITABLE_FIELDS
        if getattr(current, field) != getattr(proposed, field)
    ]
    if not diff:
        return stage
    diff += [{"field": "rule_override", "old": None, "new": override_reason, "rule": rule.key} for rule in overridden]
    # No autoflush while the change is assembled: loading anything (an expired user.id, say)
    # would otherwise flush the stage early, bumping its version twice and raising a
    # concurrent save as StaleDataError outside the commit that turns it into a conflict.
    with db.session.no_autoflush:
        for field in EDITABLE_FIELDS:
            setattr(stage, field, getattr(proposed, field))
        now = utcnow()
        stage.updated_at = now
        stage.updated_by_id = user.id
        project.updated_at = now
        refresh_project_summary(project)
        db.session.add(
            StageEvent(
                project_id=project.id, stage_key=key, at=now, user_id=user.id, changes=diff,
                note=proposed.note if any(d["field"] == "note" for d in diff) else "",
            )
        )
        audit.record(user, "stage.update", "project", project.code, stage=key, changes=diff)
        for rule in overridden:
            db.session.add(RuleOverride(project_id=project.id, stage_key=key, rule=rule.key, reason=override_reason,
                                        user_id=user.id, at=now))
            audit.record(user, "stage.override_rule", "project", project.code, stage=key, rule=rule.key,
                         reason=override_reason)
    try:
        _commit_keeping_what_was_written()
    except StaleDataError:
        db.session.rollback()
        db.session.refresh(stage)
        raise StageConflict(stage) from None
    return stage


# Built once, the project bound at each call (SQLAlchemy keys a statement for its cache of compiled
# SQL by walking all of it: every time for one built anew, once for one kept).
_LOCK_PROJECT = (update(Project).where(Project.id == bindparam("project_id"))
                 .values(updated_at=Project.updated_at))
@cache  # built at the first call: a loader option configures every mapper
def _project_and_stages() -> Select:
    return (select(Project).where(Project.id == bindparam("project_id"))
            .options(joinedload(Project.stages)).execution_options(populate_existing=True))


def _lock_project(project) -> None:
    """Serialise stage writes of one project, and read the project and its stages as they are now.

    The rules span stages, and versions are per stage: without this, one engineer completing
    paving while another reopens rain/sewage separation could both pass the rules against the
    other's old values. A no-op UPDATE of the project row takes the lock (a row lock on PostgreSQL,
    the write lock on SQLite) until commit; the project and its stages are then read again over
    the values the session holds. What that read sees is current: PostgreSQL reads the latest
    committed rows at each statement (read committed), and SQLite's driver opens no transaction
    for the reads before the UPDATE (it begins one at the first write), so the write lock comes
    with the latest data. (Ending the read transaction by a rollback, as this did before, made the
    session forget everything it had loaded, and read the project, its stages and the user again.)
    """
    db.session.execute(_LOCK_PROJECT, {"project_id": project.id})
    db.session.execute(_project_and_stages(), {"project_id": project.id}).unique().all()


def _commit_keeping_what_was_written() -> None:
    """Commit without the session forgetting the values it holds: the project and the stage are as
    this operation wrote them under the project's lock, so the answer (the stage's JSON, its card)
    shows them without reading them again."""
    session = db.session()
    expiring, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring


def _plain(value):
    """A JSON-friendly form of a stage value for the history."""
    if isinstance(value, date):
        return value.isoformat()
    return value
