"""The figures of a one-project brief (项目简报), gathered into plain JSON-ready data.

Facts, the five stages with their dates and percents, the latest consultations and their votes,
the open demands, the open rectification items of 竣工验收, before/after pairs and recent photos: a
constant number of queries.
"""
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from renovation.domain.acceptance.rectifications import days_overdue
from renovation.domain.bulletins.area_data import consultation_figures, is_completed, is_started, money
from renovation.domain.bulletins.photos import pairs_data, recent_photos
from renovation.domain.residents import demands
from renovation.domain.stages.schedule import days_behind, stage_deadline, worst_stage
from renovation.extensions import db
from renovation.models import Consultation, Demand, Project
from renovation.models.acceptance import Rectification, RectificationStatus

LATEST_CONSULTATIONS = 5
MAX_OPEN_DEMANDS = 20
MAX_OPEN_RECTIFICATIONS = 20


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def facts(project: Project) -> dict:
    """The project's particulars, as printed in the brief's first table."""
    community = project.compound.community
    return {
        "code": project.code, "compound": project.compound.name, "community": community.name,
        "street": community.street.name, "batch": project.batch, "year_built": project.year_built,
        "buildings": project.buildings, "households": project.households,
        "floor_area": money(project.floor_area) if project.floor_area is not None else None,
        "budget": {source: money(getattr(project, f"budget_{source}"))
                   for source in ("central", "provincial", "city", "residents", "social")},
        "investment_planned": money(project.budget_total),
        "investment_completed": money(project.investment_completed),
        "contractor": project.contractor, "supervisor": project.supervisor,
        "engineer": project.responsible_engineer, "planned_start": _day(project.planned_start),
        "planned_end": _day(project.planned_end), "progress": project.progress,
        "current_stage": project.current_stage, "started": is_started(project),
        "completed": is_completed(project),
    }


def stages(project: Project, today: date) -> list[dict]:
    """The five stages in order, each with its dates, percent and days behind."""
    return [{"key": stage.key, "status": stage.status, "percent": stage.percent,
             "planned_start": _day(stage.planned_start), "planned_end": _day(stage.planned_end),
             "actual_start": _day(stage.actual_start), "actual_end": _day(stage.actual_end),
             "note": (stage.note or "").strip(), "days_behind": days_behind(stage_deadline(stage), today)}
            for stage in project.stages]


def latest_consultations(project_id: int) -> list[dict]:
    """The newest consultations and their votes (one query)."""
    found = db.session.scalars(
        select(Consultation).where(Consultation.project_id == project_id, Consultation.deleted_at.is_(None))
        .options(selectinload(Consultation.vote))
        .order_by(Consultation.date.desc(), Consultation.id.desc()).limit(LATEST_CONSULTATIONS))
    rows = []
    for item in found:
        vote = item.vote
        rows.append({"date": item.date.isoformat(), "kind": item.kind, "topic": item.topic,
                     "households": item.households, "decisions": item.decisions,
                     "vote": None if vote is None else {
                         "matter": vote.matter, "matter_class": vote.matter_class, "passed": vote.passed,
                         "participating_owners": vote.participating_owners, "total_owners": vote.total_owners,
                         "agree_owners": vote.agree_owners}})
    return rows


def open_demands(project_id: int, today: date) -> list[dict]:
    """Demands still pending or being handled, oldest first (one query)."""
    limit = demands.overdue_days_setting()
    found = db.session.scalars(
        select(Demand).where(Demand.project_id == project_id,
                             Demand.status.in_([status.value for status in demands.OPEN]))
        .order_by(Demand.raised_on, Demand.id).limit(MAX_OPEN_DEMANDS))
    return [{"category": demand.category, "text": demand.text, "raised_by": demand.raised_by,
             "raised_on": demand.raised_on.isoformat(), "status": demand.status,
             "assignee": demand.assignee, "days_overdue": demands.days_overdue(demand, today, limit)}
            for demand in found]


def open_rectifications(project_id: int, today: date) -> list[dict]:
    """The project's rectification items (整改事项) still open, the earliest deadline first (one query);
    ``unit``: the responsible unit's key (templates/bulletins/_names.html names it)."""
    found = db.session.scalars(
        select(Rectification).where(Rectification.project_id == project_id,
                                    Rectification.status == RectificationStatus.OPEN.value)
        .order_by(Rectification.deadline, Rectification.id).limit(MAX_OPEN_RECTIFICATIONS))
    return [{"description": item.description, "unit": item.responsible_unit,
             "deadline": item.deadline.isoformat(), "days_overdue": days_overdue(item, today)} for item in found]


def project_data(project: Project, pair_ids: list[int] | None, today: date) -> dict:
    """Everything a project brief prints, as plain data. ``project`` comes with its place and
    stages loaded (:func:`renovation.domain.project_list.project_by_code`)."""
    pairs = pairs_data(pair_ids, project_id=project.id)
    printed = {pair[side]["id"] for pair in pairs for side in ("before", "after")}
    worst = worst_stage(project.stages, today)
    return {
        "kind": "project",
        "scope": {"project": project.code, "compound": project.compound.name},
        "as_of": today.isoformat(),
        "facts": facts(project),
        "stages": stages(project, today),
        "worst_stage": worst.key if worst is not None else None,
        "days_behind": days_behind(stage_deadline(worst), today) if worst is not None else 0,
        "residents": consultation_figures(project_id=project.id, today=today),
        "consultations": latest_consultations(project.id),
        "open_demands": open_demands(project.id, today),
        "open_rectifications": open_rectifications(project.id, today),
        "pairs": pairs,
        "photos": recent_photos(project.id, printed),
    }
