"""A community's and the city's demand figures, read from the tallies the database keeps
(:mod:`renovation.models.demand_tallies`) instead of counted from every demand: one query of a few
rows each, whatever the number of projects and demands.

They are the same figures :func:`renovation.domain.residents.demand_list.figures` counts from the
demands (received, resolved, declined, open, overdue, average days to resolve); the tallies stay
right after any write because the database changes them in the transaction of the write.
"""
from datetime import date, timedelta

from sqlalchemy import Date, Integer, bindparam, text

from renovation.domain.clock import today as china_today
from renovation.domain.residents.demand_list import DemandFigures
from renovation.domain.residents.demands import OPEN, overdue_days_setting
from renovation.extensions import db
from renovation.models.consultations import DemandStatus

_OPEN = ", ".join(f"'{status.value}'" for status in sorted(OPEN))
_RESOLVED, _DECLINED = DemandStatus.RESOLVED.value, DemandStatus.DECLINED.value


def _figures_statement(community: str):
    """The statement, written out once (SQLAlchemy need not build and key a select of a dozen
    expressions on every page), for the rows ``community`` selects."""
    return text(f"""
    SELECT coalesce(sum(demands), 0),
           coalesce(sum(CASE WHEN status = '{_RESOLVED}' THEN demands ELSE 0 END), 0),
           coalesce(sum(CASE WHEN status = '{_DECLINED}' THEN demands ELSE 0 END), 0),
           coalesce(sum(CASE WHEN status IN ({_OPEN}) THEN demands ELSE 0 END), 0),
           coalesce(sum(CASE WHEN status = '{_RESOLVED}' THEN days_to_resolve ELSE 0 END), 0),
           coalesce(sum(CASE WHEN status = '{_RESOLVED}' THEN days_counted ELSE 0 END), 0),
           (SELECT coalesce(sum(demands), 0) FROM open_demand_day WHERE raised_on < :overdue_before AND {community})
    FROM demand_tally WHERE {community}
    """).bindparams(bindparam("overdue_before", type_=Date))


_COMMUNITY_FIGURES = _figures_statement("community_id = :community").bindparams(bindparam("community", type_=Integer))
_CITY_FIGURES = _figures_statement("true")


def tallied_figures(community_id: int | None = None, today: date | None = None) -> DemandFigures:
    """The demand figures of one community, or of the whole city (``community_id`` None): one query."""
    today = today or china_today()
    overdue_before = today - timedelta(days=overdue_days_setting())  # as demand_list's overdue clause
    values = {"overdue_before": overdue_before}
    if community_id is None:
        statement = _CITY_FIGURES
    else:
        statement, values["community"] = _COMMUNITY_FIGURES, community_id
    received, resolved, declined, open_, days, counted, overdue = db.session.execute(statement, values).one()
    return DemandFigures(received=int(received), resolved=int(resolved), declined=int(declined), open=int(open_),
                         overdue=int(overdue),
                         average_days_to_resolve=round(int(days) / int(counted), 1) if counted else None)
