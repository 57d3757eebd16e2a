"""Everything the dashboard shows, gathered in a constant number of queries (about fifteen,
whatever the number of projects): key figures, stages, streets, the behind-schedule list,
overdue demands, latest bulletins, recent activity, and the change since last month.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from renovation.domain.bulletins.archive import issued_bulletins
from renovation.domain.programme.activity import recent_activity
from renovation.domain.programme.changes import (
    baseline_month,
    changes,
    project_movers,
    recent_months,
    street_sums_by_month,
    trends,
)
from renovation.domain.programme.figures import (
    add_up,
    current_stage_counts,
    overview_from_sums,
    stage_status_counts,
    street_sums,
    street_table,
)
from renovation.domain.programme.snapshots import month_of
from renovation.domain.project_list import ProjectFilter, find_projects
from renovation.domain.residents import demand_list
from renovation.domain.stages.schedule import days_behind, worst_stage
from renovation.extensions import db
from renovation.models import Stage

BEHIND_ROWS = 10
OVERDUE_ROWS = 8
BULLETIN_ROWS = 5
ACTIVITY_ROWS = 12
TREND_MONTHS = 12


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


def behind_projects(today: date, limit: int = BEHIND_ROWS) -> list[dict]:
    """The projects furthest behind, with their worst stage: the list's query, plus one for stages."""
    found = find_projects(ProjectFilter(behind=True, sort="behind"), 1, limit, today).items
    stages: dict[int, list] = {}
    if found:
        for stage in db.session.scalars(select(Stage).where(Stage.project_id.in_([p.id for p in found]))):
            stages.setdefault(stage.project_id, []).append(stage)
    rows = []
    for project in found:
        worst = worst_stage(stages.get(project.id, []), today)
        rows.append({"project": project, "days": days_behind(project.next_deadline, today),
                     "stage": worst.key if worst else project.current_stage,
                     "note": (worst.note or "").strip() if worst else "",
                     "lag_reason": worst.lag_reason if worst else "",
                     "lag_note": (worst.lag_note or "").strip() if worst else "",
                     "catch_up_date": worst.catch_up_date if worst else None})
    return rows


def dashboard(today: date) -> Dashboard:
    """The whole dashboard for ``today`` (China time)."""
    streets = street_sums(today)
    totals = add_up(streets)
    months = recent_months(TREND_MONTHS)
    baseline = baseline_month(months, month_of(today))
    by_month = street_sums_by_month(months)
    return Dashboard(
        today=today,
        overview=overview_from_sums(totals),
        behind_total=totals["behind"],
        streets=street_table(streets),
        stages=stage_status_counts(),
        current_stages=current_stage_counts(),
        behind=behind_projects(today),
        demand_figures=demand_list.figures(demand_list.DemandFilter(), today),
        overdue_demands=demand_list.find_demands(demand_list.DemandFilter(overdue=True), today, max_rows=OVERDUE_ROWS),
        bulletins=issued_bulletins(limit=BULLETIN_ROWS),
        activity=recent_activity(ACTIVITY_ROWS),
        months=months,
        baseline=baseline,
        change=changes(streets, by_month.get(baseline)),
        movers=project_movers(baseline) if baseline else [],
        trend=trends(months, by_month, streets),
    )
