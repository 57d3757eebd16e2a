"""Requests carrying NUL characters are refused cleanly on every route (PostgreSQL cannot store them)."""
from tests.conftest import login, make_project, make_user


def test_nul_in_login_form_is_a_clear_400_not_a_server_error(client, app):
    make_user()
    response = client.post("/login", data={"username": "engi\x00neer", "password": "x"})
    assert response.status_code == 400


def test_nul_in_query_is_refused(client, app):
    make_project()
    make_user()
    login(client)
    assert client.get("/projects?q=%00").status_code == 400
    assert client.get("/projects?q=铁路").status_code == 200


def test_api_empty_street_means_all_streets(client, app):
    from tests.conftest import api_token

    make_project()
    token = api_token(make_user())
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/projects?street=", headers=headers).get_json()["total"] == 1
    assert client.get("/api/v1/projects?street=不存在街道", headers=headers).get_json()["total"] == 0
