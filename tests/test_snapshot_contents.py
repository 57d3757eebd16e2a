"""The monthly snapshot keeps what the projects deliver (issue 16): each project's content items with
their planned and completed quantities, and each street's sums per item, taken with it."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from renovation.domain.clock import today
from renovation.domain.contents.catalogue import ensure_default_items
from renovation.domain.contents.operations import add_content, change_content, contents_of
from renovation.domain.contents.outputs import outputs
from renovation.domain.programme.snapshots import month_of, previous_month, take_snapshot
from renovation.extensions import db
from renovation.models import MonthlySnapshot, ProjectMonth, Street
from renovation.models.snapshots import StreetContentMonth
from tests.conftest import login, make_project, make_user

THIS_MONTH = month_of(today())
LAST_MONTH = previous_month(THIS_MONTH)


def street_sums(month: str) -> dict:
    """{(street name, item key): (planned, completed, projects)} of the month's snapshot."""
    rows = db.session.execute(
        sa.select(Street.name, StreetContentMonth.item_key, StreetContentMonth.planned, StreetContentMonth.completed,
                  StreetContentMonth.projects)
        .join(Street, Street.id == StreetContentMonth.street_id).join(MonthlySnapshot)
        .where(MonthlySnapshot.month == month))
    return {(street, key): (Decimal(planned), Decimal(completed), projects)
            for street, key, planned, completed, projects in rows}


def project_contents(month: str) -> dict:
    """{project id: {item key: (planned, completed)}} as the month's snapshot keeps them."""
    rows = db.session.execute(sa.select(ProjectMonth.project_id, ProjectMonth.contents).join(MonthlySnapshot)
                              .where(MonthlySnapshot.month == month))
    return {project_id: {key: (Decimal(str(value["planned"])), Decimal(str(value["completed"])))
                         for key, value in contents.items()} for project_id, contents in rows}


def three_projects(engineer):
    ensure_default_items()
    first = make_project("ZP-2026-001")
    second = make_project("ZP-2026-002", "新华新村")
    third = make_project("ZP-2026-003", "粮食局宿舍", "城中社区", "菁城街道")
    add_content(first, engineer, {"item": "rain_sewage_pipes", "planned_quantity": Decimal("1200"),
                                  "completed_quantity": Decimal("800.5")})
    add_content(first, engineer, {"item": "elevators", "planned_quantity": Decimal("2"),
                                  "completed_quantity": Decimal("1")})
    add_content(second, engineer, {"item": "rain_sewage_pipes", "planned_quantity": Decimal("300.25"),
                                   "completed_quantity": Decimal("0.25")})
    add_content(third, engineer, {"item": "parking", "planned_quantity": Decimal("40")})
    return first, second, third


def test_a_snapshot_keeps_each_projects_content_and_each_streets_sums(app):
    engineer = make_user()
    first, second, third = three_projects(engineer)
    make_project("ZP-2026-004", "农机公司宿舍区")  # no content at all
    take_snapshot(THIS_MONTH)
    kept = project_contents(THIS_MONTH)
    assert kept[first.id] == {"rain_sewage_pipes": (Decimal("1200"), Decimal("800.5")),
                              "elevators": (Decimal("2"), Decimal("1"))}
    assert kept[second.id] == {"rain_sewage_pipes": (Decimal("300.25"), Decimal("0.25"))}
    assert kept[third.id] == {"parking": (Decimal("40"), Decimal("0"))}
    assert len(kept) == 4 and list(kept.values()).count({}) == 1
    assert street_sums(THIS_MONTH) == {
        ("桂林街道", "rain_sewage_pipes"): (Decimal("1500.25"), Decimal("800.75"), 2),
        ("桂林街道", "elevators"): (Decimal("2"), Decimal("1"), 1),
        ("菁城街道", "parking"): (Decimal("40"), Decimal("0"), 1)}
    assert db.session.scalar(sa.select(MonthlySnapshot.contents_taken))


def test_the_snapshot_stays_as_taken_and_a_replacement_takes_the_content_again(app):
    engineer = make_user()
    first, _second, _third = three_projects(engineer)
    take_snapshot(LAST_MONTH)
    pipes = next(content for content in contents_of(first.id) if content.item.key == "rain_sewage_pipes")
    change_content(pipes, engineer, {"completed_quantity": Decimal("1100")}, pipes.version)
    take_snapshot(LAST_MONTH)  # exists: unchanged
    assert street_sums(LAST_MONTH)[("桂林街道", "rain_sewage_pipes")][1] == Decimal("800.75")
    take_snapshot(LAST_MONTH, replace=True, user=engineer)
    assert street_sums(LAST_MONTH)[("桂林街道", "rain_sewage_pipes")][1] == Decimal("1100.25")
    assert project_contents(LAST_MONTH)[first.id]["rain_sewage_pipes"] == (Decimal("1200"), Decimal("1100"))
    assert db.session.scalar(sa.select(sa.func.count(StreetContentMonth.id))) == 3


def test_a_snapshot_without_any_content_keeps_none(app):
    make_project()
    take_snapshot(THIS_MONTH)
    assert project_contents(THIS_MONTH) == {db.session.scalar(sa.select(ProjectMonth.project_id)): {}}
    assert street_sums(THIS_MONTH) == {}


@pytest.mark.slow
def test_a_fresh_demo_shows_the_outputs_change_since_last_month(app, runner):
    """seed-demo's last month is worked out backwards, its contents too: the pipes laid since show."""
    result = runner.invoke(args=["seed-demo", "--projects", "30", "--password", "demo-password-1"])
    assert result.exit_code == 0, result.output
    snapshot = db.session.scalar(sa.select(MonthlySnapshot).where(MonthlySnapshot.month == LAST_MONTH))
    assert snapshot.contents_taken
    then = street_sums(LAST_MONTH)
    now = {row.key: row for row in outputs()}
    pipes_then = sum(completed for (_street, key), (_planned, completed, _n) in then.items()
                     if key == "rain_sewage_pipes")
    assert 0 < pipes_then <= now["rain_sewage_pipes"].completed
    assert sum(planned for (_street, key), (planned, _done, _n) in then.items() if key == "rain_sewage_pipes") \
        == now["rain_sewage_pipes"].planned
    client = app.test_client()
    login(client, "leader", "demo-password-1")
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'id="outputs-since"' in page and 'data-change="rain_sewage_pipes"' in page
