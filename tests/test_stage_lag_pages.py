"""Delay reasons and "mark as completed" through the stage form, the card, the API, the history,
the bulletin's lagging table and the dashboard."""
import html as html_module
import re
from datetime import timedelta

import pytest

from renovation.domain.bulletins.area_data import behind_list
from renovation.domain.bulletins.issue import Scope, preview_snapshot
from renovation.domain.bulletins.pdf import render_html
from renovation.domain.clock import today
from renovation.extensions import db
from renovation.models import Project
from tests.conftest import api_token, login, make_project, make_user
from tests.test_stage_pages import HX, error_of, stage_row

CODE = "ZP-2026-001"
PIPES = f"/projects/{CODE}/stages/rain_sewage/edit"


def ago(days):
    return today() - timedelta(days=days)


def later(days):
    return today() + timedelta(days=days)


@pytest.fixture
def project(app):
    """Rain/sewage separation 40%, 50 days past its planned end, with no reason given yet."""
    return make_project(CODE, "九龙桂冠小区", "九龙社区", "桂林街道", start=ago(200), stages={
        "survey": {"status": "completed", "percent": 100, "actual_start": ago(200), "actual_end": ago(150)},
        "rain_sewage": {"status": "in_progress", "percent": 40, "actual_start": ago(140)},
    })


@pytest.fixture
def engineer_client(client):
    make_user("engineer", "engineer")
    assert login(client).status_code == 303
    client.set_cookie("lang", "en")
    return client


def values(**changes):
    base = {"status": "in_progress", "percent": "60", "actual_start": ago(140).isoformat(), "actual_end": "",
            "note": "", "lag_reason": "", "lag_note": "", "catch_up_date": "", "version": "1"}
    return {**base, **changes}


def test_the_form_of_a_stage_behind_asks_for_the_reason(engineer_client, project):
    html = engineer_client.get(PIPES, headers=HX).get_data(as_text=True)
    assert 'name="lag_reason"' in html and 'name="catch_up_date"' in html and 'name="lag_note"' in html
    for label in ("Coordinating residents' opinions", "Moving utility lines", "Funding disbursement",
                  "Weather", "Construction organisation", "Approvals", "Other"):
        assert label in html
    assert re.search(r'<select[^>]*aria-required="true"[^>]*name="lag_reason"', html)
    # A stage whose planned dates are all ahead is not asked.
    acceptance = engineer_client.get(f"/projects/{CODE}/stages/acceptance/edit", headers=HX).get_data(as_text=True)
    assert 'name="lag_reason"' not in acceptance


def test_saving_a_stage_behind_without_a_reason_is_refused_with_messages(engineer_client, project):
    response = engineer_client.post(PIPES, data=values(), headers=HX)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "choose the reason for the delay" in error_of(html, "lag_reason")
    assert "enter the date it will be back on track" in error_of(html, "catch_up_date")
    assert stage_row().percent == 40  # nothing saved


def test_a_catch_up_date_in_the_past_is_refused(engineer_client, project):
    response = engineer_client.post(PIPES, data=values(lag_reason="funding", catch_up_date=ago(1).isoformat()),
                                    headers=HX)
    assert response.status_code == 422
    assert "cannot be in the past" in error_of(response.get_data(as_text=True), "catch_up_date")


def test_the_reason_is_saved_shown_and_in_the_history(engineer_client, project):
    response = engineer_client.post(PIPES, headers=HX, data=values(
        lag_reason="utilities", lag_note="燃气管道迁改待燃气公司排期", catch_up_date=later(30).isoformat()))
    assert response.status_code == 200, error_of(response.get_data(as_text=True), "lag_reason")
    stage = stage_row()
    assert (stage.lag_reason, stage.lag_note, stage.catch_up_date) == (
        "utilities",
        "燃气管道迁改待燃气公司排期",
        later(30),
    )
    card = response.get_data(as_text=True)
    assert "Reason for the delay: Moving utility lines" in card and "燃气管道迁改待燃气公司排期" in card
    history = engineer_client.get(f"/projects/{CODE}?fragment=history", headers=HX).get_data(as_text=True)
    assert "Reason for the delay: — → Moving utility lines" in history
    assert f"Back on track by: — → {later(30).isoformat()}" in history


