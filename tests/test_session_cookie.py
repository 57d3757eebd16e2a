"""A message put in the session by a click survives a slow part of the same page answering after it."""
import re

import sqlalchemy as sa

from renovation.extensions import db
from renovation.models import ApiToken
from tests.conftest import api_token, csrf_token_from, login

HTMX = {"HX-Request": "true"}


def _session_cookie(response):
    return [header for header in response.headers.getlist("Set-Cookie") if header.startswith("session=")]


def test_a_part_loaded_by_the_page_does_not_send_the_session_back(client, engineer):
    login(client)
    assert _session_cookie(client.get("/projects")), "a page renews the session"
    assert _session_cookie(client.get("/projects", headers={**HTMX, "HX-Boosted": "true"})), "so does a navigation"
    assert not _session_cookie(client.get("/notifications", headers=HTMX))


def test_the_message_of_a_click_survives_a_slow_part_answering_after_it(app, client, engineer):
    api_token(engineer)
    token_id = db.session.scalar(sa.select(ApiToken.id))
    login(client)
    page = client.get("/account/tokens").get_data(as_text=True)
    cookie_before_the_click = client.get_cookie("session").value

    client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token_from(page)})
    # The part the page asked for before the click answers now, with the cookie it was sent with:
    # a browser stores whatever cookie that answer carries.
    slow_part = app.test_client()
    slow_part.set_cookie("session", cookie_before_the_click)
    for header in _session_cookie(slow_part.get("/notifications", headers=HTMX)):
        client.set_cookie("session", re.match(r"session=([^;]*)", header).group(1))

    page = client.get("/account/tokens").get_data(as_text=True)
    assert re.search(r'class="flash flash-success"[^>]*>API 令牌 #\d+ 已撤销', page)
