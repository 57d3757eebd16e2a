"""Progress bulletins (进度通报): numbered, frozen documents and the PDF each was printed as.

A bulletin is numbered within its kind and year (2026年第12期). The number is given when the
bulletin is issued, in the same transaction that stores the data snapshot it is printed from;
the unique constraint on (kind, year, number) turns a concurrent duplicate into an error the
issuing code retries with the next number. Rendering comes after: a failed render leaves the
bulletin ``failed`` with its number and snapshot, and rendering it again prints the same
document, so a number is never lost and never reused. A worker killed while rendering leaves it
``rendering``: its worker renews ``render_started_at`` while it renders, so once that is older
than ``BULLETIN_RENDER_LEASE`` it counts as stalled and is claimed again. Once ``done``, nothing
changes: a correction is a new bulletin whose ``corrects_id`` names the one it corrects.
"""
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from renovation.extensions import db
from renovation.models.limits import limit


class BulletinKind(StrEnum):
    """City-wide, one street, or one project's brief."""

    CITY = "city"
    STREET = "street"
    PROJECT = "project"


BULLETIN_KIND_LABELS = {
    BulletinKind.CITY: _l("City-wide"),
    BulletinKind.STREET: _l("Street"),
    BulletinKind.PROJECT: _l("Project brief"),
}


class RenderStatus(StrEnum):
    """Where the PDF of an issued bulletin is."""

    QUEUED = "queued"
    RENDERING = "rendering"
    DONE = "done"
    FAILED = "failed"


class BulletinStep(StrEnum):
    """Where a bulletin is on its way from draft to issue (renovation/domain/bulletins/workflow.py)."""

    DRAFT = "draft"  # 拟稿: the drafter edits it
    CHECKING = "checking"  # 待审核: another engineer checks it
    SIGNING = "signing"  # 待签发: waits for a signer
    SIGNED = "signed"  # 已签发: waits to be issued
    ISSUED = "issued"  # 已印发: numbered, printed, never changed


BULLETIN_STEP_LABELS = {
    BulletinStep.DRAFT: _l("Draft"),
    BulletinStep.CHECKING: _l("Awaiting check"),
    BulletinStep.SIGNING: _l("Awaiting signature"),
    BulletinStep.SIGNED: _l("Signed, awaiting issue"),
    BulletinStep.ISSUED: _l("Issued"),
}


class Bulletin(db.Model):
    """A bulletin from its draft to its issue: what it covers and says, who drafted, checked,
    signed and issued it; once issued, its number, the snapshot it is printed from and the stored
    PDF. Until it is issued it has no number, no date of issue and no snapshot to print from
    (its data are frozen when it is sent on from the draft)."""

    __table_args__ = (
        UniqueConstraint("series", "year", "number", name="uq_bulletin_series_year_number"),
        CheckConstraint("number > 0", name="number_positive"),
        Index("ix_bulletin_issued_at", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    # The series it is numbered in, per year (renovation/domain/bulletins/series.py): "city",
    # "street:<street id>" or "project:<project id>".
    series: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12), default=BulletinStep.ISSUED.value)
    version: Mapped[int] = mapped_column(default=1)  # moves with every step: a stale form is refused
    year: Mapped[int | None]
    number: Mapped[int | None]
    label: Mapped[str | None] = mapped_column(String(64))  # as printed: 2026年第12期, ZP-2026-001 2026年12月6日
    document_number: Mapped[str] = mapped_column(String(64), default="")  # 发文字号: 漳住建〔2026〕12号
    street_id: Mapped[int | None] = mapped_column(ForeignKey("street.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"))
    title: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(128))  # the issuing office, printed on it
    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    drafted_at: Mapped[datetime | None]
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    checked_at: Mapped[datetime | None]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    signed_at: Mapped[datetime | None]
    sent_back_reason: Mapped[str] = mapped_column(Text, default="", info=limit(500))  # why it last went back
    issued_at: Mapped[datetime | None]
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    notes: Mapped[str] = mapped_column(Text, default="", info=limit(5000))  # 七、下一步工作要求
    photo_pair_ids: Mapped[list] = mapped_column(db.JSON, default=list)
    copy_to: Mapped[str] = mapped_column(Text, default="", info=limit(500))  # 抄送
    snapshot: Mapped[dict | None] = mapped_column(db.JSON)  # the plain data the PDF is printed from
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("bulletin.id"))
    render_status: Mapped[str | None] = mapped_column(String(12), default=RenderStatus.QUEUED.value)  # None: a draft
    render_error: Mapped[str] = mapped_column(Text, default="")
    render_queued_at: Mapped[datetime | None]  # issued or queued again: a long wait means no worker
    render_started_at: Mapped[datetime | None]  # claimed, then renewed while rendering: too long ago means it died
    rendered_at: Mapped[datetime | None]
    pdf_key: Mapped[str | None] = mapped_column(String(255))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_size: Mapped[int | None]

    @property
    def cited_as(self) -> str:
        """The number as a reader cites it: 2026年第12期，漳住建〔2026〕12号, or the label alone."""
        return f"{self.label}，{self.document_number}" if self.document_number else self.label

    issued_by = relationship("User", foreign_keys=[issued_by_id])
    drafted_by = relationship("User", foreign_keys=[drafted_by_id])
    checked_by = relationship("User", foreign_keys=[checked_by_id])
    signed_by = relationship("User", foreign_keys=[signed_by_id])
    street = relationship("Street")
    project = relationship("Project")
    corrects: Mapped["Bulletin | None"] = relationship(remote_side=[id])

    __mapper_args__ = {"version_id_col": version}  # every write through the ORM checks and moves it

