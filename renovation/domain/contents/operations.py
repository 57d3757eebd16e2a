"""A project's renovation content: add an item of the catalogue with its figures, change them, remove
it. Each write checks the version seen (like a stage's), keeps a history event and an audit entry,
and commits, or raises having saved nothing: :class:`ContentConflict` (409) or
:class:`ContentRuleViolation` (422, messages by field)."""
from collections import defaultdict
from decimal import Decimal
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload, undefer

from renovation.domain import audit
from renovation.domain.clock import utcnow
from renovation.domain.contents.catalogue import item_by_key
from renovation.domain.contents.quantities import FIGURES, decimal_text, figure_errors
from renovation.domain.errors import Conflict, RuleViolation, commit_or_conflict
from renovation.extensions import db
from renovation.models import Compound, Photo, Project
from renovation.models.contents import ContentCategory, ContentEvent, ProjectContent

FIELDS = (*FIGURES, "stage", "reason")
HISTORY_SHOWN = 50  # a content's newest events


class ContentConflict(Conflict):
    """Someone else changed the content since it was loaded; ``current`` is the content now."""


class ContentRuleViolation(RuleViolation):
    """The figures break a rule; ``errors`` maps fields to messages."""


def _values_of(content: ProjectContent) -> dict:
    return {"planned_quantity": content.planned_quantity, "completed_quantity": content.completed_quantity,
            "investment": content.investment, "stage": content.stage_key, "reason": content.reason or ""}


def _plain(name: str, value):
    return decimal_text(value) if name in FIGURES and value is not None else value


def _cleaned(values: dict) -> dict:
    cleaned = {name: values[name] for name in FIELDS if name in values}
    if "reason" in cleaned:
        cleaned["reason"] = (cleaned["reason"] or "").strip()
    if "stage" in cleaned:
        cleaned["stage"] = cleaned["stage"] or None
    return cleaned


def _store(content: ProjectContent, values: dict) -> None:
    content.planned_quantity, content.completed_quantity = values["planned_quantity"], values["completed_quantity"]
    content.investment, content.stage_key, content.reason = values["investment"], values["stage"], values["reason"]


def _event(content, user, action: str, changes: list) -> None:
    db.session.add(ContentEvent(project_id=content.project_id, content_id=content.id, item_key=content.item.key,
                                action=action, at=utcnow(), user_id=getattr(user, "id", None), changes=changes))


def add_content(project, user, values: dict) -> ProjectContent:
    """Add the catalogue item ``values["item"]`` (a key) to ``project`` with its figures
    (``planned_quantity``, ``completed_quantity``, ``investment`` as Decimal; ``stage``, the item's
    own when absent; ``reason``), and commit."""
    content = record_new_content(project, user, values)
    db.session.commit()
    return content


def record_new_content(project, user, values: dict) -> ProjectContent:
    """:func:`add_content` without the commit, for a write of many (a ledger import): checked, added
    with its history event and audit entry, flushed; the caller commits or rolls back."""
    item = item_by_key(values.get("item") or "")
    errors = {}
    if item is None or item.retired:
        errors["item"] = _l("Choose an item of the catalogue.")
    elif db.session.scalar(select(ProjectContent.id).where(ProjectContent.project_id == project.id,
                                                           ProjectContent.item_id == item.id)):
        errors["item"] = _l("The project includes this item already: change its figures instead.")
    proposed = {"planned_quantity": Decimal(0), "completed_quantity": Decimal(0), "investment": Decimal(0),
                "stage": item.stage_key if item else None, "reason": "", **_cleaned(values)}
    errors = {**figure_errors(proposed), **errors}
    if errors:
        raise ContentRuleViolation(errors)
    now = utcnow()
    content = ProjectContent(project_id=project.id, item=item, created_at=now, updated_at=now,
                             updated_by_id=getattr(user, "id", None))
    _store(content, proposed)
    db.session.add(content)
    db.session.flush()
    changes = [{"field": name, "old": None, "new": _plain(name, proposed[name])}
               for name in FIELDS if proposed[name] not in (None, "")]
    _event(content, user, "add", changes)
    audit.record(user, "content.add", "project", project.code, content=content.id, item=item.key, changes=changes)
    return content


