"""Logging in and out, sessions, the login throttle, redirects, CSRF and request limits."""
import re
import statistics
import threading
import time
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.test import encode_multipart

from renovation.domain import accounts, login_throttle
from renovation.domain.clock import utcnow
from renovation.domain.residents.consultations import add_consultation
from renovation.extensions import db
from renovation.models import Stage, User
from tests.conftest import PASSWORD, api_token, csrf_token_from, days_ago, login, make_project, make_user

ENGLISH = "lang"


def english(client):
    client.set_cookie(ENGLISH, "en")
    return client


def is_logged_in(client) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def database_state() -> dict:
    db.session.expire_all()
    state = {}
    for table in db.metadata.sorted_tables:
        state[table.name] = [tuple(row) for row in db.session.execute(sa.select(table).order_by(*table.primary_key))]
    db.session.rollback()
    return state


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# --- logging in -------------------------------------------------------------------------------

def test_login_redirects_the_engineer_to_the_overview_with_303(client, engineer):
    response = login(client)
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/dashboard"
    assert is_logged_in(client)
    assert client.get("/projects").status_code == 200
    assert reload(engineer).last_login_at is not None


def test_a_leader_lands_on_the_overview_with_the_latest_bulletins_first(client):
    make_user("leader", "leader")
    assert urlsplit(login(client, "leader").headers["Location"]).path == "/dashboard"
    assert urlsplit(client.get("/").headers["Location"]).path == "/dashboard"
    assert urlsplit(client.get("/login").headers["Location"]).path == "/dashboard"
    page = client.get("/dashboard").get_data(as_text=True)
    assert page.index('id="bulletins"') < page.index('class="kpis"')
    assert client.get("/bulletins").status_code == 200


def test_a_committee_member_lands_on_the_project_list(client):
    make_user("committee", "committee", community="铁路社区")
    assert urlsplit(login(client, "committee").headers["Location"]).path == "/projects"


