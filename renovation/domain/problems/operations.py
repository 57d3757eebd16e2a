"""Raising a difficult problem and taking it through its steps.

Each function either saves everything (the problem, its history event, the audit entry) or raises
and saves nothing: :class:`ProblemRuleViolation` (422, messages by field) or
:class:`ProblemConflict` (409: someone saved the problem since ``seen_version``).
"""
from datetime import UTC, date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from renovation.domain import audit, clock, notifications
from renovation.domain.clock import CHINA, utcnow
from renovation.domain.errors import Conflict, RuleViolation, commit_or_conflict
from renovation.domain.problems.facts import FACTS, fact_errors, find_leader, live_photos
from renovation.domain.problems.flow import (
    NEEDED_MESSAGES,
    NOT_NOW_MESSAGES,
    RUNNING,
    STEP_NEEDS,
    Step,
    may_be_taken,
    status_after,
)
from renovation.extensions import db
from renovation.models import Compound, Project
from renovation.models.problems import Problem, ProblemEvent, ProblemStatus
from renovation.models.users import Role


class ProblemConflict(Conflict):
    """Someone else saved the problem since the user loaded it; ``current`` is the problem now."""


class ProblemRuleViolation(RuleViolation):
    """The values break a problem rule; ``errors`` maps fields to messages."""


def _facts_of(problem) -> dict:
    return {"title": problem.title, "description": problem.description, "category": problem.category,
            "departments": list(problem.departments or []), "proposal": problem.proposal,
            "deadline": problem.deadline, "stage": problem.stage_key,
            "photos": [photo.id for photo in problem.photos]}


