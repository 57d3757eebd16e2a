from tests.conftest import login, make_project, make_user


def test_engineer_logs_in_and_sees_the_list(client, app):
    make_project()
    make_user()
    response = login(client)
    assert response.status_code == 303
    page = client.get("/projects")
    assert page.status_code == 200
    assert "铁路二段生活小区" in page.get_data(as_text=True)


def test_every_page_names_an_icon_that_is_served(client):
    """The browser asks for an icon on every page; without one, each page logged a 404."""
    import re

    page = client.get("/login").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    with client.get(icon) as served:
        assert served.status_code == 200 and served.mimetype == "image/svg+xml"
        assert served.get_data(as_text=True).startswith("<svg")
