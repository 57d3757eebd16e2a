"""Error responses: pages for people, fragments for htmx, JSON for the API."""
import pytest

from renovation.extensions import db
from renovation.models import Community
from tests.conftest import api_token, login, make_project, make_user


def test_unknown_page_is_a_404_page(client):
    client.set_cookie("lang", "en")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "The page or record does not exist." in response.get_data(as_text=True)


def test_unknown_project_is_404_for_signed_in_users(client):
    make_user()
    login(client)
    assert client.get("/projects/ZP-0000-000").status_code == 404
    assert client.get("/projects/ZP-0000-000", headers={"HX-Request": "true"}).status_code == 404


def test_htmx_errors_are_fragments(client):
    response = client.get("/no-such-page", headers={"HX-Request": "true"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert html.startswith("<p") and 'role="alert"' in html and "<html" not in html


@pytest.mark.parametrize("method, url, status", [
    ("GET", "/api/v1/nothing-here", 404),
    ("GET", "/api/v1/projects/ZP-2026-001/stages/survey", 405),
    ("DELETE", "/api/v1/projects", 405),
])
def test_api_errors_are_json(client, method, url, status):
    response = client.open(url, method=method)
    assert response.status_code == status
    assert response.is_json and response.get_json()["error"]


def test_api_unknown_project_is_json_404(client):
    token = api_token(make_user())
    response = client.get("/api/v1/projects/ZP-0000-000", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    assert response.get_json()["error"]


@pytest.fixture
def failing_app(app):
    """The app with a page that fails inside a flush, as an unexpected database error would (tests
    using it are marked ``own_app``: routes cannot be added to the session's app)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def fail_in_flush():
        db.session.add(Community(name="无街道社区", street_id=999999))
        db.session.flush()

    app.add_url_rule("/fail", "fail", fail_in_flush)
    app.add_url_rule("/api/v1/fail", "api_fail", fail_in_flush)
    return app


@pytest.mark.own_app
@pytest.mark.parametrize("role, community", [("committee", "铁路社区"), ("engineer", None)])
def test_server_error_page_after_a_failed_flush(failing_app, client, role, community):
    """The page still renders (with the user's name and community in the header)."""
    make_project()
    make_user(role, role, community=community)
    client.set_cookie("lang", "en")
    login(client, role)
    client.get("/projects", follow_redirects=True)
    response = client.get("/fail")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong on the server." in html
    if community:
        assert community in html
    assert client.get("/projects", follow_redirects=True).status_code == 200  # and the app goes on


@pytest.mark.own_app
def test_server_error_in_the_api_is_json(failing_app, client):
    response = client.get("/api/v1/fail")
    assert response.status_code == 500
    assert response.get_json()["error"]
