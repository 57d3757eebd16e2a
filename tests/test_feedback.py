"""Messages where the eye is: an expired login or form token keeps what was typed, the page
says so in place and offers to send it again; the navigation says where the reader is."""
import re

import pytest

from renovation.extensions import db
from renovation.models import Stage
from tests.conftest import PASSWORD, csrf_token_from, days_ago, login, make_project, make_user

HX = {"HX-Request": "true"}
STAGE_POST = {"status": "in_progress", "percent": "40", "actual_start": days_ago(3).isoformat(), "actual_end": "",
              "note": "管网铺设", "version": "1"}


def login_through_the_form(client):
    """Logs in as a browser does, with the login page's token (CSRF protection on)."""
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "engineer", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def test_htmx_save_after_the_session_ended_keeps_the_form_and_offers_to_log_in(csrf_app, client):
    project = make_project()
    make_user()
    # The page was opened while logged in; then the session cookie went away (expired).
    login_through_the_form(client)
    client.get(f"/projects/{project.code}")
    client.delete_cookie("session")
    response = client.post(f"/projects/{project.code}/stages/survey/edit", data={**STAGE_POST, "csrf_token": "old"},
                           headers={**HX, "X-CSRFToken": "old"})
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "<html" not in html and "HX-Redirect" not in response.headers
    assert "登录已过期，请重新登录" in html
    assert "刷新" not in html and "Reload" not in html
    assert 'target="_blank"' in html and "/login?next=/login/again" in html
    assert "重新提交" in html and "data-feedback-resubmit" in html


def test_htmx_save_with_a_stale_token_while_logged_in_needs_no_new_login(csrf_app, client):
    project = make_project()
    make_user()
    login_through_the_form(client)
    response = client.post(f"/projects/{project.code}/stages/survey/edit", data={**STAGE_POST, "csrf_token": "stale"},
                           headers=HX)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "您填写的内容仍然保留" in html and "重新提交" in html
    assert 'target="_blank"' not in html


def test_htmx_write_after_the_login_ended_keeps_the_form(app, client):
    """The session survives but the login does not (ended elsewhere): no redirect that loses the input."""
    project = make_project()
    make_user()
    response = client.post(f"/projects/{project.code}/stages/survey/edit", data=STAGE_POST, headers=HX)
    assert response.status_code == 401
    assert "HX-Redirect" not in response.headers
    assert "登录已过期，请重新登录" in response.get_data(as_text=True)


def test_full_page_post_after_the_session_ended_keeps_the_values(csrf_app, client):
    project = make_project()
    make_user()
    response = client.post(f"/projects/{project.code}/stages/survey/edit",
                           data={**STAGE_POST, "note": "管网<铺设>", "csrf_token": "old"})
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "登录已过期，请重新登录" in html and "刷新" not in html
    assert 'name="note" value="管网&lt;铺设&gt;"' in html
    assert 'name="percent" value="40"' in html
    assert html.count('name="csrf_token"') >= 1 and 'value="old"' not in html
    assert f'action="/projects/{project.code}/stages/survey/edit"' in html and "data-fresh-token" in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1


def test_a_fresh_token_for_the_current_login(csrf_app, client):
    make_user()
    assert client.get("/session/token", headers={"Accept": "application/json"}).status_code == 401
    login_through_the_form(client)
    response = client.get("/session/token")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    token = response.get_json()["csrf_token"]
    project = make_project()
    saved = client.post(f"/projects/{project.code}/stages/survey/edit", data={**STAGE_POST, "csrf_token": token},
                        headers=HX)
    assert saved.status_code == 200 and "已保存" in saved.get_data(as_text=True)


def test_logged_in_again_page_sends_the_user_back(client):
    make_user()
    login(client)
    html = client.get("/login/again").get_data(as_text=True)
    assert "重新提交" in html and len(re.findall(r"<h1[\s>]", html)) == 1


def test_navigation_marks_the_current_page_and_has_a_skip_link(client):
    make_user()
    login(client)
    html = client.get("/photos").get_data(as_text=True)
    assert re.search(r'<a href="/photos" aria-current="page">', html)
    assert 'href="/projects" aria-current' not in html
    assert re.search(r'<a href="#main" class="skip-link">跳到正文</a>', html)
    assert 'id="main"' in html
    project = make_project()
    html = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert re.search(r'<a href="/projects" aria-current="true">', html)


def test_page_language_follows_the_choice(client):
    make_user()
    login(client)
    assert '<html lang="zh-CN"' in client.get("/projects").get_data(as_text=True)
    client.post("/language", data={"language": "en", "next": "/projects"})
    assert '<html lang="en"' in client.get("/projects").get_data(as_text=True)


def test_full_page_post_after_an_admin_ended_the_login_keeps_the_values(csrf_app, client):
    """The session cookie and its form token are still good, but the login was ended (an admin
    ended the user's sessions): the post is not redirected to the login page, which would lose
    what was typed, but answered with a page holding the values, to send again after logging in."""
    project = make_project()
    engineer = make_user()
    login_through_the_form(client)
    token = csrf_token_from(client.get(f"/projects/{project.code}/stages/survey/edit").get_data(as_text=True))
    engineer.session_epoch += 1  # what ending a user's sessions does
    db.session.commit()
    response = client.post(f"/projects/{project.code}/stages/survey/edit",
                           data={**STAGE_POST, "note": "东侧管网已铺设", "csrf_token": token})
    assert response.status_code == 401 and "Location" not in response.headers
    html = response.get_data(as_text=True)
    assert "登录已过期，请重新登录" in html
    assert 'name="note" value="东侧管网已铺设"' in html and "data-fresh-token" in html
    assert 'target="_blank"' in html and "/login?next=/login/again" in html
    assert Stage.query.filter_by(project_id=project.id, key="survey").one().percent == 0