def test_login_page_renders_for_anonymous_users(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="username"' in html and 'name="password"' in html


@pytest.mark.parametrize("username, password", [("engineer", "wrong-password"), ("nobody", PASSWORD),
                                                ("engineer", ""), ("", PASSWORD)])
def test_wrong_login_shows_a_message_and_starts_no_session(client, engineer, username, password):
    response = login(client, username, password)
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert not is_logged_in(client)
    assert client.get("/projects").status_code == 302


def test_wrong_password_message_in_english(client, engineer):
    html = login(english(client), "engineer", "wrong-password").get_data(as_text=True)
    assert "Wrong username or password." in html


def test_disabled_user_cannot_log_in(client, engineer):
    accounts.set_active(engineer, False, None)
    db.session.commit()
    assert login(client).status_code == 200
    assert not is_logged_in(client)


def test_username_surrounding_spaces_are_ignored(client, engineer):
    assert login(client, "  engineer ", PASSWORD).status_code == 303


# --- the throttle: same answers, growing delays, no lock-out by strangers -------------------------

STRANGER = {"REMOTE_ADDR": "192.168.7.66"}
OWN_DESK = {"REMOTE_ADDR": "192.168.7.10"}


def without_tokens(html: str) -> str:
    """The page without its CSRF tokens, which carry a timestamp."""
    return re.sub(r'(csrf_token"(?: type="hidden")? value="|X-CSRFToken": ")[^"]+', r"\1", html)


def answer(client, username, password, environ=None):
    response = client.post("/login", data={"username": username, "password": password}, environ_base=environ or {})
    return response.status_code, without_tokens(response.get_data(as_text=True).replace(username, "NAME"))


def test_unknown_user_wrong_password_and_disabled_account_answer_alike(client, engineer):
    english(client)
    make_user("retired", "engineer")
    accounts.set_active(accounts.find_user("retired"), False, None)
    db.session.commit()
    unknown = answer(client, "nobody", "wrong-password")
    wrong = answer(client, "engineer", "wrong-password")
    disabled = answer(client, "retired", PASSWORD)  # even with the right password
    assert unknown == wrong == disabled
    assert unknown[0] == 200 and "Wrong username or password." in unknown[1]


def test_a_throttled_known_user_and_a_throttled_unknown_name_answer_alike(client, engineer, monkeypatch):
    english(client)
    moment = utcnow()
    monkeypatch.setattr(login_throttle, "utcnow", lambda: moment)  # the same "N seconds" in both
    answers = {}
    for username in ("engineer", "nobody"):
        for _attempt in range(5):
            assert answer(client, username, "wrong-password")[0] == 200
        answers[username] = answer(client, username, PASSWORD if username == "engineer" else "wrong-password")
    assert answers["engineer"] == answers["nobody"]
    status, html = answers["engineer"]
    assert status == 429 and "Too many failed logins from here. Try again in 30 seconds." in html
    assert not is_logged_in(client)


def test_the_throttled_answer_names_the_wait_and_sends_retry_after(client, engineer):
    for _attempt in range(5):
        login(client, "engineer", "wrong-password")
    refused = login(client)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 30
    assert 'lang="zh-CN"' in refused.get_data(as_text=True)
    assert "请" in refused.get_data(as_text=True) and "秒" in refused.get_data(as_text=True)


def _median_seconds(client, attempts, times=5) -> list[float]:
    """The median time of each (username, password, environ) attempt over ``times`` rounds.

    The attempts take turns within each round, so a machine that slows down for a while slows
    every kind alike instead of the one that happened to be measured then."""
    durations = [[] for _attempt in attempts]
    for _round in range(times):
        for kind, (username, password, environ) in enumerate(attempts):
            started = time.perf_counter()
            client.post("/login", data={"username": username, "password": password}, environ_base=environ)
            durations[kind].append(time.perf_counter() - started)
    return [statistics.median(kind) for kind in durations]


@pytest.mark.slow
def test_refusals_take_the_same_time(app, client, engineer):
    """Medians of a few attempts, with a slow hash so its cost dominates a noisy machine."""
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:150000"
    for username in ("engineer", "retired"):
        accounts.set_password(accounts.find_user(username) or make_user(username, "engineer"), PASSWORD, None)
    accounts.set_active(accounts.find_user("retired"), False, None)
    db.session.commit()
    client.post("/login", data={"username": "warm-up", "password": "x"})  # the dummy hash is made once
    unknown, wrong, disabled = _median_seconds(client, [
        ("nobody", "wrong-password", {"REMOTE_ADDR": "10.1.0.1"}),
        ("engineer", "wrong-password", {"REMOTE_ADDR": "10.1.0.2"}),
        ("retired", PASSWORD, {"REMOTE_ADDR": "10.1.0.3"})])
    fastest, slowest = min(unknown, wrong, disabled), max(unknown, wrong, disabled)
    assert slowest - fastest < max(0.5 * slowest, 0.03), (unknown, wrong, disabled)

    # Throttled, a known name and an unknown one cost the same too (no hash at all).
    known_blocked, unknown_blocked = _median_seconds(client, [
        ("engineer", PASSWORD, {"REMOTE_ADDR": "10.1.0.2"}),
        ("nobody", PASSWORD, {"REMOTE_ADDR": "10.1.0.1"})])
    assert abs(known_blocked - unknown_blocked) < max(0.5 * max(known_blocked, unknown_blocked), 0.03), (
        known_blocked, unknown_blocked)


def test_a_stranger_guessing_elsewhere_cannot_lock_the_user_out(app, engineer):
    stranger = app.test_client()
    for _attempt in range(40):
        stranger.post("/login", data={"username": "engineer", "password": "wrong-password"}, environ_base=STRANGER)
    assert stranger.post("/login", data={"username": "engineer", "password": PASSWORD},
                         environ_base=STRANGER).status_code == 429
    user = app.test_client()
    response = user.post("/login", data={"username": "engineer", "password": PASSWORD}, environ_base=OWN_DESK)
    assert response.status_code == 303
    assert is_logged_in(user)


def test_the_block_ends_after_its_delay(client, engineer, monkeypatch):
    for _attempt in range(5):
        login(client, "engineer", "wrong-password")
    assert login(client).status_code == 429
    moment = utcnow() + timedelta(seconds=31)
    monkeypatch.setattr(login_throttle, "utcnow", lambda: moment)
    assert login(client).status_code == 303


def test_a_success_resets_the_failure_count(client, engineer):
    for _attempt in range(4):
        login(client, "engineer", "wrong-password")
    assert login(client).status_code == 303
    client.post("/logout")
    for _attempt in range(4):
        login(client, "engineer", "wrong-password")
    assert login(client).status_code == 303


def _guess_in_parallel(app, threads=30) -> list[int]:
    barrier = threading.Barrier(threads)
    statuses = []

    def guess():
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post("/login", data={"username": "engineer", "password": "wrong-password"}).status_code)

    workers = [threading.Thread(target=guess) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return statuses


def test_thirty_parallel_guesses_get_at_most_five_password_checks(app, engineer, monkeypatch):
    """Real threads on the real database (SQLite or PostgreSQL): the counter cannot be raced."""
    checks = []
    real_check = accounts.check_password_hash

    def counting_check(*args):
        checks.append(1)
        time.sleep(0.02)  # a real hash takes a while: the window a read-modify-write would lose in
        return real_check(*args)

    monkeypatch.setattr(accounts, "check_password_hash", counting_check)
    statuses = _guess_in_parallel(app)
    assert len(statuses) == 30
    assert len(checks) <= 5, f"{len(checks)} password checks"
    assert statuses.count(200) == len(checks) and statuses.count(429) == 30 - len(checks)


# --- the session cookie ---------------------------------------------------------------------------

def test_session_cookie_is_httponly_and_samesite_lax(client, engineer):
    response = login(client)
    cookies = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")]
    assert cookies, "login sets the session cookie"
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookies[-1].split(";")[1:]}
    assert "httponly" in attributes
    assert attributes["samesite"].lower() == "samesite=lax"


