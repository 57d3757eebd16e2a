"""A form's page of its own (the one a section links to without a script) posts as a whole page:
its forms name no section to swap, for the section is not on that page. With a script, a form
aiming htmx at a missing section would do nothing at all when sent."""
import re
from decimal import Decimal

import pytest

from renovation.domain.contents.catalogue import ensure_default_items
from renovation.domain.contents.operations import add_content
from tests.conftest import login, make_project, make_user


def forms_of(client, url: str) -> list[str]:
    answer = client.get(url)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" in html, url
    return re.findall(r"<form[^>]*>", html[html.index("<main"):html.index("</main>")])


@pytest.mark.parametrize("path", ["problems/new", "demands/new", "visits/new"])
def test_a_form_on_a_page_of_its_own_posts_as_a_whole_page(app, client, path):
    project = make_project()
    make_user("engineer", "engineer")
    login(client)
    forms = forms_of(client, f"/projects/{project.code}/{path}")
    assert forms and not [form for form in forms if "hx-post" in form and "#" in form], forms


def test_the_content_page_posts_its_forms_as_a_whole_page(app, client):
    ensure_default_items()
    project = make_project()
    engineer = make_user("engineer", "engineer")
    content = add_content(project, engineer, {"item": "elevators", "planned_quantity": Decimal("2")})
    login(client)
    forms = forms_of(client, f"/contents/{content.id}/edit")
    assert forms and not [form for form in forms if 'hx-target="#contents"' in form], forms
