from tests.conftest import login, make_project, make_user


def test_engineer_logs_in_and_sees_the_list(client, app):
    make_project()
    make_user()
    response = login(client)
    assert response.status_code == 303
    page = client.get("/projects")
    assert page.status_code == 200
    assert "铁路二段生活小区" in page.get_data(as_text=True)
