"""A community's and the city's demand figures, read from the tallies the database keeps
(:mod:`renovation.models.demand_tallies`) instead of counted from every demand: one query of a few
rows each, whatever the number of projects and demands.

They are the same figures :func:`renovation.domain.residents.demand_list.figures` counts from the
demands (received, resolved, declined, open, overdue, average days to resolve); the tallies stay
right after any write because the database changes them in the transaction of the write.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Date, Integer, bindparam, text

from renovation.domain.clock import today as china_today
from renovation.domain.residents.demand_figures import COUNTED, DemandFigures, figures_of_row
from renovation.domain.residents.demands import OPEN, overdue_days_setting
from renovation.extensions import db
from renovation.models.consultations import DemandStatus

_OPEN = ", ".join(f"'{status.value}'" for status in sorted(OPEN))
_RESOLVED, _DECLINED = DemandStatus.RESOLVED.value, DemandStatus.DECLINED.value


def _figures_select(scope: int, community: str | None) -> str:
    """The figures of the tally rows ``community`` selects (the city's own tallies when None), as
    one row led by ``scope`` and then the counted columns of
    :data:`renovation.domain.residents.demand_figures.COUNTED`."""
    tallies, days = ("demand_tally", "open_demand_day") if community else ("city_demand_tally", "city_open_demand_day")
    where, also = (f"WHERE {community}", f"AND {community}") if community else ("", "")
    return f"""
    SELECT {scope},
           coalesce(sum(demands), 0),
           coalesce(sum(CASE WHEN status = '{_RESOLVED}' THEN demands ELSE 0 END), 0),
           coalesce(sum(CASE WHEN status = '{_DECLINED}' THEN demands ELSE 0 END), 0),
           coalesce(sum(CASE WHEN status IN ({_OPEN}) THEN demands ELSE 0 END), 0),
           (SELECT coalesce(sum(demands), 0) FROM {days} WHERE raised_on < :overdue_before {also}),
           coalesce(sum(CASE WHEN status = '{_RESOLVED}' THEN days_to_resolve ELSE 0 END), 0),
           coalesce(sum(CASE WHEN status = '{_RESOLVED}' THEN days_counted ELSE 0 END), 0)
    FROM {tallies} {where}"""


# Written out once: the statements are the same on every page (SQLAlchemy need not build and key a
# select of a dozen expressions each time). The community's rows are found by its key; the city's
# are its own few (a status, a day), whatever the number of communities.
_COMMUNITY = "community_id = :community"
_CITY_FIGURES = text(_figures_select(0, None)).bindparams(bindparam("overdue_before", type_=Date))
_COMMUNITY_FIGURES = text(_figures_select(1, _COMMUNITY)).bindparams(
    bindparam("overdue_before", type_=Date), bindparam("community", type_=Integer))
_COMMUNITY_AND_CITY_FIGURES = text(
    f"{_figures_select(1, _COMMUNITY)} UNION ALL {_figures_select(0, None)} ORDER BY 1 DESC"
).bindparams(bindparam("overdue_before", type_=Date), bindparam("community", type_=Integer))


def _figures(row) -> DemandFigures:
    return figures_of_row(row[1:])  # after the scope


def _overdue_before(today: date | None) -> date:
    """Open demands raised before this day are overdue (as demand_list's overdue clause)."""
    return (today or china_today()) - timedelta(days=overdue_days_setting())


def tallied_figures(community_id: int | None = None, today: date | None = None) -> DemandFigures:
    """The demand figures of one community, or of the whole city (``community_id`` None): one query."""
    if community_id is None:
        return _figures(db.session.execute(_CITY_FIGURES, {"overdue_before": _overdue_before(today)}).one())
    return _figures(db.session.execute(
        _COMMUNITY_FIGURES, {"overdue_before": _overdue_before(today), "community": community_id}).one())


def community_and_city_figures(community_id: int, today: date | None = None) -> tuple[DemandFigures, DemandFigures]:
    """The figures of a community and of the whole city, in one query (a project's page shows both)."""
    community, city = db.session.execute(
        _COMMUNITY_AND_CITY_FIGURES, {"overdue_before": _overdue_before(today), "community": community_id}).all()
    return _figures(community), _figures(city)


def _community_rows_select(scope: str) -> str:
    """Per community of ``scope`` with demands: its name and id, then the counted columns of
    :data:`renovation.domain.residents.demand_figures.COUNTED`."""
    return f"""
    SELECT community.name, community.id, tally.received, tally.resolved, tally.declined, tally.open,
           coalesce(late.overdue, 0) AS overdue, tally.days_to_resolve, tally.days_counted
    FROM (SELECT community_id,
                 sum(demands) AS received,
                 sum(CASE WHEN status = '{_RESOLVED}' THEN demands ELSE 0 END) AS resolved,
                 sum(CASE WHEN status = '{_DECLINED}' THEN demands ELSE 0 END) AS declined,
                 sum(CASE WHEN status IN ({_OPEN}) THEN demands ELSE 0 END) AS open,
                 sum(CASE WHEN status = '{_RESOLVED}' THEN days_to_resolve ELSE 0 END) AS days_to_resolve,
                 sum(CASE WHEN status = '{_RESOLVED}' THEN days_counted ELSE 0 END) AS days_counted
          FROM demand_tally WHERE {scope} GROUP BY community_id) AS tally
    JOIN community ON community.id = tally.community_id
    LEFT JOIN (SELECT community_id, sum(demands) AS overdue FROM open_demand_day
               WHERE raised_on < :overdue_before AND {scope} GROUP BY community_id) AS late
           ON late.community_id = tally.community_id"""


_CITY_ROWS = text(_community_rows_select("true")).bindparams(bindparam("overdue_before", type_=Date))
_STREET_ROWS = text(_community_rows_select("community_id IN (SELECT id FROM community WHERE street_id = :street)")
                    ).bindparams(bindparam("overdue_before", type_=Date), bindparam("street", type_=Integer))
_COMMUNITY_ROWS = text(_community_rows_select(_COMMUNITY)).bindparams(
    bindparam("overdue_before", type_=Date), bindparam("community", type_=Integer))


def _ranked(scope: str, name_order: str) -> str:
    """The communities of :func:`_community_rows_select` most overdue first (then the most open,
    then by name), the first ``:shown`` of them, each row followed by how many communities there
    are and the sums of every counted column over all of them."""
    return f"""
    SELECT rows.*, count(*) OVER () AS communities,
           {", ".join(f"sum({column}) OVER () AS all_{column}" for column in COUNTED)}
    FROM ({_community_rows_select(scope)}) AS rows
    ORDER BY overdue DESC, open DESC, {name_order}
    LIMIT :shown"""


_RANKED_PARAMETERS = (bindparam("overdue_before", type_=Date), bindparam("shown", type_=Integer))
# PostgreSQL orders names by the database's collation, SQLite (and Python) by their characters' codes:
# "C" orders them by code on PostgreSQL too, so both give the same communities in the same order.
_RANKED = {dialect: {
    "city": text(_ranked("true", name_order)).bindparams(*_RANKED_PARAMETERS),
    "street": text(_ranked("community_id IN (SELECT id FROM community WHERE street_id = :street)", name_order)
                   ).bindparams(*_RANKED_PARAMETERS, bindparam("street", type_=Integer)),
    "community": text(_ranked(_COMMUNITY, name_order)).bindparams(*_RANKED_PARAMETERS,
                                                                  bindparam("community", type_=Integer)),
} for dialect, name_order in (("postgresql", 'name COLLATE "C"'), ("sqlite", "name"))}


@dataclass
class RankedCommunities:
    """The first communities, most overdue first, as counted rows (name, id, then
    :data:`~renovation.domain.residents.demand_figures.COUNTED`), of ``communities`` in all, and the
    counted columns summed over all of them."""

    rows: list
    communities: int
    totals: tuple


def ranked_communities(shown: int, street_id: int | None = None, community_id: int | None = None,
                       today: date | None = None) -> RankedCommunities:
    """The ``shown`` most overdue communities with demands — of the city, one street, or the one
    community — with their number and their sums: one query, ``shown`` rows at most, the ranking
    and the sums done by the database (a province has thousands of communities)."""
    values = {"overdue_before": _overdue_before(today), "shown": shown}
    if community_id is not None:
        scope, values["community"] = "community", community_id
    elif street_id is not None:
        scope, values["street"] = "street", street_id
    else:
        scope = "city"
    statements = _RANKED.get(db.session.get_bind().dialect.name, _RANKED["sqlite"])
    found = db.session.execute(statements[scope], values).all()
    if not found:
        return RankedCommunities([], 0, (0,) * len(COUNTED))
    counted_row = 2 + len(COUNTED)  # name, id, the counted columns; then the number, then the sums
    return RankedCommunities([row[:counted_row] for row in found], found[0][counted_row],
                             tuple(found[0][counted_row + 1:]))


def community_rows(street_id: int | None = None, community_id: int | None = None,
                   today: date | None = None) -> list:
    """The counted rows of each community with demands — in the city, in one street, or the one
    community — led by its name and id: one query over the tallies, a few rows a community."""
    values = {"overdue_before": _overdue_before(today)}
    if community_id is not None:
        statement, values["community"] = _COMMUNITY_ROWS, community_id
    elif street_id is not None:
        statement, values["street"] = _STREET_ROWS, street_id
    else:
        statement = _CITY_ROWS
    return db.session.execute(statement, values).all()
