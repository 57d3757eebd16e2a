"""Monthly snapshots (月调度): taking a month's snapshot, and the change since one.

:func:`take_snapshot` is idempotent, for cron: a month that has a snapshot is reported and
left alone unless ``replace`` is asked for, and a replacement is written to the audit log
with when the old one was taken. The rows are copied inside the database by one statement, each
project's stages and renovation content with it (as JSON the database builds), and each street's
sums (of the stage figures, and of each content item's quantities) by one statement each.
"""
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Numeric, case, delete, func, literal, literal_column, select
from sqlalchemy.exc import IntegrityError

from renovation.domain import audit
from renovation.domain.clock import today as china_today
from renovation.domain.clock import utcnow
from renovation.domain.project_list import started_project_ids
from renovation.domain.stages.keys import DONE
from renovation.extensions import db
from renovation.models import Community, Compound, MonthlySnapshot, Project, ProjectMonth, Stage, StreetMonth
from renovation.models.contents import ContentItem, ProjectContent
from renovation.models.snapshots import StreetContentMonth

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class SnapshotError(Exception):
    """The month cannot be snapshotted (malformed, or still to come)."""


@dataclass
class SnapshotResult:
    """What :func:`take_snapshot` did: ``created``, ``replaced`` or neither (it existed)."""

    month: str
    projects: int
    created: bool = False
    replaced: bool = False

    @property
    def unchanged(self) -> bool:
        return not (self.created or self.replaced)


def month_of(day: date) -> str:
    """'YYYY-MM' of a day."""
    return f"{day.year:04d}-{day.month:02d}"


def previous_month(month: str) -> str:
    """The month before 'YYYY-MM'."""
    year, number = int(month[:4]), int(month[5:])
    return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"


def check_month(month: str, today: date | None = None) -> str:
    """``month`` if it is a 'YYYY-MM' that has begun in China; raises :class:`SnapshotError`."""
    if not MONTH.match(month or ""):
        raise SnapshotError(f"{month!r} is not a month written as YYYY-MM.")
    if month > month_of(today or china_today()):
        raise SnapshotError(f"{month} has not begun yet.")
    return month


def snapshot_for(month: str) -> MonthlySnapshot | None:
    return db.session.scalar(select(MonthlySnapshot).where(MonthlySnapshot.month == month))


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _json_functions():
    """The database's JSON aggregate and object builder (PostgreSQL's and SQLite's differ only in name)."""
    if _postgres():
        return func.json_object_agg, func.json_build_object
    return func.json_group_object, func.json_object


def _stage_maps():
    """Per project, its stages as ``{key: {"status": ..., "percent": ...}}``, built by the
    database's own JSON functions: a subquery."""
    group, build = _json_functions()
    pairs = group(Stage.key, build("status", Stage.status, "percent", Stage.percent))
    return select(Stage.project_id.label("project_id"), pairs.label("stages")).group_by(Stage.project_id) \
        .subquery("stage_maps")


def _content_maps():
    """Per project, its content as ``{item key: {"planned": n, "completed": n}}`` (JSON numbers in
    the item's unit): a subquery."""
    group, build = _json_functions()
    pairs = group(ContentItem.key, build("planned", ProjectContent.planned_quantity,
                                         "completed", ProjectContent.completed_quantity))
    return (select(ProjectContent.project_id.label("project_id"), pairs.label("contents"))
            .join(ContentItem, ContentItem.id == ProjectContent.item_id)
            .group_by(ProjectContent.project_id).subquery("content_maps"))


def _insert_rows(snapshot_id: int) -> int:
    """Every project's row for the snapshot, copied inside the database by one INSERT … SELECT
    (200,000 projects in seconds, nothing through Python); the number of rows."""
    started, stages, contents = started_project_ids(), _stage_maps(), _content_maps()
    empty = literal_column("'{}'::json" if _postgres() else "'{}'")
    rows = (
        select(literal(snapshot_id), Project.id, Project.progress, Project.current_stage,
               started.c.project_id.is_not(None), Project.current_stage == DONE,
               func.coalesce(Project.investment_completed, 0), func.coalesce(stages.c.stages, empty),
               func.coalesce(contents.c.contents, empty))
        .outerjoin(started, started.c.project_id == Project.id)
        .outerjoin(stages, stages.c.project_id == Project.id)
        .outerjoin(contents, contents.c.project_id == Project.id)
    )
    columns = ["snapshot_id", "project_id", "progress", "current_stage", "started", "completed",
               "investment_completed", "stages", "contents"]
    db.session.execute(ProjectMonth.__table__.insert().from_select(columns, rows))
    # counted rather than read from the cursor's rowcount, which psycopg does not give for this
    return db.session.scalar(select(func.count()).select_from(ProjectMonth)
                             .where(ProjectMonth.snapshot_id == snapshot_id))


