"""Users, passwords, logins and API tokens.

Each write (creating a user, a new password, enabling, a token, revoking one, logging out
everywhere) commits, with its audit entry, or raises :class:`AccountError` having written nothing."""
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from renovation.domain import audit, login_throttle
from renovation.domain.clock import utcnow
from renovation.domain.messages import with_values
from renovation.extensions import db
from renovation.models import ApiToken, Community, User
from renovation.models.limits import column_limit
from renovation.models.users import Role, TokenScope

MIN_PASSWORD_LENGTH = 8
# A plain check of an e-mail address (name@host.tld, no spaces); the mail server has the last word.
EMAIL_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOKEN_NAME_MAX = column_limit(ApiToken.name)
# ``last_used_at`` is kept to the minute: exact enough to tell a live integration from a dead one.
TOKEN_USE_PRECISION = timedelta(minutes=1)
SQLITE_STAMP_WAIT_MS = 200


class AccountError(ValueError):
    """A user-facing problem with account data; ``field`` names the form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _dummy_hash() -> str:
    """A hash to check unknown usernames against, made once per app and hash method."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    cache = current_app.extensions.setdefault("renovation_dummy_hashes", {})
    if method not in cache:
        cache[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return cache[method]


def generate_password() -> str:
    """A password that is easy to read out over the phone: 12 letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username.strip()))


@dataclass
class LoginResult:
    """A login attempt's outcome: the user, or nothing; ``blocked_until`` when it was throttled."""

    user: User | None = None
    blocked_until: datetime | None = None


def authenticate(username: str, password: str, address: str) -> LoginResult:
    """Check a login from the client at ``address``.

    An unknown username, a wrong password and a disabled account answer alike and cost one
    password check each. Attempts are throttled per (username, address) and per address
    (see ``login_throttle``): a throttled attempt is refused before any check, whether the
    username exists or not.
    """
    blocked_until = login_throttle.check_in(username, address)
    if blocked_until is not None:
        return LoginResult(blocked_until=blocked_until)
    user = find_user(username)
    # Same cost as a real check, so timing does not reveal which usernames exist.
    right = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    if user is None or not right or not user.active:
        return LoginResult()
    login_throttle.succeeded(username, address)
    user.last_login_at = utcnow()
    db.session.commit()
    return LoginResult(user=user)


def end_sessions(user: User) -> None:
    """Invalidate every session of the user (they hold the old epoch), and commit."""
    _end_sessions(user)
    db.session.commit()


def _end_sessions(user: User) -> None:
    user.session_epoch += 1


def community_named(name: str | None) -> Community | None:
    if not name:
        return None
    community = db.session.scalar(select(Community).where(Community.name == name.strip()))
    if community is None:
        raise AccountError("community", with_values(_l("There is no community named %(name)s."), name=name))
    return community


def create_user(
    username: str,
    password: str,
    role: str,
    *,
    community: Community | None = None,
    display_name: str = "",
    actor: User | None = None,
    email: str = "",
) -> User:
    """Add a user and commit. Committee members belong to exactly one community; ``email``: where
    their daily digest of notifications goes (optional)."""
    username = username.strip()
    if not username:
        raise AccountError("username", _l("Enter a username."))
    if find_user(username) is not None:
        raise AccountError("username", with_values(_l("The username %(name)s is already taken."), name=username))
    if role not in Role.__members__.values():
        raise AccountError("role", _l("Choose a role from the list."))
    if role == Role.COMMITTEE and community is None:
        raise AccountError("community", _l("A committee member belongs to one community: choose it."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            "password", with_values(_l("A password has at least %(n)d characters."), n=MIN_PASSWORD_LENGTH)
        )
    email = (email or "").strip()
    if email and not EMAIL_ADDRESS.match(email):
        raise AccountError("email", _l("Enter an e-mail address such as name@example.com."))
    user = User(
        username=username,
        display_name=display_name.strip(),
        email=email,
        password_hash=hash_password(password),
        role=role,
        community=community if role == Role.COMMITTEE else None,
        created_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", username, role=role)
    db.session.commit()
    return user


def set_password(user: User, password: str, actor: User | None) -> None:
    """Give ``user`` a new password (ending their sessions and revoking their tokens), and commit."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            "password", with_values(_l("A password has at least %(n)d characters."), n=MIN_PASSWORD_LENGTH)
        )
    user.password_hash = hash_password(password)
    login_throttle.forget_username(user.username)
    _end_sessions(user)
    revoke_tokens_of(user, actor, reason="password")
    audit.record(actor, "user.reset_password", "user", user.username)
    db.session.commit()


def set_active(user: User, active: bool, actor: User | None) -> None:
    """Enable or disable ``user`` (ending their sessions; disabling revokes their tokens), and commit.
    Raises :class:`AccountError` when an administrator would disable their own account: nobody
    would be left to undo it."""
    if not active and actor is not None and actor.id == user.id:
        raise AccountError("active", _l("You cannot disable your own account."))
    user.active = active
    _end_sessions(user)
    if not active:
        revoke_tokens_of(user, actor, reason="disabled")
    audit.record(actor, "user.enable" if active else "user.disable", "user", user.username)
    db.session.commit()


def set_may_sign_bulletins(user: User, allowed: bool, actor: User | None) -> None:
    """Grant or withdraw the right to sign bulletins (签发), and commit."""
    user.may_sign_bulletins = allowed
    audit.record(actor, "user.grant_signing" if allowed else "user.withdraw_signing", "user", user.username)
    db.session.commit()


def set_may_override_rules(user: User, allowed: bool, actor: User | None) -> None:
    """Grant or withdraw the right to set a stage rule aside with a written reason, and commit."""
    user.may_override_rules = allowed
    audit.record(actor, "user.grant_overriding" if allowed else "user.withdraw_overriding", "user", user.username)
    db.session.commit()


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    user: User,
    actor: User | None = None,
    *,
    name: str = "",
    scope: str = TokenScope.WRITE,
    expires_in_days: int | None = None,
) -> str:
    """Create an API token for the user, commit and return it; only its hash is kept, so the caller
    shows it once. ``expires_in_days`` None or 0: the token lasts until revoked."""
    if scope not in TokenScope.__members__.values():
        raise AccountError("scope", _l("Choose read only or read and write."))
    if expires_in_days is not None and expires_in_days < 0:
        raise AccountError("expires", _l("An expiry lies in the future."))
    name = name.strip()
    if len(name) > TOKEN_NAME_MAX:
        raise AccountError("name", with_values(_l("A name has at most %(n)d characters."), n=TOKEN_NAME_MAX))
    token = "rnv_" + secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(ApiToken(
        user_id=user.id, token_hash=_token_digest(token), name=name, scope=scope, created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    ))
    audit.record(actor, "token.create", "user", user.username, name=name, scope=scope,
                 expires_in_days=expires_in_days or None)
    db.session.commit()
    return token


def find_token(token: str) -> ApiToken | None:
    """The live token (not revoked, not expired) of an active user, or None."""
    api_token = db.session.scalar(
        select(ApiToken).options(joinedload(ApiToken.user)).where(ApiToken.token_hash == _token_digest(token))
    )
    if api_token is None or not api_token.is_live(utcnow()) or not api_token.user.active:
        return None
    return api_token


def user_for_token(token: str) -> User | None:
    """The active user owning this live token, or None."""
    api_token = find_token(token)
    return api_token.user if api_token else None


def note_token_use(api_token: ApiToken) -> None:
    """Remember when a token was last used, writing at most once a minute per token.

    Best effort, in a connection of its own so the request's session is never committed here:
    a conditional UPDATE (parallel requests of the same minute write once); when SQLite is busy
    with another writer the stamp waits for the next minute instead of holding the request.
    """
    now = utcnow()
    if api_token.last_used_at is not None and now - api_token.last_used_at < TOKEN_USE_PRECISION:
        return
    statement = (
        update(ApiToken)
        .where(ApiToken.id == api_token.id,
               or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - TOKEN_USE_PRECISION))
        .values(last_used_at=now)
    )
    sqlite = db.engine.dialect.name == "sqlite"
    with db.engine.connect() as connection:
        try:
            if sqlite:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_STAMP_WAIT_MS}")
            connection.execute(statement)
            connection.commit()
        except OperationalError:
            connection.rollback()
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA busy_timeout=5000")  # the pool's default (create_app)


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked and expired ones included."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def all_tokens(username: str | None = None) -> list[ApiToken]:
    """Every user's tokens (or one user's), by user then newest first, for the command line."""
    query = select(ApiToken).join(ApiToken.user).options(joinedload(ApiToken.user))
    if username:
        query = query.where(User.username == username.strip())
    return list(db.session.scalars(query.order_by(User.username, ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(api_token: ApiToken, actor: User | None) -> None:
    """Revoke one token and commit; revoking it again changes nothing."""
    if api_token.revoked_at is not None:
        return
    api_token.revoked_at = utcnow()
    audit.record(actor, "token.revoke", "user", api_token.user.username, token=api_token.id, name=api_token.name)
    db.session.commit()


def revoke_tokens_of(user: User, actor: User | None, reason: str) -> int:
    """Revoke every live token of the user (a new password, a disabled account; the caller commits)."""
    revoked = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if revoked:
        audit.record(actor, "token.revoke_all", "user", user.username, count=revoked, reason=reason)
    return revoked
