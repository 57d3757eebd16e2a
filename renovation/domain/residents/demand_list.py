"""Reading many demands: the filter, the figures (received, resolved, open, overdue...) and the
list's pages, in a constant number of queries whatever the number of demands.

:class:`DemandFilter` is what a list, a panel or a bulletin asks for; :func:`figures` and
:func:`list_figures` count, :func:`demand_page` reads one page of the list (from the nearer end of
its order), :func:`find_demands` the demands of a panel or an export. Raising and changing a
demand, and when one is overdue, live in :mod:`renovation.domain.residents.demands`.
"""
import heapq
from dataclasses import dataclass
from datetime import date, timedelta
from math import ceil

from sqlalchemy import Select, String, and_, bindparam, case, func, literal_column, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from renovation.domain.clock import today as china_today
from renovation.domain.paging import Page, count_and_clamp
from renovation.domain.residents import demand_tallies
from renovation.domain.residents.demand_figures import COUNTED, DemandFigures, figures_of, figures_of_row
from renovation.domain.residents.demands import OPEN, overdue_days_setting
from renovation.domain.text_search import all_words, contains, lowered_contains
from renovation.extensions import db
from renovation.models import Community, Compound, Project
from renovation.models.consultations import OPEN_DEMAND_STATUSES, Demand, DemandEvent, DemandStatus


@dataclass
class DemandFilter:
    """What the demands list asks for; every field is optional."""

    project_id: int | None = None
    consultation_id: int | None = None
    street_id: int | None = None
    community_id: int | None = None
    category: str = ""
    status: str = ""
    overdue: bool = False
    q: str = ""  # words that must all appear in the text, raised_by, response, code or compound
    sort: str = "overdue"


def _overdue_clause(today: date, limit: int):
    return and_(Demand.status.in_([s.value for s in OPEN]), Demand.raised_on < today - timedelta(days=limit))


def _days_to_resolve():
    """Days from raised_on to resolved_on, in the database's own date arithmetic."""
    if db.engine.dialect.name == "postgresql":
        return Demand.resolved_on - Demand.raised_on
    return func.julianday(Demand.resolved_on) - func.julianday(Demand.raised_on)


def _not_indexed_on_sqlite(column):
    """``column``'s value, which SQLite will not look up in an index.

    SQLite has no statistics here (nothing runs ANALYZE), so it takes any index on a column the
    list filters or groups by for a selective one: it walks ix_demand_status_raised for the
    14,500 resolved demands of 20,000, or ix_demand_project_status to group by project, with a
    look-up in the table for every row, 3 to 6 times slower than scanning the table. The same
    value as an expression (``x + 0``, ``x || ''``) is no indexed column. PostgreSQL, which keeps
    statistics, chooses for itself."""
    if db.engine.dialect.name != "sqlite":
        return column
    return column.concat("") if isinstance(column.type, String) else column + 0


def _projects_where(*conditions) -> Select:
    """The ids of the projects whose project, compound or community meets ``conditions``.

    A filter on a demand's place asks for ``project_id IN`` these (there are 141 projects)
    rather than joining every demand to its place: at 20,000 demands the joins cost more than
    the filters. Never correlated with an outer query that joins the same tables."""
    return (select(Project.id).join(Project.compound).join(Compound.community)
            .where(*conditions).correlate(None))


def _word_matches(word: str):
    """The demand's own text, household or response holds ``word``, or its project's code or
    compound name does: the first is one LIKE over the column the database keeps lower-cased
    (``search_text``), the second a look-up among the projects."""
    return or_(lowered_contains(Demand.search_text, word),
               Demand.project_id.in_(_projects_where(or_(contains(Project.code, word),
                                                         contains(Compound.name, word)))))


