"""The difficult problems at a glance, for the dashboard and the city's and a street's bulletins:
how many were solved this year, how many are still open (taken on, awaiting a leader, overdue),
and the open ones that need a leader's attention — not taken on yet, or past their deadline.
Plain data (the bulletin's snapshot keeps it); two queries whatever the number of problems."""
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload

from renovation.domain.problems.flow import days_overdue
from renovation.domain.problems.listing import OPEN_VALUES, overdue_clause
from renovation.extensions import db
from renovation.models import Community, Compound, Project
from renovation.models.problems import Problem, ProblemStatus

ATTENTION_ROWS = 10
# As the bulletin prints them (it is always in Chinese).
CATEGORY_NAMES = {"funding": "资金拨付", "utilities": "管线迁改", "residents": "居民意见分歧",
                  "illegal_structures": "违章搭建拆除", "approvals": "审批手续", "construction": "施工组织",
                  "other": "其他"}


@dataclass(frozen=True)
class ProblemSummary:
    solved_this_year: int = 0
    open: int = 0  # not solved nor on hold
    in_hand: int = 0  # taken on by a leader
    awaiting_leader: int = 0
    overdue: int = 0
    needing_attention: int = 0  # open, and not taken on yet or overdue


def _in_area(statement, street_id: int | None):
    if street_id is None:
        return statement
    return (statement.join(Project, Project.id == Problem.project_id).join(Compound, Compound.id == Project.compound_id)
            .join(Community, Community.id == Compound.community_id).where(Community.street_id == street_id))


def _attention(today: date):
    """Open, and no leader has taken it on yet or it is past its deadline."""
    return Problem.status.in_(OPEN_VALUES) & or_(Problem.status == ProblemStatus.OPEN.value, Problem.deadline < today)


def summary(today: date, street_id: int | None = None) -> ProblemSummary:
    """The counts of the city's problems (or one street's) as of ``today``."""
    solved_this_year = (Problem.status == ProblemStatus.SOLVED.value) & (Problem.solved_on >= date(today.year, 1, 1))
    row = db.session.execute(_in_area(select(*(func.count(case((condition, 1))) for condition in (
        solved_this_year, Problem.status.in_(OPEN_VALUES), Problem.status == ProblemStatus.IN_HAND.value,
        Problem.status == ProblemStatus.OPEN.value, overdue_clause(today), _attention(today)))), street_id)).one()
    return ProblemSummary(*row)


def needing_attention(today: date, street_id: int | None = None, limit: int = ATTENTION_ROWS) -> list[Problem]:
    """The open problems no leader has taken on yet or past their deadline: the oldest deadline
    (the most overdue) first; at most ``limit``."""
    statement = _in_area(select(Problem), street_id).options(
        joinedload(Problem.project).joinedload(Project.compound), joinedload(Problem.leader)).where(_attention(today))
    return list(db.session.scalars(statement.order_by(Problem.deadline, Problem.id).limit(limit)))


def bulletin_problems(today: date, street_id: int | None = None) -> dict:
    """What a bulletin prints of the problems, as plain data."""
    counts = summary(today, street_id)
    attention = [{"title": problem.title, "project_code": problem.project.code,
                  "compound": problem.project.compound.name,
                  "category": CATEGORY_NAMES.get(problem.category, problem.category),
                  "leader": problem.leader.name if problem.leader else "",
                  "deadline": problem.deadline.isoformat(), "days_overdue": days_overdue(problem, today)}
                 for problem in needing_attention(today, street_id)]
    return asdict(counts) | {"attention": attention}
