"""Monthly snapshots (月调度): each project's state as it stood at a month's end.

A snapshot is taken once per month (``flask snapshot-month``) and never rewritten silently:
taking it again changes nothing unless asked to replace it, and a replacement is audited.
The rows keep what the monthly report compares: stage percents and statuses, overall
progress, whether work had started or was completed, and the investment completed.
"""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from renovation.extensions import db


class MonthlySnapshot(db.Model):
    """One month's snapshot: when and by whom it was taken, and how many projects it holds."""

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)  # 'YYYY-MM'
    taken_at: Mapped[datetime]
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    project_count: Mapped[int] = mapped_column(default=0)

    taken_by = relationship("User")
    rows: Mapped[list["ProjectMonth"]] = relationship(
        back_populates="snapshot", cascade="all, delete-orphan", passive_deletes=True
    )


class ProjectMonth(db.Model):
    """One project in one month's snapshot. ``stages`` maps each stage key to
    ``{"status": ..., "percent": ...}``."""

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

    snapshot: Mapped[MonthlySnapshot] = relationship(back_populates="rows")
