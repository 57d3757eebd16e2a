"""Messages outside the app as rows: written with the event that causes them, sent by the
background worker, retried with exponential back-off (``NOTIFY_RETRY_SECONDS`` × 1, 2, 4… up to
``NOTIFY_MAX_ATTEMPTS`` attempts), then marked failed, shown to admins (their page and their bell)
and sent again by hand. A receiver that is down loses nothing: the row waits.

A worker claims a row before sending it (a conditional update, the claim lasting a few
timeouts), so two workers never send one message twice; a worker that dies mid-send leaves a
claim that runs out, and the row is sent again."""
import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload

from renovation.domain import audit
from renovation.domain.clock import utcnow
from renovation.domain.notifications import outbound, robots
from renovation.domain.notifications.unique_rows import insert_once
from renovation.extensions import db
from renovation.models.limits import column_limit
from renovation.models.notifications import ChatRobot, Delivery, DeliveryChannel, DeliveryStatus

log = logging.getLogger(__name__)
S = DeliveryStatus
# Set when a delivery was written: renovation/notifications/sending.py queues the send job after the commit.
WAITING = "deliveries_waiting"
ERROR_LIMIT = column_limit(Delivery.last_error)


def _add(row: dict, now: datetime) -> None:
    insert_once(Delivery, [{**row, "status": S.PENDING.value, "attempts": 0, "next_attempt_at": now,
                            "claimed_until": None, "last_error": "", "created_at": now, "sent_at": None}], ["key"])
    db.session.info[WAITING] = True


def add_robot_post(robot: ChatRobot, key: str, title: str, body: str, now: datetime) -> None:
    """A post for ``robot``, once per ``key`` (the caller commits)."""
    _add({"key": key, "channel": DeliveryChannel.ROBOT.value, "robot_id": robot.id, "user_id": None,
          "title": title[:200], "body": body}, now)


def add_email(user_id: int, key: str, title: str, body: str, now: datetime) -> None:
    """An e-mail to a user, once per ``key`` (the caller commits)."""
    _add({"key": key, "channel": DeliveryChannel.EMAIL.value, "user_id": user_id, "robot_id": None,
          "title": title[:200], "body": body}, now)


def _timeout() -> float:
    return float(current_app.config.get("NOTIFY_TIMEOUT_SECONDS", 10))


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: the base, doubling each time."""
    base = int(current_app.config.get("NOTIFY_RETRY_SECONDS", 60))
    return timedelta(seconds=base * 2 ** min(attempts - 1, 16))


def due_ids(now: datetime, limit: int = 200) -> list[int]:
    """Deliveries waiting to be sent now, oldest first."""
    return list(db.session.scalars(
        select(Delivery.id).where(Delivery.status == S.PENDING.value, Delivery.next_attempt_at <= now,
                                  or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now))
        .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)))


def _claim(delivery_id: int, now: datetime) -> bool:
    claimed = db.session.execute(
        update(Delivery).where(Delivery.id == delivery_id, Delivery.status == S.PENDING.value,
                               Delivery.next_attempt_at <= now,
                               or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now))
        .values(claimed_until=now + timedelta(seconds=3 * _timeout() + 30)))
    db.session.commit()
    return claimed.rowcount == 1


def _send(delivery: Delivery) -> None:
    if delivery.channel == DeliveryChannel.ROBOT:
        robot = delivery.robot
        if not robot.active:
            raise outbound.DeliveryError("the robot is switched off")
        error = robots.url_error(robot.url)
        if error:
            raise outbound.DeliveryError(error)
        outbound.post_json(robots.signed_url(robot), robots.payload(robot.kind, delivery.title, delivery.body),
                           _timeout())
    else:
        if not delivery.user.email:
            raise outbound.DeliveryError("the user has no e-mail address")
        outbound.send_email(delivery.user.email, delivery.title, delivery.body, _timeout())


def send_one(delivery_id: int, now: datetime | None = None) -> str | None:
    """Send one delivery if it is due and nobody else is sending it; its status after, or None."""
    now = now or utcnow()
    if not _claim(delivery_id, now):
        return None
    delivery = db.session.get(Delivery, delivery_id)
    try:
        _send(delivery)
    except outbound.DeliveryError as error:
        _failed(delivery, str(error), now)
    except Exception as error:  # a bug must not stop the other deliveries: recorded like a failure
        log.exception("delivery %s", delivery_id)
        _failed(delivery, f"{type(error).__name__}: {error}", now)
    else:
        delivery.status, delivery.sent_at, delivery.claimed_until = S.SENT.value, utcnow(), None
        delivery.attempts += 1
        delivery.last_error = ""
    db.session.commit()
    return delivery.status


def _failed(delivery: Delivery, error: str, now: datetime) -> None:
    delivery.attempts += 1
    delivery.last_error, delivery.claimed_until = error[:ERROR_LIMIT], None
    log.warning("delivery %s (%s) failed, attempt %s: %s", delivery.id, delivery.key, delivery.attempts, error)
    if delivery.attempts >= int(current_app.config.get("NOTIFY_MAX_ATTEMPTS", 6)):
        delivery.status, delivery.next_attempt_at = S.FAILED.value, now  # when it failed, for the admins' list
        _tell_admins(delivery)
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)


def _tell_admins(delivery: Delivery) -> None:
    from renovation.domain.notifications.events import Event, record
    from renovation.models import User
    from renovation.models.notifications import NotificationKind
    from renovation.models.users import Role

    admins = db.session.scalars(select(User).where(User.role == Role.ADMIN.value, User.active.is_(True))).all()
    facts = {"target": target_name(delivery), "title": delivery.title, "error": delivery.last_error[:200]}
    record(Event(NotificationKind.DELIVERY_FAILED, delivery.id, facts, admins, occurrence=f"a{delivery.attempts}"))


def target_name(delivery: Delivery) -> str:
    """Who the message is for, for people: the robot's name, or the user's name and address."""
    if delivery.channel == DeliveryChannel.ROBOT:
        return delivery.robot.name if delivery.robot else "—"
    return f"{delivery.user.name} <{delivery.user.email}>" if delivery.user else "—"


def send_due(now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Send every delivery due now; how many ended in each status (the worker logs it)."""
    now = now or utcnow()
    counts = {status.value: 0 for status in S}
    for delivery_id in due_ids(now, limit):
        status = send_one(delivery_id, now)
        if status:
            counts[status] += 1
    return counts


def failed_deliveries(limit: int = 200) -> list[Delivery]:
    """The deliveries that failed for good, latest first, with their robot or user."""
    return list(db.session.scalars(
        select(Delivery).where(Delivery.status == S.FAILED.value)
        .options(joinedload(Delivery.robot), joinedload(Delivery.user))
        .order_by(Delivery.next_attempt_at.desc(), Delivery.id.desc()).limit(limit)))


def waiting_count() -> int:
    """Deliveries still to be sent (first attempts and retries)."""
    return db.session.scalar(select(func.count(Delivery.id)).where(Delivery.status == S.PENDING.value))


def send_again(delivery: Delivery, actor) -> Delivery:
    """Put a failed delivery back in line with its attempts counted afresh, and commit."""
    delivery.status, delivery.attempts, delivery.claimed_until = S.PENDING.value, 0, None
    delivery.next_attempt_at = utcnow()
    audit.record(actor, "delivery.send_again", "delivery", delivery.id, target=target_name(delivery))
    db.session.info[WAITING] = True
    db.session.commit()
    return delivery
