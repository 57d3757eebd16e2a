"""Demo data: last month's snapshot, so that a fresh demo shows a month-over-month change.

The snapshot is worked out backwards from the stages' actual dates: at the end of last month,
a stage that ended after it was still under way, one that began after it had not started,
and one under way had done the share of its present percent that its days then bear to its
days now. Investment follows overall progress. Once the demo's contents are seeded, each item's
done quantity then follows its stage's percent then (:func:`seed_previous_month_contents`).
"""
import calendar
from datetime import date, datetime, time
from decimal import Decimal
from itertools import groupby
from types import SimpleNamespace

from sqlalchemy import select

from renovation.domain.bulk_insert import insert_rows
from renovation.domain.bulletins.area_data import is_started
from renovation.domain.clock import today as china_today
from renovation.domain.programme.snapshots import (
    month_of,
    previous_month,
    snapshot_for,
    store_street_content_sums,
    store_street_sums,
)
from renovation.domain.stages.keys import DONE, Status
from renovation.domain.stages.schedule import current_stage, overall_progress
from renovation.extensions import db
from renovation.models import MonthlySnapshot, Project, ProjectMonth, Stage
from renovation.models.contents import ContentItem, ProjectContent

CHUNK = 20_000  # projects read and written at a time

def month_end(month: str) -> date:
    year, number = int(month[:4]), int(month[5:])
    return date(year, number, calendar.monthrange(year, number)[1])


def stage_then(stage, end: date, today: date) -> SimpleNamespace:
    """A stage as it stood on ``end``, from its actual dates."""
    status, percent = stage.status, stage.percent
    if status == Status.NOT_APPLICABLE:
        return SimpleNamespace(key=stage.key, status=status, percent=0)
    if stage.actual_start is None or stage.actual_start > end:
        return SimpleNamespace(key=stage.key, status=Status.NOT_STARTED.value, percent=0)
    if status == Status.COMPLETED and stage.actual_end and stage.actual_end <= end:
        return SimpleNamespace(key=stage.key, status=status, percent=100)
    reference = stage.actual_end if status == Status.COMPLETED and stage.actual_end else today
    share = (end - stage.actual_start).days / max((reference - stage.actual_start).days, 1)
    then = min(max(round(percent * share), 1), 99)
    kept = status if status == Status.SUSPENDED else Status.IN_PROGRESS.value
    return SimpleNamespace(key=stage.key, status=kept, percent=then)


def seed_previous_month(today: date | None = None) -> str | None:
    """Store last month's snapshot worked out from today's demo data (caller commits); the
    month, or None when it exists already."""
    today = today or china_today()
    month = previous_month(month_of(today))
    if snapshot_for(month) is not None:
        return None
    end = month_end(month)
    snapshot = MonthlySnapshot(month=month, taken_at=datetime.combine(end, time(15, 59)))
    db.session.add(snapshot)
    db.session.flush()
    now = {project_id: (progress, investment) for project_id, progress, investment in db.session.execute(
        select(Project.id, Project.progress, Project.investment_completed))}
    stages = db.session.execute(
        select(Stage.project_id, Stage.key, Stage.status, Stage.percent, Stage.actual_start, Stage.actual_end)
        .order_by(Stage.project_id, Stage.position).execution_options(yield_per=CHUNK))
    rows, count = [], 0
    for project_id, group in groupby(stages, key=lambda stage: stage.project_id):
        progress_now, investment_now = now.pop(project_id, (0, 0))
        rows.append(_row(snapshot.id, project_id, [stage_then(stage, end, today) for stage in group],
                         progress_now, investment_now))
        if len(rows) == CHUNK:
            insert_rows(ProjectMonth, rows)
            count, rows = count + len(rows), []
    rows += [_row(snapshot.id, project_id, [], *values) for project_id, values in now.items()]  # no stages
    insert_rows(ProjectMonth, rows)
    snapshot.project_count = count + len(rows)
    store_street_sums(snapshot.id)
    return month


def _row(snapshot_id: int, project_id: int, then: list, progress_now: int, investment_now) -> dict:
    """A project's snapshot row from its stages as they stood (``then``) and its figures now."""
    progress, current = overall_progress(then), current_stage(then)
    investment = (Decimal(investment_now or 0) * progress / progress_now).quantize(Decimal("0.01")) \
        if progress_now else Decimal(0)
    return {"snapshot_id": snapshot_id, "project_id": project_id, "progress": progress,
            "current_stage": current, "started": is_started(SimpleNamespace(stages=then)),
            "completed": current == DONE, "investment_completed": investment,
            "stages": {s.key: {"status": str(s.status), "percent": s.percent} for s in then}}


def seed_previous_month_contents(today: date | None = None) -> int:
    """Give last month's demo snapshot the projects' renovation content as it stood then, once the
    contents are seeded (caller commits): each item's done share follows its stage's percent then
    against now, the plan is today's. Returns the projects given content (0 when the snapshot
    has its contents already, or there is none)."""
    snapshot = snapshot_for(previous_month(month_of(today or china_today())))
    if snapshot is None or snapshot.contents_taken:
        return 0
    rows = db.session.execute(
        select(ProjectContent.project_id, ContentItem.key, ContentItem.stage_key, ContentItem.unit,
               ProjectContent.planned_quantity, ProjectContent.completed_quantity, Stage.percent)
        .join(ContentItem, ContentItem.id == ProjectContent.item_id)
        .outerjoin(Stage, (Stage.project_id == ProjectContent.project_id) & (Stage.key == ContentItem.stage_key))
        .order_by(ProjectContent.project_id))
    then = {project_id: stages for project_id, stages in db.session.execute(
        select(ProjectMonth.project_id, ProjectMonth.stages).where(ProjectMonth.snapshot_id == snapshot.id))}
    given = 0
    for project_id, group in groupby(rows, key=lambda row: row.project_id):
        contents = {}
        for row in group:
            percent_then = (then.get(project_id) or {}).get(row.stage_key, {}).get("percent", 0)
            share = Decimal(percent_then) / row.percent if row.percent else Decimal(1)
            counted = Decimal("0.1") if row.unit in ("m", "m²") else Decimal("1")  # lifts and places are whole
            done = (Decimal(row.completed_quantity) * min(share, Decimal(1))).quantize(counted)
            contents[row.key] = {"planned": float(row.planned_quantity), "completed": float(done)}
        db.session.query(ProjectMonth).filter_by(snapshot_id=snapshot.id, project_id=project_id) \
            .update({"contents": contents}, synchronize_session=False)
        given += 1
    store_street_content_sums(snapshot.id)
    snapshot.contents_taken = True
    return given
