"""Dates before 1949-01-01 or after 2100-12-31 are refused, with the range in the message, wherever
a person types a date: stage dates (page and API), consultations (page and API), demands (page
and API) and ledger cells. The range itself lives in renovation/domain/date_range.py."""
from datetime import date

import pytest
import sqlalchemy as sa

from renovation.domain.date_range import EARLIEST_DATE, LATEST_DATE, implausible_date_message, is_plausible_date
from renovation.domain.ledger.cells import CellError, parse_date
from renovation.domain.stages.rules import StageState, stage_errors
from renovation.extensions import db
from renovation.models import Consultation, Stage, StageEvent
from renovation.models.consultations import Demand
from tests.conftest import api_token, days_ago, login, make_project, make_user

CODE = "ZP-2026-001"
RANGE = "Enter a date from 1949-01-01 to 2100-12-31."
TOO_EARLY, TOO_LATE = "1948-12-31", "2101-01-01"


def test_the_range_and_its_message():
    assert (EARLIEST_DATE, LATEST_DATE) == (date(1949, 1, 1), date(2100, 12, 31))
    assert is_plausible_date(EARLIEST_DATE) and is_plausible_date(LATEST_DATE)
    assert not is_plausible_date(date(1948, 12, 31)) and not is_plausible_date(date(2101, 1, 1))
    assert implausible_date_message(None) is None and implausible_date_message(date(2026, 3, 1)) is None
    assert str(implausible_date_message(date(206, 3, 1)))


def test_stage_rules_refuse_actual_and_planned_dates_outside_the_range(app):
    stage = StageState("survey", "in_progress", 50, actual_start=date(1900, 1, 1))
    assert "actual_start" in stage_errors(stage, {}, date(2026, 6, 1))
    planned = StageState("survey", "not_started", 0, planned_start=date(1948, 1, 1), planned_end=date(2101, 1, 1))
    errors = stage_errors(planned, {}, date(2026, 6, 1))
    assert set(errors) >= {"planned_start", "planned_end"}
    fine = StageState("survey", "not_started", 0, planned_start=EARLIEST_DATE, planned_end=LATEST_DATE)
    assert not stage_errors(fine, {}, date(2026, 6, 1))


@pytest.mark.parametrize("text", ["1900-01-01", "0206-03-01", "2101-01-01", "1948年12月31日", 1])
def test_ledger_date_cells_outside_the_range_are_refused(app, text):
    with pytest.raises(CellError):
        parse_date(text)  # (1 is the Excel serial of 1900-01-01)
    assert parse_date("1949-01-01") == EARLIEST_DATE and parse_date("2100-12-31") == LATEST_DATE


@pytest.fixture
def engineer_client(client, app):
    make_project(CODE, stages={"survey": {"status": "in_progress", "percent": 40, "actual_start": days_ago(30)}})
    make_user("engineer", "engineer")
    assert login(client).status_code == 303
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def api(app):
    make_project(CODE, stages={"survey": {"status": "in_progress", "percent": 40, "actual_start": days_ago(30)}})
    return {"Authorization": f"Bearer {api_token(make_user('engineer', 'engineer'))}", "Accept-Language": "en"}


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("typed", [TOO_EARLY, TOO_LATE])
def test_stage_page_refuses_a_date_outside_the_range(engineer_client, typed):
    data = {"status": "in_progress", "percent": "50", "actual_start": typed, "actual_end": "", "note": "",
            "version": "1"}
    response = engineer_client.post(f"/projects/{CODE}/stages/survey/edit", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 422 and RANGE in response.get_data(as_text=True)
    assert _count(StageEvent) == 0


@pytest.mark.parametrize("typed", [TOO_EARLY, TOO_LATE])
def test_consultation_page_refuses_a_date_outside_the_range(engineer_client, typed):
    data = {"date": typed, "kind": "council_meeting", "place": "居委会", "organiser": "陈主任", "attendees": "",
            "households": "10", "topic": "雨污分流", "opinions": "", "decisions": "", "follow_up": ""}
    response = engineer_client.post(f"/projects/{CODE}/consultations", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 422 and RANGE in response.get_data(as_text=True)
    assert _count(Consultation) == 0


@pytest.mark.parametrize("typed", [TOO_EARLY, TOO_LATE])
def test_demand_page_refuses_a_date_outside_the_range(engineer_client, typed):
    data = {"category": "parking", "text": "希望增设非机动车棚", "raised_by": "5号楼", "raised_on": typed,
            "consultation_id": "0"}
    response = engineer_client.post(f"/projects/{CODE}/demands", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 422 and RANGE in response.get_data(as_text=True)
    assert _count(Demand) == 0


@pytest.mark.parametrize("typed", [TOO_EARLY, TOO_LATE, "0001-01-01", "9999-12-31"])
def test_api_refuses_dates_outside_the_range(client, api, typed):
    stage = db.session.scalar(sa.select(Stage).where(Stage.key == "survey"))
    response = client.patch(f"/api/v1/projects/{CODE}/stages/survey", headers=api,
                            json={"actual_start": typed, "version": stage.version})
    assert response.status_code == 422 and response.get_json()["errors"]["actual_start"] == RANGE
    response = client.post(f"/api/v1/projects/{CODE}/consultations", headers=api,
                           json={"date": typed, "kind": "council_meeting", "topic": "雨污分流", "households": 3})
    assert response.status_code == 422 and response.get_json()["errors"]["date"] == RANGE
    response = client.post(f"/api/v1/projects/{CODE}/demands", headers=api,
                           json={"category": "parking", "text": "停车难", "raised_on": typed})
    assert response.status_code == 422 and response.get_json()["errors"]["raised_on"] == RANGE
    assert (_count(StageEvent), _count(Consultation), _count(Demand)) == (0, 0, 0)

