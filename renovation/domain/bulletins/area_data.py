"""The figures of a city-wide or per-street bulletin, gathered into plain JSON-ready data.

A bulletin is printed from this data alone (no ORM objects reach the template), and the data is
stored with the issued bulletin, so the same number always prints the same document. Everything
is read in a constant number of queries, whatever the number of projects.

Definitions, so the figures can be checked by hand:
- started (已开工): a stage after the survey is in progress, completed or suspended;
- completed (已完工): every applicable stage is completed (the project's current stage is done);
- completion rate: completed / projects, in percent with one decimal;
- households benefiting: the households of every project in scope;
- investment: planned is the budget from every source, completed is the recorded investment (万元);
- behind schedule: as in :mod:`renovation.domain.stages.schedule`, with the worst stage and its days.
"""
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import contains_eager, selectinload

from renovation.domain.bulletins.photos import pairs_data
from renovation.domain.residents import demand_list
from renovation.domain.stages.keys import DONE, STAGE_ORDER, STARTED_STATUSES, StageKey, Status
from renovation.domain.stages.schedule import days_behind, stage_deadline, worst_stage
from renovation.extensions import db
from renovation.models import Community, Compound, Consultation, Project, Street, Vote

# Overview figures compared with the previous bulletin of the same kind and scope.
COMPARED = ("projects", "started", "completed", "completion_rate", "households",
            "investment_planned", "investment_completed", "average_progress")


def money(value) -> str:
    """万元 with two decimals, as a string: exact in JSON and printed as is."""
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def is_started(project) -> bool:
    """Work on site has begun: a stage after the survey is under way, done or suspended."""
    return any(stage.key != StageKey.SURVEY and stage.status in STARTED_STATUSES for stage in project.stages)


def is_completed(project) -> bool:
    return project.current_stage == DONE


def load_projects(street_id: int | None = None) -> list[Project]:
    """The projects in scope with their place and stages: two queries."""
    query = (select(Project).join(Project.compound).join(Compound.community).join(Community.street)
             .options(contains_eager(Project.compound).contains_eager(Compound.community)
                      .contains_eager(Community.street), selectinload(Project.stages))
             .order_by(Project.code))
    if street_id:
        query = query.where(Community.street_id == street_id)
    return list(db.session.scalars(query).unique())


def overview(projects: list[Project]) -> dict:
    """一、总体进展: the headline figures of a group of projects."""
    count = len(projects)
    completed = sum(map(is_completed, projects))
    return {
        "projects": count,
        "started": sum(map(is_started, projects)),
        "completed": completed,
        "completion_rate": percent(completed, count),
        "households": sum(project.households or 0 for project in projects),
        "households_completed": sum(project.households or 0 for project in projects if is_completed(project)),
        "investment_planned": money(sum((project.budget_total for project in projects), Decimal(0))),
        "investment_completed": money(sum((project.investment_completed or 0 for project in projects), Decimal(0))),
        "average_progress": round(sum(p.progress for p in projects) / count, 1) if count else 0.0,
    }


def change_since(current: dict, previous: dict | None) -> dict | None:
    """Each compared figure minus the previous bulletin's (money as 万元 strings)."""
    if not previous:
        return None
    change = {}
    for key in COMPARED:
        if key not in previous:
            continue
        if key.startswith("investment"):
            change[key] = money(Decimal(current[key]) - Decimal(previous[key]))
        elif isinstance(current[key], float):
            change[key] = round(current[key] - previous[key], 1)
        else:
            change[key] = current[key] - previous[key]
    return change


