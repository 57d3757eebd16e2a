"""Finding projects: search, filters, sorting and pagination in a constant number of queries."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, case, select
from sqlalchemy.orm import contains_eager

from renovation.domain.paging import Page, count_and_clamp
from renovation.domain.stages.keys import DONE, STAGE_ORDER, STARTED_STATUSES, StageKey, Status
from renovation.domain.text_search import matches_all_words
from renovation.extensions import db
from renovation.models import Community, Compound, Project, Stage, Street

SORT_COLUMNS = {
    "code": Project.code,
    "compound": Compound.name,
    "street": Street.name,
    "community": Community.name,
    "households": Project.households,
    # In the order of the work (survey first, all done last), not alphabetically by key.
    "stage": case(
        {str(key): position for position, key in enumerate((*STAGE_ORDER, DONE))},
        value=Project.current_stage,
        else_=len(STAGE_ORDER) + 1,
    ),
    "progress": Project.progress,
    # The earliest pending deadline is the one furthest behind, so "most behind first" is ascending.
    "behind": Project.next_deadline,
    "updated": Project.updated_at,
}
DEFAULT_SORT = "code"
# What the search box looks in; every word typed must appear in one of them.
SEARCHED_COLUMNS = (
    Project.code, Compound.name, Street.name, Community.name,
    Project.responsible_engineer, Project.contractor, Project.supervisor,
)


@dataclass
class ProjectFilter:
    """What the user asked for; every field is optional."""

    q: str = ""
    street_id: int | None = None
    community_id: int | None = None
    stage: str = ""
    behind: bool = False
    started: bool = False  # work on site has begun (see :func:`started_clause`)
    stage_status: str = ""  # "<stage>:<status>", e.g. "facade:in_progress"
    # 我负责的: projects whose responsible engineer is this name (Project.responsible_engineer is
    # free text from the ledger, so the engineer's display name is what it can be matched with).
    responsible_engineer: str = ""
    sort: str = DEFAULT_SORT
    descending: bool = False


def started_clause():
    """SQL for :func:`renovation.domain.bulletins.area_data.is_started`: a stage after the survey is
    in progress, completed or suspended."""
    return (select(Stage.id)
            .where(Stage.project_id == Project.id, Stage.key != StageKey.SURVEY.value,
                   Stage.status.in_([status.value for status in STARTED_STATUSES]))
            .exists())


def started_project_ids():
    """The ids of started projects, as a subquery to join (the same rule as
    :func:`started_clause`): grouped once, where a correlated EXISTS in a SELECT list would run
    once per project."""
    return (select(Stage.project_id.label("project_id"))
            .where(Stage.key != StageKey.SURVEY.value,
                   Stage.status.in_([status.value for status in STARTED_STATUSES]))
            .group_by(Stage.project_id).subquery("started_projects"))


def stage_status_clause(stage_status: str):
    """SQL for "the project's ``stage`` has ``status``", from "<stage>:<status>"; None if invalid."""
    key, _, status = stage_status.partition(":")
    if key not in set(StageKey) or status not in set(Status):
        return None
    return select(Stage.id).where(Stage.project_id == Project.id, Stage.key == key, Stage.status == status).exists()


def _filtered(criteria: ProjectFilter, today: date) -> Select:
    query = (
        select(Project)
        .join(Project.compound)
        .join(Compound.community)
        .join(Community.street)
    )
    if (words := matches_all_words(criteria.q, SEARCHED_COLUMNS)) is not None:
        query = query.where(words)
    if criteria.street_id:
        query = query.where(Community.street_id == criteria.street_id)
    if criteria.community_id:
        query = query.where(Compound.community_id == criteria.community_id)
    if criteria.stage:
        query = query.where(Project.current_stage == criteria.stage)
    if criteria.behind:
        query = query.where(Project.next_deadline < today)
    if criteria.started:
        query = query.where(started_clause())
    if criteria.responsible_engineer.strip():
        query = query.where(Project.responsible_engineer == criteria.responsible_engineer.strip())
    if criteria.stage_status and (clause := stage_status_clause(criteria.stage_status)) is not None:
        query = query.where(clause)
    return query


def find_projects(criteria: ProjectFilter, page: int, per_page: int, today: date) -> Page:
    """One page of matching projects (with compound, community and street) and the total."""
    query = _filtered(criteria, today)
    total, page = count_and_clamp(query, page, per_page)
    column = SORT_COLUMNS.get(criteria.sort, SORT_COLUMNS[DEFAULT_SORT])
    order = column.desc() if criteria.descending else column.asc()
    if criteria.sort == "behind":
        # No pending deadline (all done) is never behind: after every dated project ascending,
        # before them descending, so that the days behind run monotonically either way.
        order = order.nulls_first() if criteria.descending else order.nulls_last()
    items = db.session.scalars(
        query.options(
            contains_eager(Project.compound)
            .contains_eager(Compound.community)
            .contains_eager(Community.street)
        )
        .order_by(order, Project.code)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=list(items), total=total, page=page, per_page=per_page)


def streets_and_communities() -> tuple[list[Street], list[Community]]:
    """Choices for the filters."""
    streets = db.session.scalars(select(Street).order_by(Street.name)).all()
    communities = db.session.scalars(select(Community).order_by(Community.name)).all()
    return list(streets), list(communities)


def project_by_code(code: str) -> Project | None:
    """A project with its place and stages loaded."""
    from sqlalchemy.orm import selectinload

    return db.session.scalar(
        select(Project)
        .where(Project.code == code)
        .options(
            selectinload(Project.stages),
            contains_eager(Project.compound).contains_eager(Compound.community).contains_eager(Community.street),
        )
        .join(Project.compound)
        .join(Compound.community)
        .join(Community.street)
    )