def change_content(content: ProjectContent, user, changes: dict, seen_version: int) -> ProjectContent:
    """Change a content's figures, stage or reason (any of :data:`FIELDS`), and commit."""
    if seen_version != content.version:
        raise ContentConflict(content)
    if not record_content_change(content, user, changes):
        return content
    return commit_or_conflict(content, ContentConflict)


def record_content_change(content: ProjectContent, user, changes: dict) -> bool:
    """:func:`change_content` without the version check and the commit, for a write of many (a
    ledger import, which checks the values it overwrites itself): whether anything changed."""
    current = _values_of(content)
    proposed = {**current, **_cleaned(changes)}
    errors = figure_errors(proposed)
    if errors:
        raise ContentRuleViolation(errors)
    diff = [{"field": name, "old": _plain(name, current[name]), "new": _plain(name, proposed[name])}
            for name in FIELDS if current[name] != proposed[name]]
    if not diff:
        return False
    with db.session.no_autoflush:
        _store(content, proposed)
        content.updated_at, content.updated_by_id = utcnow(), getattr(user, "id", None)
        _event(content, user, "change", diff)
        audit.record(user, "content.change", "project", content.project.code, content=content.id,
                     item=content.item.key, changes=diff)
    return True


def remove_content(content: ProjectContent, user, seen_version: int | None = None) -> None:
    """Take an item out of its project (its history stays), and commit. Refused while hidden-works
    photos are evidence of it: the proof of buried work is not dropped by removing a line."""
    if seen_version is not None and seen_version != content.version:
        raise ContentConflict(content)
    evidence = db.session.scalar(select(func.count()).select_from(Photo).where(
        Photo.content_id == content.id, Photo.hidden_works.is_(True), Photo.deleted_at.is_(None)))
    if evidence:
        raise ContentRuleViolation({"item": _l(
            "Hidden-works photos are evidence of this item: it stays while they do.")})
    changes = [{"field": name, "old": _plain(name, value), "new": None}
               for name, value in _values_of(content).items() if value not in (None, "")]
    _event(content, user, "remove", changes)
    audit.record(user, "content.remove", "project", content.project.code, content=content.id,
                 item=content.item.key, changes=changes)
    for photo in db.session.scalars(select(Photo).where(Photo.content_id == content.id)):
        photo.content_id = None  # no foreign key holds the link (see Photo): it goes here, a deleted photo's too
    db.session.delete(content)
    db.session.commit()


def _order(content: ProjectContent):
    categories = list(ContentCategory)
    category = content.item.category
    return (categories.index(category) if category in categories else 9, content.item.position, content.id)


@cache  # built at the first call (a loader option configures every mapper), the project bound at each
def _contents_of(with_evidence: bool) -> Select:
    options = [joinedload(ProjectContent.item), joinedload(ProjectContent.updated_by)]
    if with_evidence:
        options.append(undefer(ProjectContent.hidden_works_photos))
    return select(ProjectContent).where(ProjectContent.project_id == bindparam("project_id")).options(*options)


def contents_of(project_id: int, with_evidence: bool = False) -> list[ProjectContent]:
    """A project's contents with their items, in the catalogue's order; ``with_evidence``: with the
    count of each one's hidden-works photos (``hidden_works_photos``), in the same statement."""
    return sorted(db.session.scalars(_contents_of(with_evidence), {"project_id": project_id}), key=_order)


def content_by_id(content_id: int) -> ProjectContent | None:
    """A content with its item and its project's place."""
    return db.session.scalar(
        select(ProjectContent).where(ProjectContent.id == content_id)
        .options(joinedload(ProjectContent.item), undefer(ProjectContent.hidden_works_photos),
                 joinedload(ProjectContent.project).joinedload(Project.compound).joinedload(Compound.community)))


def histories(content_ids) -> dict[int, list[ContentEvent]]:
    """Each content's newest events first (up to :data:`HISTORY_SHOWN` each), in one query."""
    ids = list(content_ids)
    if not ids:
        return {}
    events = db.session.scalars(select(ContentEvent).where(ContentEvent.content_id.in_(ids))
                                .options(joinedload(ContentEvent.user))
                                .order_by(ContentEvent.at.desc(), ContentEvent.id.desc()))
    found = defaultdict(list)
    for event in events:
        if len(found[event.content_id]) < HISTORY_SHOWN:
            found[event.content_id].append(event)
    return dict(found)
