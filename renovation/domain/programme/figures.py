"""The programme's figures for the dashboard, read from the tallies the database keeps
(:mod:`renovation.models.programme_tallies`): two queries of a few rows a street, whatever the
number of projects.

The definitions are the bulletin's (:mod:`renovation.domain.bulletins.area_data`), which counts
the same figures over loaded projects for one printed document; the dashboard cannot load
200,000 projects and their million stages on every visit, nor count them in the database, so it
reads the sums the database keeps with every write. ``tests/test_dashboard.py`` checks that both
give the same numbers on the same data, ``tests/domain/test_programme_tallies.py`` that the
tallies are the projects' own sums after any write. Sums per street are added up for the city,
so one query serves both.
"""
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, bindparam, text

from renovation.domain.bulletins.area_data import money, percent
from renovation.domain.stages.keys import DONE, STAGE_ORDER, Status
from renovation.extensions import db

# What is added up per street; the overview is worked out from these sums.
SUMS = ("projects", "started", "completed", "households", "households_completed",
        "investment_planned", "investment_completed", "progress_sum", "behind")


def overview_from_sums(sums: dict) -> dict:
    """The bulletin's 一、总体进展 (same keys, same rounding) from the sums of a group."""
    count = sums["projects"]
    return {
        "projects": count,
        "started": sums["started"],
        "completed": sums["completed"],
        "completion_rate": percent(sums["completed"], count),
        "households": sums["households"],
        "households_completed": sums["households_completed"],
        "investment_planned": money(sums["investment_planned"]),
        "investment_completed": money(sums["investment_completed"]),
        "average_progress": round(sums["progress_sum"] / count, 1) if count else 0.0,
    }


def add_up(groups: list[dict]) -> dict:
    """The sums of several groups (streets → city)."""
    return {key: sum((group[key] for group in groups), Decimal(0) if key.startswith("investment") else 0)
            for key in SUMS}


def street_sums(today: date) -> list[dict]:
    """Per street (id, name and :data:`SUMS`), every street with projects, by name: one query."""
    return street_and_stage_sums(today)[0]


# Per street, the sums of its tally rows, its projects at each current stage (columns in the order
# of CURRENT_STAGES) and its projects behind schedule on ``today``.
CURRENT_STAGES = [key.value for key in STAGE_ORDER] + [DONE]
_STREET_SUMS = text(f"""
    SELECT street.id, street.name, tally.projects, tally.started, tally.completed, tally.households,
           tally.households_completed, tally.budget, tally.investment_completed, tally.progress_sum,
           coalesce(behind.projects, 0), {", ".join(f"tally.at_{stage}" for stage in CURRENT_STAGES)}
    FROM (SELECT street_name, sum(projects) AS projects,
                 sum(CASE WHEN started THEN projects ELSE 0 END) AS started,
                 sum(CASE WHEN current_stage = '{DONE}' THEN projects ELSE 0 END) AS completed,
                 sum(households) AS households,
                 sum(CASE WHEN current_stage = '{DONE}' THEN households ELSE 0 END) AS households_completed,
                 sum(budget) AS budget, sum(investment_completed) AS investment_completed,
                 sum(progress_sum) AS progress_sum,
                 {", ".join(f"sum(CASE WHEN current_stage = '{stage}' THEN projects ELSE 0 END) AS at_{stage}"
                            for stage in CURRENT_STAGES)}
          FROM street_tally GROUP BY street_name) AS tally
    JOIN street ON street.name = tally.street_name
    LEFT JOIN (SELECT street_name, sum(projects) AS projects FROM street_deadline_day
               WHERE next_deadline < :today GROUP BY street_name) AS behind ON behind.street_name = tally.street_name
    ORDER BY street.name
""").bindparams(bindparam("today", type_=Date))


def street_and_stage_sums(today: date) -> tuple[list[dict], dict[str, int]]:
    """:func:`street_sums`, and how many projects are at each stage now (``done`` for completed
    ones, zeros included), from one query of the street tallies, a row a street."""
    streets, stages = [], dict.fromkeys(CURRENT_STAGES, 0)
    for street_id, name, *values in db.session.execute(_STREET_SUMS, {"today": today}):
        streets.append({"id": street_id, "name": name, **dict(zip(SUMS, _plain(values[:len(SUMS)]), strict=True))})
        for stage, count in zip(CURRENT_STAGES, values[len(SUMS):], strict=True):
            stages[stage] += int(count)
    return streets, stages


_CENT = Decimal("0.01")


def _plain(values) -> list:
    """Counts as int, money as Decimal to the cent, whatever the driver returns (SQLite sums money
    as floating point)."""
    return [Decimal(str(value)).quantize(_CENT) if index in (5, 6) else int(value)
            for index, value in enumerate(values)]


def street_table(sums: list[dict]) -> list[dict]:
    """Each street's overview, ranked like the bulletin's 二、各街道进展 (average progress)."""
    rows = [{"id": row["id"], "name": row["name"], "behind": row["behind"], **overview_from_sums(row)}
            for row in sums]
    rows.sort(key=lambda row: (-row["average_progress"], -row["completion_rate"], row["name"]))
    return rows


_STAGE_STATUS_COUNTS = text("SELECT key, status, sum(stages) FROM stage_tally GROUP BY key, status")


def stage_status_counts() -> dict[str, dict[str, int]]:
    """Per stage key, the number of projects in each status (zeros included), from the stage
    tallies: one query of a few rows."""
    counts = {key.value: {status.value: 0 for status in Status} for key in STAGE_ORDER}
    for key, status, count in db.session.execute(_STAGE_STATUS_COUNTS):
        if key in counts and status in counts[key]:
            counts[key][status] = int(count)
    return counts
