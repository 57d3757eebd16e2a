"""The monthly view of a bulletin (月调度), from the monthly snapshots, as plain JSON-ready data.

A bulletin's "change since the previous issue" compares with the previous bulletin; this
compares with the month-end snapshots instead: the key figures "比上月" (against the newest
snapshot of a month before the bulletin's, as the dashboard does) and each street's average
progress over the last snapshot months and now. The arithmetic is
:mod:`renovation.domain.programme.changes`'; here it is only put in the shape the print template
reads. Every value is None when there is no snapshot, and nothing about months is printed.
"""
from datetime import date

from renovation.domain.programme.changes import (
    SNAPSHOT_KEYS,
    baseline_month,
    changes,
    project_progress_by_month,
    recent_months,
    street_sums_by_month,
    trends,
)
from renovation.domain.programme.figures import street_sums
from renovation.domain.programme.snapshots import month_of

TREND_MONTHS = 6  # snapshot months a bulletin's trend shows, before today's point


def area_months(street_id: int | None, ranked_names: list[str], today: date) -> dict | None:
    """``baseline`` month, ``change`` of the key figures since it (city, or the street), and
    ``trend``: per street (the one street of a street bulletin), in the order of
    ``ranked_names``, its average progress in each of ``months`` (None when it had no projects
    then) and now. None when no snapshot has been taken. Four queries."""
    months = recent_months(TREND_MONTHS)
    if not months:
        return None
    live = street_sums(today)
    if street_id is not None:
        live = [row for row in live if row["id"] == street_id]
        if not live:
            return None
    baseline = baseline_month(months, month_of(today))
    by_month = street_sums_by_month(months)
    found = changes(live, by_month.get(baseline))
    change = found["city"] if street_id is None else found["streets"].get(street_id)
    series = trends(months, by_month, live)
    order = {name: index for index, name in enumerate(ranked_names)}
    rows = sorted(live, key=lambda row: (order.get(row["name"], len(order)), row["name"]))
    return {
        "baseline": baseline,
        "change": None if change is None else {key: change[key] for key in SNAPSHOT_KEYS if key in change},
        "months": months,
        "trend": [{"name": row["name"], "values": series[row["id"]],
                   "change": (found["streets"].get(row["id"]) or {}).get("average_progress")}
                  for row in rows],
    }


def project_months(project_id: int, progress_now: int) -> list[dict] | None:
    """A project brief's progress month by month: each of the last snapshot months that holds
    the project, then ``now``; None when no snapshot holds it. Two queries."""
    found = project_progress_by_month(project_id, recent_months(TREND_MONTHS))
    if not found:
        return None
    return [*found, {"month": None, "progress": progress_now}]
