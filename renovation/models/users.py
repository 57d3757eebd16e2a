"""Users, their roles and their API tokens."""
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
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
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"))
    active: Mapped[bool] = mapped_column(default=True)
    session_epoch: Mapped[int] = mapped_column(default=0)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
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


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()
