"""Month-over-month change from the monthly snapshots: per city, street and project, and each
street's trend over the last months. A constant number of grouped queries.

The change shown is "since the end of last month": today's figures against the newest
snapshot of a month before the current one (China time).
"""
from datetime import timedelta
from decimal import Decimal
from functools import cache

from sqlalchemy import DateTime, Integer, bindparam, select

from renovation.domain.bulletins.area_data import change_since
from renovation.domain.programme.figures import SUMS, add_up, overview_from_sums
from renovation.extensions import db
from renovation.models import Compound, MonthlySnapshot, Project, ProjectMonth, Street, StreetMonth

# Figures a snapshot knows; households and the plan are not kept month by month.
SNAPSHOT_KEYS = ("projects", "started", "completed", "completion_rate", "investment_completed",
                 "average_progress")


def recent_months(limit: int = 12) -> list[str]:
    """The newest ``limit`` snapshot months, oldest first: one query."""
    months = db.session.scalars(select(MonthlySnapshot.month).order_by(MonthlySnapshot.month.desc()).limit(limit))
    return sorted(months)


def baseline_month(months: list[str], current_month: str) -> str | None:
    """The newest snapshot month before ``current_month``: what "since last month" compares with."""
    earlier = [month for month in months if month < current_month]
    return earlier[-1] if earlier else None


def street_sums_by_month(months: list[str]) -> dict[str, list[dict]]:
    """For each month, the sums of each street's projects as the snapshot recorded them (its
    :class:`StreetMonth` rows, taken with it): one query."""
    if not months:
        return {}
    return _by_month(months, db.session.execute(_BY_MONTH.where(MonthlySnapshot.month.in_(months))))


def recent_street_sums(limit: int = 12) -> tuple[list[str], dict[str, list[dict]]]:
    """:func:`recent_months` and their :func:`street_sums_by_month`, in one query."""
    found = _by_month([], db.session.execute(_recent_by_month_query(), {"limit": limit}))
    return sorted(found), found


_BY_MONTH = (
    select(MonthlySnapshot.month, Street.id, Street.name, StreetMonth.projects, StreetMonth.started,
           StreetMonth.completed, StreetMonth.investment_completed, StreetMonth.progress_sum)
    .select_from(MonthlySnapshot).outerjoin(StreetMonth).outerjoin(Street, Street.id == StreetMonth.street_id)
)


@cache
def _recent_by_month_query():
    newest = (select(MonthlySnapshot.month).order_by(MonthlySnapshot.month.desc())
              .limit(bindparam("limit", type_=Integer)).scalar_subquery())
    return _BY_MONTH.where(MonthlySnapshot.month.in_(newest))


def _by_month(months: list[str], rows) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {month: [] for month in months}
    for month, street_id, name, count, started, completed, investment, progress in rows:
        found.setdefault(month, [])
        if street_id is None:  # a snapshot of no project
            continue
        sums = dict.fromkeys(SUMS, 0) | {"projects": int(count), "started": int(started),
                                         "completed": int(completed), "progress_sum": int(progress),
                                         "investment_completed": Decimal(investment),
                                         "investment_planned": Decimal(0)}
        found[month].append({"id": street_id, "name": name, **sums})
    return found


def snapshot_overview(sums: dict) -> dict:
    """The overview figures a snapshot can give (:data:`SNAPSHOT_KEYS`)."""
    figures = overview_from_sums(sums)
    return {key: figures[key] for key in SNAPSHOT_KEYS}


def changes(live_streets: list[dict], then_streets: list[dict] | None) -> dict:
    """City and per-street change (the bulletin's :func:`change_since`) against a snapshot's sums;
    ``{"city": None, "streets": {}}`` when there is nothing to compare with."""
    if then_streets is None:
        return {"city": None, "streets": {}}
    then_by_id = {row["id"]: row for row in then_streets}
    city = change_since(overview_from_sums(add_up(live_streets)), snapshot_overview(add_up(then_streets)))
    streets = {row["id"]: change_since(overview_from_sums(row), snapshot_overview(then_by_id[row["id"]]))
               for row in live_streets if row["id"] in then_by_id}
    return {"city": city, "streets": streets}


def trends(months: list[str], by_month: dict[str, list[dict]], live_streets: list[dict]) -> dict[int, list]:
    """Per street id, its average progress at each snapshot month (None when it had no
    projects then), then today's."""
    series: dict[int, list] = {}
    for row in live_streets:
        points = []
        for month in months:
            then = next((s for s in by_month.get(month, []) if s["id"] == row["id"]), None)
            points.append(overview_from_sums(then)["average_progress"] if then else None)
        series[row["id"]] = [*points, overview_from_sums(row)["average_progress"]]
    return series


# A project's progress changes only with a write that sets its updated_at (a stage change, a ledger
# import): one not updated since a snapshot has not moved since. The margin covers a write that
# began before the snapshot was taken and was committed after it read the projects.
SNAPSHOT_MARGIN = timedelta(hours=1)


def project_movers(month: str, limit: int = 8) -> list[dict]:
    """The ``limit`` projects whose overall progress rose most since ``month``'s snapshot, with
    their progress and current stage then and now: two queries. Only the projects updated since
    the snapshot are compared (through the index on updated_at), and the top ones are picked
    before their compounds are joined, so that the database keeps only ``limit`` rows while it sorts."""
    taken_at = db.session.scalar(_TAKEN_AT, {"month": month})
    if taken_at is None:
        return []
    rows = db.session.execute(_movers_query(), {"month": month, "limit": limit,
                                                "since": taken_at - SNAPSHOT_MARGIN}).all()
    return [{"code": code, "compound": compound, "then": then, "now": now, "gain": now - then,
             "stage_then": stage_then, "stage_now": stage_now}
            for code, compound, then, now, stage_then, stage_now in rows]


_TAKEN_AT = select(MonthlySnapshot.taken_at).where(MonthlySnapshot.month == bindparam("month"))


@cache
def _movers_query():
    """The statement of :func:`project_movers`, built once."""
    gain = (Project.progress - ProjectMonth.progress).label("gain")
    top = (
        select(Project.code, Project.compound_id, ProjectMonth.progress.label("then"), Project.progress.label("now"),
               ProjectMonth.current_stage.label("stage_then"), Project.current_stage.label("stage_now"), gain)
        .select_from(Project).join(ProjectMonth, ProjectMonth.project_id == Project.id).join(MonthlySnapshot)
        .where(MonthlySnapshot.month == bindparam("month"), Project.progress > ProjectMonth.progress,
               Project.updated_at > bindparam("since", type_=DateTime))
        .order_by(gain.desc(), Project.code).limit(bindparam("limit", type_=Integer)).subquery("top")
    )
    return (select(top.c.code, Compound.name, top.c.then, top.c.now, top.c.stage_then, top.c.stage_now)
            .join(Compound, Compound.id == top.c.compound_id).order_by(top.c.gain.desc(), top.c.code))


def project_progress_by_month(project_id: int, months: list[str]) -> list[dict]:
    """One project's overall progress in each of ``months`` that has it, oldest first: one query."""
    if not months:
        return []
    rows = db.session.execute(
        select(MonthlySnapshot.month, ProjectMonth.progress).join(MonthlySnapshot)
        .where(ProjectMonth.project_id == project_id, MonthlySnapshot.month.in_(months))
        .order_by(MonthlySnapshot.month)
    ).all()
    return [{"month": month, "progress": progress} for month, progress in rows]
