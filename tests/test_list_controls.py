"""Controls of the long lists that a phone needs: a sort control besides the table headers,
paging that returns to the top of the results, stacked rows for the tables of records."""
import re

from tests.conftest import login, make_project, make_user

HTMX = {"HX-Request": "true"}


def test_the_project_list_has_a_sort_control_that_keeps_the_choice(client, engineer):
    make_project()
    login(client)
    html = client.get("/projects?sort=progress&dir=desc").get_data(as_text=True)
    control = html.split('class="sort-control')[1].split("</div>")[0]
    assert re.search(r'<option value="progress" selected', control)
    assert re.search(r'<option value="desc" selected', control)
    fragment = client.get("/projects?sort=households", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and re.search(r'<option value="households" selected', fragment)
    # Exactly one field named sort is sent with the form (no hidden duplicate).
    assert len(re.findall(r'name="sort"', html)) == 1 and len(re.findall(r'name="dir"', html)) == 1


def test_paging_shows_the_top_of_the_new_results(client, engineer, app):
    app.config["PROJECTS_PER_PAGE"] = 1
    make_project()
    make_project(code="ZP-2026-002", compound="东门小区")
    login(client)
    html = client.get("/projects").get_data(as_text=True)
    assert 'hx-swap="innerHTML show:#results:top" rel="next"' in html


def test_users_and_consultations_are_stacked_rows_on_phones(app):
    make_user("admin", "admin")
    client = app.test_client()
    login(client, "admin")
    users = client.get("/admin/users").get_data(as_text=True)
    assert 'class="striped stack-table' in users and 'data-label=' in users
    consultations = client.get("/consultations").get_data(as_text=True)
    assert "stack-table" in consultations or "No consultation" in consultations or "没有" in consultations
