"""A linked user's home: the projects they follow (我联系的小区), each with its progress, current
stage, days behind, the unsolved problems assigned to the user, the overdue resident demands and
the latest photos — four queries, whatever the number of projects."""
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager

from renovation.domain.leaders.links import linked_projects
from renovation.domain.problems.flow import RUNNING
from renovation.domain.residents.demands import OPEN as OPEN_DEMANDS
from renovation.domain.residents.demands import overdue_days_setting
from renovation.domain.stages.schedule import days_behind
from renovation.extensions import db
from renovation.models import Compound, Demand, Photo, Problem, Project

PHOTOS_SHOWN = 4  # the latest photos of each project


@dataclass
class LinkedCompound:
    """One project the user follows, and what the home shows of it."""

    project: Project
    days_behind: int
    problems: list = field(default_factory=list)  # unsolved, assigned to the user
    overdue_demands: int = 0
    photos: list = field(default_factory=list)  # rows (id, caption, original_filename, width, height)


def linked_compounds(user, today: date) -> list[LinkedCompound]:
    """The projects ``user`` follows today, furthest behind first, then by compound."""
    projects = list(db.session.scalars(
        select(Project).join(Project.compound).join(Compound.community)
        .where(Project.id.in_(linked_projects(user.id, today)))
        .options(contains_eager(Project.compound).contains_eager(Compound.community))
        .order_by(Compound.name, Project.code)))
    if not projects:
        return []
    ids = [project.id for project in projects]
    cards = {project.id: LinkedCompound(project, days_behind(project.next_deadline, today)) for project in projects}
    for problem in _problems(user.id, ids):
        cards[problem.project_id].problems.append(problem)
    for project_id, count in _overdue_demands(ids, today):
        cards[project_id].overdue_demands = count
    for photo in _latest_photos(ids):
        cards[photo.project_id].photos.append(photo)
    return sorted(cards.values(), key=lambda card: -card.days_behind)


def _problems(user_id: int, project_ids: list[int]) -> list[Problem]:
    return list(db.session.scalars(
        select(Problem).where(Problem.leader_id == user_id, Problem.project_id.in_(project_ids),
                              Problem.status.in_([status.value for status in RUNNING]))
        .order_by(Problem.deadline, Problem.id)))


def _overdue_demands(project_ids: list[int], today: date):
    cutoff = today - timedelta(days=overdue_days_setting())
    return db.session.execute(
        select(Demand.project_id, func.count()).where(
            Demand.project_id.in_(project_ids), Demand.status.in_([status.value for status in OPEN_DEMANDS]),
            Demand.raised_on < cutoff)
        .group_by(Demand.project_id)).all()


def _latest_photos(project_ids: list[int]):
    newest = func.row_number().over(partition_by=Photo.project_id,
                                    order_by=(Photo.taken_at.desc(), Photo.id.desc())).label("newest")
    ranked = (select(Photo.id, Photo.project_id, Photo.caption, Photo.original_filename, Photo.width,
                     Photo.height, newest)
              .where(and_(Photo.project_id.in_(project_ids), Photo.deleted_at.is_(None))).subquery())
    return db.session.execute(select(ranked).where(ranked.c.newest <= PHOTOS_SHOWN)
                              .order_by(ranked.c.project_id, ranked.c.newest)).all()
