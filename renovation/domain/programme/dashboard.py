"""Everything the dashboard shows, gathered in a constant number of queries (about a dozen,
whatever the number of projects): key figures, stages, streets, the behind-schedule list,
overdue demands, latest bulletins, recent activity, and the change since last month.
"""
from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import Date, Integer, bindparam, select

from renovation.domain.bulletins.archive import issued_bulletins
from renovation.domain.programme.activity import recent_activity
from renovation.domain.programme.changes import (
    baseline_month,
    changes,
    project_movers,
    recent_street_sums,
    trends,
)
from renovation.domain.programme.figures import (
    add_up,
    overview_from_sums,
    stage_status_counts,
    street_and_stage_sums,
    street_table,
)
from renovation.domain.programme.snapshots import month_of
from renovation.domain.residents import demand_list, demand_tallies
from renovation.domain.stages.schedule import days_behind, worst_stage
from renovation.extensions import db
from renovation.models import Community, Compound, Project, Stage, Street

BEHIND_ROWS = 10
OVERDUE_ROWS = 8
BULLETIN_ROWS = 5
ACTIVITY_ROWS = 12
TREND_MONTHS = 12
TREND_STREETS = 8  # lines one chart can tell apart (charts.PALETTE); a province has hundreds of streets


@dataclass
class Dashboard:
    today: date
    overview: dict
    behind_total: int
    streets: list[dict]
    stages: dict[str, dict[str, int]]
    current_stages: dict[str, int]
    behind: list[dict]
    demand_figures: demand_list.DemandFigures
    overdue_demands: list
    bulletins: list
    activity: list[dict]
    months: list[str]
    baseline: str | None
    change: dict
    movers: list[dict]
    trend: dict[int, list]
    trend_streets: list[dict]  # the streets the trend chart draws, the largest when there are many


_BEHIND_STAGES = (select(Stage.project_id, Stage.key, Stage.position, Stage.status, Stage.planned_start,
                         Stage.planned_end, Stage.note, Stage.lag_reason, Stage.lag_note, Stage.catch_up_date)
                  .where(Stage.project_id.in_(bindparam("ids", expanding=True))))


@cache
def _behind_query():
    """The statement of :func:`behind_projects`' projects, built once."""
    return (
        select(Project.id, Project.code, Project.next_deadline, Project.current_stage,
               Compound.name.label("compound"), Community.name.label("community"), Street.name.label("street"))
        .join(Project.compound).join(Compound.community).join(Community.street)
        .where(Project.next_deadline < bindparam("today", type_=Date))
        .order_by(Project.next_deadline, Project.code).limit(bindparam("limit", type_=Integer))
    )


def behind_projects(today: date, limit: int = BEHIND_ROWS) -> list[dict]:
    """The projects furthest behind, in the order of the list sorted by delay, with their worst
    stage: two queries of plain rows (the total is the street figures' ``behind``)."""
    found = db.session.execute(_behind_query(), {"today": today, "limit": limit}).all()
    stages: dict[int, list] = {}
    if found:
        for stage in db.session.execute(_BEHIND_STAGES, {"ids": [project.id for project in found]}):
            stages.setdefault(stage.project_id, []).append(stage)
    rows = []
    for project in found:
        worst = worst_stage(stages.get(project.id, []), today)
        rows.append({"code": project.code, "compound": project.compound, "community": project.community,
                     "street": project.street, "days": days_behind(project.next_deadline, today),
                     "stage": worst.key if worst else project.current_stage,
                     "note": (worst.note or "").strip() if worst else "",
                     "lag_reason": worst.lag_reason if worst else "",
                     "lag_note": (worst.lag_note or "").strip() if worst else "",
                     "catch_up_date": worst.catch_up_date if worst else None})
    return rows


def largest_streets(streets: list[dict], limit: int = TREND_STREETS) -> list[dict]:
    """The ``limit`` streets with the most projects (all of them when there are no more), by name."""
    if len(streets) <= limit:
        return streets
    return sorted(sorted(streets, key=lambda row: (-row["projects"], row["name"]))[:limit], key=lambda row: row["name"])


def dashboard(today: date) -> Dashboard:
    """The whole dashboard for ``today`` (China time)."""
    streets, current_stages = street_and_stage_sums(today)
    totals = add_up(streets)
    months, by_month = recent_street_sums(TREND_MONTHS)
    baseline = baseline_month(months, month_of(today))
    charted = largest_streets(streets)
    demand_figures = demand_tallies.tallied_figures(None, today)
    return Dashboard(
        today=today,
        overview=overview_from_sums(totals),
        behind_total=totals["behind"],
        streets=street_table(streets),
        stages=stage_status_counts(),
        current_stages=current_stages,
        behind=behind_projects(today),
        demand_figures=demand_figures,
        # the figures counted them: the page of the oldest needs no count of its own
        overdue_demands=demand_list.demand_page(demand_list.DemandFilter(overdue=True), 1, OVERDUE_ROWS, today,
                                                total=demand_figures.overdue).items,
        bulletins=issued_bulletins(limit=BULLETIN_ROWS),
        activity=recent_activity(ACTIVITY_ROWS),
        months=months,
        baseline=baseline,
        change=changes(streets, by_month.get(baseline)),
        movers=project_movers(baseline) if baseline else [],
        trend=trends(months, by_month, charted),
        trend_streets=charted,
    )