def test_mark_as_completed_from_the_card_in_one_action(engineer_client, project):
    card = engineer_client.get(f"/projects/{CODE}/stages/rain_sewage").get_data(as_text=True)
    assert re.search(r'<button type="submit" name="action" value="complete"', card)
    response = engineer_client.post(PIPES, data={"action": "complete", "version": "1"}, headers=HX)
    assert response.status_code == 200
    stage = stage_row()
    assert (stage.status, stage.percent, stage.actual_start, stage.actual_end) == ("completed", 100, ago(140), today())


def test_mark_as_completed_without_javascript_fills_the_start_too(engineer_client, project):
    response = engineer_client.post(f"/projects/{CODE}/stages/facade/edit", data={"action": "complete", "version": "1"})
    assert response.status_code == 303
    stage = stage_row("facade")
    assert (stage.status, stage.percent, stage.actual_start, stage.actual_end) == ("completed", 100, today(), today())


def test_mark_as_completed_in_the_form_keeps_what_was_typed(engineer_client, project):
    response = engineer_client.post(
        PIPES, headers=HX, data=values(action="complete", note="雨污管网已通水", actual_start=ago(100).isoformat())
    )
    assert response.status_code == 200
    stage = stage_row()
    assert (stage.status, stage.percent, stage.actual_start, stage.actual_end, stage.note) == (
        "completed",
        100,
        ago(100),
        today(),
        "雨污管网已通水",
    )


def test_mark_as_completed_that_breaks_a_rule_shows_why(engineer_client, project):
    # Paving cannot be completed before rain/sewage separation is.
    response = engineer_client.post(
        f"/projects/{CODE}/stages/paving/edit", data={"action": "complete", "version": "1"}, headers=HX
    )
    assert response.status_code == 422
    assert "Paving cannot be completed" in error_of(response.get_data(as_text=True), "status")
    assert stage_row("paving").status == "not_started"


def test_the_api_reads_and_writes_the_delay(app, client, project):
    token = api_token(make_user("engineer", "engineer"))
    auth = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/projects/{CODE}/stages/rain_sewage"
    refused = client.patch(url, headers=auth, json={"percent": 60, "version": 1})
    assert refused.status_code == 422
    assert set(refused.get_json()["errors"]) == {"lag_reason", "catch_up_date"}
    saved = client.patch(
        url,
        headers=auth,
        json={
            "percent": 60,
            "version": 1,
            "lag_reason": "approvals",
            "lag_note": "规划许可待批",
            "catch_up_date": later(10).isoformat(),
        },
    )
    assert saved.status_code == 200, saved.get_json()
    body = saved.get_json()
    assert (body["lag_reason"], body["lag_note"], body["catch_up_date"]) == (
        "approvals",
        "规划许可待批",
        later(10).isoformat(),
    )
    detail = client.get(f"/api/v1/projects/{CODE}", headers=auth).get_json()
    pipes = next(stage for stage in detail["stages"] if stage["key"] == "rain_sewage")
    assert pipes["lag_reason"] == "approvals" and pipes["catch_up_date"] == later(10).isoformat()
    bad = client.patch(url, headers=auth, json={"version": 2, "catch_up_date": "next week"})
    assert bad.status_code == 422 and "catch_up_date" in bad.get_json()["errors"]


def test_the_bulletin_and_the_dashboard_print_the_reason(app, client, project):
    stage = stage_row("facade")  # not started 80 days after its planned start: the worst stage
    stage.lag_reason, stage.lag_note, stage.catch_up_date = "residents", "部分住户对管线走向有异议", later(20)
    db.session.commit()
    rows = behind_list(list(db.session.scalars(db.select(Project))), today())
    assert rows[0]["lag_reason"] == "residents" and rows[0]["catch_up_date"] == later(20).isoformat()

    html = render_html(preview_snapshot("city", Scope()))  # what the city bulletin prints
    table = html[html.index('class="behind"') :]
    table = table[: table.index("</table>")]
    assert "居民意见协调：部分住户对管线走向有异议" in table
    assert f"计划{later(20).strftime('%Y.%m.%d')}前赶上" in table
    assert "超过计划完成时间未完成" not in table

    client.post("/logout")
    make_user("leader", "leader")
    assert login(client, "leader").status_code == 303
    client.set_cookie("lang", "en")
    dashboard = client.get("/dashboard").get_data(as_text=True)
    panel = dashboard[dashboard.index('id="behind"') :]
    assert f'href="/projects/{CODE}#stage-facade"' in panel  # straight to the stage behind, where the reason is
    assert "Coordinating residents' opinions: 部分住户对管线走向有异议" in html_module.unescape(panel)
