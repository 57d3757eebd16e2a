"""Finding projects: search, filters, sorting and pages, in a constant number of queries, at a
city's 141 projects as at a province's 200,000.

The list reads the project table alone: what it searches and the names of each project's place
are copies kept with the project (:mod:`renovation.domain.project_search`), and every order has an
index ending on the code, its tie-breaker. A page is read after the last project of the page
before (or before the first of the page after), from that index: the 4,000th page costs what the
first does. The matches are counted up to :data:`COUNT_LIMIT` only ("more than 500 projects").
"""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import Select, bindparam, literal, or_, select, tuple_
from sqlalchemy.orm import contains_eager, joinedload

from renovation.domain import project_search
from renovation.domain.area_lists import area_lists
from renovation.domain.paging import Page, count_and_clamp, count_up_to
from renovation.domain.stages.keys import STARTED_STATUSES, StageKey, Status
from renovation.domain.text_search import search_words
from renovation.extensions import db
from renovation.models import Community, Compound, Project, Stage, Street
from renovation.models.list_order import deadline_or_never, stage_position

# Each order's keys before the code, which ends every order (unique: the order is then total,
# and a page can start right after a given project). Descending is the exact reverse.
SORT_COLUMNS = {
    "code": (),
    "compound": (Project.compound_name,),
    "street": (Project.street_name,),
    "community": (Project.community_name,),
    "households": (Project.households,),
    # In the order of the work (survey first, all done last), not alphabetically by key.
    "stage": (stage_position(Project.current_stage),),
    "progress": (Project.progress,),
    # The earliest pending deadline is the one furthest behind, so "most behind first" is
    # ascending; no pending deadline (all done) is never behind: last ascending, first descending.
    "behind": (deadline_or_never(Project.next_deadline),),
    "updated": (Project.updated_at,),
}
DEFAULT_SORT = "code"
# How far the list counts its matches: beyond, it says "more than".
COUNT_LIMIT = 500
# What a row of the list shows (and the API's list gives).
LIST_COLUMNS = (
    Project.id, Project.code, Project.compound_name, Project.street_name, Project.community_name,
    Project.households, Project.current_stage, Project.progress, Project.next_deadline, Project.updated_at,
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


def _conditions(criteria: ProjectFilter, today: date) -> list:
    """The filter's conditions, on the project table alone."""
    conditions = []
    if (words := project_search.matches_all_words(criteria.q)) is not None:
        conditions.append(words)
    if criteria.street_id:
        conditions.append(Project.street_name == select(Street.name).where(Street.id == criteria.street_id)
                          .scalar_subquery())
    if criteria.community_id:
        conditions.append(Project.community_name == select(Community.name)
                          .where(Community.id == criteria.community_id).scalar_subquery())
    if criteria.stage:
        conditions.append(Project.current_stage == criteria.stage)
    if criteria.behind:
        conditions.append(Project.next_deadline < today)
    if criteria.started:
        conditions.append(started_clause())
    if criteria.responsible_engineer.strip():
        conditions.append(Project.responsible_engineer == criteria.responsible_engineer.strip())
    if criteria.stage_status and (clause := stage_status_clause(criteria.stage_status)) is not None:
        conditions.append(clause)
    return conditions


def order_keys(sort: str) -> list:
    """The keys of the order ``sort`` (the default for an unknown one), the code last."""
    return [*SORT_COLUMNS.get(sort, SORT_COLUMNS[DEFAULT_SORT]), Project.code]


def _order_by(keys: list, descending: bool) -> list:
    return [key.desc() if descending else key.asc() for key in keys]


def find_projects(criteria: ProjectFilter, page: int, per_page: int, today: date) -> Page:
    """One page of matching projects (with compound, community and street) and the total: for
    the ledger's export (every match) and the dashboard (the first few)."""
    query = select(Project).where(*_conditions(criteria, today))
    total, page = count_and_clamp(query, page, per_page)
    items = db.session.scalars(
        query.options(joinedload(Project.compound).joinedload(Compound.community).joinedload(Community.street))
        .order_by(*_order_by(order_keys(criteria.sort), criteria.descending))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=list(items), total=total, page=page, per_page=per_page)


@dataclass
class Position:
    """Which page of the list: its number, and the project it comes right after (``after``: the
    code of the last project of the page before) or right before (``before``: the first of the
    page after). Without either, the page is found by its number, among the counted matches."""

    page: int = 1
    after: str = ""
    before: str = ""


@dataclass
class ListPage(Page):
    """A page of the list: its rows (:data:`LIST_COLUMNS`), the codes of its first and last, and
    the project it was read after or before (none when found by its number)."""

    first_code: str = ""
    last_code: str = ""
    after: str = ""
    before: str = ""


def list_page(criteria: ProjectFilter, position: Position, per_page: int, today: date,
              count_limit: int = COUNT_LIMIT) -> ListPage:
    """A page of the list for ``criteria`` at ``position``: three queries (four from a project
    given by its code). A page read from a project keeps the number ``position`` gives it: the
    list does not count the rows before it."""
    conditions = _conditions(criteria, today)
    keys = order_keys(criteria.sort)
    counted = select(Project.id).where(*conditions)
    if not search_words(criteria.q):
        # Counted along the index the list is read from (the planner might otherwise read the table
        # from its start). A search is counted through its index of character pairs instead: along
        # the list's index every row that holds the words would have its pairs worked out.
        counted = counted.order_by(*_order_by(keys, criteria.descending))
    total, exact = count_up_to(counted, count_limit)
    counted_pages = max(1, -(-total // per_page))
    query = select(*LIST_COLUMNS).where(*conditions)
    read = _read_from_project(query, keys, criteria.descending, position, per_page, exact)
    if read is None:  # a page by its number, among the counted matches only
        page = min(max(position.page, 1), counted_pages)
        rows = _rows_beyond(query, keys, None, criteria.descending, per_page + 1, offset=(page - 1) * per_page)
        read = _Read(rows[:per_page], page, len(rows) > per_page)
    rows = read.rows
    return ListPage(items=rows, total=total, page=min(read.page, counted_pages) if exact else read.page,
                    per_page=per_page, total_is_exact=exact, more=read.more,
                    first_code=rows[0].code if rows else "", last_code=rows[-1].code if rows else "",
                    after=read.after, before=read.before)


@dataclass
class _Read:
    rows: list
    page: int
    more: bool
    after: str = ""
    before: str = ""


def _read_from_project(query: Select, keys: list, descending: bool, position: Position, per_page: int,
                       exact: bool) -> _Read | None:
    """The page after (or before) the project ``position`` names; None when it names none that
    exists, or nothing is after it in a counted list (then the page is found by its number)."""
    code = position.after or position.before
    cursor = db.session.execute(select(*keys).where(Project.code == code)).first() if code else None
    if cursor is None:
        return None
    if position.after:
        rows = _rows_beyond(query, keys, cursor, descending, per_page + 1)
        if rows:
            return _Read(rows[:per_page], max(position.page, 1), len(rows) > per_page, after=code)
        if exact:
            return None  # past the end of a counted list: its last page
        # Past the end, far down a long list: its last rows.
        rows = _rows_beyond(query, keys, None, not descending, per_page)[::-1]
        return _Read(rows, max(1, position.page - 1), False, after=code)
    rows = _rows_beyond(query, keys, cursor, not descending, per_page + 1)
    if len(rows) > per_page:
        return _Read(rows[:per_page][::-1], max(position.page, 2), True, before=code)
    rows = _rows_beyond(query, keys, None, descending, per_page + 1)  # nothing before these: the first page
    return _Read(rows[:per_page], 1, len(rows) > per_page)


def _rows_beyond(query: Select, keys: list, cursor, descending: bool, limit: int, offset: int = 0) -> list:
    """The first ``limit`` rows of ``query`` in the order of ``keys`` (reversed when
    ``descending``) that come after ``cursor`` (the keys' values of a project; None: from the
    start), ``offset`` rows on."""
    if cursor is not None:
        bound = tuple_(*(literal(value, type_=key.type) for key, value in zip(keys, cursor, strict=True)))
        query = query.where(tuple_(*keys) < bound if descending else tuple_(*keys) > bound)
    query = query.order_by(*_order_by(keys, descending)).limit(limit)
    return list(db.session.execute(query.offset(offset) if offset else query))


def street_id_named(name: str) -> int | None:
    return db.session.scalar(select(Street.id).where(Street.name == name))


def community_id_named(name: str) -> int | None:
    return db.session.scalar(select(Community.id).where(Community.name == name))


@dataclass
class AreaChoices:
    """The streets and communities a list's filter offers, as (id, name) rows by name.
    ``by_street``: there are too many communities to list, so these are the chosen street's."""

    streets: Sequence
    communities: Sequence
    by_street: bool = False


def area_choices(street_id: int | None = None, community_id: int | None = None, every_street: bool = True,
                 by_street_in_a_province: bool = False) -> AreaChoices:
    """What the filter offers: every street (``every_street``) or the chosen one alone (enough to
    check it); every community, or with ``by_street_in_a_province`` past
    :data:`~renovation.domain.area_lists.CITY_COMMUNITIES` (a province) those of the chosen street,
    and the chosen community wherever it is. Every street and a city's communities are the
    process's kept lists (:mod:`renovation.domain.area_lists`)."""
    # An id from the address bar may be anything; one that no id column can hold is none.
    street_id, community_id = (value if value and 0 < value < 2**31 else None for value in (street_id, community_id))
    kept = area_lists()
    if every_street:
        streets = kept.streets
    else:
        streets = list(db.session.execute(select(Street.id, Street.name).where(
            Street.id.in_([street_id] if street_id else []))))
    if kept.communities is not None:
        return AreaChoices(streets, kept.communities)
    every_community = select(Community.id, Community.name).order_by(Community.name)
    if not by_street_in_a_province:
        return AreaChoices(streets, list(db.session.execute(every_community)))
    if street_id is None and community_id is None:  # no street chosen: none of its communities
        return AreaChoices(streets, [], by_street=True)
    return AreaChoices(streets, list(db.session.execute(every_community.where(
        or_(Community.street_id == street_id, Community.id == community_id)))), by_street=True)


def streets_and_communities() -> tuple[list, list]:
    """Every street and community, as (id, name) rows by name."""
    choices = area_choices()
    return choices.streets, choices.communities


@cache  # built at the first call (a loader option configures every mapper), the code bound at each
def _project_with_place_and_stages() -> Select:
    return (select(Project)
            .where(Project.code == bindparam("code"))
            .options(joinedload(Project.stages),
                     contains_eager(Project.compound).contains_eager(Compound.community)
                     .contains_eager(Community.street))
            .join(Project.compound)
            .join(Compound.community)
            .join(Community.street))


def project_by_code(code: str) -> Project | None:
    """A project with its place and stages loaded, in one statement (a project page's first)."""
    return db.session.scalars(_project_with_place_and_stages(), {"code": code}).unique().one_or_none()


SUGGESTIONS = 10


def project_suggestions(text: str, limit: int = SUGGESTIONS) -> list:
    """Up to ``limit`` projects matching ``text`` (code, compound, place …, as the list's search),
    by code: (code, compound name, street name) rows for a field's suggestions."""
    words = project_search.matches_all_words(text)
    if words is None:
        return []
    return list(db.session.execute(select(Project.code, Project.compound_name, Project.street_name)
                                   .where(words).order_by(Project.code).limit(limit)))


def projects_named(name: str) -> list[Project]:
    """The projects whose compound is called exactly ``name`` (a compound name is unique only within
    its community), by code."""
    return list(db.session.scalars(select(Project).where(Project.compound_name == name).order_by(Project.code)))
