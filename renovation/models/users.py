"""Users, their roles and their API tokens."""
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from renovation.extensions import db
from renovation.models.areas import Community


class Role(StrEnum):
    """What a user is in the programme; permissions follow from it."""

    ADMIN = "admin"
    ENGINEER = "engineer"
    COMMITTEE = "committee"
    LEADER = "leader"


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.ENGINEER: _l("Engineer"),
    Role.COMMITTEE: _l("Community committee"),
    Role.LEADER: _l("Leader"),
}


class User(UserMixin, db.Model):
    """Someone who logs in. ``session_epoch`` ends every session of the user when it moves."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")  # the daily digest's address
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"))
    active: Mapped[bool] = mapped_column(default=True)
    may_sign_bulletins: Mapped[bool] = mapped_column(default=False, server_default=false())  # 签发: an admin grants it
    # May set a stage rule aside with a written reason (the hidden-works rule): an admin grants it.
    may_override_rules: Mapped[bool] = mapped_column(default=False, server_default=false())
    session_epoch: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]

    community: Mapped[Community | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sessions of disabled users
        return self.active

    def get_id(self) -> str:
        """Session identity: the id and the epoch, so moving the epoch ends old sessions."""
        return f"{self.id}:{self.session_epoch}"

    @property
    def name(self) -> str:
        """The name shown on pages and in the history."""
        return self.display_name or self.username

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[Role(self.role)]


class TokenScope(StrEnum):
    """What a token may do: read only, or read and write (the user's permissions still apply)."""

    READ = "read"
    WRITE = "write"


TOKEN_SCOPE_LABELS = {
    TokenScope.READ: _l("Read only"),
    TokenScope.WRITE: _l("Read and write"),
}


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored.

    ``last_used_at`` is written at most once a minute (see ``accounts.note_token_use``), so
    reading the API does not turn every request into a write.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64), default="", server_default="")
    scope: Mapped[str] = mapped_column(String(8), default=TokenScope.WRITE, server_default=TokenScope.WRITE.value)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def scope_label(self) -> str:
        return TOKEN_SCOPE_LABELS[TokenScope(self.scope)]

    def is_live(self, now: datetime) -> bool:
        """Neither revoked nor expired (the owner's account is checked separately)."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class LoginThrottle(db.Model):
    """Failed-login counter of one key: a (username, address) pair or an address alone.

    Rows are changed only by compare-and-swap updates (see ``domain.login_throttle``), so
    parallel guesses cannot slip past the limit.
    """

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    username: Mapped[str | None] = mapped_column(String(64), index=True)  # pair keys: to clear on reset
    failures: Mapped[int]
    blocked_until: Mapped[datetime | None]
    last_failure_at: Mapped[datetime]
