"""Site visits (蹲点调研): a dated record of a visit to a project's compound — who came (users, and
others as free text), what was seen, what was decided — and the difficult problems raised on the
spot or taken up there.

:func:`record_visit` saves the visit with its audit entry and commits, or raises
:class:`VisitRuleViolation` (422, messages by field) and saves nothing. A problem raised on the
spot goes through :func:`renovation.domain.problems.operations.raise_problem`, after the visit's
own values are checked, so a refused visit raises no problem.
"""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from renovation.domain import audit, clock
from renovation.domain.clock import utcnow
from renovation.domain.date_range import implausible_date_message
from renovation.domain.errors import RuleViolation
from renovation.domain.leaders.links import users_linked_to
from renovation.domain.problems import facts as problem_facts
from renovation.domain.problems.operations import ProblemRuleViolation, raise_problem
from renovation.extensions import db
from renovation.models import Compound, Problem, Project, User
from renovation.models.leaders import SiteVisit, site_visit_leader

TEXTS = ("others", "seen", "decided")


class VisitRuleViolation(RuleViolation):
    """The values break a rule of a visit; ``errors`` maps fields to messages (a problem raised on
    the spot: its fields prefixed ``problem-``)."""


def who_may_have_come(project, on_date: date | None = None) -> list[User]:
    """The users a visit's form offers: the active leaders and whoever is linked to the project."""
    found = {user.id: user for user in problem_facts.leaders()}
    found.update((user.id, user) for user in users_linked_to(project, on_date))
    return sorted(found.values(), key=lambda user: (user.role != "leader", user.name))


def record_visit(project, actor, values: dict, today: date | None = None) -> SiteVisit:
    """Record a visit to ``project`` and commit. ``values``: ``visited_on`` (not in the future),
    ``leaders`` (user ids), ``others``, ``seen``, ``decided``, ``problems`` (ids of the project's
    problems taken up) and ``new_problem`` (the facts of a problem raised on the spot, or None)."""
    today = today or clock.today()
    texts = {name: (values.get(name) or "").strip() for name in TEXTS}
    errors = _visit_errors(values, texts, today)
    came = _users(values.get("leaders") or [])
    if len(came) != len(set(values.get("leaders") or [])):
        errors["leaders"] = str(_l("Choose among the people listed."))
    problems = _project_problems(project.id, values.get("problems") or [])
    if len(problems) != len(set(values.get("problems") or [])):
        errors["problems"] = str(_l("Choose problems of this project."))
    if errors:
        raise VisitRuleViolation(errors)
    if values.get("new_problem"):
        problems.append(_raise_on_the_spot(project, actor, values["new_problem"]))
    visit = SiteVisit(project_id=project.id, visited_on=values["visited_on"], recorded_by_id=actor.id,
                      recorded_at=utcnow(), leaders=came, problems=problems, **texts)
    db.session.add(visit)
    db.session.flush()
    audit.record(actor, "visit.record", "project", project.code, visit=visit.id,
                 visited_on=visit.visited_on.isoformat(), leaders=[user.name for user in came],
                 problems=[problem.id for problem in problems])
    db.session.commit()
    return visit


def _visit_errors(values: dict, texts: dict, today: date) -> dict:
    errors = {}
    visited_on = values.get("visited_on")
    if visited_on is None:
        errors["visited_on"] = str(_l("Enter the date of the visit."))
    elif implausible_date_message(visited_on) is not None:
        errors["visited_on"] = str(implausible_date_message(visited_on))
    elif visited_on > today:
        errors["visited_on"] = str(_l("The date cannot be in the future."))
    if not values.get("leaders") and not texts["others"]:
        errors["leaders"] = str(_l("Say who came: choose the leaders, or name the others."))
    if not texts["seen"]:
        errors["seen"] = str(_l("Say what was seen."))
    return errors


def _raise_on_the_spot(project, actor, facts: dict) -> Problem:
    try:
        return raise_problem(project, actor, facts)
    except ProblemRuleViolation as violation:
        raise VisitRuleViolation({f"problem-{name}": message for name, message in violation.errors.items()}) from None


def _users(user_ids) -> list[User]:
    if not user_ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(list(user_ids))).order_by(User.id)))


def _project_problems(project_id: int, problem_ids) -> list[Problem]:
    if not problem_ids:
        return []
    return list(db.session.scalars(select(Problem).where(
        Problem.project_id == project_id, Problem.id.in_(list(problem_ids))).order_by(Problem.id)))


def _with_people():
    return (selectinload(SiteVisit.leaders), joinedload(SiteVisit.recorded_by), selectinload(SiteVisit.problems))


def project_visits(project_id: int) -> list[SiteVisit]:
    """A project's visits, the latest first, with who came, who recorded them and their problems."""
    return list(db.session.scalars(
        select(SiteVisit).where(SiteVisit.project_id == project_id).options(*_with_people())
        .order_by(SiteVisit.visited_on.desc(), SiteVisit.id.desc())))


def visits_of(user_id: int, limit: int = 100) -> list[SiteVisit]:
    """The visits a user came on (or recorded), the latest first, with their projects' places."""
    came = select(site_visit_leader.c.visit_id).where(site_visit_leader.c.user_id == user_id)
    return list(db.session.scalars(
        select(SiteVisit).where(SiteVisit.id.in_(came) | (SiteVisit.recorded_by_id == user_id))
        .options(*_with_people(), joinedload(SiteVisit.project).joinedload(Project.compound)
                 .joinedload(Compound.community))
        .order_by(SiteVisit.visited_on.desc(), SiteVisit.id.desc()).limit(limit)))
