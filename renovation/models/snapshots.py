"""Monthly snapshots (月调度): each project's state as it stood at a month's end.

A snapshot is taken once per month (``flask snapshot-month``) and never rewritten silently:
taking it again changes nothing unless asked to replace it, and a replacement is audited.
The rows keep what the monthly report compares: stage percents and statuses, overall
progress, whether work had started or was completed, and the investment completed; each
street's sums of them are kept beside (:class:`StreetMonth`), so that the dashboard's trend
reads a few hundred rows per month instead of adding up every project's. Since issue 16 a snapshot also
keeps each project's renovation content (item key → planned and completed quantities) and each
street's sums per item (:class:`StreetContentMonth`), from which outputs are compared month on month.
"""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from renovation.extensions import db


class MonthlySnapshot(db.Model):
    """One month's snapshot: when and by whom it was taken, and how many projects it holds."""

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)  # 'YYYY-MM'
    taken_at: Mapped[datetime]
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    project_count: Mapped[int] = mapped_column(default=0)
    # Snapshots taken before their contents were kept have none: nothing is compared with them.
    contents_taken: Mapped[bool] = mapped_column(default=False)

    taken_by = relationship("User")
    rows: Mapped[list["ProjectMonth"]] = relationship(
        back_populates="snapshot", cascade="all, delete-orphan", passive_deletes=True
    )
    streets: Mapped[list["StreetMonth"]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    street_contents: Mapped[list["StreetContentMonth"]] = relationship(cascade="all, delete-orphan",
                                                                       passive_deletes=True)


class ProjectMonth(db.Model):
    """One project in one month's snapshot. ``stages`` maps each stage key to
    ``{"status": ..., "percent": ...}``; ``contents`` each content item's key to
    ``{"planned": ..., "completed": ...}`` (numbers in the item's unit)."""

    __table_args__ = (
        UniqueConstraint("snapshot_id", "project_id", name="uq_project_month_snapshot_project"),
        Index("ix_project_month_project", "project_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("monthly_snapshot.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    progress: Mapped[int] = mapped_column(default=0)
    current_stage: Mapped[str] = mapped_column(String(16))
    started: Mapped[bool] = mapped_column(default=False)
    completed: Mapped[bool] = mapped_column(default=False)
    investment_completed: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=0)
    stages: Mapped[dict] = mapped_column(JSON, default=dict)
    contents: Mapped[dict] = mapped_column(JSON, default=dict)

    snapshot: Mapped[MonthlySnapshot] = relationship(back_populates="rows")


class StreetMonth(db.Model):
    """One street's sums in one month's snapshot, taken with it from its :class:`ProjectMonth` rows:
    the street's projects then, how many had started and were completed, their investment
    completed and the sum of their overall progress (for the average)."""

    __table_args__ = (UniqueConstraint("snapshot_id", "street_id", name="uq_street_month_snapshot_street"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("monthly_snapshot.id", ondelete="CASCADE"))
    street_id: Mapped[int] = mapped_column(ForeignKey("street.id", ondelete="CASCADE"), index=True)
    projects: Mapped[int] = mapped_column(default=0)
    started: Mapped[int] = mapped_column(default=0)
    completed: Mapped[int] = mapped_column(default=0)
    investment_completed: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0)
    progress_sum: Mapped[int] = mapped_column(BigInteger, default=0)


class StreetContentMonth(db.Model):
    """One street's sums of one content item in one month's snapshot, taken with it from its
    :class:`ProjectMonth` rows: planned and completed quantities (in the item's unit) and how many
    projects include the item. Keyed by the item's key, which never changes (an item may be deleted
    from the catalogue later; its history stays)."""

    __table_args__ = (UniqueConstraint("snapshot_id", "street_id", "item_key",
                                       name="uq_street_content_month_snapshot_street_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("monthly_snapshot.id", ondelete="CASCADE"))
    street_id: Mapped[int] = mapped_column(ForeignKey("street.id", ondelete="CASCADE"), index=True)
    item_key: Mapped[str] = mapped_column(String(32))
    planned: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=0)
    completed: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=0)
    projects: Mapped[int] = mapped_column(default=0)
