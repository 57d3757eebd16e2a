"""A project's demands as its page shows them: the demands (most overdue first), and their figures
counted from them.

The page has the project and its place, so the demands are not joined to them (a demand's
``project`` is the one in the session already); the community's and the city's figures beside
the project's come from :mod:`renovation.domain.residents.demand_tallies`.
"""
from datetime import date, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, select

from renovation.domain.clock import today as china_today
from renovation.domain.residents.demand_figures import DemandFigures
from renovation.domain.residents.demand_list import DEFAULT_SORT, sort_order
from renovation.domain.residents.demands import OPEN, overdue_days_setting
from renovation.extensions import db
from renovation.models.consultations import Demand, DemandStatus

SHOWN = 200  # a project's page shows its most overdue demands up to this many

# Built once (at the first call: a loader option configures every mapper, which a command that
# reads nothing need not pay for), with the project bound at each call: SQLAlchemy keys a statement
# for its cache of compiled SQL by walking all of it, every time for a statement built anew, once
# for one kept.
@cache
def _project_demands() -> Select:
    return (select(Demand).where(Demand.project_id == bindparam("project_id"))
            .order_by(*sort_order(DEFAULT_SORT)).limit(SHOWN))


def project_demands(project) -> list[Demand]:
    """The first :data:`SHOWN` demands of ``project``, overdue and oldest first (their history comes
    with each one's fold, when opened): one query."""
    return list(db.session.scalars(_project_demands(), {"project_id": project.id}))


def figures_of_demands(demands: list[Demand], today: date | None = None) -> DemandFigures:
    """The figures of demands already loaded (all of a project's, on its page): the same as
    :func:`renovation.domain.residents.demand_list.figures` counts in the database."""
    today = today or china_today()
    overdue_before = today - timedelta(days=overdue_days_setting())
    resolved = [demand for demand in demands if demand.status == DemandStatus.RESOLVED.value]
    timed = [(demand.resolved_on - demand.raised_on).days for demand in resolved if demand.resolved_on is not None]
    open_ = [demand for demand in demands if demand.status in OPEN]
    return DemandFigures(
        received=len(demands), resolved=len(resolved),
        declined=sum(demand.status == DemandStatus.DECLINED.value for demand in demands), open=len(open_),
        overdue=sum(demand.raised_on < overdue_before for demand in open_),
        average_days_to_resolve=round(sum(timed) / len(timed), 1) if timed else None)
