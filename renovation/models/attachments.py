"""Files attached to a consultation: the sign-in sheet, the minutes, other papers.

An attachment is an image (kept like a photo: the original under its sha256, display and
thumbnail JPEGs derived from it) or a PDF (the original only). Deleting is a soft delete.
"""
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from renovation.extensions import db


class AttachmentKind(StrEnum):
    """What paper a file is."""

    SIGN_IN_SHEET = "sign_in_sheet"
    MINUTES = "minutes"
    OTHER = "other"


ATTACHMENT_KIND_LABELS = {
    AttachmentKind.SIGN_IN_SHEET: _l("Sign-in sheet"),
    AttachmentKind.MINUTES: _l("Minutes"),
    AttachmentKind.OTHER: _l("Other document"),
}


class ConsultationAttachment(db.Model):
    """One file of a consultation; ``is_pdf`` tells a PDF from an image."""

    __table_args__ = (Index("ix_consultation_attachment_consultation", "consultation_id", "uploaded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    original_filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(32))
    byte_size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    is_pdf: Mapped[bool]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    consultation = relationship("Consultation")
    uploaded_by = relationship("User", foreign_keys=[uploaded_by_id])

    @property
    def kind_label(self) -> str:
        return ATTACHMENT_KIND_LABELS[AttachmentKind(self.kind)]
