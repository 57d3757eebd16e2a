"""Throttling login attempts without letting a stranger lock anyone out.

Every attempt is counted *before* the password is checked, on two keys: the (username,
address) pair and the address alone. A key that has used its free attempts is blocked for a
delay that doubles with every further failure (30 s, 60 s, 120 s … at most 15 minutes by
default); a blocked key is refused at once, without checking the password and without
holding a worker asleep. A guesser at another address therefore only blocks their own pair
and their own address: the real user, at their own desk, logs in as usual.

Counters change only through compare-and-swap statements (``UPDATE … WHERE failures = :seen``,
``INSERT … ON CONFLICT DO NOTHING``) in their own short transactions, so thirty parallel
guesses get exactly the allowed number of password checks on PostgreSQL and on SQLite.
"""
import math
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError

from renovation.domain.clock import utcnow
from renovation.extensions import db
from renovation.models import LoginThrottle

THROTTLE = LoginThrottle.__table__
# Compare-and-swap rounds before an attempt gives up; only a storm of parallel attempts on
# one key ever needs more than a few, and giving up refuses the attempt (never lets it through).
MAX_ROUNDS = 60


def normalised_username(username: str) -> str:
    """The name a counter is kept under: case and surrounding spaces do not make a new key."""
    return username.strip().casefold()[:64]


def pair_key(username: str, address: str) -> str:
    """The counter of one username tried from one client address."""
    return f"user:{normalised_username(username)}@{address}"


def address_key(address: str) -> str:
    """The counter of one client address, whatever usernames it tries."""
    return f"addr:{address}"


def _delay(failures: int, free: int) -> timedelta | None:
    """How long a key is blocked after its ``failures``-th counted attempt (None: not blocked)."""
    if failures < free:
        return None
    config = current_app.config
    seconds = config["LOGIN_FIRST_DELAY_SECONDS"] * 2 ** min(failures - free, 20)
    return timedelta(seconds=min(seconds, config["LOGIN_MAX_DELAY_SECONDS"]))


def _insert_if_absent(values: dict):
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    return insert(THROTTLE).values(**values).on_conflict_do_nothing(index_elements=["key"])


def _count_once(key: str, free: int, username: str | None, now: datetime) -> tuple[bool, datetime | None]:
    """One compare-and-swap round: (done, blocked_until). Not done means someone else was faster."""
    forget = timedelta(minutes=current_app.config["LOGIN_FORGET_MINUTES"])
    with db.engine.begin() as connection:
        row = connection.execute(
            select(THROTTLE.c.failures, THROTTLE.c.blocked_until, THROTTLE.c.last_failure_at)
            .where(THROTTLE.c.key == key)
        ).first()
        if row is None:
            delay = _delay(1, free)
            statement = _insert_if_absent({"key": key, "username": username, "failures": 1,
                                           "blocked_until": now + delay if delay else None,
                                           "last_failure_at": now})
        elif row.blocked_until is not None and row.blocked_until > now:
            return True, row.blocked_until
        else:
            failures = 1 if row.last_failure_at < now - forget else row.failures + 1
            delay = _delay(failures, free)
            statement = (
                update(THROTTLE)
                .where(THROTTLE.c.key == key, THROTTLE.c.failures == row.failures,
                       THROTTLE.c.last_failure_at == row.last_failure_at)
                .values(failures=failures, blocked_until=now + delay if delay else None, last_failure_at=now)
            )
        # RETURNING, not rowcount: drivers do not all count the rows an INSERT … ON CONFLICT made.
        return connection.execute(statement.returning(THROTTLE.c.key)).first() is not None, None


def _count(key: str, free: int, username: str | None = None) -> datetime | None:
    """Count an attempt on ``key``; the time it is blocked until when the attempt is refused."""
    now = utcnow()
    for _round in range(MAX_ROUNDS):
        try:
            done, blocked_until = _count_once(key, free, username, now)
        except OperationalError:  # SQLite: another writer held the file past the busy timeout
            continue
        if done:
            return blocked_until
    return now + timedelta(seconds=1)


def check_in(username: str, address: str) -> datetime | None:
    """Count a login attempt before its password is checked.

    Returns None when the password may be checked, or the time until which this username at
    this address (or this address altogether) is refused.
    """
    config = current_app.config
    blocked_until = _count(pair_key(username, address), config["LOGIN_FREE_FAILURES"],
                           normalised_username(username))
    if blocked_until is None:
        blocked_until = _count(address_key(address), config["LOGIN_FREE_FAILURES_PER_ADDRESS"])
    return blocked_until


def succeeded(username: str, address: str) -> None:
    """A right password: forget the pair's failures and give the address its attempt back.

    Also sweeps counters that can no longer block anyone (quiet for longer than they are
    remembered plus the longest delay), so guesses at made-up usernames do not pile up.
    """
    config = current_app.config
    free = config["LOGIN_FREE_FAILURES_PER_ADDRESS"]
    stale = utcnow() - timedelta(minutes=config["LOGIN_FORGET_MINUTES"], seconds=config["LOGIN_MAX_DELAY_SECONDS"])
    with db.engine.begin() as connection:
        connection.execute(delete(THROTTLE).where(THROTTLE.c.key == pair_key(username, address)))
        connection.execute(delete(THROTTLE).where(THROTTLE.c.last_failure_at < stale))
        connection.execute(
            update(THROTTLE)
            .where(THROTTLE.c.key == address_key(address), THROTTLE.c.failures > 0)
            .values(failures=THROTTLE.c.failures - 1,
                    blocked_until=case((THROTTLE.c.failures - 1 < free, None), else_=THROTTLE.c.blocked_until))
        )


def forget_username(username: str) -> None:
    """Clear every pair counter of a username (an administrator set a new password)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.username == normalised_username(username)))


def seconds_until(moment: datetime) -> int:
    """Whole seconds from now until ``moment``, at least one."""
    return max(1, math.ceil((moment - utcnow()).total_seconds()))