def _filtered(criteria: DemandFilter, today: date, limit: int, place: bool = True) -> Select:
    """The matching demands, joined to project, compound and community when ``place`` asks for
    them (to load them with the demands); the filters never need the joins."""
    query = select(Demand)
    if place:
        query = query.join(Demand.project).join(Project.compound).join(Compound.community)
    if criteria.project_id:
        query = query.where(Demand.project_id == criteria.project_id)
    if criteria.consultation_id:
        query = query.where(Demand.consultation_id == criteria.consultation_id)
    if criteria.street_id:
        query = query.where(Demand.project_id.in_(_projects_where(Community.street_id == criteria.street_id)))
    if criteria.community_id:
        query = query.where(Demand.project_id.in_(_projects_where(Compound.community_id == criteria.community_id)))
    if criteria.category:
        query = query.where(Demand.category == criteria.category)
    if criteria.status:
        query = query.where(_not_indexed_on_sqlite(Demand.status) == criteria.status)
    if criteria.overdue:
        query = query.where(_overdue_clause(today, limit))
    words = all_words(criteria.q, _word_matches)
    if words is not None:
        query = query.where(words)
    return query


def _figure_columns(today: date, limit: int) -> list:
    def count_where(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    resolved = Demand.status == DemandStatus.RESOLVED.value
    days = case((resolved, _days_to_resolve()), else_=None)
    # The sum and count of the days, not their average: groups' figures then add up exactly.
    # The days are counted where they are known (resolved_on given) without working them out
    # again: SQLite's julianday() is the dearest part of this query.
    return [
        func.count(Demand.id),
        count_where(resolved),
        count_where(Demand.status == DemandStatus.DECLINED.value),
        count_where(Demand.status.in_([s.value for s in OPEN])),
        count_where(_overdue_clause(today, limit)),
        func.sum(days),
        count_where(and_(resolved, Demand.resolved_on.is_not(None))),
    ]


def figures(criteria: DemandFilter, today: date | None = None) -> DemandFigures:
    """Received, resolved, declined, open, overdue and the average days to resolve of the
    matching demands: one query."""
    today = today or china_today()
    limit = overdue_days_setting()
    row = db.session.execute(
        _filtered(criteria, today, limit, place=False)
        .with_only_columns(*_figure_columns(today, limit)).order_by(None)
    ).one()
    return figures_of([row])


@dataclass
class ListFigures:
    """What the demands list shows above its rows, and what it pages by project with: the
    figures of every matching demand, the same by community (most overdue first; the first
    ``communities_shown`` when asked for fewer, of ``communities`` with any), and, when asked for
    (the order by project pages with it), how many match in each project, in the order of the
    project codes: (code, project id, count)."""

    figures: DemandFigures
    by_community: list[tuple[str, int, DemandFigures]]
    communities: int = 0
    per_project: list[tuple[str, int, int]] | None = None


def _counted_by_tallies(criteria: DemandFilter) -> bool:
    """Whether the tallies the database keeps per community hold the criteria's figures: every
    demand of the city, of a street or of a community, whatever the order."""
    return not (criteria.project_id or criteria.consultation_id or criteria.category or criteria.status
                or criteria.overdue or criteria.q.strip() or (criteria.street_id and criteria.community_id))


_OVERDUE, _OPEN = (2 + COUNTED.index(name) for name in ("overdue", "open"))  # after the name and the id


def _most_overdue_first(row) -> tuple:
    """A community's counted row (name, id, then :data:`COUNTED`): the most overdue first, then the
    most open, then by name (as the database ranks them: demand_tallies.ranked_communities)."""
    return -int(row[_OVERDUE] or 0), -int(row[_OPEN] or 0), row[0]


def list_figures(criteria: DemandFilter, today: date | None = None, per_project: bool = False,
                 communities_shown: int | None = None) -> ListFigures:
    """The list's figures (see :class:`ListFigures`): one query, two with ``per_project``. Only
    the ``communities_shown`` most overdue communities are made figures of (a province has
    thousands; their sum is added up from the rows as they come).

    Unfiltered, or filtered by place alone, they are read from the tallies (a few rows a
    community, whatever the number of demands); otherwise the matching demands are counted per
    project on the demand table alone, and only those counts (at most one row a project) are
    joined to their community and added up there."""
    today = today or china_today()
    if _counted_by_tallies(criteria) and communities_shown is not None:  # ranked and summed by the database
        ranked = demand_tallies.ranked_communities(communities_shown, criteria.street_id, criteria.community_id,
                                                   today)
        shown, communities, totals = ranked.rows, ranked.communities, [ranked.totals]
    else:
        rows = (demand_tallies.community_rows(criteria.street_id, criteria.community_id, today)
                if _counted_by_tallies(criteria) else _counted_by_community(criteria, today))
        shown = (heapq.nsmallest(communities_shown, rows, key=_most_overdue_first) if communities_shown is not None
                 else sorted(rows, key=_most_overdue_first))
        communities, totals = len(rows), [row[2:] for row in rows]
    return ListFigures(figures=figures_of(totals),
                       by_community=[(name, community_id, figures_of_row(counted))
                                     for name, community_id, *counted in shown],
                       communities=communities,
                       per_project=_per_project(criteria, today) if per_project else None)


def _counted_by_community(criteria: DemandFilter, today: date) -> list:
    """The matching demands' counted rows per community (name, id, then :data:`COUNTED`), added up
    from their projects' counts."""
    by_project = _counted_per_project(criteria, today)
    return db.session.execute(
        select(Community.name, Community.id, *(func.sum(column) for column in list(by_project.c)[1:]))
        .select_from(by_project).join(Project, Project.id == by_project.c.project_id)
        .join(Project.compound).join(Compound.community).group_by(Community.id, Community.name)
    ).all()


def _counted_per_project(criteria: DemandFilter, today: date):
    """The matching demands counted per project (its id, then the counted columns), as a subquery."""
    limit = overdue_days_setting()
    project = _not_indexed_on_sqlite(Demand.project_id)
    return (_filtered(criteria, today, limit, place=False)
            .with_only_columns(project.label("project_id"), *_figure_columns(today, limit))
            .group_by(project).order_by(None).subquery())


def _per_project(criteria: DemandFilter, today: date) -> list[tuple[str, int, int]]:
    """How many demands match in each project with any, in the database's order of the codes."""
    by_project = _counted_per_project(criteria, today)
    return [tuple(row) for row in db.session.execute(
        select(Project.code, Project.id, by_project.c[1]).join(by_project, by_project.c.project_id == Project.id)
        .order_by(Project.code))]


def figures_by_community(criteria: DemandFilter, today: date | None = None) -> list[tuple[str, int, DemandFigures]]:
    """The same figures for each community with matching demands, most overdue first: one query.
    Each item is (community name, community id, figures)."""
    return list_figures(criteria, today).by_community


def _open_first():
    """0 for an open demand, 1 for a closed one, as the index ix_demand_open_first has it: the open
    statuses and the numbers written into the statement (not bound), in the index's order."""
    open_statuses = bindparam("open_statuses", list(OPEN_DEMAND_STATUSES), expanding=True, literal_execute=True)
    return case((Demand.status.in_(open_statuses), literal_column("0")), else_=literal_column("1"))


# The list's orders, each a list of (key, descending). "overdue": open demands first, the longest
# waiting first (the most overdue). Every order ends on the id: it is then total, and a page can
# be read from either end of it.
SORT_KEYS = {
    "overdue": lambda: [(_open_first(), False), (Demand.raised_on, False), (Demand.id, False)],
    "newest": lambda: [(Demand.raised_on, True), (Demand.id, True)],
    "oldest": lambda: [(Demand.raised_on, False), (Demand.id, False)],
    "project": lambda: [(Project.code, False), (_open_first(), False), (Demand.raised_on, False), (Demand.id, False)],
}
DEFAULT_SORT = "overdue"


def sort_order(sort: str, reverse: bool = False) -> list:
    """The ORDER BY of one of :data:`SORT_KEYS` (the default for an unknown one), or its exact
    reverse."""
    keys = SORT_KEYS.get(sort, SORT_KEYS[DEFAULT_SORT])()
    return [key.desc() if descending != reverse else key.asc() for key, descending in keys]


# What a row of the list shows: the demand's facts and its place, as plain rows (the list
# needs no ORM objects; the form and the history come with the demand's own page).
LISTED_COLUMNS = (
    Demand.id, Demand.project_id, Demand.status, Demand.category, Demand.text, Demand.raised_on,
    Demand.raised_by, Demand.assignee, Demand.resolved_on, Demand.response, Demand.reason,
    Project.code.label("code"), Compound.name.label("compound"), Community.name.label("community"),
)


def demand_page(criteria: DemandFilter, page: int, per_page: int, today: date | None = None,
                total: int | None = None, per_project: list[tuple[str, int, int]] | None = None) -> Page:
    """One page of matching demands in the criteria's order, with project and place (the list
    fetches a demand's form and history when it is opened), and how many match.

    ``total``, when the caller already counted the matches (the list's figures do), saves the
    count; ``per_project`` (:attr:`ListFigures.per_project`) lets the order by project sort the
    demands of the projects the page falls in, not all of them. Two or three queries: the
    page's ids, sorted on the demands alone (joined to the project for the order by project),
    then those 50 demands with their place, as rows of :data:`LISTED_COLUMNS`.
    """
    today = today or china_today()
    query = _filtered(criteria, today, overdue_days_setting(), place=False)
    if criteria.sort == "project":
        query = query.join(Demand.project)  # the order needs the code, nothing more
    if total is None:
        total, page = count_and_clamp(query, page, per_page)
    else:
        page = min(max(page, 1), max(1, ceil(total / per_page)))
    query, offset = query.with_only_columns(Demand.id), (page - 1) * per_page
    if criteria.sort == "project" and per_project is not None:
        ids = _by_project_page_ids(query, offset, per_page, per_project)
    else:
        ids = _page_ids(query, criteria.sort, offset, per_page, total)
    found = {row.id: row for row in db.session.execute(
        select(*LISTED_COLUMNS).join(Demand.project).join(Project.compound).join(Compound.community)
        .where(Demand.id.in_(ids)))} if ids else {}
    return Page(items=[found[demand_id] for demand_id in ids], total=total, page=page, per_page=per_page)


def _page_ids(query: Select, sort: str, offset: int, per_page: int, total: int) -> list[int]:
    """The ids of the rows ``offset`` to ``offset + per_page`` of ``query`` (``total`` rows) in
    ``sort``'s order.

    A page past the middle is read from the far end, in the reverse order: the database then
    keeps and sorts only the rows from there to the page, not every row before it (the last
    page of 20,000 demands would sort 20,000)."""
    on_page = max(0, min(per_page, total - offset))
    from_end = total - offset - on_page
    if from_end >= offset or on_page == 0:
        return list(db.session.scalars(query.order_by(*sort_order(sort)).limit(per_page).offset(offset)))
    ids = list(db.session.scalars(query.order_by(*sort_order(sort, reverse=True)).limit(on_page).offset(from_end)))
    return ids[::-1]


def _by_project_page_ids(query: Select, offset: int, per_page: int, per_project: list[tuple[str, int, int]]
                         ) -> list[int]:
    """The page of the order by project, read among the demands of the projects it falls in:
    ``per_project`` (in the database's order of the codes) tells which projects hold the rows
    ``offset`` to ``offset + per_page``."""
    before, chosen, held = 0, [], 0
    for _code, project_id, count in per_project:
        if not chosen and before + count <= offset:
            before += count
            continue
        chosen.append(project_id)
        held += count
        if before + held >= offset + per_page:
            break
    if not chosen:
        return []
    return _page_ids(query.where(Demand.project_id.in_(chosen)), "project", offset - before, per_page, held)


def find_demands(criteria: DemandFilter, today: date | None = None, max_rows: int = 200) -> list[Demand]:
    """Matching demands, overdue and oldest first, with project, place and history: three queries."""
    today = today or china_today()
    query = _filtered(criteria, today, overdue_days_setting())
    return list(db.session.scalars(
        query.options(contains_eager(Demand.project).contains_eager(Project.compound)
                      .contains_eager(Compound.community),
                      selectinload(Demand.events).joinedload(DemandEvent.user))
        .order_by(*sort_order(DEFAULT_SORT))
        .limit(max_rows)
    ).unique())
