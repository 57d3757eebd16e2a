"""Difficult problems (困难问题): what an engineer or a committee cannot solve alone, taken on by a
leader (领办) and followed until it is solved or suspended. The flow is data in
:mod:`renovation.domain.problems.flow`."""
import datetime as dt
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from renovation.extensions import db
from renovation.models.limits import limit


class ProblemCategory(StrEnum):
    FUNDING = "funding"
    UTILITIES = "utilities"
    RESIDENTS = "residents"
    ILLEGAL_STRUCTURES = "illegal_structures"
    APPROVALS = "approvals"
    CONSTRUCTION = "construction"
    OTHER = "other"


PROBLEM_CATEGORY_LABELS = {
    ProblemCategory.FUNDING: _l("Funding disbursement"),
    ProblemCategory.UTILITIES: _l("Moving utility lines (power, telecoms, gas, water)"),
    ProblemCategory.RESIDENTS: _l("Disagreement among residents"),
    ProblemCategory.ILLEGAL_STRUCTURES: _l("Removing illegal structures"),
    ProblemCategory.APPROVALS: _l("Approvals"),
    ProblemCategory.CONSTRUCTION: _l("Construction organisation"),
    ProblemCategory.OTHER: _l("Other"),
}


class ProblemStatus(StrEnum):
    OPEN = "open"  # 待研判
    IN_HAND = "in_hand"  # 领办中
    SOLVED = "solved"  # 已解决
    SUSPENDED = "suspended"  # 挂起


PROBLEM_STATUS_LABELS = {
    ProblemStatus.OPEN: _l("Awaiting assessment"),
    ProblemStatus.IN_HAND: _l("Taken on by a leader"),
    ProblemStatus.SOLVED: _l("Solved"),
    ProblemStatus.SUSPENDED: _l("On hold"),
}

# Photos of the project (the photo evidence) that show the problem.
problem_photo = Table(
    "problem_photo",
    db.metadata,
    Column("problem_id", ForeignKey("problem.id", ondelete="CASCADE"), primary_key=True),
    Column("photo_id", ForeignKey("photo.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Problem(db.Model):
    """A difficult problem of a project. ``stage_key``: the stage it blocks, if any. ``reason``:
    why it was last suspended or reopened. Every write checks ``version``."""

    __table_args__ = (
        Index("ix_problem_project_status", "project_id", "status"),
        Index("ix_problem_status_deadline", "status", "deadline"),
        Index("ix_problem_leader_status", "leader_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    stage_key: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, info=limit(10000))
    category: Mapped[str] = mapped_column(String(24))
    departments: Mapped[list] = mapped_column(db.JSON, default=list)
    proposal: Mapped[str] = mapped_column(Text, default="", info=limit(10000))
    deadline: Mapped[dt.date]
    status: Mapped[str] = mapped_column(String(16), default=ProblemStatus.OPEN.value)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolution: Mapped[str] = mapped_column(Text, default="", info=limit(10000))
    reason: Mapped[str] = mapped_column(Text, default="", info=limit(2000))
    solved_on: Mapped[dt.date | None]
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    raised_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    version: Mapped[int] = mapped_column(default=1)

    project = relationship("Project")
    leader = relationship("User", foreign_keys=[leader_id])
    raised_by = relationship("User", foreign_keys=[raised_by_id])
    photos = relationship("Photo", secondary=problem_photo, order_by="Photo.id")
    events: Mapped[list["ProblemEvent"]] = relationship(
        back_populates="problem", order_by="ProblemEvent.id.desc()", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class ProblemEvent(db.Model):
    """One step of a problem (raise, assign, take_on, solve, suspend, reopen, edit): ``changes`` is a
    list of ``{"field", "old", "new"}``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    step: Mapped[str] = mapped_column(String(16))
    changes: Mapped[list] = mapped_column(default=list, type_=db.JSON)

    problem: Mapped[Problem] = relationship(back_populates="events")
    user = relationship("User")
