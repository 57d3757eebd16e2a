"""The data a bulletin is printed from: every figure, checked against the database by hand."""
import json
from datetime import timedelta

import sqlalchemy as sa

from renovation.domain.bulletins.area_data import area_data, change_since
from renovation.domain.bulletins.brief_data import project_data
from renovation.domain.clock import today
from renovation.domain.project_list import project_by_code
from renovation.extensions import db
from renovation.models import Street
from tests.bulletin_samples import add_consultation, add_demand, add_pair, on_track, programme
from tests.conftest import count_statements, make_project


def street(name):
    return db.session.scalar(sa.select(Street).where(Street.name == name))


def test_city_overview_counts_started_completed_households_and_investment(app):
    programme()
    data = area_data(None, None, today())
    assert data["overview"] == {
        "projects": 3, "started": 2, "completed": 1, "completion_rate": 33.3,
        "households": 400, "households_completed": 200,
        "investment_planned": "1260.00", "investment_completed": "500.50",
        "average_progress": round((100 + 28 + 0) / 3, 1),
    }
    assert data["kind"] == "city" and data["change"] is None
    json.dumps(data)  # plain data only


def test_streets_are_ranked_by_average_progress(app):
    programme()
    areas = area_data(None, None, today())["areas"]
    assert [(row["rank"], row["name"], row["projects"], row["completed"]) for row in areas] == [
        (1, "桂林街道", 2, 1), (2, "菁城街道", 1, 0)]
    assert areas[0]["average_progress"] == 64.0 and areas[0]["behind"] == 1


def test_behind_list_names_worst_stage_days_and_engineer(app):
    programme()
    behind = area_data(None, None, today())["behind"]
    assert [(row["code"], row["stage"], row["days_behind"]) for row in behind] == [
        ("ZP-2026-003", "survey", 30), ("ZP-2026-002", "rain_sewage", 12)]
    assert behind[1]["engineer"] == "林建华" and behind[1]["note"] == "管网迁改协调中"


def test_no_project_behind_gives_an_empty_list(app):
    on_track("ZP-2026-010")
    assert area_data(None, None, today())["behind"] == []


def test_stage_table_counts_each_status_and_the_current_stage(app):
    programme()
    rows = {row["key"]: row for row in area_data(None, None, today())["stages"]}
    assert rows["survey"]["completed"] == 2 and rows["survey"]["not_started"] == 1
    assert rows["survey"]["current"] == 1 and rows["rain_sewage"]["current"] == 1
    assert rows["rain_sewage"]["in_progress"] == 1 and rows["rain_sewage"]["behind"] == 1
    assert sum(row["current"] for row in rows.values()) == 2  # the third is done


def test_street_bulletin_covers_its_communities_only(app):
    programme()
    data = area_data(street("桂林街道"), None, today())
    assert data["kind"] == "street" and data["overview"]["projects"] == 2
    assert {row["name"] for row in data["areas"]} == {"桂冠社区", "铁路社区"}
    assert [row["code"] for row in data["behind"]] == ["ZP-2026-002"]


def test_consultations_votes_and_demands(app):
    done, going, idle = programme()
    add_consultation(done, passed=True)
    add_consultation(going, passed=False)
    add_consultation(going)
    add_demand(done, "resolved")
    add_demand(going, "pending", days=40)
    add_demand(idle, "in_progress")
    residents = area_data(None, None, today())["residents"]
    assert residents == {"consultations": 3, "votes": 2, "votes_passed": 1, "votes_failed": 1,
                         "demands_received": 3, "demands_resolved": 1, "demands_declined": 0,
                         "demands_open": 2, "demands_overdue": 1, "resolution_rate": 33.3}
    assert area_data(street("菁城街道"), None, today())["residents"]["demands_received"] == 1


def test_pairs_chosen_in_order_or_the_newest(app, engineer):
    done, going, _ = programme()
    first, second = add_pair(done, engineer, 1), add_pair(going, engineer, 2)
    assert [pair["id"] for pair in area_data(None, [first.id, second.id], today())["pairs"]] == [first.id, second.id]
    assert [pair["id"] for pair in area_data(None, None, today())["pairs"]] == [second.id, first.id]
    assert area_data(None, [], today())["pairs"] == []
    pair = area_data(street("菁城街道"), None, today())["pairs"]
    assert pair == []  # no pair in that street
    printed = area_data(None, [first.id], today())["pairs"][0]
    assert printed["project_code"] == "ZP-2026-001" and printed["before"]["caption"] == "单元入口改造前"


def test_change_since_the_previous_bulletin(app):
    programme()
    first = area_data(None, None, today())["overview"]
    make_project("ZP-2026-004", "新华新村", "城中社区", "菁城街道", households=60)
    current = area_data(None, None, today(), previous_overview=first)
    assert current["change"]["projects"] == 1 and current["change"]["households"] == 60
    assert current["change"]["investment_planned"] == "420.00"
    assert change_since(first, None) is None


def test_city_data_is_read_in_constant_queries(app, engineer):
    programme()
    with count_statements() as few:
        area_data(None, None, today())
    for number in range(4, 16):
        project = make_project(f"ZP-2026-{number:03d}", f"小区{number}", f"社区{number % 4}", f"街道{number % 3}")
        add_consultation(project, passed=True)
        add_demand(project)
    add_pair(project, engineer)
    with count_statements() as many:
        area_data(None, None, today())
    assert len(few) == len(many) <= 8


def test_project_brief_data(app, engineer):
    _, going, _ = programme()
    add_consultation(going, passed=True, days=9)
    add_consultation(going, passed=False, days=2)
    add_demand(going, "pending", days=30)
    add_demand(going, "resolved")
    pair = add_pair(going, engineer)
    with count_statements() as statements:
        data = project_data(project_by_code("ZP-2026-002"), None, today())
    assert len(statements) <= 9
    json.dumps(data)
    assert data["facts"]["compound"] == "铁路二段生活小区" and data["facts"]["street"] == "桂林街道"
    assert [stage["key"] for stage in data["stages"]] == ["survey", "rain_sewage", "facade", "paving", "acceptance"]
    assert data["stages"][1]["percent"] == 40 and data["worst_stage"] == "rain_sewage" and data["days_behind"] == 12
    assert [item["vote"]["passed"] for item in data["consultations"]] == [False, True]
    assert [demand["days_overdue"] for demand in data["open_demands"]] == [15]
    assert data["pairs"][0]["id"] == pair.id and data["photos"] == []
    assert data["facts"]["planned_start"] == (today() - timedelta(days=30)).isoformat()