def test_login_starts_a_fresh_session(client, engineer):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "from before login"
        session["_fresh"] = False
    before = client.get_cookie("session").value
    assert login(client).status_code == 303
    assert client.get_cookie("session").value != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{engineer.id}:{reload(engineer).session_epoch}"


def test_logged_in_user_visiting_login_goes_home(client, engineer):
    login(client)
    response = client.get("/login")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/dashboard"


# --- logging out and ending sessions -----------------------------------------------------------

def test_logout_is_post_only(client, engineer):
    login(client)
    assert client.get("/logout").status_code == 405
    assert is_logged_in(client)
    assert client.get("/projects").status_code == 200


def test_logout_ends_the_session_and_old_cookies(client, app, engineer):
    login(client)
    stolen = client.get_cookie("session").value
    response = client.post("/logout")
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert not is_logged_in(client)
    assert client.get("/projects").status_code == 302

    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/projects").status_code == 302


def test_logout_after_the_session_ended_goes_straight_to_login(client, app, engineer):
    """Not via the login page with next=/logout, which would lead to a GET of a POST-only page."""
    login(client)
    admin = _admin_client(app)
    admin.post(f"/admin/users/{engineer.id}/password", data={"password": "brand-new-password"})
    response = client.post("/logout")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert not is_logged_in(client)
    after = client.post("/login", data={"username": "engineer", "password": "brand-new-password"})
    assert after.headers["Location"] == "/dashboard"


def _admin_client(app):
    make_user("admin", "admin")
    admin = app.test_client()
    assert login(admin, "admin").status_code == 303
    return admin


def test_disabling_a_user_ends_their_session_at_once(client, app, engineer):
    login(client)
    assert client.get("/projects").status_code == 200
    admin = _admin_client(app)
    assert admin.post(f"/admin/users/{engineer.id}/active").status_code == 303
    assert reload(engineer).active is False

    response = client.get("/projects")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert client.get("/projects", headers={"HX-Request": "true"}).status_code == 401
    assert login(client).status_code == 200  # and cannot log in again

    assert admin.post(f"/admin/users/{engineer.id}/active").status_code == 303  # enabled again
    assert client.get("/projects").status_code == 302  # the old session stays ended
    assert login(client).status_code == 303


def test_resetting_a_password_ends_sessions(client, app, engineer):
    login(client)
    admin = _admin_client(app)
    response = admin.post(f"/admin/users/{engineer.id}/password", data={"password": "brand-new-password"})
    assert response.status_code == 303
    assert client.get("/projects").status_code == 302
    assert login(client).status_code == 200  # the old password is gone
    assert login(client, "engineer", "brand-new-password").status_code == 303


def test_the_admins_own_session_survives_their_writes(app, engineer):
    admin = _admin_client(app)
    admin.post(f"/admin/users/{engineer.id}/active")
    admin.post(f"/admin/users/{engineer.id}/password", data={"password": "brand-new-password"})
    assert admin.get("/admin/users").status_code == 200


# --- where login sends you ----------------------------------------------------------------------

