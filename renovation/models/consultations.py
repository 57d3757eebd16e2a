"""Resident consultation: the log of meetings and visits, their votes, and residents' demands."""
import datetime as dt
from decimal import Decimal
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Computed, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from renovation.extensions import db
from renovation.models.audit import REASON_MAX
from renovation.models.limits import limit

Area = Numeric(12, 2)  # m², exclusive floor area
# What the demands list searches, lower-cased once by the database when a demand is written:
# "lower(column) LIKE lower(pattern)" is what ILIKE does row by row. A space parts the fields
# and never occurs in a search word (words are split on spaces), so no match straddles two.
DEMAND_SEARCH_TEXT = """lower("text" || ' ' || raised_by || ' ' || response)"""


class ConsultationKind(StrEnum):
    COUNCIL_MEETING = "council_meeting"
    DOOR_TO_DOOR = "door_to_door"
    QUESTIONNAIRE = "questionnaire"
    PUBLIC_NOTICE = "public_notice"
    HEARING = "hearing"


KIND_LABELS = {
    ConsultationKind.COUNCIL_MEETING: _l("Residents' council meeting"),
    ConsultationKind.DOOR_TO_DOOR: _l("Door-to-door visit"),
    ConsultationKind.QUESTIONNAIRE: _l("Questionnaire"),
    ConsultationKind.PUBLIC_NOTICE: _l("Public notice"),
    ConsultationKind.HEARING: _l("Hearing"),
}


class DemandCategory(StrEnum):
    PARKING = "parking"
    DRAINAGE = "drainage"
    LIGHTING = "lighting"
    GREENING = "greening"
    ACCESSIBILITY = "accessibility"
    SECURITY = "security"
    OTHER = "other"


CATEGORY_LABELS = {
    DemandCategory.PARKING: _l("Parking"),
    DemandCategory.DRAINAGE: _l("Drainage"),
    DemandCategory.LIGHTING: _l("Lighting"),
    DemandCategory.GREENING: _l("Greening"),
    DemandCategory.ACCESSIBILITY: _l("Accessibility and elevators"),
    DemandCategory.SECURITY: _l("Security"),
    DemandCategory.OTHER: _l("Other"),
}


class DemandStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    DECLINED = "declined"


# The demands list's default order puts open demands (pending, in progress) first. On PostgreSQL the
# index ix_demand_open_first holds that order, on CASE WHEN status IN ('in_progress', 'pending') THEN 0
# ELSE 1 END; the list writes the same expression, values and all, into its statements
# (renovation.domain.residents.demand_list._open_first), as the planner matches an index to an
# expression with its values. The index is made by migration e7c3a1f9b284 alone: the expression
# PostgreSQL reflects back is not the text written, so alembic could not compare it with a model's.
OPEN_DEMAND_STATUSES = (DemandStatus.IN_PROGRESS.value, DemandStatus.PENDING.value)


DEMAND_STATUS_LABELS = {
    DemandStatus.PENDING: _l("Pending"),
    DemandStatus.IN_PROGRESS: _l("Being handled"),
    DemandStatus.RESOLVED: _l("Resolved"),
    DemandStatus.DECLINED: _l("Declined"),
}


class Consultation(db.Model):
    """One consultation of a project's residents. Deleting is a soft delete with a reason."""

    __table_args__ = (Index("ix_consultation_project_date", "project_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(24))
    place: Mapped[str] = mapped_column(String(128), default="")
    organiser: Mapped[str] = mapped_column(String(64), default="")
    attendees: Mapped[str] = mapped_column(Text, default="", info=limit(2000))
    households: Mapped[int | None]
    topic: Mapped[str] = mapped_column(String(200))
    opinions: Mapped[str] = mapped_column(Text, default="", info=limit(10000))
    decisions: Mapped[str] = mapped_column(Text, default="", info=limit(10000))
    follow_up: Mapped[str] = mapped_column(Text, default="", info=limit(10000))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    deleted_at: Mapped[dt.datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    delete_reason: Mapped[str] = mapped_column(Text, default="", info=limit(REASON_MAX))

    project = relationship("Project")
    created_by = relationship("User", foreign_keys=[created_by_id])
    vote: Mapped["Vote | None"] = relationship(back_populates="consultation", uselist=False,
                                               cascade="all, delete-orphan")


class Vote(db.Model):
    """A vote taken at a consultation, under Civil Code article 278 (see domain/residents/votes.py)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), unique=True)
    matter: Mapped[str] = mapped_column(String(200))
    matter_class: Mapped[str] = mapped_column(String(8))  # "special" or "ordinary"
    total_owners: Mapped[int]
    total_area: Mapped[Decimal] = mapped_column(Area)
    participating_owners: Mapped[int]
    participating_area: Mapped[Decimal] = mapped_column(Area)
    agree_owners: Mapped[int]
    agree_area: Mapped[Decimal] = mapped_column(Area)
    oppose_owners: Mapped[int]
    oppose_area: Mapped[Decimal] = mapped_column(Area)
    abstain_owners: Mapped[int]
    abstain_area: Mapped[Decimal] = mapped_column(Area)
    # A stricter local rule: this fraction of the voting scope's owners must agree, e.g. "9/10".
    extra_threshold: Mapped[str | None] = mapped_column(String(16))
    extra_label: Mapped[str] = mapped_column(String(100), default="")
    passed: Mapped[bool]  # as decided when saved; recomputed from the figures for display

    consultation: Mapped[Consultation] = relationship(back_populates="vote")


class Demand(db.Model):
    """A resident demand (诉求), followed from pending to resolved or declined."""

    __table_args__ = (
        Index("ix_demand_project_status", "project_id", "status"),
        Index("ix_demand_status_raised", "status", "raised_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultation.id", ondelete="SET NULL"))
    category: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, info=limit(10000))
    raised_by: Mapped[str] = mapped_column(String(100), default="")  # household or building
    raised_on: Mapped[dt.date]
    status: Mapped[str] = mapped_column(String(16), default=DemandStatus.PENDING.value)
    response: Mapped[str] = mapped_column(Text, default="", info=limit(10000))
    reason: Mapped[str] = mapped_column(Text, default="", info=limit(10000))  # why it was declined
    assignee: Mapped[str] = mapped_column(String(64), default="")
    resolved_on: Mapped[dt.date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    version: Mapped[int] = mapped_column(default=1)
    search_text: Mapped[str] = mapped_column(Text, Computed(DEMAND_SEARCH_TEXT, persisted=True), deferred=True)

    project = relationship("Project")
    consultation = relationship("Consultation")
    events: Mapped[list["DemandEvent"]] = relationship(
        back_populates="demand", order_by="DemandEvent.at.desc()", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class DemandEvent(db.Model):
    """A change to a demand: ``changes`` is a list of ``{"field", "old", "new"}``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demand.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    changes: Mapped[list] = mapped_column(default=list, type_=db.JSON)

    demand: Mapped[Demand] = relationship(back_populates="events")
    user = relationship("User")