def area_table(projects: list[Project], by_street: bool, today: date) -> list[dict]:
    """二、各街道进展 (or the communities of one street), ranked by average progress."""
    groups: dict[str, list[Project]] = {}
    for project in projects:
        community = project.compound.community
        groups.setdefault(community.street.name if by_street else community.name, []).append(project)
    rows = []
    for name, members in groups.items():
        figures = overview(members)
        rows.append({"name": name, "projects": figures["projects"], "started": figures["started"],
                     "completed": figures["completed"], "completion_rate": figures["completion_rate"],
                     "households": figures["households"], "average_progress": figures["average_progress"],
                     "investment_planned": figures["investment_planned"],
                     "investment_completed": figures["investment_completed"],
                     "behind": sum(1 for p in members if worst_stage(p.stages, today) is not None)})
    rows.sort(key=lambda row: (-row["average_progress"], -row["completion_rate"], row["name"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def stage_table(projects: list[Project], today: date) -> list[dict]:
    """三、分阶段情况: per stage, projects in each status, currently at it, and behind in it."""
    rows = []
    for key in STAGE_ORDER:
        row = {"key": key.value, **{status.value: 0 for status in Status}, "current": 0, "behind": 0}
        for project in projects:
            stage = project.stage(key.value)
            row[stage.status] += 1
            row["current"] += project.current_stage == key.value
            row["behind"] += days_behind(stage_deadline(stage), today) > 0
        rows.append(row)
    return rows


def behind_list(projects: list[Project], today: date) -> list[dict]:
    """四、滞后项目: every project behind schedule, furthest behind first."""
    rows = []
    for project in projects:
        stage = worst_stage(project.stages, today)
        if stage is None:
            continue
        rows.append({"code": project.code, "compound": project.compound.name,
                     "community": project.compound.community.name,
                     "street": project.compound.community.street.name,
                     "stage": stage.key, "status": stage.status, "percent": stage.percent,
                     "days_behind": days_behind(stage_deadline(stage), today),
                     "note": (stage.note or "").strip(), "engineer": project.responsible_engineer or "",
                     "lag_reason": stage.lag_reason or "", "lag_note": (stage.lag_note or "").strip(),
                     "catch_up_date": stage.catch_up_date.isoformat() if stage.catch_up_date else None,
                     "progress": project.progress})
    rows.sort(key=lambda row: (-row["days_behind"], row["code"]))
    return rows


def consultation_figures(street_id: int | None = None, project_id: int | None = None,
                         today: date | None = None) -> dict:
    """五、居民协商与诉求: consultations held, votes passed and failed, demand figures (two queries)."""
    query = (select(func.count(Consultation.id), func.count(Vote.id),
                    func.coalesce(func.sum(case((Vote.passed, 1), else_=0)), 0))
             .select_from(Consultation).outerjoin(Vote, Vote.consultation_id == Consultation.id)
             .join(Project, Project.id == Consultation.project_id)
             .join(Compound, Compound.id == Project.compound_id)
             .join(Community, Community.id == Compound.community_id)
             .where(Consultation.deleted_at.is_(None)))
    if street_id:
        query = query.where(Community.street_id == street_id)
    if project_id:
        query = query.where(Consultation.project_id == project_id)
    held, voted, passed = (int(value) for value in db.session.execute(query).one())
    found = demand_list.figures(demand_list.DemandFilter(street_id=street_id, project_id=project_id), today)
    return {"consultations": held, "votes": voted, "votes_passed": passed, "votes_failed": voted - passed,
            "demands_received": found.received, "demands_resolved": found.resolved,
            "demands_declined": found.declined, "demands_open": found.open, "demands_overdue": found.overdue,
            "resolution_rate": percent(found.resolved, found.received)}


def area_data(street: Street | None, pair_ids: list[int] | None, today: date,
              previous_overview: dict | None = None) -> dict:
    """Everything a city-wide (``street`` None) or per-street bulletin prints, as plain data."""
    projects = load_projects(street.id if street else None)
    figures = overview(projects)
    return {
        "kind": "street" if street else "city",
        "scope": {"street": street.name if street else None},
        "as_of": today.isoformat(),
        "overview": figures,
        "change": change_since(figures, previous_overview),
        "areas_are_streets": street is None,
        "areas": area_table(projects, street is None, today),
        "stages": stage_table(projects, today),
        "behind": behind_list(projects, today),
        "residents": consultation_figures(street_id=street.id if street else None, today=today),
        "pairs": pairs_data(pair_ids, street_id=street.id if street else None),
    }
