"""The list filters the dashboard links to: started projects and one stage in one status."""
from renovation.domain.bulletins.area_data import is_started, load_projects
from tests.conftest import days_ago, login, make_project, make_user
from tests.test_project_list import codes_in

DONE_SURVEY = {"status": "completed", "percent": 100, "actual_start": days_ago(40), "actual_end": days_ago(20)}


def make_mixed():
    make_project("ZP-2026-001")  # nothing started
    make_project("ZP-2026-002", "新华新村", stages={"survey": DONE_SURVEY,
                 "facade": {"status": "in_progress", "percent": 30, "actual_start": days_ago(10)}})
    make_project("ZP-2026-003", "粮食局宿舍", stages={"survey": DONE_SURVEY,
                 "rain_sewage": {"status": "suspended", "percent": 20, "actual_start": days_ago(15),
                                 "note": "雨季停工"}})
    # Only the survey under way: not started on site.
    make_project("ZP-2026-004", "农机公司宿舍区", stages={"survey": {"status": "in_progress", "percent": 50,
                                                               "actual_start": days_ago(5)}})


def test_started_filter_agrees_with_the_bulletin_definition(client):
    make_mixed()
    make_user()
    login(client)
    html = client.get("/projects?started=1").get_data(as_text=True)
    expected = [p.code for p in load_projects() if is_started(p)]
    assert codes_in(html) == expected == ["ZP-2026-002", "ZP-2026-003"]
    assert 'name="started" value="1" checked' in html  # kept when the user filters further


def test_stage_status_filter(client):
    make_mixed()
    make_user()
    login(client)
    assert codes_in(client.get("/projects?stage_status=facade:in_progress").get_data(as_text=True)) == ["ZP-2026-002"]
    assert codes_in(client.get("/projects?stage_status=survey:completed").get_data(as_text=True)) == [
        "ZP-2026-002", "ZP-2026-003"]
    assert codes_in(client.get("/projects?stage_status=survey:completed&started=1&q=粮食").get_data(
        as_text=True)) == ["ZP-2026-003"]


def test_an_unknown_stage_status_is_ignored(client):
    make_mixed()
    make_user()
    login(client)
    for value in ("facade:exploded", "roof:completed", "facade"):
        page = client.get(f"/projects?stage_status={value}")
        assert page.status_code == 200
        assert len(codes_in(page.get_data(as_text=True))) == 4


def test_list_urls_carry_the_new_filters(app):
    from renovation.domain.project_list import ProjectFilter
    from renovation.projects.listing import list_url

    with app.test_request_context():
        assert list_url(ProjectFilter(started=True, stage_status="paving:completed")) == (
            "/projects?started=1&stage_status=paving:completed")
        assert list_url(ProjectFilter()) == "/projects"
