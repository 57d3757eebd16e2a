"""The figures of a set of demands (received, resolved, declined, open, overdue, average days to
resolve), and how they are made from counted rows.

Counted rows (from the demands themselves in :mod:`renovation.domain.residents.demand_list`, or
from the tallies in :mod:`renovation.domain.residents.demand_tallies`) hold the sum and the count
of the days to resolve, not their average, so several rows (projects, communities) add up exactly.
"""
from dataclasses import dataclass

# The columns of a counted row, in order.
COUNTED = ("received", "resolved", "declined", "open", "overdue", "days_to_resolve", "days_counted")


@dataclass
class DemandFigures:
    received: int = 0
    resolved: int = 0
    declined: int = 0
    open: int = 0
    overdue: int = 0
    average_days_to_resolve: float | None = None


def figures_of_row(row) -> DemandFigures:
    """The figures of one counted row (:data:`COUNTED`)."""
    received, resolved, declined, open_, overdue, days, counted = row
    return DemandFigures(int(received or 0), int(resolved or 0), int(declined or 0), int(open_ or 0),
                         int(overdue or 0),
                         average_days_to_resolve=round(float(days) / int(counted), 1) if counted else None)


def figures_of(rows) -> DemandFigures:
    """The figures of one or more counted rows (:data:`COUNTED`) taken together: their columns added
    up (a column by the database's own sums, none left out; a province's thousands of rows at once)."""
    columns = list(zip(*rows, strict=True)) or [()] * len(COUNTED)
    return figures_of_row([sum(filter(None, column), 0) for column in columns])
