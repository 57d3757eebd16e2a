"""The project page and editing a stage through it, with htmx and without JavaScript."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from renovation.domain.clock import today
from renovation.extensions import db
from renovation.models import AuditEntry, Project, Stage, StageEvent
from tests.conftest import login, make_project, make_user

HX = {"HX-Request": "true"}
CODE = "ZP-2026-001"
EDIT = f"/projects/{CODE}/stages/rain_sewage/edit"


def ago(days):
    return today() - timedelta(days=days)


def under_way(code=CODE):
    """Survey done; rain/sewage 40%, facade 30%, paving 20% under way; acceptance not started."""
    return make_project(code, "九龙桂冠小区", "九龙社区", "桂林街道", households=312,
                        start=ago(200), stages={
        "survey": {"status": "completed", "percent": 100, "actual_start": ago(200), "actual_end": ago(150)},
        # Behind its planned end (ago(50)), so it says why and when it will catch up.
        "rain_sewage": {"status": "in_progress", "percent": 40, "actual_start": ago(140),
                        "lag_reason": "utilities", "catch_up_date": today() + timedelta(days=30)},
        "facade": {"status": "in_progress", "percent": 30, "actual_start": ago(100)},
        "paving": {"status": "in_progress", "percent": 20, "actual_start": ago(50)},
    })


@pytest.fixture
def engineer_client(client):
    user = make_user("engineer", "engineer")
    user.display_name = "林建华"
    db.session.commit()
    assert login(client).status_code == 303
    client.set_cookie("lang", "en")  # English pages whatever the state of the Chinese catalog
    return client


@pytest.fixture
def project(app):
    return under_way()


def stage_row(key="rain_sewage", code=CODE) -> Stage:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Stage).join(Project).where(Project.code == code, Stage.key == key)
    )


def events() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(StageEvent))


def form_values(**changes):
    values = {"status": "in_progress", "percent": "60", "actual_start": ago(140).isoformat(),
              "actual_end": "", "note": "东段管道已铺设", "version": "1",
              # Rain/sewage separation is 50 days behind its planned end: the form asks why.
              "lag_reason": "utilities", "lag_note": "", "catch_up_date": (today() + timedelta(days=30)).isoformat()}
    values.update(changes)
    return values


def input_value(html, name):
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found, name
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def selected_option(html, name):
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    return re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select).group(1, 2)


def error_of(html, field):
    found = re.search(rf'<small id="(?:\w+-)?{field}-error" class="field-error">(.*?)</small>', html, re.S)
    return found.group(1) if found else None


# --- the project page ----------------------------------------------------------------------------

def test_project_page_shows_facts_strip_and_five_cards(engineer_client, project):
    response = engineer_client.get(f"/projects/{CODE}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" in html
    for fact in ("九龙桂冠小区", CODE, "桂林街道", "九龙社区", "312", "漳平市城建工程有限公司",
                 "龙岩市建设监理有限公司", "林建华", "420.00", "2026年第一批", "1984"):
        assert fact in html, fact
    strip = re.search(r'<ol class="stage-strip".*?</ol>', html, re.S).group(0)
    steps = re.findall(r'<li class="step status-(\w+)( current)?">', strip)
    assert steps == [("completed", ""), ("in_progress", " current"), ("in_progress", ""),
                     ("in_progress", ""), ("not_started", "")]
    assert "Rain/sewage separation" in strip and "40%" in strip
    cards = re.findall(r'<article class="stage-card status-(\w+)" id="stage-(\w+)">', html)
    assert cards == [("completed", "survey"), ("in_progress", "rain_sewage"), ("in_progress", "facade"),
                     ("in_progress", "paving"), ("not_started", "acceptance")]
    assert html.count(">Update</a>") == 5
    assert "No changes recorded yet." in html


def test_summary_fragment(engineer_client, project):
    response = engineer_client.get(f"/projects/{CODE}?fragment=summary", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="summary"')
    assert "<html" not in html and "stage-card" not in html


@pytest.mark.parametrize("fragment", ["bogus", "content", "title", ""])
def test_unknown_fragment_gets_a_page_not_a_crash(engineer_client, project, fragment):
    response = engineer_client.get(f"/projects/{CODE}?fragment={fragment}", headers=HX)
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert "stage-card" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["committee", "leader"])
def test_readers_see_the_page_without_update_buttons(client, project, role):
    make_user("reader", role, community="九龙社区" if role == "committee" else None)
    login(client, "reader")
    html = client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert html.count('<article class="stage-card') == 5
    assert "/edit" not in html


# --- editing with htmx -----------------------------------------------------------------------------

def test_edit_fragment_is_the_form_with_the_current_values(engineer_client, project):
    response = engineer_client.get(EDIT, headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert html.lstrip().startswith('<article class="stage-card status-in_progress" id="stage-rain_sewage">')
    assert f'hx-post="{EDIT}"' in html
    assert selected_option(html, "status") in (("in_progress", None), (None, "in_progress"))
    assert input_value(html, "percent") == "40"
    assert input_value(html, "actual_start") == ago(140).isoformat()
    assert input_value(html, "actual_end") == ""
    assert input_value(html, "version") == "1"


def test_valid_edit_saves_and_answers_with_the_card(engineer_client, project):
    response = engineer_client.post(EDIT, data=form_values(), headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "stageChanged"
    html = response.get_data(as_text=True)
    assert "<html" not in html and "stage-form" not in html  # the edit form is gone (the photo upload stays)
    assert 'id="stage-rain_sewage"' in html
    assert "Saved." in html and "60%" in html and "东段管道已铺设" in html
    stage = stage_row()
    assert (stage.status, stage.percent, stage.note, stage.version) == ("in_progress", 60, "东段管道已铺设", 2)
    project = db.session.scalar(sa.select(Project).where(Project.code == CODE))
    assert project.progress == round((100 + 60 + 30 + 20 + 0) / 5)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "stage.update")) == 1


def test_history_fragment_shows_the_change(engineer_client, project):
    engineer_client.post(EDIT, data=form_values(), headers=HX)
    response = engineer_client.get(f"/projects/{CODE}?fragment=history", headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="history"')
    assert "<html" not in html
    assert "林建华" in html
    assert "Rain/sewage separation" in html
    assert "Percent complete: 40% → 60%" in html
    assert "Note: — → 东段管道已铺设" in html
    assert "Status" not in html  # unchanged fields are not listed


def test_completing_a_stage_moves_the_current_stage(engineer_client, project):
    values = form_values(status="completed", percent="100", actual_end=ago(1).isoformat())
    assert engineer_client.post(EDIT, data=values, headers=HX).status_code == 200
    summary = engineer_client.get(f"/projects/{CODE}?fragment=summary", headers=HX).get_data(as_text=True)
    assert re.search(r'<li class="step status-in_progress current">\s*<a href="#stage-facade">', summary)
    history = engineer_client.get(f"/projects/{CODE}?fragment=history", headers=HX).get_data(as_text=True)
    assert "Status: In progress → Completed" in history
    assert f"Actual end: — → {ago(1).isoformat()}" in history


def test_rule_violation_keeps_the_input_and_changes_nothing(engineer_client, project):
    paving = f"/projects/{CODE}/stages/paving/edit"
    values = {"status": "completed", "percent": "100", "actual_start": ago(50).isoformat(),
              "actual_end": ago(2).isoformat(), "note": "路面已硬化", "version": "1"}
    response = engineer_client.post(paving, data=values, headers=HX)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert "Paving cannot be completed before rain/sewage separation is completed" in error_of(html, "status")
    assert 'aria-invalid="true"' in html
    # The user's input is kept.
    assert selected_option(html, "status") in (("completed", None), (None, "completed"))
    assert input_value(html, "percent") == "100"
    assert input_value(html, "actual_end") == ago(2).isoformat()
    assert "路面已硬化" in html
    stage = stage_row("paving")
    assert (stage.status, stage.percent, stage.actual_end, stage.note, stage.version) == (
        "in_progress", 20, None, "", 1)
    assert events() == 0
    assert "HX-Trigger" not in response.headers


def test_stale_version_is_a_conflict_and_overwrites_nothing(engineer_client, project, app):
    opened = engineer_client.get(EDIT, headers=HX).get_data(as_text=True)
    assert input_value(opened, "version") == "1"
    # Meanwhile a colleague, who opened the same form, saves the stage.
    make_user("colleague", "engineer")
    colleague = app.test_client()
    login(colleague, "colleague")
    saved = colleague.post(EDIT, data=form_values(percent="55", note="同事已更新"), headers=HX)
    assert saved.status_code == 200

    response = engineer_client.post(EDIT, data=form_values(percent="70", note="我的修改"), headers=HX)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else changed this stage" in html
    # The current values in the form, the user's own input in the message.
    assert input_value(html, "percent") == "55"
    assert input_value(html, "version") == "2"
    assert "同事已更新" in html
    assert "70%" in html and "我的修改" in html
    stage = stage_row()
    assert (stage.percent, stage.note, stage.version) == (55, "同事已更新", 2)
    assert events() == 1

    # Saving again from the refreshed form works.
    retry = engineer_client.post(EDIT, data=form_values(percent="70", note="我的修改", version="2"), headers=HX)
    assert retry.status_code == 200
    assert stage_row().percent == 70


@pytest.mark.parametrize("percent, message", [
    ("abc", "Percent complete must be a whole number from 0 to 100."),
    ("150", "Percent complete must be a whole number from 0 to 100."),
    ("-1", "Percent complete must be a whole number from 0 to 100."),
    ("", "Enter the percent complete (0 to 100)."),
])
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "nojs"])
def test_bad_percent_is_refused_beside_the_field(engineer_client, project, percent, message, htmx):
    response = engineer_client.post(EDIT, data=form_values(percent=percent), headers=HX if htmx else {})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in error_of(html, "percent")
    assert ("<html" in html) is not htmx
    assert stage_row().percent == 40 and stage_row().version == 1


@pytest.mark.parametrize("field, value", [
    ("actual_start", "2026-13-01"), ("actual_start", "yesterday"), ("status", "finished"),
    ("version", "abc"),
])
def test_other_bad_values_are_refused(engineer_client, project, field, value):
    response = engineer_client.post(EDIT, data=form_values(**{field: value}), headers=HX)
    assert response.status_code in (409, 422)
    assert stage_row().version == 1 and events() == 0


def test_note_with_a_nul_byte_is_refused_and_nothing_saved(engineer_client, project):
    """PostgreSQL refuses NUL in text: the request is a clear 400 and the stage is unchanged."""
    before = stage_row().version
    response = engineer_client.post(EDIT, data=form_values(note="东段\x00管道"), headers=HX)
    assert response.status_code == 400
    assert "flash-error" in response.get_data(as_text=True)
    assert stage_row().version == before


# --- without JavaScript ----------------------------------------------------------------------------

def test_full_page_edit_form_without_javascript(engineer_client, project):
    response = engineer_client.get(EDIT)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" in html
    assert f'<form method="post" action="{EDIT}"' in html
    assert input_value(html, "percent") == "40"


def test_valid_post_without_javascript_redirects_to_the_project(engineer_client, project):
    response = engineer_client.post(EDIT, data=form_values())
    assert response.status_code == 303
    assert response.headers["Location"] == f"/projects/{CODE}#stage-rain_sewage"
    assert stage_row().percent == 60
    page = engineer_client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert "Percent complete: 40% → 60%" in page


def test_rule_violation_without_javascript_shows_the_full_page(engineer_client, project):
    response = engineer_client.post(f"/projects/{CODE}/stages/paving/edit", data={
        "status": "completed", "percent": "100", "actual_start": ago(50).isoformat(),
        "actual_end": ago(2).isoformat(), "note": "", "version": "1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" in html
    assert "Paving cannot be completed before rain/sewage separation is completed" in error_of(html, "status")
    assert stage_row("paving").status == "in_progress"


# --- who may edit, and what exists -------------------------------------------------------------

# Committees and leaders may not open or post the edit form, as a page or through htmx, and
# change nothing: the permission matrix and its htmx test (tests/test_permissions.py).


def test_admin_may_edit(client, project):
    make_user("boss", "admin")
    login(client, "boss")
    assert client.post(EDIT, data=form_values(), headers=HX).status_code == 200
    assert stage_row().percent == 60


def test_anonymous_may_not_edit(client, project):
    assert client.post(EDIT, data=form_values(), headers=HX).status_code == 401
    response = client.post(EDIT, data=form_values())  # a full-page post: the values kept, a login offered
    assert response.status_code == 401 and "/login?next=/login/again" in response.get_data(as_text=True)
    assert stage_row().version == 1


@pytest.mark.parametrize("url", [
    "/projects/ZP-9999-999", "/projects/ZP-9999-999/stages/survey", "/projects/ZP-9999-999/stages/survey/edit",
    f"/projects/{CODE}/stages/drainage", f"/projects/{CODE}/stages/drainage/edit",
    f"/projects/{CODE}/stages/done/edit",
])
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "nojs"])
def test_unknown_project_or_stage_is_404(engineer_client, project, url, htmx):
    headers = HX if htmx else {}
    assert engineer_client.get(url, headers=headers).status_code == 404
    if url.endswith("/edit"):
        assert engineer_client.post(url, data=form_values(), headers=headers).status_code == 404


def test_cancel_gets_the_plain_card(engineer_client, project):
    response = engineer_client.get(f"/projects/{CODE}/stages/rain_sewage", headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "stage-form" not in html and ">Update</a>" in html