def store_street_sums(snapshot_id: int) -> None:
    """Each street's sums of the snapshot's project rows, kept beside them (:class:`StreetMonth`):
    one INSERT … SELECT."""
    sums = (
        select(ProjectMonth.snapshot_id, Community.street_id, func.count(),
               func.sum(case((ProjectMonth.started, 1), else_=0)), func.sum(case((ProjectMonth.completed, 1), else_=0)),
               func.coalesce(func.sum(ProjectMonth.investment_completed), 0),
               func.coalesce(func.sum(ProjectMonth.progress), 0))
        .join(Project, Project.id == ProjectMonth.project_id).join(Project.compound).join(Compound.community)
        .where(ProjectMonth.snapshot_id == snapshot_id)
        .group_by(ProjectMonth.snapshot_id, Community.street_id)
    )
    columns = ["snapshot_id", "street_id", "projects", "started", "completed", "investment_completed", "progress_sum"]
    db.session.execute(StreetMonth.__table__.insert().from_select(columns, sums))


def store_street_content_sums(snapshot_id: int) -> None:
    """Each street's sums per content item of the snapshot's project rows (:class:`StreetContentMonth`),
    read from their ``contents`` JSON by the database (``json_each``): one INSERT … SELECT."""
    entries = func.json_each(ProjectMonth.contents).table_valued("key", "value").alias("entry")
    if _postgres():
        def quantity(name):
            return entries.c.value.op("->>")(name).cast(Numeric(16, 2))
    else:
        def quantity(name):
            return func.json_extract(entries.c.value, f"$.{name}")
    sums = (
        select(ProjectMonth.snapshot_id, Community.street_id, entries.c.key,
               func.coalesce(func.sum(quantity("planned")), 0), func.coalesce(func.sum(quantity("completed")), 0),
               func.count())
        .select_from(ProjectMonth).join(entries, literal(True))
        .join(Project, Project.id == ProjectMonth.project_id).join(Project.compound).join(Compound.community)
        .where(ProjectMonth.snapshot_id == snapshot_id)
        .group_by(ProjectMonth.snapshot_id, Community.street_id, entries.c.key)
    )
    columns = ["snapshot_id", "street_id", "item_key", "planned", "completed", "projects"]
    db.session.execute(StreetContentMonth.__table__.insert().from_select(columns, sums))


def take_snapshot(month: str, replace: bool = False, user=None, today: date | None = None) -> SnapshotResult:
    """Store every project's state under ``month`` and commit.

    An existing month is left as it is (the result says so) unless ``replace``; then its rows
    are taken again and the replacement is audited.
    """
    check_month(month, today)
    snapshot = snapshot_for(month)
    if snapshot is not None and not replace:
        return SnapshotResult(month, snapshot.project_count)
    if snapshot is None:
        snapshot = MonthlySnapshot(month=month, taken_at=utcnow(), taken_by_id=getattr(user, "id", None))
        db.session.add(snapshot)
        try:
            db.session.flush()
        except IntegrityError:  # another run took the month meanwhile: that one stands
            db.session.rollback()
            return SnapshotResult(month, snapshot_for(month).project_count)
        action, previous = "snapshot.take", {}
    else:
        previous = {"previous_taken_at": snapshot.taken_at.isoformat(timespec="seconds") + "Z",
                    "previous_projects": snapshot.project_count}
        db.session.execute(delete(ProjectMonth).where(ProjectMonth.snapshot_id == snapshot.id))
        db.session.execute(delete(StreetMonth).where(StreetMonth.snapshot_id == snapshot.id))
        db.session.execute(delete(StreetContentMonth).where(StreetContentMonth.snapshot_id == snapshot.id))
        snapshot.taken_at, snapshot.taken_by_id = utcnow(), getattr(user, "id", None)
        action = "snapshot.replace"
    count = _insert_rows(snapshot.id)
    store_street_sums(snapshot.id)
    store_street_content_sums(snapshot.id)
    snapshot.project_count, snapshot.contents_taken = count, True
    audit.record(user, action, "snapshot", month, projects=count, **previous)
    db.session.commit()
    return SnapshotResult(month, count, created=action == "snapshot.take", replaced=action == "snapshot.replace")
