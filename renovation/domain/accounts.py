"""Users, passwords, login lock-out and API tokens."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from renovation.domain import audit
from renovation.domain.clock import utcnow
from renovation.domain.messages import with_values
from renovation.extensions import db
from renovation.models import ApiToken, Community, User
from renovation.models.users import Role

MIN_PASSWORD_LENGTH = 8


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
    user: User | None = None
    locked_until: datetime | None = None


def authenticate(username: str, password: str) -> LoginResult:
    """Check a login; five failures in a row lock the username for fifteen minutes."""
    user = find_user(username)
    now = utcnow()
    if user is None:
        # Same cost as a real check, so timing does not reveal which usernames exist.
        check_password_hash(_dummy_hash(), password)
        return LoginResult()
    if user.locked_until and user.locked_until > now:
        return LoginResult(locked_until=user.locked_until)
    if not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
            user.failed_logins = 0
            audit.record(user, "user.locked", "user", user.username)
            db.session.commit()
            return LoginResult(locked_until=user.locked_until)
        db.session.commit()
        return LoginResult()
    if not user.active:
        return LoginResult()
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    db.session.commit()
    return LoginResult(user=user)


def end_sessions(user: User) -> None:
    """Invalidate every session of the user (they hold the old epoch)."""
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
) -> User:
    """Add a user (not yet committed). Committee members belong to exactly one community."""
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
    user = User(
        username=username,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=role,
        community=community if role == Role.COMMITTEE else None,
        created_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", username, role=role)
    return user


def set_password(user: User, password: str, actor: User | None) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            "password", with_values(_l("A password has at least %(n)d characters."), n=MIN_PASSWORD_LENGTH)
        )
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(user)
    audit.record(actor, "user.reset_password", "user", user.username)


def set_active(user: User, active: bool, actor: User | None) -> None:
    user.active = active
    end_sessions(user)
    audit.record(actor, "user.enable" if active else "user.disable", "user", user.username)


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, actor: User | None = None) -> str:
    """Create an API token for the user and return it; only its hash is kept."""
    token = "rnv_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_token_digest(token), created_at=utcnow()))
    audit.record(actor, "token.create", "user", user.username)
    return token


def user_for_token(token: str) -> User | None:
    """The active user owning this token, or None."""
    api_token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _token_digest(token), ApiToken.revoked.is_(False))
    )
    if api_token is None or not api_token.user.active:
        return None
    return api_token.user
