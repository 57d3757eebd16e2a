"""Who is linked to which communities and projects (挂钩联系点), and when.

A link runs from ``started_on`` to ``ended_on`` inclusive (no end: still linked). A link to a
community covers every project of its compounds. Ending a link sets its end date; nothing is
deleted, so the history of who followed a compound stays readable.
"""
from datetime import date

from sqlalchemy import and_, or_, select

from renovation.domain import clock
from renovation.extensions import db
from renovation.models import Compound, Project
from renovation.models.leaders import LeaderLink


def active_on(day: date):
    """The SQL condition of a link that holds on ``day``."""
    return and_(LeaderLink.started_on <= day, or_(LeaderLink.ended_on.is_(None), LeaderLink.ended_on >= day))


def linked_project_ids(user, on_date: date | None = None) -> set[int]:
    """The ids of the projects ``user`` is linked to on ``on_date`` (default: today), directly or
    through a linked community. One query; an empty set for a user without links."""
    on_date = on_date or clock.today()
    user_id = getattr(user, "id", user)
    links = select(LeaderLink.community_id, LeaderLink.project_id).where(
        LeaderLink.user_id == user_id, active_on(on_date)).subquery()
    query = (select(Project.id).join(Compound, Compound.id == Project.compound_id)
             .where(or_(Project.id.in_(select(links.c.project_id).where(links.c.project_id.is_not(None))),
                        Compound.community_id.in_(
                            select(links.c.community_id).where(links.c.community_id.is_not(None))))))
    return set(db.session.scalars(query))
