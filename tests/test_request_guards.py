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


# Keys that url_for takes as its own arguments, and a few a filter form does not know.
ODD_QUERY = "?_method=POST&_external=1&_anchor=x&_scheme=javascript&endpoint=x&values=1&zzz=1&page=2"
LIST_PAGES = ["/", "/projects", "/photos", "/consultations", "/demands", "/bulletins", "/dashboard",
              "/admin/audit", "/admin/users"]


def test_odd_query_keys_on_every_list_page_give_a_normal_page(client, app):
    make_project()
    make_user(role="admin")
    login(client)
    for path in LIST_PAGES:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(path + ODD_QUERY, headers=headers)
            assert response.status_code in (200, 302), (path, headers, response.status_code)
    response = client.get("/demands" + ODD_QUERY + "&fragment=figures", headers={"HX-Request": "true"})
    assert response.status_code == 200
