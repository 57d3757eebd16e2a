"""Reading many difficult problems: a project's, the list's page, and the figures (open, overdue,
solved, suspended) by street, category and leader — each in a constant number of queries."""
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import Select, and_, bindparam, case, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from renovation.domain.paging import Page, count_and_clamp
from renovation.domain.problems.flow import RUNNING, UNSOLVED
from renovation.extensions import db
from renovation.models import Community, Compound, Project, Street, User
from renovation.models.problems import Problem, ProblemStatus

OPEN_VALUES = sorted(status.value for status in RUNNING)
NO_LEADER = -1  # the list's filter for problems no leader has taken on yet


@dataclass
class ProblemFilter:
    """What the problems list (or the API's) asks for; every field is optional."""

    project_id: int | None = None
    street_id: int | None = None
    community_id: int | None = None
    category: str = ""
    status: str = ""
    leader_id: int | None = None  # NO_LEADER: none assigned
    overdue: bool = False


@dataclass
class Tally:
    """One row of the figures: a street, a category or a leader, and its counts."""

    key: object
    label: str
    open: int = 0
    overdue: int = 0
    solved: int = 0
    suspended: int = 0


@dataclass
class ProblemFigures:
    """The whole list's counts and the same by street, category and leader."""

    total: Tally
    by_street: list = field(default_factory=list)
    by_category: list = field(default_factory=list)
    by_leader: list = field(default_factory=list)


def overdue_clause(today: date):
    return and_(Problem.status.in_(OPEN_VALUES), Problem.deadline < today)


def _where(criteria: ProblemFilter, today: date) -> list:
    conditions = []
    if criteria.project_id:
        conditions.append(Problem.project_id == criteria.project_id)
    if criteria.street_id:
        conditions.append(Community.street_id == criteria.street_id)
    if criteria.community_id:
        conditions.append(Compound.community_id == criteria.community_id)
    if criteria.category:
        conditions.append(Problem.category == criteria.category)
    if criteria.status:
        conditions.append(Problem.status == criteria.status)
    if criteria.leader_id == NO_LEADER:
        conditions.append(Problem.leader_id.is_(None))
    elif criteria.leader_id:
        conditions.append(Problem.leader_id == criteria.leader_id)
    if criteria.overdue:
        conditions.append(overdue_clause(today))
    return conditions


def _joined(statement):
    return statement.join(Problem.project).join(Project.compound).join(Compound.community)


def problem_page(criteria: ProblemFilter, today: date, page: int = 1, per_page: int = 50) -> Page:
    """One page of the problems that match, overdue first, then by deadline."""
    query = _joined(select(Problem)).where(*_where(criteria, today))
    total, page = count_and_clamp(query, page, per_page)
    order = (case((overdue_clause(today), 0), (Problem.status.in_(OPEN_VALUES), 1),
                  (Problem.status == ProblemStatus.SUSPENDED.value, 2), else_=3),
             Problem.deadline, Problem.id)
    items = list(db.session.scalars(
        query.options(contains_eager(Problem.project).contains_eager(Project.compound)
                      .contains_eager(Compound.community).joinedload(Community.street),
                      joinedload(Problem.leader), joinedload(Problem.raised_by), selectinload(Problem.photos))
        .order_by(*order).limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, total=total, page=page, per_page=per_page)


def project_problems(project_id: int) -> list[Problem]:
    """A project's problems, unsolved first, with their leaders and photos."""
    return list(db.session.scalars(
        select(Problem).where(Problem.project_id == project_id)
        .options(joinedload(Problem.leader), joinedload(Problem.raised_by), selectinload(Problem.photos))
        .order_by(case((Problem.status.in_([s.value for s in UNSOLVED]), 0), else_=1), Problem.deadline,
                  Problem.id)))


@cache  # built once, the project and stage bound at each call (no cache key walked each time)
def _blocking_one_stage() -> Select:
    return (select(Problem.id, Problem.title, Problem.status, Problem.deadline)
            .where(Problem.project_id == bindparam("project_id"), Problem.stage_key == bindparam("stage_key"),
                   Problem.status.in_(sorted(status.value for status in UNSOLVED)))
            .order_by(Problem.deadline, Problem.id))


def problems_blocking(project_id: int, stage_key: str) -> list:
    """The unsolved problems that block one stage of a project, as its card shows them: (id, title,
    status, deadline) rows in the order :func:`blocking_by_stage` gives them."""
    return list(db.session.execute(_blocking_one_stage(), {"project_id": project_id, "stage_key": stage_key}))


def blocking_by_stage(problems) -> dict[str, list[Problem]]:
    """The unsolved problems among ``problems`` that block a stage, by stage key."""
    blocking: dict[str, list[Problem]] = {}
    for problem in problems:
        if problem.stage_key and problem.status in UNSOLVED:
            blocking.setdefault(problem.stage_key, []).append(problem)
    return blocking


def _counts():
    return (func.count(case((Problem.status.in_(OPEN_VALUES), 1))).label("open"),
            func.count(case((Problem.status == ProblemStatus.SOLVED.value, 1))).label("solved"),
            func.count(case((Problem.status == ProblemStatus.SUSPENDED.value, 1))).label("suspended"))


def figures(criteria: ProblemFilter, today: date) -> ProblemFigures:
    """The counts of the problems that match, in all and by street, category and leader (four
    queries whatever the number of problems)."""
    where = _where(criteria, today)
    overdue = func.count(case((overdue_clause(today), 1))).label("overdue")

    def tallies(*keys, outer_leader=False):
        statement = _joined(select(*keys, *_counts(), overdue))
        if outer_leader:
            statement = statement.outerjoin(User, User.id == Problem.leader_id)
        if keys and keys[0] is Street.id:
            statement = statement.join(Community.street)
        statement = statement.where(*where)
        return db.session.execute(statement.group_by(*keys) if keys else statement).all()

    def tally(row, key, label) -> Tally:
        return Tally(key, label, row.open, row.overdue, row.solved, row.suspended)

    [total] = tallies()
    by_street = [tally(row, row[0], row[1]) for row in tallies(Street.id, Street.name)]
    by_category = [tally(row, row[0], row[0]) for row in tallies(Problem.category)]
    by_leader = [tally(row, row[0] or NO_LEADER, row[1] or row[2] or "")
                 for row in tallies(Problem.leader_id, User.display_name, User.username, outer_leader=True)]
    ordered = sorted  # most open first, then by name: what needs attention stands at the top
    return ProblemFigures(
        total=tally(total, None, ""),
        by_street=ordered(by_street, key=lambda t: (-t.open, -t.overdue, t.label)),
        by_category=ordered(by_category, key=lambda t: (-t.open, -t.overdue, t.label)),
        by_leader=ordered(by_leader, key=lambda t: (t.key == NO_LEADER, -t.open, -t.overdue, t.label)))


def leader_choices() -> list[tuple[int, str]]:
    """Every user who has ever been given a problem, and every active leader: the leader filter."""
    rows = db.session.execute(
        select(User.id, User.display_name, User.username)
        .where((User.role == "leader") | User.id.in_(select(Problem.leader_id).where(Problem.leader_id.is_not(None))))
        .order_by(User.display_name, User.username)).all()
    return [(row.id, row.display_name or row.username) for row in rows]
