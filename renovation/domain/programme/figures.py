"""The programme's figures counted in SQL, for the dashboard: a few grouped queries whatever the
number of projects.

The definitions are the bulletin's (:mod:`renovation.domain.bulletins.area_data`), which counts
the same figures over loaded projects for one printed document; the dashboard cannot load
20,000 projects and their 100,000 stages on every visit, so it asks the database instead,
and ``tests/test_dashboard.py`` checks that both give the same numbers on the same data.
Sums per street are added up for the city, so one query serves both.
"""
from datetime import date
from decimal import Decimal
from functools import cache

from sqlalchemy import Date, bindparam, case, func, select

from renovation.domain.bulletins.area_data import money, percent
from renovation.domain.project_list import started_project_ids
from renovation.domain.stages.keys import DONE, STAGE_ORDER, Status
from renovation.extensions import db
from renovation.models import Community, Compound, Project, Stage, Street

# What is added up per street; the overview is worked out from these sums.
SUMS = ("projects", "started", "completed", "households", "households_completed",
        "investment_planned", "investment_completed", "progress_sum", "behind")


def _count_where(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _sum(column):
    return func.coalesce(func.sum(column), 0)


def overview_from_sums(sums: dict) -> dict:
    """The bulletin's 一、总体进展 (same keys, same rounding) from the sums of a group."""
    count = sums["projects"]
    return {
        "projects": count,
        "started": sums["started"],
        "completed": sums["completed"],
        "completion_rate": percent(sums["completed"], count),
        "households": sums["households"],
        "households_completed": sums["households_completed"],
        "investment_planned": money(sums["investment_planned"]),
        "investment_completed": money(sums["investment_completed"]),
        "average_progress": round(sums["progress_sum"] / count, 1) if count else 0.0,
    }


def add_up(groups: list[dict]) -> dict:
    """The sums of several groups (streets → city)."""
    return {key: sum((group[key] for group in groups), Decimal(0) if key.startswith("investment") else 0)
            for key in SUMS}


def street_sums(today: date) -> list[dict]:
    """Per street (id, name and :data:`SUMS`), every street with projects, by name: one query."""
    return street_and_stage_sums(today)[0]


@cache
def _street_and_stage_query():
    """The statement of :func:`street_and_stage_sums`, built once (``today`` is bound per call)."""
    completed = Project.current_stage == DONE
    started = started_project_ids()
    budget = (func.coalesce(Project.budget_central, 0) + func.coalesce(Project.budget_provincial, 0)
              + func.coalesce(Project.budget_city, 0) + func.coalesce(Project.budget_residents, 0)
              + func.coalesce(Project.budget_social, 0))
    return (
        select(Street.id, Street.name, Project.current_stage, func.count(Project.id),
               _count_where(started.c.project_id.is_not(None)),
               _count_where(completed), _sum(Project.households),
               _sum(case((completed, Project.households), else_=0)), _sum(budget),
               _sum(Project.investment_completed), _sum(Project.progress),
               _count_where(Project.next_deadline < bindparam("today", type_=Date)))
        .select_from(Project).join(Project.compound).join(Compound.community).join(Community.street)
        .outerjoin(started, started.c.project_id == Project.id)
        .group_by(Street.id, Street.name, Project.current_stage).order_by(Street.name)
    )


def street_and_stage_sums(today: date) -> tuple[list[dict], dict[str, int]]:
    """:func:`street_sums`, and how many projects are at each stage now (``done`` for completed
    ones, zeros included), from one query grouped by street and current stage."""
    rows = db.session.execute(_street_and_stage_query(), {"today": today}).all()
    streets: dict[int, dict] = {}
    stages = {key.value: 0 for key in STAGE_ORDER} | {DONE: 0}
    for street_id, name, stage, *values in rows:
        sums = dict(zip(SUMS, _plain(values), strict=True))
        stages[stage] = stages.get(stage, 0) + sums["projects"]
        if street_id in streets:
            streets[street_id] = {**streets[street_id], **add_up([streets[street_id], sums])}
        else:
            streets[street_id] = {"id": street_id, "name": name, **sums}
    return list(streets.values()), stages


def _plain(values) -> list:
    """Counts as int, money as Decimal, whatever the driver returns."""
    return [Decimal(value) if index in (5, 6) else int(value) for index, value in enumerate(values)]


def street_table(sums: list[dict]) -> list[dict]:
    """Each street's overview, ranked like the bulletin's 二、各街道进展 (average progress)."""
    rows = [{"id": row["id"], "name": row["name"], "behind": row["behind"], **overview_from_sums(row)}
            for row in sums]
    rows.sort(key=lambda row: (-row["average_progress"], -row["completion_rate"], row["name"]))
    return rows


_STAGE_STATUS_COUNTS = select(Stage.key, Stage.status, func.count()).group_by(Stage.key, Stage.status)


def stage_status_counts() -> dict[str, dict[str, int]]:
    """Per stage key, the number of projects in each status (zeros included): one query."""
    counts = {key.value: {status.value: 0 for status in Status} for key in STAGE_ORDER}
    for key, status, count in db.session.execute(_STAGE_STATUS_COUNTS):
        if key in counts and status in counts[key]:
            counts[key][status] = int(count)
    return counts
