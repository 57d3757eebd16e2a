"""Every form that posts carries its CSRF token, on every page, for every role that sees it.

The other tests switch CSRF off, so a form rendered without its token would pass them all and
fail in a real browser with "this form has expired"; this test walks every page with it on."""
from html.parser import HTMLParser

import pytest

from tests.conftest import PASSWORD, csrf_token_from
from tests.test_permissions import ROWS, _world

pytestmark = pytest.mark.slow


class PostForms(HTMLParser):
    """The forms that post, each with the names and values of its hidden inputs."""

    def __init__(self):
        super().__init__()
        self.forms, self._open = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._open = {"action": attrs.get("action"), "inputs": {}}
            self.forms.append(self._open)
        elif tag == "input" and self._open is not None and attrs.get("name"):
            self._open["inputs"][attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize("role", ["admin", "engineer", "committee", "leader"])
def test_every_post_form_on_every_page_carries_the_csrf_token(csrf_on, role):
    world = _world()
    client = csrf_on.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"username": role, "password": PASSWORD, "csrf_token": token}).status_code == 303
    pages = sorted({row.url(world) for row in ROWS if row.method == "GET" and not row.api})
    forms_seen = 0
    for url in pages:
        with client.get(url) as response:
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            parser = PostForms()
            parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            assert form["inputs"].get("csrf_token"), f"{url}: the form posting to {form['action']} has no CSRF token"
            forms_seen += 1
    assert forms_seen > 10
