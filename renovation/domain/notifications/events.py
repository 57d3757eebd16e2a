"""Writing what happened: one notification per recipient who wants its kind, and one post per
chat robot of the place that wants it — each written once, whatever calls it how often (the
unique keys; an insert that finds its row already there does nothing).

The operations that cause events call :func:`problem_assigned` and :func:`bulletin_issued` after
they have committed; these commit on their own and never raise (a failure is logged: the problem
stays assigned, the bulletin issued). The periodic :mod:`.scan` calls :func:`record` and commits
once for all it found."""
import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from renovation.domain.clock import utcnow
from renovation.domain.notifications import choices, deliveries, texts
from renovation.domain.notifications.unique_rows import insert_once
from renovation.extensions import db
from renovation.models import Community, User
from renovation.models.notifications import ChatRobot, Notification, NotificationKind

log = logging.getLogger(__name__)
K = NotificationKind


@dataclass(frozen=True)
class Area:
    """Where something happened, for the robots: a street, and within it maybe a community. None
    for the whole city (a city bulletin)."""

    street_id: int | None
    community_id: int | None = None


@dataclass
class Event:
    kind: str
    subject_id: int
    facts: dict
    recipients: list = field(default_factory=list)
    occurrence: str = ""
    area: Area | None = None


def record(event: Event) -> None:
    """Write the notifications and robot posts of ``event`` into the session (the caller commits)."""
    now = utcnow()
    users = {user.id: user for user in event.recipients if user is not None}
    wanting = choices.wanting(users.values(), event.kind)
    insert_once(Notification, [
        {"user_id": user.id, "kind": event.kind, "subject_id": event.subject_id, "occurrence": event.occurrence,
         "facts": event.facts, "created_at": now, "read_at": None} for user in wanting],
        ["user_id", "kind", "subject_id", "occurrence"])
    robots = robots_for(event.kind, event.area)
    if robots:
        title, body = texts.outside_message(event.kind, event.subject_id, event.facts)
        for robot in robots:
            deliveries.add_robot_post(robot, f"robot:{robot.id}:{event.kind}:{event.subject_id}:{event.occurrence}",
                                      title, body, now)


def robots_for(kind: str, area: Area | None) -> list[ChatRobot]:
    """The active robots that post ``kind`` and cover ``area``: the city's, the street's, and the
    community's (all of them for a city-wide event)."""
    robots = db.session.scalars(select(ChatRobot).where(ChatRobot.active.is_(True))
                                .options(joinedload(ChatRobot.community).load_only(Community.street_id))).all()
    return [robot for robot in robots if kind in (robot.kinds or ()) and _covers(robot, area)]


def _covers(robot: ChatRobot, area: Area | None) -> bool:
    if area is None or (robot.street_id is None and robot.community_id is None):
        return True
    if robot.street_id is not None:
        return robot.street_id == area.street_id
    if area.community_id is not None:
        return robot.community_id == area.community_id
    return robot.community.street_id == area.street_id  # a street's event reaches its communities' chats


def project_area(project) -> Area:
    community = project.compound.community
    return Area(community.street_id, community.id)


def project_facts(project) -> dict:
    return {"code": project.code, "compound": project.compound.name, "community": project.compound.community.name}


def _safely(what: str, write) -> None:
    """Run ``write`` and commit; on any error roll back and log it (the cause has committed already)."""
    try:
        write()
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not write the notifications of %s", what)


def problem_assigned(problem, actor) -> None:
    """A problem was given to a leader (by someone else): tell the leader, and the place's robots."""
    def write():
        leader = db.session.get(User, problem.leader_id) if problem.leader_id else None
        if leader is None:
            return
        facts = {**project_facts(problem.project), "title": problem.title, "leader": leader.name,
                 "deadline": problem.deadline.isoformat()}
        recipients = [leader] if leader.id != getattr(actor, "id", None) else []
        record(Event(K.PROBLEM_ASSIGNED, problem.id, facts, recipients, occurrence=f"v{problem.version}",
                     area=project_area(problem.project)))

    _safely(f"problem {problem.id}", write)


def bulletin_issued(bulletin) -> None:
    """A bulletin was issued: everyone who wants to hear it, and the robots of its place."""
    def write():
        area = None
        if bulletin.project_id is not None:
            from renovation.models import Project

            area = project_area(db.session.get(Project, bulletin.project_id))
        elif bulletin.street_id is not None:
            area = Area(bulletin.street_id)
        everyone = db.session.scalars(select(User).where(User.active.is_(True))).all()
        facts = {"title": bulletin.title, "label": bulletin.label or "", "bulletin_kind": bulletin.kind}
        record(Event(K.BULLETIN_ISSUED, bulletin.id, facts, everyone, area=area))

    _safely(f"bulletin {bulletin.id}", write)
