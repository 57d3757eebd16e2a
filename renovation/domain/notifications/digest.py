"""The daily e-mail: once a day, from ``NOTIFY_DIGEST_HOUR`` (Zhangping time), each user who has
an address and wants it gets the notifications written since their previous digest (the first
one: the last day's). Nothing new, no e-mail; no mail server configured, no digest at all.

A digest is a delivery keyed by user and day, so the periodic job may build it as often as it
runs: it is written once."""
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from renovation.domain import clock
from renovation.domain.clock import CHINA, utcnow
from renovation.domain.notifications import choices, deliveries, outbound, texts
from renovation.extensions import db
from renovation.models import User
from renovation.models.notifications import Delivery, DeliveryChannel, Notification


def digest_key(user_id: int, day: date) -> str:
    return f"digest:{user_id}:{day.isoformat()}"


def is_digest_time(now: datetime | None = None) -> bool:
    """Whether today's digests are due: the configured hour has come in Zhangping."""
    now = now or utcnow()
    local = now.replace(tzinfo=UTC).astimezone(CHINA)
    return local.hour >= int(current_app.config.get("NOTIFY_DIGEST_HOUR", 8))


def _previous_digests(user_ids: list[int]) -> dict[int, datetime]:
    rows = db.session.execute(
        select(Delivery.user_id, func.max(Delivery.created_at))
        .where(Delivery.channel == DeliveryChannel.EMAIL.value, Delivery.key.like("digest:%"),
               Delivery.user_id.in_(user_ids)).group_by(Delivery.user_id))
    return dict(rows.all())


def build_digests(day: date | None = None, now: datetime | None = None) -> int:
    """Write the digests of ``day`` (default: today) that are not written yet, and commit; how many
    were written. Only with a mail server configured."""
    if not outbound.smtp_configured():
        return 0
    day, now = day or clock.today(), now or utcnow()
    users = db.session.scalars(select(User).where(User.active.is_(True), User.email != "")).all()
    settings = choices.settings_of(user.id for user in users)
    users = [user for user in users if choices.wants_digest(user, settings.get(user.id))]
    if not users:
        return 0
    done = set(db.session.scalars(select(Delivery.user_id).where(
        Delivery.key.in_([digest_key(user.id, day) for user in users]))))
    previous = _previous_digests([user.id for user in users])
    written = 0
    for user in users:
        if user.id in done:
            continue
        since = previous.get(user.id, now - timedelta(days=1))
        items = db.session.execute(
            select(Notification.kind, Notification.subject_id, Notification.facts)
            .where(Notification.user_id == user.id, Notification.created_at > since,
                   Notification.created_at <= now).order_by(Notification.id)).all()
        if not items:
            continue
        subject, body = texts.digest_text(user.name, [tuple(item) for item in items])
        deliveries.add_email(user.id, digest_key(user.id, day), subject, body, now)
        written += 1
    db.session.commit()
    return written
