"""Photo evidence of a project, and before/after pairs of the same viewpoint."""
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false, func, select, text
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from renovation.extensions import db
from renovation.models.contents import ProjectContent
from renovation.models.limits import limit


class Phase(StrEnum):
    """When in the work a photo was taken."""

    BEFORE = "before"
    DURING = "during"
    AFTER = "after"


PHASE_LABELS = {
    Phase.BEFORE: _l("Before renovation"),
    Phase.DURING: _l("During construction"),
    Phase.AFTER: _l("After renovation"),
}


HIDDEN_WORKS_WHERE = "hidden_works AND deleted_at IS NULL"


class Photo(db.Model):
    """One photo: the original is kept byte for byte under its sha256; display and thumbnail
    JPEGs are derived from it. ``width``/``height`` are as displayed (EXIF orientation applied)."""

    __table_args__ = (
        UniqueConstraint("project_id", "sha256"),
        Index("ix_photo_project_uploaded", "project_id", "uploaded_at"),
        Index("ix_photo_uploaded_at", "uploaded_at"),
        # The few live hidden-works photos (隐蔽工程), which the projects without them are found by:
        # a small index beside every photo of a province.
        Index("ix_photo_hidden_works_project", "project_id", postgresql_where=text(HIDDEN_WORKS_WHERE),
              sqlite_where=text(HIDDEN_WORKS_WHERE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    stage_key: Mapped[str | None] = mapped_column(String(16))
    phase: Mapped[str] = mapped_column(String(8))
    caption: Mapped[str] = mapped_column(Text, default="", info=limit(500))
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(32))
    original_filename: Mapped[str] = mapped_column(String(255))
    width: Mapped[int]
    height: Mapped[int]
    byte_size: Mapped[int]
    taken_at: Mapped[datetime]
    taken_at_source: Mapped[str] = mapped_column(String(8))  # "exif" or "upload"
    gps_latitude: Mapped[float | None]
    gps_longitude: Mapped[float | None]
    camera_model: Mapped[str] = mapped_column(String(128), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # 隐蔽工程: evidence of work that gets buried, taken while it is open; optionally of one content
    # item of the same project (renovation/domain/contents/hidden_works.py). No foreign key: the column
    # is added in place (SQLite cannot add a named one without rebuilding photo, which would cascade);
    # the domain checks the content is the project's, and clears the link when a content is removed.
    hidden_works: Mapped[bool] = mapped_column(default=False, server_default=false())
    content_id: Mapped[int | None] = mapped_column(index=True)

    project = relationship("Project")
    uploaded_by = relationship("User", foreign_keys=[uploaded_by_id])

    @property
    def phase_label(self) -> str:
        return PHASE_LABELS[Phase(self.phase)]


class PhotoPair(db.Model):
    """A before photo and an after photo of the same viewpoint."""

    __table_args__ = (UniqueConstraint("before_id"), UniqueConstraint("after_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    before_id: Mapped[int] = mapped_column(ForeignKey("photo.id", ondelete="CASCADE"))
    after_id: Mapped[int] = mapped_column(ForeignKey("photo.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime]

    before = relationship("Photo", foreign_keys=[before_id])
    after = relationship("Photo", foreign_keys=[after_id])


# A content item's live hidden-works photos: one indexed count, loaded with the contents where a row
# shows it (renovation/domain/contents/operations.py: contents_of, content_by_id).
ProjectContent.hidden_works_photos = column_property(
    select(func.count(Photo.id))
    .where(Photo.content_id == ProjectContent.id, Photo.hidden_works.is_(True), Photo.deleted_at.is_(None))
    .correlate_except(Photo).scalar_subquery(),
    deferred=True,
)
