"""What a renovation delivers (改造内容): the catalogue of content items in three categories, each
project's items with their planned and completed quantities and investment, the history of those,
and the stage rules an engineer overrode with a written reason (隐蔽工程 evidence missing)."""
import datetime as dt
from decimal import Decimal
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from renovation.extensions import db
from renovation.models.limits import limit

Quantity = Numeric(14, 2)  # metres, m², pieces: two decimals, stored exactly
Money = Numeric(12, 2)  # 万元, as the project's budget


class ContentCategory(StrEnum):
    """The national classes of renovation content."""

    BASIC = "basic"  # 基础类
    IMPROVEMENT = "improvement"  # 完善类
    UPGRADE = "upgrade"  # 提升类


CONTENT_CATEGORY_LABELS = {
    ContentCategory.BASIC: _l("Basic"),
    ContentCategory.IMPROVEMENT: _l("Improvement"),
    ContentCategory.UPGRADE: _l("Upgrade"),
}

# The units outputs are reported in (metres of pipe, m² of roof, pieces, lifts, places, households).
UNITS = ("m", "m²", "个", "台", "处", "户")


class ContentItem(db.Model):
    """One item of the catalogue (改造内容清单). ``key`` never changes once made (the API and the
    ledger name items by it); an item in use is retired, never deleted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    category: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(8))
    stage_key: Mapped[str | None] = mapped_column(String(16))  # the stage its work belongs to, if one
    position: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ProjectContent(db.Model):
    """An item a project includes: how much is planned and done (in the item's unit), what it costs
    (万元) and the stage it belongs to. ``reason``: why more was done than planned."""

    __table_args__ = (UniqueConstraint("project_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_item.id"), index=True)
    planned_quantity: Mapped[Decimal] = mapped_column(Quantity, default=0)
    completed_quantity: Mapped[Decimal] = mapped_column(Quantity, default=0)
    investment: Mapped[Decimal] = mapped_column(Money, default=0)
    stage_key: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="", info=limit(2000))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    project = relationship("Project")
    item: Mapped[ContentItem] = relationship()
    updated_by = relationship("User")

    __mapper_args__ = {"version_id_col": version}


class ContentEvent(db.Model):
    """A change to a project's content (added, changed, removed): ``changes`` is a list of
    ``{"field", "old", "new"}``. Kept when the content is removed (``content_id`` becomes null)."""

    __table_args__ = (Index("ix_content_event_project_at", "project_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    content_id: Mapped[int | None] = mapped_column(ForeignKey("project_content.id", ondelete="SET NULL"),
                                                   index=True)
    item_key: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(8))  # add, change, remove
    at: Mapped[dt.datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    changes: Mapped[list] = mapped_column(db.JSON, default=list)

    user = relationship("User")


class RuleOverride(db.Model):
    """A stage rule set aside by someone with the right to, and why (越过规则: e.g. paving started
    before the buried pipes were photographed)."""

    __table_args__ = (Index("ix_rule_override_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    stage_key: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, info=limit(2000))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[dt.datetime]

    project = relationship("Project")
    user = relationship("User")