def _clean(values: dict) -> dict:
    cleaned = {name: values[name] for name in FACTS if name in values}
    for name in ("title", "description", "proposal"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    if "departments" in cleaned:
        cleaned["departments"] = list(dict.fromkeys(cleaned["departments"] or []))
    if "photos" in cleaned:
        cleaned["photos"] = sorted(set(cleaned["photos"] or []))
    if "stage" in cleaned:
        cleaned["stage"] = cleaned["stage"] or None
    return cleaned


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def _record(problem, user, step: Step, changes: list, project_code: str) -> None:
    now = utcnow()
    problem.updated_at = now
    db.session.add(ProblemEvent(problem_id=problem.id, at=now, user_id=user.id, step=step.value, changes=changes))
    audit.record(user, f"problem.{step.value}", "project", project_code, problem=problem.id, changes=changes)


def _store_facts(problem, facts: dict) -> None:
    problem.title, problem.description, problem.category = facts["title"], facts["description"], facts["category"]
    problem.departments, problem.proposal = facts["departments"], facts["proposal"] or ""
    problem.deadline, problem.stage_key = facts["deadline"], facts["stage"]
    problem.photos = live_photos(problem.project_id, facts["photos"])


def raise_problem(project, user, values: dict, today: date | None = None) -> Problem:
    """Record a new problem of ``project`` (open, awaiting assessment) and commit. ``values``: title,
    description, category, departments, proposal, deadline, stage (the stage it blocks, optional)
    and photos (ids of the project's photos)."""
    today = today or clock.today()
    facts = {"departments": [], "proposal": "", "stage": None, "photos": [], **_clean(values)}
    errors = fact_errors(facts, project, today)
    if errors:
        raise ProblemRuleViolation(errors)
    now = utcnow()
    problem = Problem(project_id=project.id, status=ProblemStatus.OPEN.value, raised_by_id=user.id,
                      raised_at=now, updated_at=now, resolution="", reason="")
    _store_facts(problem, facts)
    changes = [{"field": "status", "old": None, "new": ProblemStatus.OPEN.value}]
    problem.events.append(ProblemEvent(at=now, user_id=user.id, step=Step.RAISE.value, changes=changes))
    db.session.add(problem)
    db.session.flush()  # the problem's id, for the audit entry
    audit.record(user, "problem.raise", "project", project.code, problem=problem.id, category=problem.category)
    db.session.commit()
    return problem


def steps_of(problem, user, changes: dict) -> list[Step]:
    """The steps a change (the API's PATCH body) asks for, in the order they are taken: the facts
    first, then a move of status or leader. Raises :class:`ProblemRuleViolation` for a status that
    is none, or a way back the flow does not have."""
    steps = [Step.EDIT] if any(name in changes for name in FACTS) else []
    current, target = problem.status, changes.get("status") or problem.status
    if target not in set(ProblemStatus):
        raise ProblemRuleViolation({"status": str(_l("Choose a status."))})
    if target == current:
        leader = changes.get("leader")
        if leader and current in RUNNING and (problem.leader is None
                                              or leader not in (problem.leader.username, problem.leader.name)):
            steps.append(_leader_step(user, changes))
    elif target == ProblemStatus.SOLVED:
        steps.append(Step.SOLVE)
    elif target == ProblemStatus.SUSPENDED:
        steps.append(Step.SUSPEND)
    elif current in (ProblemStatus.SOLVED, ProblemStatus.SUSPENDED):
        steps.append(Step.REOPEN)
    elif target == ProblemStatus.IN_HAND:
        steps.append(_leader_step(user, changes))
    else:
        raise ProblemRuleViolation({"status": str(_l(
            "A problem in hand does not go back to awaiting assessment: give it to another leader, "
            "or suspend it with the reason."))})
    return steps


def _leader_step(user, changes: dict) -> Step:
    """A leader naming themselves (or nobody) takes the problem on; anyone else assigns it."""
    mine = user.role == Role.LEADER and changes.get("leader") in (None, "", user.username, user.name)
    return Step.TAKE_ON if mine else Step.ASSIGN


def change_problem(problem, user, changes: dict, seen_version: int, today: date | None = None) -> Problem:
    """Take the steps :func:`steps_of` finds in ``changes`` (facts, ``status``, ``leader``,
    ``resolution``, ``solved_at``, ``reason``) together, and commit; nothing is saved if one fails."""
    today = today or clock.today()
    if seen_version != problem.version:
        raise ProblemConflict(problem)
    steps = steps_of(problem, user, changes)
    with db.session.no_autoflush:
        planned = [_planned(problem, user, step, changes, today) for step in steps]
        for apply in planned:
            apply()
    problem = commit_or_conflict(problem, ProblemConflict)
    if Step.ASSIGN in steps:
        notifications.problem_assigned(problem, user)
    return problem


def take_step(problem, user, step: Step, values: dict, seen_version: int, today: date | None = None) -> Problem:
    """One step from a page's form (``values`` as the step needs them), and commit."""
    today = today or clock.today()
    if seen_version != problem.version:
        raise ProblemConflict(problem)
    with db.session.no_autoflush:
        _planned(problem, user, step, values, today)()
    problem = commit_or_conflict(problem, ProblemConflict)
    if step == Step.ASSIGN:
        notifications.problem_assigned(problem, user)  # the leader hears of it (never raises)
    return problem


def _planned(problem, user, step: Step, values: dict, today: date):
    """Check ``step`` with ``values`` and return what applies it (raises with nothing changed)."""
    if step != Step.EDIT and not may_be_taken(step, problem.status):
        raise ProblemRuleViolation({"status": str(NOT_NOW_MESSAGES[step])})
    if step == Step.EDIT:
        return _planned_edit(problem, user, values, today)
    errors = {name: str(NEEDED_MESSAGES[name]) for name in STEP_NEEDS.get(step, ())
              if not (values.get(name) or "").strip()}
    if errors:
        raise ProblemRuleViolation(errors)
    changes, setters = [], {}
    if step == Step.ASSIGN:
        leader, message = find_leader(values["leader"])
        if leader is None:
            raise ProblemRuleViolation({"leader": message})
        if leader.id == problem.leader_id:
            raise ProblemRuleViolation({"leader": str(_l("This leader has the problem already."))})
        setters["leader"] = leader
    elif step == Step.TAKE_ON:
        if user.role != Role.LEADER:
            raise ProblemRuleViolation({"leader": str(_l("Only a leader can take a problem on."))})
        setters["leader"] = user
    elif step == Step.SOLVE:
        setters.update(resolution=values["resolution"].strip(), solved_on=_solved_on(problem, values, today))
    elif step == Step.SUSPEND:
        setters["reason"] = values["reason"].strip()
    elif step == Step.REOPEN:
        setters.update(reason=values["reason"].strip(), resolution="", solved_on=None)
    if "leader" in setters:
        old = problem.leader.name if problem.leader else None
        changes.append({"field": "leader", "old": old, "new": setters["leader"].name})
    for name in ("resolution", "solved_on", "reason"):
        if name in setters and setters[name] != getattr(problem, name):
            changes.append({"field": name, "old": _plain(getattr(problem, name)) or None,
                            "new": _plain(setters[name]) or None})
    status = status_after(step, problem)
    if status != problem.status:
        changes.insert(0, {"field": "status", "old": problem.status, "new": status})

    def apply():
        for name, value in setters.items():
            setattr(problem, name, value)
        problem.status = status
        _record(problem, user, step, changes, problem.project.code)

    return apply


def _solved_on(problem, values: dict, today: date) -> date:
    solved_on = values.get("solved_at") or today
    raised_on = problem.raised_at.replace(tzinfo=UTC).astimezone(CHINA).date() if problem.raised_at else None
    if solved_on > today:
        raise ProblemRuleViolation({"solved_at": str(_l("The date cannot be in the future."))})
    if raised_on and solved_on < raised_on:
        raise ProblemRuleViolation({"solved_at": str(_l("The problem cannot be solved before it was raised."))})
    return solved_on


def _planned_edit(problem, user, values: dict, today: date):
    if problem.status == ProblemStatus.SOLVED:
        raise ProblemRuleViolation({"status": str(NOT_NOW_MESSAGES[Step.EDIT])})
    current = _facts_of(problem)
    proposed = {**current, **_clean(values)}
    errors = fact_errors(proposed, problem.project, today, kept_departments=current["departments"],
                         old_deadline=current["deadline"])
    if errors:
        raise ProblemRuleViolation(errors)
    changes = [{"field": name, "old": _plain(current[name]), "new": _plain(proposed[name])}
               for name in FACTS if current[name] != proposed[name]]

    def apply():
        if changes:
            _store_facts(problem, proposed)
            _record(problem, user, Step.EDIT, changes, problem.project.code)

    return apply


def problem_by_id(problem_id: int) -> Problem | None:
    """A problem with its project, place, people, photos and history."""
    return db.session.scalar(
        select(Problem).where(Problem.id == problem_id)
        .options(joinedload(Problem.project).joinedload(Project.compound).joinedload(Compound.community),
                 joinedload(Problem.leader), joinedload(Problem.raised_by), selectinload(Problem.photos),
                 selectinload(Problem.events).joinedload(ProblemEvent.user)))
