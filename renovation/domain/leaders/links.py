"""Who is linked to which communities and projects (挂钩联系点), and when.

A link runs from ``started_on`` to ``ended_on`` inclusive (no end: still linked). A link to a
community covers every project of its compounds. Ending a link sets its end date; nothing is
deleted, so the history of who followed a compound stays readable. Linking and ending write the
audit log and commit; a refusal raises :class:`LinkRuleViolation` (422, messages by field) and
saves nothing.
"""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, or_, select, union
from sqlalchemy.orm import joinedload

from renovation.domain import audit, clock
from renovation.domain.clock import utcnow
from renovation.domain.date_range import implausible_date_message
from renovation.domain.errors import RuleViolation
from renovation.extensions import db
from renovation.models import Community, Compound, Project, User
from renovation.models.leaders import LeaderLink


class LinkRuleViolation(RuleViolation):
    """The values break a rule of linking; ``errors`` maps fields to messages."""


def active_on(day: date):
    """The SQL condition of a link that holds on ``day``."""
    return and_(LeaderLink.started_on <= day, or_(LeaderLink.ended_on.is_(None), LeaderLink.ended_on >= day))


def linked_projects(user_id: int, on_date: date):
    """The select of the ids of the projects a user follows on ``on_date`` (to use as a subquery)."""
    links = select(LeaderLink.community_id, LeaderLink.project_id).where(
        LeaderLink.user_id == user_id, active_on(on_date)).subquery()
    # Two indexed reads joined by UNION: an OR of the two made the database read every project of
    # a province (a fifth of a second) for a user with no link at all.
    direct = select(links.c.project_id.label("id")).where(links.c.project_id.is_not(None))
    by_community = (select(Project.id).join(Compound, Compound.id == Project.compound_id)
                    .join(links, links.c.community_id == Compound.community_id))
    return union(direct, by_community)


def linked_project_ids(user, on_date: date | None = None) -> set[int]:
    """The ids of the projects ``user`` (a user or a user id) is linked to on ``on_date`` (default:
    today), directly or through a linked community. One query; an empty set for a user without links."""
    return set(db.session.scalars(linked_projects(getattr(user, "id", user), on_date or clock.today())))


def is_linked(user, project, on_date: date | None = None) -> bool:
    """Whether ``user`` follows ``project`` on ``on_date`` (default: today)."""
    return project.id in linked_project_ids(user, on_date)


def users_linked_to(project, on_date: date | None = None) -> list:
    """The users linked to ``project`` on ``on_date`` (default: today), directly or through its
    community, by name."""
    on_date = on_date or clock.today()
    return list(db.session.scalars(
        select(User).join(LeaderLink, LeaderLink.user_id == User.id)
        .where(active_on(on_date), or_(LeaderLink.project_id == project.id,
                                       LeaderLink.community_id == project.compound.community_id))
        .distinct().order_by(User.display_name, User.username)))


def links_of(user_id: int, on_date: date | None = None) -> list[LeaderLink]:
    """Every link of a user, current ones first, then by start date, newest first; with the place
    and the admins who made and ended them."""
    on_date = on_date or clock.today()
    return list(db.session.scalars(
        select(LeaderLink).where(LeaderLink.user_id == user_id)
        .options(joinedload(LeaderLink.community).joinedload(Community.street),
                 joinedload(LeaderLink.project).joinedload(Project.compound).joinedload(Compound.community),
                 joinedload(LeaderLink.created_by), joinedload(LeaderLink.ended_by))
        .order_by(case((active_on(on_date), 0), else_=1), LeaderLink.started_on.desc(), LeaderLink.id.desc())))


def is_current(link, on_date: date | None = None) -> bool:
    on_date = on_date or clock.today()
    return link.started_on <= on_date and (link.ended_on is None or link.ended_on >= on_date)


def _date_error(value: date | None, today: date, required_message):
    if value is None:
        return str(required_message)
    if implausible_date_message(value) is not None:
        return str(implausible_date_message(value))
    if value > today:
        return str(_l("The date cannot be in the future."))
    return None


def link_user(user, actor, *, community=None, project=None, started_on: date | None = None, note: str = "",
              today: date | None = None) -> LeaderLink:
    """Link ``user`` to one community or one project from ``started_on`` (not in the future), and
    commit. Refused when neither or both places are given, or when the user is already linked to
    that place on or after that date (end the old link first)."""
    today = today or clock.today()
    errors = {}
    if (community is None) == (project is None):
        errors["place"] = str(_l("Choose a community, or give the code of a project — one of the two."))
    error = _date_error(started_on, today, _l("Enter the date the link starts."))
    if error:
        errors["started_on"] = error
    if not errors and _overlapping(user.id, community, project, started_on):
        errors["place"] = str(_l("Already linked to this place: end that link first."))
    if errors:
        raise LinkRuleViolation(errors)
    link = LeaderLink(user_id=user.id, community_id=community.id if community else None,
                      project_id=project.id if project else None, started_on=started_on,
                      note=(note or "").strip(), created_by_id=actor.id, created_at=utcnow())
    db.session.add(link)
    db.session.flush()
    audit.record(actor, "leader_link.add", "user", user.username, link=link.id, place=place_name(community, project),
                 started_on=started_on.isoformat())
    db.session.commit()
    return link


def _overlapping(user_id: int, community, project, started_on: date) -> bool:
    place = (LeaderLink.community_id == community.id) if community else (LeaderLink.project_id == project.id)
    return db.session.scalar(select(LeaderLink.id).where(
        LeaderLink.user_id == user_id, place,
        or_(LeaderLink.ended_on.is_(None), LeaderLink.ended_on >= started_on)).limit(1)) is not None


def end_link(link, actor, ended_on: date | None = None, today: date | None = None) -> LeaderLink:
    """End a link on ``ended_on`` (default: today; its last day), and commit. The link stays, with
    its dates, in the user's history."""
    today = today or clock.today()
    ended_on = ended_on or today
    if link.ended_on is not None:
        raise LinkRuleViolation({"ended_on": str(_l("This link has ended already."))})
    error = _date_error(ended_on, today, _l("Enter the date the link ends."))
    if error is None and ended_on < link.started_on:
        error = str(_l("A link cannot end before it starts."))
    if error:
        raise LinkRuleViolation({"ended_on": error})
    link.ended_on, link.ended_by_id, link.ended_at = ended_on, actor.id, utcnow()
    audit.record(actor, "leader_link.end", "user", link.user.username, link=link.id,
                 place=place_name(link.community, link.project), ended_on=ended_on.isoformat())
    db.session.commit()
    return link


def place_name(community, project) -> str:
    """What a link is to, in words: the community, or the project's compound and code."""
    if community is not None:
        return community.name
    return f"{project.compound.name} ({project.code})"


def link_by_id(link_id: int) -> LeaderLink | None:
    return db.session.scalar(select(LeaderLink).where(LeaderLink.id == link_id)
                             .options(joinedload(LeaderLink.user), joinedload(LeaderLink.community),
                                      joinedload(LeaderLink.project).joinedload(Project.compound)))
