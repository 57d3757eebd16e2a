"""Completion acceptance with the residents (竣工验收): a project's acceptance records (a project may
have more than one attempt; the latest counts) with the units present, the residents'
representatives, the content items checked one by one and the papers (minutes, sign-in sheet); and
the rectification items (整改事项) found wanting, open until closed with a photo or a note.

The rule that uses them (竣工验收 is not completed while an item is open or without a residents'
representative) is data in :mod:`renovation.domain.stages.rules` (``COMPLETION_RULES``).
"""
import datetime as dt
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from renovation.extensions import db
from renovation.models.limits import limit


class AcceptanceUnit(StrEnum):
    """The units (参建单位) that may take part in an acceptance."""

    CONSTRUCTION_OWNER = "construction_owner"  # 建设单位
    CONTRACTOR = "contractor"  # 施工单位
    SUPERVISOR = "supervisor"  # 监理单位
    DESIGNER = "designer"  # 设计单位
    STREET_COMMUNITY = "street_community"  # 街道/社区


ACCEPTANCE_UNIT_LABELS = {
    AcceptanceUnit.CONSTRUCTION_OWNER: _l("Construction owner"),
    AcceptanceUnit.CONTRACTOR: _l("Contractor"),
    AcceptanceUnit.SUPERVISOR: _l("Supervisor"),
    AcceptanceUnit.DESIGNER: _l("Designer"),
    AcceptanceUnit.STREET_COMMUNITY: _l("Street / community"),
}


class CheckResult(StrEnum):
    """What the acceptance found of one content item."""

    ACCEPTED = "accepted"  # 合格
    RECTIFY = "rectify"  # 需整改


CHECK_RESULT_LABELS = {
    CheckResult.ACCEPTED: _l("Accepted"),
    CheckResult.RECTIFY: _l("To rectify"),
}


class RectificationStatus(StrEnum):
    OPEN = "open"  # 待整改
    CLOSED = "closed"  # 已整改


RECTIFICATION_STATUS_LABELS = {
    RectificationStatus.OPEN: _l("To be rectified"),
    RectificationStatus.CLOSED: _l("Closed"),
}


class AcceptanceRecord(db.Model):
    """One acceptance of a project (an attempt; the latest by date, then id, counts). ``units``: the
    :class:`AcceptanceUnit` keys present. Every write checks ``version``."""

    __table_args__ = (Index("ix_acceptance_record_project_date", "project_id", "accepted_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    accepted_on: Mapped[dt.date]
    units: Mapped[list] = mapped_column(db.JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="", info=limit(2000))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    version: Mapped[int] = mapped_column(default=1)

    project = relationship("Project")
    recorded_by = relationship("User")
    representatives: Mapped[list["AcceptanceRepresentative"]] = relationship(
        back_populates="acceptance", order_by="AcceptanceRepresentative.position",
        cascade="all, delete-orphan")
    checks: Mapped[list["AcceptanceCheck"]] = relationship(
        back_populates="acceptance", order_by="AcceptanceCheck.position", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def representative_count(self) -> int:
        """How many residents' representatives took part (a named one counts once)."""
        return sum(person.headcount for person in self.representatives)


class AcceptanceRepresentative(db.Model):
    """Residents' representatives at an acceptance: one named person (``headcount`` 1) or a number of
    unnamed ones, and whom they represent (e.g. 3号楼居民)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    acceptance_id: Mapped[int] = mapped_column(ForeignKey("acceptance_record.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(64), default="")
    headcount: Mapped[int] = mapped_column(default=1)
    represents: Mapped[str] = mapped_column(String(64), default="")

    acceptance: Mapped[AcceptanceRecord] = relationship(back_populates="representatives")


class AcceptanceCheck(db.Model):
    """One content item of the project as the acceptance found it. ``item_name`` and ``unit`` are kept
    so the record still reads when the content is removed from the project (``content_id`` null)."""

    __table_args__ = (UniqueConstraint("acceptance_id", "content_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    acceptance_id: Mapped[int] = mapped_column(ForeignKey("acceptance_record.id", ondelete="CASCADE"))
    content_id: Mapped[int | None] = mapped_column(ForeignKey("project_content.id", ondelete="SET NULL"),
                                                   index=True)
    position: Mapped[int] = mapped_column(default=0)
    item_name: Mapped[str] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="", info=limit(2000))

    acceptance: Mapped[AcceptanceRecord] = relationship(back_populates="checks")

    @property
    def result_label(self) -> str:
        return CHECK_RESULT_LABELS[CheckResult(self.result)]


class AcceptanceAttachment(db.Model):
    """A paper of an acceptance (minutes, sign-in sheet, other), stored like a consultation's
    attachment (:mod:`renovation.domain.residents.attachments`): an image or a PDF under its sha256.
    Deleting is a soft delete."""

    __table_args__ = (Index("ix_acceptance_attachment_acceptance", "acceptance_id", "uploaded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    acceptance_id: Mapped[int] = mapped_column(ForeignKey("acceptance_record.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # an AttachmentKind
    original_filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(32))
    byte_size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    is_pdf: Mapped[bool]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[dt.datetime]
    deleted_at: Mapped[dt.datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    acceptance = relationship("AcceptanceRecord")
    uploaded_by = relationship("User", foreign_keys=[uploaded_by_id])

    @property
    def kind_label(self) -> str:
        from renovation.models.attachments import ATTACHMENT_KIND_LABELS, AttachmentKind

        return ATTACHMENT_KIND_LABELS[AttachmentKind(self.kind)]


class Rectification(db.Model):
    """An item to rectify (整改事项) of a project: found at an acceptance (``check_id``: the content
    item marked "to rectify") or added directly. Open until closed with a photo of the project
    (``photo_id``) or a note, or both. Every write checks ``version``."""

    __table_args__ = (Index("ix_rectification_project_status", "project_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    acceptance_id: Mapped[int | None] = mapped_column(ForeignKey("acceptance_record.id", ondelete="SET NULL"),
                                                      index=True)
    check_id: Mapped[int | None] = mapped_column(ForeignKey("acceptance_check.id", ondelete="SET NULL"),
                                                 index=True)
    description: Mapped[str] = mapped_column(Text, info=limit(2000))
    deadline: Mapped[dt.date]
    responsible_unit: Mapped[str] = mapped_column(String(24))  # an AcceptanceUnit
    status: Mapped[str] = mapped_column(String(8), default=RectificationStatus.OPEN.value)
    closed_on: Mapped[dt.date | None]
    closing_note: Mapped[str] = mapped_column(Text, default="", info=limit(2000))
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photo.id", ondelete="SET NULL"), index=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    version: Mapped[int] = mapped_column(default=1)

    project = relationship("Project")
    photo = relationship("Photo")
    check = relationship("AcceptanceCheck")
    closed_by = relationship("User", foreign_keys=[closed_by_id])
    created_by = relationship("User", foreign_keys=[created_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status == RectificationStatus.OPEN.value

    @property
    def unit_label(self) -> str:
        return ACCEPTANCE_UNIT_LABELS.get(self.responsible_unit, self.responsible_unit)
