"""Group-chat robots (企业微信, 钉钉) an admin sets up for a community, a street or the whole city:
their URL checked, the JSON each robot accepts, and 钉钉's signature.

The intranet may only reach configured hosts: a robot's URL must be http(s) on one of
``ROBOT_HOSTS`` (checked when it is saved and again when a message is sent), without user or
password in it."""
import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus, urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from renovation.domain import audit
from renovation.domain.clock import utcnow
from renovation.domain.errors import RuleViolation
from renovation.domain.messages import with_values
from renovation.extensions import db
from renovation.models import Community, Street
from renovation.models.notifications import ChatRobot, NotificationKind, RobotKind

# The kinds a robot may post: about places, not about one person (a failed delivery is the admins').
ROBOT_KINDS = tuple(kind for kind in NotificationKind if kind != NotificationKind.DELIVERY_FAILED)


class RobotRuleViolation(RuleViolation):
    """The robot's values break a rule; ``errors`` maps fields to messages."""


def allowed_hosts() -> list[str]:
    return list(current_app.config.get("ROBOT_HOSTS") or [])


def url_error(url: str) -> str | None:
    """Why ``url`` may not be posted to, or None."""
    try:
        parts = urlsplit(url)
        port = parts.port  # a port that is no number, or out of range, raises
    except ValueError:
        return str(_l("Enter the robot's full webhook address, starting with https://."))
    if parts.scheme not in ("http", "https") or not parts.hostname or port == 0:
        return str(_l("Enter the robot's full webhook address, starting with https://."))
    if any(character.isspace() or character in "\"'<>\\`{}|^" for character in url):
        return str(_l("The address may not hold spaces, quotes or angle brackets."))
    if parts.username or parts.password:
        return str(_l("The address may not carry a user name or password."))
    if parts.hostname.lower() not in allowed_hosts():
        return str(with_values(_l("The intranet may only reach these hosts: %(hosts)s."),
                               hosts=", ".join(allowed_hosts()) or "—"))
    return None


def payload(kind: str, title: str, markdown: str) -> dict:
    """The JSON body each robot accepts for a markdown message."""
    if kind == RobotKind.DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": title[:64], "text": markdown}}
    return {"msgtype": "markdown", "markdown": {"content": markdown}}


def dingtalk_signature(secret: str, timestamp_ms: int) -> str:
    """钉钉's 加签: HMAC-SHA256 of ``timestamp + "\\n" + secret`` keyed by the secret, base64, url-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def signed_url(robot: ChatRobot, now_ms: int | None = None) -> str:
    """The address to post to: 钉钉's with ``&timestamp=…&sign=…`` when the robot has a secret."""
    if robot.kind != RobotKind.DINGTALK or not robot.secret:
        return robot.url
    timestamp = now_ms if now_ms is not None else int(time.time() * 1000)
    joiner = "&" if urlsplit(robot.url).query else "?"
    return f"{robot.url}{joiner}timestamp={timestamp}&sign={dingtalk_signature(robot.secret, timestamp)}"


def _checked(values: dict, keep_secret: str = "") -> dict:
    name, url = (values.get("name") or "").strip(), (values.get("url") or "").strip()
    errors = {}
    if not name:
        errors["name"] = str(_l("Name the group chat, e.g. 铁路社区改造群."))
    if values.get("kind") not in set(RobotKind):
        errors["kind"] = str(_l("Choose the kind of robot."))
    error = url_error(url)
    if error:
        errors["url"] = error
    community, street = values.get("community"), values.get("street")
    if community is not None and street is not None:
        errors["community"] = str(_l("Choose a community or a street, not both."))
    kinds = [kind for kind in values.get("kinds") or () if kind in ROBOT_KINDS]
    if not kinds:
        errors["kinds"] = str(_l("Choose at least one kind of notification."))
    if errors:
        raise RobotRuleViolation(errors)
    secret = (values.get("secret") or "").strip() or keep_secret
    return {"name": name, "kind": values["kind"], "url": url, "secret": secret if values["kind"] == RobotKind.DINGTALK
            else "", "community_id": community.id if community else None, "street_id": street.id if street else None,
            "kinds": kinds, "active": bool(values.get("active", True))}


def add_robot(values: dict, actor) -> ChatRobot:
    """Set up a robot (``values``: name, kind, url, secret, community or street objects or None,
    kinds, active) and commit."""
    now = utcnow()
    robot = ChatRobot(**_checked(values), created_at=now, updated_at=now)
    db.session.add(robot)
    db.session.flush()
    audit.record(actor, "robot.add", "robot", robot.id, name=robot.name, kind=robot.kind, place=place_of(robot))
    db.session.commit()
    return robot


def change_robot(robot: ChatRobot, values: dict, actor) -> ChatRobot:
    """Change a robot; an empty secret keeps the one it has. Commits."""
    checked = _checked(values, keep_secret=robot.secret)
    for name, value in checked.items():
        setattr(robot, name, value)
    robot.updated_at = utcnow()
    audit.record(actor, "robot.change", "robot", robot.id, name=robot.name, kind=robot.kind, place=place_of(robot),
                 active=robot.active)
    db.session.commit()
    return robot


def delete_robot(robot: ChatRobot, actor) -> None:
    """Remove a robot and the messages still waiting for it, and commit."""
    audit.record(actor, "robot.delete", "robot", robot.id, name=robot.name)
    db.session.delete(robot)
    db.session.commit()


def place_of(robot: ChatRobot) -> str:
    if robot.community_id:
        return db.session.get(Community, robot.community_id).name
    if robot.street_id:
        return db.session.get(Street, robot.street_id).name
    return ""


def robot_list() -> list[ChatRobot]:
    """Every robot, by name, with its place."""
    return list(db.session.scalars(select(ChatRobot).options(joinedload(ChatRobot.community),
                                                             joinedload(ChatRobot.street)).order_by(ChatRobot.name)))
