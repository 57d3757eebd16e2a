"""A user's notifications, newest first, and marking them read.

Opening the list marks read what it shows: the bell counts what the user has not seen yet, and
the list marks the ones that were new on this visit (people expect the badge to clear when they
look, as on a phone; a notification followed later is still one click away)."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from renovation.domain.clock import utcnow
from renovation.domain.notifications import texts
from renovation.extensions import db
from renovation.models.notifications import Notification

PAGE_SIZE = 50


@dataclass(frozen=True)
class Item:
    """One line of the list, as the page shows it."""

    id: int
    kind: str
    headline: str
    place: str
    path: str
    created_at: datetime
    new: bool


def latest(user_id: int, before_id: int | None = None, limit: int = PAGE_SIZE) -> list[Notification]:
    """The user's notifications, newest first (``before_id``: the page after the one ending there)."""
    query = select(Notification).where(Notification.user_id == user_id)
    if before_id:
        query = query.where(Notification.id < before_id)
    return list(db.session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def items_of(notifications: list[Notification]) -> list[Item]:
    """The list's lines, in the current language."""
    return [Item(n.id, n.kind, texts.headline(n.kind, n.facts or {}), texts.place(n.facts or {}),
                 texts.subject_path(n.kind, n.subject_id, n.facts or {}), n.created_at, n.read_at is None)
            for n in notifications]


def open_list(user, before_id: int | None = None) -> tuple[list[Item], bool]:
    """The page of ``user``'s list and whether older ones follow; what it shows is marked read
    (one update; the items still say which were new), and committed."""
    shown = latest(user.id, before_id, PAGE_SIZE + 1)
    more = len(shown) > PAGE_SIZE
    shown = shown[:PAGE_SIZE]
    items = items_of(shown)
    unread = [item.id for item in items if item.new]
    if unread:
        db.session.execute(update(Notification).where(Notification.id.in_(unread), Notification.read_at.is_(None))
                           .values(read_at=utcnow()))
        db.session.commit()
    return items, more

