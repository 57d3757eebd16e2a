"""Linked leaders (挂钩联系点) and their site visits (蹲点调研).

A link ties a user, mostly a leader, to a community or to a project's compound for a span of
dates. Links are never deleted: when a post changes the link is ended (``ended_on``), so the
history of who followed a compound stays readable. The rules are in
:mod:`renovation.domain.leaders`."""
import datetime as dt

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from renovation.extensions import db
from renovation.models.limits import limit


class LeaderLink(db.Model):
    """A user linked to one community or to one project (its compound), from ``started_on`` to
    ``ended_on`` (inclusive; none: still linked). ``note``: the post or the reason, as the admin
    wrote it."""

    __tablename__ = "leader_link"
    __table_args__ = (
        CheckConstraint("(community_id IS NULL) <> (project_id IS NULL)", name="one_place"),
        Index("ix_leader_link_user_started", "user_id", "started_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    started_on: Mapped[dt.date]
    ended_on: Mapped[dt.date | None]
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    ended_at: Mapped[dt.datetime | None]

    user = relationship("User", foreign_keys=[user_id])
    community = relationship("Community")
    project = relationship("Project")
    created_by = relationship("User", foreign_keys=[created_by_id])
    ended_by = relationship("User", foreign_keys=[ended_by_id])


# The users (leaders mostly) who came on a visit.
site_visit_leader = Table(
    "site_visit_leader",
    db.metadata,
    Column("visit_id", ForeignKey("site_visit.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id"), primary_key=True, index=True),
)

# The difficult problems raised on the spot, or taken up during the visit.
site_visit_problem = Table(
    "site_visit_problem",
    db.metadata,
    Column("visit_id", ForeignKey("site_visit.id", ondelete="CASCADE"), primary_key=True),
    Column("problem_id", ForeignKey("problem.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class SiteVisit(db.Model):
    """A dated visit to a project's compound: who came (users, and ``others`` as free text), what
    was seen and what was decided."""

    __tablename__ = "site_visit"
    __table_args__ = (Index("ix_site_visit_project_visited", "project_id", "visited_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    visited_on: Mapped[dt.date]
    others: Mapped[str] = mapped_column(String(500), default="")
    seen: Mapped[str] = mapped_column(Text, default="", info=limit(10000))
    decided: Mapped[str] = mapped_column(Text, default="", info=limit(10000))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[dt.datetime]

    project = relationship("Project")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    leaders = relationship("User", secondary=site_visit_leader, order_by="User.id")
    problems = relationship("Problem", secondary=site_visit_problem, order_by="Problem.id")
