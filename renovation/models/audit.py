"""The audit log of every write, and the stage history shown on project pages."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from renovation.extensions import db

# The most characters of a reason people give for an edit or a delete, kept in an entry's details.
REASON_MAX = 500


class AuditEntry(db.Model):
    """One write anywhere in the app: who, when, what, on which object, with details."""

    __table_args__ = (Index("ix_audit_entry_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(48))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    user = relationship("User")


class StageEvent(db.Model):
    """A change to a stage: ``changes`` is a list of ``{"field", "old", "new"}``."""

    __table_args__ = (Index("ix_stage_event_project_at", "project_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    stage_key: Mapped[str | None] = mapped_column(String(16))  # None: a project-wide event (photo)
    at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    changes: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")

    user = relationship("User")
