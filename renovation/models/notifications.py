"""Notifications: what happened to a user or to the compounds they follow (the bell and its list),
each user's choice of kinds, the chat robots (企业微信, 钉钉) an admin sets up per community or street,
and the deliveries outside the app (the daily e-mail digest, the robots' messages).

A notification is written once per recipient, kind, subject and occurrence (the unique key), so
the periodic scan and a repeated event never write it twice. A delivery is a row that the
background worker sends, retries and, after its last attempt, shows to admins: nothing is lost
while a receiver is down."""
import datetime as dt
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from renovation.extensions import db
from renovation.models.limits import limit
from renovation.models.users import User


class NotificationKind(StrEnum):
    """What a notification says happened. The subject is a problem, a demand, a stage, a bulletin
    or a delivery, as the kind says."""

    PROBLEM_ASSIGNED = "problem_assigned"
    PROBLEM_DUE_SOON = "problem_due_soon"
    PROBLEM_OVERDUE = "problem_overdue"
    DEMAND_OVERDUE = "demand_overdue"
    STAGE_BEHIND = "stage_behind"
    BULLETIN_ISSUED = "bulletin_issued"
    DELIVERY_FAILED = "delivery_failed"


NOTIFICATION_KIND_LABELS = {
    NotificationKind.PROBLEM_ASSIGNED: _l("A difficult problem given to me"),
    NotificationKind.PROBLEM_DUE_SOON: _l("A problem of mine or of my linked compounds due in 3 days"),
    NotificationKind.PROBLEM_OVERDUE: _l("A problem of mine or of my linked compounds overdue"),
    NotificationKind.DEMAND_OVERDUE: _l("A resident demand of my community or my linked compounds overdue"),
    NotificationKind.STAGE_BEHIND: _l("A stage of my linked compounds falling behind"),
    NotificationKind.BULLETIN_ISSUED: _l("A bulletin issued"),
    NotificationKind.DELIVERY_FAILED: _l("A message outside the app could not be delivered (administrators)"),
}


# What a group chat's robot posts, said of the place rather than of one person.
ROBOT_POST_LABELS = {
    NotificationKind.PROBLEM_ASSIGNED: _l("Difficult problems given to a leader"),
    NotificationKind.PROBLEM_DUE_SOON: _l("Difficult problems due within 3 days"),
    NotificationKind.PROBLEM_OVERDUE: _l("Difficult problems overdue"),
    NotificationKind.DEMAND_OVERDUE: _l("Resident demands overdue"),
    NotificationKind.STAGE_BEHIND: _l("Stages falling behind"),
    NotificationKind.BULLETIN_ISSUED: _l("Bulletins issued"),
}


class Notification(db.Model):
    """One thing that happened, for one user. ``facts``: what the message names (title, compound,
    days…), as it was when it happened; ``occurrence`` tells apart two notifications of one kind
    about one subject (a deadline moved, a problem given to the leader again)."""

    __table_args__ = (
        UniqueConstraint("user_id", "kind", "subject_id", "occurrence", name="uq_notification_once"),
        Index("ix_notification_user_read", "user_id", "read_at"),
        Index("ix_notification_user_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[int]
    occurrence: Mapped[str] = mapped_column(String(32), default="")
    facts: Mapped[dict] = mapped_column(db.JSON, default=dict)
    created_at: Mapped[dt.datetime]
    read_at: Mapped[dt.datetime | None]


# The header's bell: one indexed count, loaded when a page's header first asks for it.
User.unread_notifications = column_property(
    select(func.count(Notification.id))
    .where(Notification.user_id == User.id, Notification.read_at.is_(None))
    .correlate_except(Notification).scalar_subquery(),
    deferred=True,
)


class NotificationSetting(db.Model):
    """A user's choices; without a row, the defaults of the user's role apply. ``kinds``: the kinds
    the user wants; ``digest``: whether the daily e-mail is sent (to ``User.email``)."""

    __tablename__ = "notification_setting"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    kinds: Mapped[list] = mapped_column(db.JSON, default=list)
    digest: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[dt.datetime]


class RobotKind(StrEnum):
    """The group-chat robots whose webhook formats the app speaks."""

    WECOM = "wecom"  # 企业微信
    DINGTALK = "dingtalk"  # 钉钉


ROBOT_KIND_LABELS = {
    RobotKind.WECOM: _l("WeCom (企业微信) group robot"),
    RobotKind.DINGTALK: _l("DingTalk (钉钉) group robot"),
}


class ChatRobot(db.Model):
    """A group chat's robot webhook, for a community, a street or (neither) the whole city, and the
    kinds of notification it posts. ``secret``: 钉钉's signing secret (加签), if the robot has one."""

    __tablename__ = "chat_robot"
    __table_args__ = (
        CheckConstraint("community_id IS NULL OR street_id IS NULL", name="one_area"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(128), default="")
    street_id: Mapped[int | None] = mapped_column(ForeignKey("street.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    kinds: Mapped[list] = mapped_column(db.JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    street = relationship("Street")
    community = relationship("Community")


class DeliveryChannel(StrEnum):
    EMAIL = "email"
    ROBOT = "robot"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # to be sent (again) at next_attempt_at
    SENT = "sent"
    FAILED = "failed"  # every attempt failed: shown to admins, sent again by hand


class Delivery(db.Model):
    """One message to send outside the app: a user's daily digest by e-mail, or a robot's post.
    The address is read when it is sent (a robot's URL corrected after a failure is used by "send
    again"). ``key`` keeps one message per thing; ``claimed_until``: a worker is sending it."""

    __table_args__ = (Index("ix_delivery_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    channel: Mapped[str] = mapped_column(String(8))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    robot_id: Mapped[int | None] = mapped_column(ForeignKey("chat_robot.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, info=limit(100000))
    status: Mapped[str] = mapped_column(String(8), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime]
    claimed_until: Mapped[dt.datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="", info=limit(2000))  # the receiver's answer, cut
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]

    user = relationship("User")
    robot = relationship("ChatRobot")
