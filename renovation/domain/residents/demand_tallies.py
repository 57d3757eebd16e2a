"""A community's and the city's demand figures, read from the tallies the database keeps
(:mod:`renovation.models.demand_tallies`) instead of counted from every demand: one query of a few
rows each, whatever the number of projects and demands.

They are the same figures :func:`renovation.domain.residents.demand_list.figures` counts from the
demands (received, resolved, declined, open, overdue, average days to resolve); the tallies stay
right after any write because the database changes them in the transaction of the write.
"""
from datetime import date, timedelta

from sqlalchemy import case, func, select

from renovation.domain.clock import today as china_today
from renovation.domain.residents.demand_list import DemandFigures
from renovation.domain.residents.demands import OPEN, overdue_days_setting
from renovation.extensions import db
from renovation.models import DemandTally, OpenDemandDay
from renovation.models.consultations import DemandStatus


def tallied_figures(community_id: int | None = None, today: date | None = None) -> DemandFigures:
    """The demand figures of one community, or of the whole city (``community_id`` None): one query."""
    today = today or china_today()
    overdue_before = today - timedelta(days=overdue_days_setting())  # as demand_list's overdue clause

    def of_status(*statuses, column=DemandTally.demands):
        return func.coalesce(func.sum(case((DemandTally.status.in_([s.value for s in statuses]), column),
                                           else_=0)), 0)

    overdue = (select(func.coalesce(func.sum(OpenDemandDay.demands), 0))
               .where(OpenDemandDay.raised_on < overdue_before))
    query = select(func.coalesce(func.sum(DemandTally.demands), 0), of_status(DemandStatus.RESOLVED),
                   of_status(DemandStatus.DECLINED), of_status(*OPEN),
                   of_status(DemandStatus.RESOLVED, column=DemandTally.days_to_resolve),
                   of_status(DemandStatus.RESOLVED, column=DemandTally.days_counted))
    if community_id is not None:
        query = query.where(DemandTally.community_id == community_id)
        overdue = overdue.where(OpenDemandDay.community_id == community_id)
    received, resolved, declined, open_, days, counted, overdue = db.session.execute(
        query.add_columns(overdue.scalar_subquery())).one()
    return DemandFigures(received=int(received), resolved=int(resolved), declined=int(declined), open=int(open_),
                         overdue=int(overdue),
                         average_days_to_resolve=round(int(days) / int(counted), 1) if counted else None)
