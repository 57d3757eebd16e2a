"""Monthly snapshots (月调度): taking a month, never rewriting it silently, the change since."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from renovation.demo import data as demo_data
from renovation.demo.snapshots import seed_previous_month
from renovation.domain.bulletins.area_data import is_started, load_projects, overview
from renovation.domain.clock import today
from renovation.domain.programme.changes import (
    baseline_month,
    changes,
    project_movers,
    recent_months,
    street_sums_by_month,
)
from renovation.domain.programme.figures import street_sums
from renovation.domain.programme.snapshots import SnapshotError, check_month, month_of, previous_month, take_snapshot
from renovation.domain.stages.operations import update_stage
from renovation.extensions import db
from renovation.models import AuditEntry, MonthlySnapshot, ProjectMonth
from tests.conftest import count_statements, days_ago, make_project, make_user

THIS_MONTH = month_of(today())
LAST_MONTH = previous_month(THIS_MONTH)


def rows(month: str) -> list[tuple]:
    return db.session.execute(
        sa.select(ProjectMonth.project_id, ProjectMonth.progress, ProjectMonth.current_stage, ProjectMonth.started,
                  ProjectMonth.completed, ProjectMonth.investment_completed, ProjectMonth.stages)
        .join(MonthlySnapshot).where(MonthlySnapshot.month == month).order_by(ProjectMonth.project_id)
    ).all()


def audit_actions() -> list[str]:
    """The programme's audit entries (not the test users' creation)."""
    return list(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action != "user.create")
                                   .order_by(AuditEntry.id)))


def start_survey(project, user, percent=40):
    survey = project.stage("survey")
    update_stage(project, "survey", user, {"status": "in_progress", "percent": percent,
                                            "actual_start": days_ago(3), "actual_end": None, "note": ""},
                 survey.version)


def test_month_arithmetic():
    assert previous_month("2026-01") == "2025-12"
    assert previous_month("2026-11") == "2026-10"
    assert month_of(date(2026, 3, 31)) == "2026-03"
    assert check_month("2026-11", today=date(2026, 11, 30)) == "2026-11"
    for bad in ("2026-13", "2026-1", "26-11", "", "2026-11-01"):
        with pytest.raises(SnapshotError):
            check_month(bad, today=date(2026, 11, 30))
    with pytest.raises(SnapshotError, match="not begun"):
        check_month("2026-12", today=date(2026, 11, 30))


def test_a_snapshot_keeps_every_project_as_it_stands(app):
    make_project("ZP-2026-001", stages={"survey": {"status": "completed", "percent": 100,
                                                    "actual_start": days_ago(40), "actual_end": days_ago(20)},
                                         "facade": {"status": "in_progress", "percent": 30,
                                                    "actual_start": days_ago(10)}})
    make_project("ZP-2026-002", "新华新村")
    result = take_snapshot(THIS_MONTH)
    assert result.created and result.projects == 2
    projects = load_projects()
    stored = rows(THIS_MONTH)
    for project, row in zip(sorted(projects, key=lambda p: p.id), stored, strict=True):
        assert row[0] == project.id and row[1] == project.progress and row[2] == project.current_stage
        assert row[3] == is_started(project) and row[4] == (project.current_stage == "done")
        assert Decimal(row[5]) == Decimal(project.investment_completed or 0)
        assert row[6] == {s.key: {"status": s.status, "percent": s.percent} for s in project.stages}
    assert stored[0][6]["facade"] == {"status": "in_progress", "percent": 30}
    assert audit_actions() == ["snapshot.take"]


def test_taking_a_month_again_changes_nothing_unless_replaced(app):
    engineer = make_user()
    project = make_project()
    take_snapshot(LAST_MONTH)
    before, taken_at = rows(LAST_MONTH), db.session.scalar(sa.select(MonthlySnapshot.taken_at))
    start_survey(project, engineer)
    again = take_snapshot(LAST_MONTH)
    assert again.unchanged and again.projects == 1
    assert rows(LAST_MONTH) == before
    assert db.session.scalar(sa.select(MonthlySnapshot.taken_at)) == taken_at
    assert audit_actions() == ["snapshot.take", "stage.update"]

    replaced = take_snapshot(LAST_MONTH, replace=True, user=engineer)
    assert replaced.replaced
    assert rows(LAST_MONTH)[0][6]["survey"] == {"status": "in_progress", "percent": 40}
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.target_id, entry.user_id) == ("snapshot.replace", LAST_MONTH, engineer.id)
    assert entry.details["previous_taken_at"].startswith(taken_at.isoformat(timespec="seconds"))
    assert db.session.scalar(sa.select(sa.func.count(ProjectMonth.id))) == 1


def test_the_cli_is_idempotent_and_replaces_only_when_asked(app, runner):
    make_project()
    first = runner.invoke(args=["snapshot-month"])
    assert first.exit_code == 0 and f"Snapshot of {THIS_MONTH} taken: 1 projects" in first.output
    second = runner.invoke(args=["snapshot-month", "--month", THIS_MONTH])
    assert second.exit_code == 0 and "already exists" in second.output and "--replace" in second.output
    third = runner.invoke(args=["snapshot-month", "--month", THIS_MONTH, "--replace"])
    assert third.exit_code == 0 and "replaced" in third.output
    assert audit_actions() == ["snapshot.take", "snapshot.replace"]
    bad = runner.invoke(args=["snapshot-month", "--month", "2026/11"])
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output


def test_two_snapshots_show_the_change_per_project_street_and_city(app):
    engineer = make_user()
    moving = make_project("ZP-2026-001")
    make_project("ZP-2026-002", "新华新村", "城中社区", "菁城街道")
    take_snapshot(LAST_MONTH)
    start_survey(moving, engineer, percent=60)
    take_snapshot(THIS_MONTH)
    months = recent_months()
    assert months == [LAST_MONTH, THIS_MONTH] and baseline_month(months, THIS_MONTH) == LAST_MONTH
    by_month = street_sums_by_month(months)
    live = street_sums(today())
    change = changes(live, by_month[LAST_MONTH])
    street_id = {row["name"]: row["id"] for row in live}
    # one project of five stages: 60% of the survey is 12% overall
    assert change["city"]["average_progress"] == 6.0  # two projects in the city
    assert change["streets"][street_id["桂林街道"]]["average_progress"] == 12.0
    assert change["streets"][street_id["菁城街道"]]["average_progress"] == 0.0
    assert change["city"]["projects"] == 0 and "households" not in change["city"]
    movers = project_movers(LAST_MONTH)
    assert [(m["code"], m["then"], m["now"], m["gain"]) for m in movers] == [("ZP-2026-001", 0, 12, 12)]
    # The snapshot of this month agrees with the live figures.
    now = changes(live, by_month[THIS_MONTH])["city"]
    assert all(value in (0, 0.0, "0.00") for value in now.values())


def test_snapshot_figures_match_the_bulletin_overview(app):
    demo_data.seed(60)
    db.session.commit()
    take_snapshot(THIS_MONTH)
    figures = overview(load_projects())
    sums = street_sums_by_month([THIS_MONTH])[THIS_MONTH]
    assert sum(row["started"] for row in sums) == figures["started"]
    assert sum(row["completed"] for row in sums) == figures["completed"]
    assert str(sum(row["investment_completed"] for row in sums)) == figures["investment_completed"]


@pytest.mark.parametrize("count", [10, 60])
def test_taking_a_snapshot_runs_a_constant_number_of_queries(app, count):
    demo_data.seed(count)
    db.session.commit()
    with count_statements() as statements:
        take_snapshot(THIS_MONTH)
    assert len(statements) <= 8, statements
    assert db.session.scalar(sa.select(sa.func.count(ProjectMonth.id))) == count


def test_the_demo_has_last_months_snapshot_with_less_done(app):
    demo_data.seed(141)
    assert seed_previous_month() == LAST_MONTH
    db.session.commit()
    assert seed_previous_month() is None  # once only
    then = {row[0]: row for row in rows(LAST_MONTH)}
    projects = load_projects()
    assert len(then) == len(projects) == 141
    assert all(then[p.id][1] <= p.progress for p in projects)
    assert sum(then[p.id][1] < p.progress for p in projects) > 20  # a month of work shows
    assert sum(then[p.id][3] for p in projects) <= overview(projects)["started"]


def street_rows(month: str) -> dict[str, tuple]:
    """The street sums the snapshot of ``month`` keeps, by street name."""
    return {row["name"]: _sums(row) for row in street_sums_by_month([month])[month]}


def live_street_rows() -> dict[str, tuple]:
    return {row["name"]: _sums(row) for row in street_sums(today())}


def _sums(row) -> tuple:
    return row["projects"], row["started"], row["completed"], row["progress_sum"], row["investment_completed"]


def test_a_snapshot_keeps_its_streets_sums(app):
    demo_data.seed(60)
    db.session.commit()
    take_snapshot(THIS_MONTH)
    assert street_rows(THIS_MONTH) == live_street_rows()
    assert sum(row[0] for row in street_rows(THIS_MONTH).values()) == 60
    assert sum(row[1] for row in street_rows(THIS_MONTH).values()) > 0


def test_a_snapshots_street_sums_stay_as_they_were_until_replaced(app):
    engineer = make_user()
    moving = make_project("ZP-2026-001")
    make_project("ZP-2026-002", "新华新村", "城中社区", "菁城街道")
    take_snapshot(THIS_MONTH)
    before = street_rows(THIS_MONTH)
    start_survey(moving, engineer, percent=60)
    assert street_rows(THIS_MONTH) == before  # what the month's end was
    assert live_street_rows()["桂林街道"] != before["桂林街道"]
    take_snapshot(THIS_MONTH, replace=True)
    assert street_rows(THIS_MONTH) == live_street_rows()
