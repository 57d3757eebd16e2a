"""The catalogue of renovation content (改造内容清单): items in three categories, each with a stable key,
a name, a unit and the stage its work belongs to. Admins add, rename, change and retire items; an item a
project uses is retired, never deleted (its quantities stay readable)."""
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from renovation.domain import audit
from renovation.domain.errors import Conflict, RuleViolation, commit_or_conflict
from renovation.domain.stages.keys import STAGE_ORDER
from renovation.extensions import db
from renovation.models.contents import UNITS, ContentCategory, ContentItem, ProjectContent
from renovation.models.limits import column_limit

KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
NAME_MAX = column_limit(ContentItem.name)
KEY_MAX = column_limit(ContentItem.key)

# The usual items (key, category, name, unit, stage), as the migration first seeded them.
DEFAULT_ITEMS = (
    ("water_pipes", "basic", "供水管网", "m", "rain_sewage"),
    ("drainage_pipes", "basic", "排水管网", "m", "rain_sewage"),
    ("rain_sewage_pipes", "basic", "雨污分流管网", "m", "rain_sewage"),
    ("power", "basic", "供电线路", "m", None),
    ("gas", "basic", "燃气管道", "m", None),
    ("telecom", "basic", "通信管线", "m", None),
    ("roads", "basic", "道路硬化", "m²", "paving"),
    ("roof_waterproofing", "basic", "屋面防水", "m²", "facade"),
    ("facade", "basic", "外墙保温及立面", "m²", "facade"),
    ("fire_safety", "basic", "消防设施", "处", None),
    ("security_cameras", "basic", "安防监控", "个", None),
    ("sanitation", "basic", "环卫设施", "处", None),
    ("parking", "improvement", "停车位", "个", "paving"),
    ("charging_points", "improvement", "充电桩", "个", None),
    ("elevators", "improvement", "加装电梯", "台", None),
    ("accessibility", "improvement", "无障碍与适老化设施", "处", None),
    ("greening", "improvement", "绿化", "m²", None),
    ("lighting", "improvement", "照明设施", "个", None),
    ("sports_facilities", "improvement", "文体设施", "处", None),
    ("property_rooms", "improvement", "物业用房", "处", None),
    ("elderly_care", "upgrade", "养老服务设施", "处", None),
    ("childcare", "upgrade", "托育设施", "处", None),
    ("canteens", "upgrade", "社区食堂", "处", None),
    ("markets", "upgrade", "便民市场", "处", None),
    ("service_points", "upgrade", "党群及邻里服务点", "处", None),
)


class ItemConflict(Conflict):
    """Someone else changed the catalogue item since it was loaded; ``current`` is the item now."""


def ensure_default_items() -> int:
    """Add the usual items that are missing (a database emptied by hand, the tests); returns how many
    were added. Commits."""
    known = set(db.session.scalars(select(ContentItem.key)))
    position = db.session.scalar(select(func.coalesce(func.max(ContentItem.position), 0)))
    added = 0
    for key, category, name, unit, stage in DEFAULT_ITEMS:
        if key not in known:
            position += 1
            db.session.add(ContentItem(key=key, category=category, name=name, unit=unit, stage_key=stage,
                                       position=position, retired=False))
            added += 1
    db.session.commit()
    return added


def catalogue(include_retired: bool = True) -> list[ContentItem]:
    """The items by category, then in their order."""
    query = select(ContentItem)
    if not include_retired:
        query = query.where(ContentItem.retired.is_(False))
    items = db.session.scalars(query).all()
    order = list(ContentCategory)
    return sorted(items, key=lambda item: (order.index(item.category) if item.category in order else 9,
                                           item.position, item.id))


def item_by_key(key: str) -> ContentItem | None:
    return db.session.scalar(select(ContentItem).where(ContentItem.key == key)) if key else None


def uses(item_ids=None) -> dict[int, int]:
    """How many projects use each item: ``{item id: count}``."""
    query = select(ProjectContent.item_id, func.count()).group_by(ProjectContent.item_id)
    if item_ids is not None:
        query = query.where(ProjectContent.item_id.in_(list(item_ids)))
    return dict(db.session.execute(query).all())


def _fact_errors(values: dict) -> dict:
    errors = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = _l("Give the item a name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _l("The name is too long.")
    if values.get("category") not in set(ContentCategory):
        errors["category"] = _l("Choose a category.")
    if values.get("unit") not in UNITS:
        errors["unit"] = _l("Choose a unit.")
    if values.get("stage") not in (None, "", *STAGE_ORDER):
        errors["stage"] = _l("Choose a stage.")
    return errors


def add_item(values: dict, user) -> ContentItem:
    """A new item (``key``, ``name``, ``category``, ``unit``, ``stage``), at the end of its category; commits."""
    key = (values.get("key") or "").strip()
    errors = _fact_errors(values)
    if not KEY_PATTERN.fullmatch(key) or len(key) > KEY_MAX:
        errors["key"] = _l("Use lower-case letters, digits and _ (such as rain_sewage_pipes).")
    elif item_by_key(key) is not None:
        errors["key"] = _l("Another item has this key.")
    if errors:
        raise RuleViolation(errors)
    position = db.session.scalar(select(func.coalesce(func.max(ContentItem.position), 0))) + 1
    item = ContentItem(key=key, name=values["name"].strip(), category=values["category"], unit=values["unit"],
                       stage_key=values.get("stage") or None, position=position, retired=False)
    db.session.add(item)
    audit.record(user, "content_item.add", "content_item", key, name=item.name, unit=item.unit)
    db.session.commit()
    return item


def change_item(item: ContentItem, values: dict, user, seen_version: int) -> ContentItem:
    """Rename an item, or change its category, unit or stage (its key stays); commits. The projects
    that use it keep their figures: a unit changed afterwards is the admin's to check."""
    if seen_version != item.version:
        raise ItemConflict(item)
    errors = _fact_errors(values)
    if errors:
        raise RuleViolation(errors)
    proposed = {"name": values["name"].strip(), "category": values["category"], "unit": values["unit"],
                "stage_key": values.get("stage") or None}
    changes = [{"field": name, "old": getattr(item, name), "new": value}
               for name, value in proposed.items() if getattr(item, name) != value]
    if not changes:
        return item
    for name, value in proposed.items():
        setattr(item, name, value)
    audit.record(user, "content_item.change", "content_item", item.key, changes=changes)
    return commit_or_conflict(item, ItemConflict)


def set_retired(item: ContentItem, retired: bool, user, seen_version: int) -> ContentItem:
    """Retire an item (no new project may choose it; those that have it keep it) or bring it back."""
    if seen_version != item.version:
        raise ItemConflict(item)
    if item.retired == retired:
        return item
    item.retired = retired
    audit.record(user, "content_item.retire" if retired else "content_item.restore", "content_item", item.key)
    return commit_or_conflict(item, ItemConflict)


def delete_item(item: ContentItem, user) -> None:
    """Delete an item no project uses (made by mistake); one in use is refused: retire it instead."""
    if uses([item.id]).get(item.id):
        raise RuleViolation({"item": _l("Projects use this item: retire it instead, their figures stay.")})
    audit.record(user, "content_item.delete", "content_item", item.key, name=item.name)
    db.session.delete(item)
    db.session.commit()