def test_login_returns_to_the_page_asked_for(client, engineer):
    project = make_project()
    asked = client.get(f"/projects/{project.code}")
    assert asked.status_code == 302
    login_url = asked.headers["Location"]
    form = client.get(login_url).get_data(as_text=True)
    assert "next=" in form  # the form posts back with the page asked for
    response = client.post(login_url, data={"username": "engineer", "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/projects/{project.code}"


@pytest.mark.parametrize("target", ["/projects?q=%E9%93%81%E8%B7%AF&page=2", "/admin/users"])
def test_next_within_the_site_is_followed(client, engineer, target):
    response = client.post("/login", query_string={"next": target},
                           data={"username": "engineer", "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == target


OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\t/evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "evil.example",
    " //evil.example",
]


def where_a_browser_goes(location: str) -> str:
    """The host a browser would go to: it strips tabs and newlines and reads ``\\`` as ``/``."""
    cleaned = "".join(c for c in location if c not in "\t\r\n").strip().replace("\\", "/")
    return urlsplit(urljoin("http://localhost/login", cleaned)).netloc


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_off_the_site_is_refused(client, engineer, target):
    response = client.post("/login", query_string={"next": target},
                           data={"username": "engineer", "password": PASSWORD})
    assert response.status_code == 303
    assert where_a_browser_goes(response.headers["Location"]) == "localhost"


@pytest.mark.parametrize("target", OFF_SITE)
def test_language_switch_refuses_off_site_next(client, target):
    response = client.post("/language", data={"language": "en", "next": target})
    assert response.status_code == 303
    assert where_a_browser_goes(response.headers["Location"]) == "localhost"


def test_language_switch_sets_the_cookie_and_returns(client):
    response = client.post("/language", data={"language": "en", "next": "/login"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert client.get_cookie("lang").value == "en"
    assert 'lang="en"' in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"language": "klingon", "next": "/login"})
    assert client.get_cookie("lang").value == "en"


# --- CSRF ----------------------------------------------------------------------------------------

@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def test_login_without_csrf_token_is_refused(csrf_app, engineer):
    client = english(csrf_app.test_client())
    response = login(client)
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert not is_logged_in(client)


def test_login_with_csrf_token_works(csrf_app, engineer):
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "engineer", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303


def _logged_in_with_token(app, username):
    client = english(app.test_client())
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"username": username, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 303
    return client, csrf_token_from(client.get("/projects").get_data(as_text=True))


def test_post_without_csrf_token_changes_nothing(csrf_app):
    project = make_project()
    make_user("admin", "admin")
    target = make_user("engineer", "engineer")
    client, _token = _logged_in_with_token(csrf_app, "admin")
    before = database_state()
    writes = [
        (f"/projects/{project.code}/stages/survey/edit",
         {"status": "in_progress", "percent": "10", "actual_start": days_ago(1).isoformat(), "version": "1"}),
        ("/admin/users", {"username": "newcomer", "role": "engineer", "community": "0", "password": "long-password"}),
        (f"/admin/users/{target.id}/active", {}),
        (f"/admin/users/{target.id}/password", {"password": "another-password"}),
        ("/logout", {}),
    ]
    for url, data in writes:
        response = client.post(url, data=data)
        assert response.status_code == 400, url
        assert "This form has expired" in response.get_data(as_text=True)
        assert "Reload" not in response.get_data(as_text=True)
        assert "password" not in data or data["password"] not in response.get_data(as_text=True)
        htmx = client.post(url, data=data, headers={"HX-Request": "true"})
        assert htmx.status_code == 400
        assert 'role="alert"' in htmx.get_data(as_text=True)
    assert client.post(f"/projects/{project.code}/stages/survey/edit",
                       data={**writes[0][1], "csrf_token": "forged"}).status_code == 400
    assert database_state() == before
    assert is_logged_in(client)


def test_htmx_post_with_csrf_header_succeeds(csrf_app):
    project = make_project()
    make_user("engineer", "engineer")
    client, token = _logged_in_with_token(csrf_app, "engineer")
    assert token
    response = client.post(
        f"/projects/{project.code}/stages/survey/edit",
        data={"status": "in_progress", "percent": "10", "actual_start": days_ago(1).isoformat(), "note": "",
              "version": "1"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert response.headers.get("HX-Trigger") == "stageChanged"
    stage = db.session.scalar(sa.select(Stage).where(Stage.key == "survey"))
    db.session.refresh(stage)
    assert (stage.status, stage.percent) == ("in_progress", 10)


def test_page_carries_the_csrf_header_for_htmx(csrf_app):
    """The header htmx sends with every request carries a token the server takes. (Two pages
    signed in different seconds carry different tokens: the test checks the token works, not
    that it equals another page's.)"""
    make_user("engineer", "engineer")
    client, _token = _logged_in_with_token(csrf_app, "engineer")
    html = client.get("/projects").get_data(as_text=True)
    header_token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    answer = client.post("/logout", headers={"HX-Request": "true", "X-CSRFToken": header_token})
    assert answer.status_code in (200, 204, 303)
    assert not is_logged_in(client)


def test_logout_with_csrf_token_works(csrf_app):
    make_user("engineer", "engineer")
    client, token = _logged_in_with_token(csrf_app, "engineer")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert not is_logged_in(client)


def test_the_api_needs_no_csrf_token(csrf_app):
    project = make_project()
    token = api_token(make_user("engineer", "engineer"))
    response = csrf_app.test_client().patch(
        f"/api/v1/projects/{project.code}/stages/survey",
        json={"status": "in_progress", "percent": 10, "actual_start": days_ago(1).isoformat(), "version": 1},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200


# --- request limits and methods ------------------------------------------------------------------

def test_request_too_large_is_413(client, engineer):
    english(client)
    response = client.post("/login", data={"username": "engineer", "password": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "What you sent is too large." in response.get_data(as_text=True)
    assert not is_logged_in(client)


def test_form_field_too_large_is_413(client, app, engineer):
    login(client)
    make_user("admin", "admin")
    admin = app.test_client()
    login(admin, "admin")
    before = database_state()
    # Werkzeug caps each field of a multipart form (urlencoded forms only by the total size).
    # Encoded here, in memory: the test client would spool a body this large to an unclosed file.
    boundary, body = encode_multipart({"username": "big", "role": "engineer", "community": "0",
                                       "display_name": "x" * (600 * 1024), "password": "long-password"})
    response = admin.post("/admin/users", data=body, content_type=f"multipart/form-data; boundary={boundary}",
                          headers={"HX-Request": "true"})
    assert response.status_code == 413
    assert 'role="alert"' in response.get_data(as_text=True)
    assert database_state() == before


def test_api_request_too_large_is_413_json(client):
    project = make_project()
    token = api_token(make_user("engineer", "engineer"))
    response = client.patch(f"/api/v1/projects/{project.code}/stages/survey",
                            json={"note": "x" * (3 * 1024 * 1024), "version": 1},
                            headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 413
    assert response.get_json()["error"]


def _write_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint != "static" and rule.methods - {"GET", "HEAD", "OPTIONS"}]


def _example_url(rule, project, user):
    from werkzeug.routing.converters import AnyConverter

    values = {"code": project.code, "key": "survey", "user_id": user.id, "sha256": "0" * 64, "fmt": "xlsx"}
    for name in rule.arguments:  # one of the choices of an ``any`` step; an id of 1 (found or not)
        converter = rule._converters[name]
        values.setdefault(name, sorted(converter.items)[0] if isinstance(converter, AnyConverter) else 1)
    return rule.build({name: values[name] for name in rule.arguments})[1]


def _answers_get(app, url) -> bool:
    """Whether a route reads this URL (a write route may share its path with a read one)."""
    from werkzeug.exceptions import MethodNotAllowed

    try:
        app.url_map.bind("localhost").match(url, method="GET")
    except MethodNotAllowed:
        return False
    return True


@pytest.mark.slow
def test_no_state_change_over_get(client, app):
    """GET to any endpoint that writes is 405, or a read-only page even with the form's fields."""
    project = make_project()
    admin = make_user("admin", "admin")
    target = make_user("target", "engineer")
    # /consultations/1/edit is also a page (the edit form): a consultation for it to show.
    add_consultation(project, admin, {"date": days_ago(1), "kind": "hearing", "topic": "听证"}, None)
    login(client, "admin")
    query = {"username": "sneaky", "role": "admin", "community": "0", "password": "long-password",
             "status": "in_progress", "percent": "50", "actual_start": days_ago(1).isoformat(), "version": "1",
             "language": "en", "next": "/projects", "csrf_token": "x"}
    anonymous = app.test_client()
    rules = _write_rules(app)
    assert rules
    for rule in rules:
        url = _example_url(rule, project, target)
        for caller in (client, anonymous):
            before = database_state()
            response = caller.get(url, query_string={**query, "username": "admin", "password": PASSWORD})
            if not _answers_get(app, url):
                assert response.status_code == 405, url
            elif url.startswith("/api/"):
                assert response.status_code == 401, url  # a read, and cookies never authenticate the API
            else:
                # A page, a redirect to one, or no such record (the example ids are 1 whether or not it exists).
                assert response.status_code in (200, 302, 404), url
            assert database_state() == before, f"GET {url} changed the database"
    assert client.get("/projects").status_code == 200  # still logged in: GET /logout did nothing
    assert not is_logged_in(anonymous)  # GET /login?username=…&password=… did not log in
    assert accounts.find_user("sneaky") is None
    assert reload(admin).active
