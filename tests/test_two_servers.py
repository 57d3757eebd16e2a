"""Several app servers on one database: two real gunicorns (the committed gunicorn.conf.py), each
on a host of its own (a network namespace when the machine allows, see tests/app_hosts.py), share
PostgreSQL, the Redis queue and the stored files' folder (as an NFS mount would be), with a
background worker started with the second host's environment. Everything is checked over HTTP,
with one browser whose requests land on either server, as they would behind nginx.

What each host is given is what the README's deployment section asks for: the same
``RENOVATION_DATABASE_URL``, ``RENOVATION_QUEUE_URL``, ``RENOVATION_SECRET_KEY`` and
``RENOVATION_PHOTO_PATH`` (and ``RENOVATION_TRUSTED_PROXIES=1``, behind nginx); an instance folder,
address and port of its own. Nothing may be kept in the instance folders.

It needs PostgreSQL and Redis, whatever database the rest of the suite runs on: it makes a database
of its own (``<test database>_two_servers``) on the PostgreSQL of the PostgreSQL pass
(``RENOVATION_TEST_DATABASE_URL``), or in the SQLite pass on the one ``./scripts/test`` would use
(``RENOVATION_TEST_POSTGRES_URL``, default 127.0.0.1:5432), and uses the Redis database
``RENOVATION_TEST_TWO_SERVERS_REDIS_URL`` (default ``redis://127.0.0.1:6379/14``: not test_tasks.py's,
which empties its queue). Either one unreachable skips it, except under CI, where it fails. Under
CI the SQLite pass leaves it to the PostgreSQL pass, which CI always runs (once is enough: it does
not depend on the pass's database).
"""
import hashlib
import os
import re
import secrets
import sys
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from renovation import create_app, tasks
from renovation.domain.ledger.spreadsheets import XLSX_MIMETYPE
from renovation.extensions import db
from tests.app_hosts import (
    Browser,
    Hosts,
    Process,
    form_fields,
    free_port,
    start_flask,
    start_gunicorn,
    start_worker,
    stop_all,
    wait_until_serving,
)
from tests.conftest import PASSWORD, api_token, days_ago, make_project, make_user
from tests.domain.photo_samples import jpeg
from tests.ledger_samples import ledger_file, programme_rows

pytestmark = [pytest.mark.slow, pytest.mark.postgresql]

POSTGRES_URL = (os.environ.get("RENOVATION_TEST_DATABASE_URL") or os.environ.get("RENOVATION_TEST_POSTGRES_URL")
                or "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("RENOVATION_TEST_TWO_SERVERS_REDIS_URL", "redis://127.0.0.1:6379/14")
WORKERS = 1  # gunicorn worker processes per server, 16 threads each (light on a two-core CI machine)
IN_PROGRESS = {"status": "in_progress", "percent": 10, "actual_start": days_ago(20)}


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: under CI the two-server test must run (PostgreSQL and Redis are on the machine).")
    pytest.skip(reason)


def _explicit_port(url: str, default: int) -> str:
    """``url`` with its port written out (the hosts reach the service through a relay on that port)."""
    parts = make_url(url)
    return parts.set(port=parts.port or default).render_as_string(hide_password=False)


def _fresh_database() -> str:
    """A new, empty PostgreSQL database beside the test database; its URL."""
    base = make_url(_explicit_port(POSTGRES_URL, 5432))
    name = f"{base.database}_two_servers"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT",
                             connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        _unavailable(f"PostgreSQL is not reachable at {base.render_as_string()}: {error.orig}")
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _drop_database(url: str) -> None:
    parts = make_url(url)
    admin = sa.create_engine(parts.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{parts.database}" WITH (FORCE)'))
    admin.dispose()


def _empty_queue(redis_url: str, folder: Path):
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        _unavailable(f"Redis is not reachable at {redis_url}: {error}")
    queue = tasks.make_queue(redis_url, folder)
    queue.flush()
    return queue


@dataclass
class Cluster:
    a: str  # the first server's base URL
    b: str  # the second's
    hosts: Hosts
    worker: Process
    upgrades: list[Process]  # each host's `flask db upgrade`, run at the same time
    instances: list[Path]
    database_url: str  # as this process reaches it
    token: str  # an engineer's API token (read and write)

    def api(self, server: str, method: str, path: str, **kwargs):
        return Browser({"Authorization": f"Bearer {self.token}"}).request(server, method, path, **kwargs)


def _seed(database_url: str, instance: Path, stored_files: Path) -> str:
    """The people and projects the tests use, in the migrated database; an engineer's API token."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "seeding",
                      "INSTANCE_PATH": str(instance), "PHOTO_STORAGE_PATH": str(stored_files),
                      "QUEUE_URL": "immediate", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        engineer = make_user("engineer", "engineer")
        make_user("guessed", "engineer")  # the login-throttle test's
        for number in range(1, 5):
            make_project(f"ZP-2026-00{number}", compound=f"新华新村{number}号院", stages={"survey": IN_PROGRESS})
        token = api_token(engineer)
        db.session.remove()
        db.engine.dispose()
    return token


def _host_environment(extra: dict) -> dict:
    """This process's environment without any RENOVATION_ setting of its own, plus ``extra``."""
    kept = {name: value for name, value in os.environ.items()
            if not name.startswith("RENOVATION_") or name.startswith("RENOVATION_TEST_")}
    return {**kept, **extra}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("two-servers")
    redis_url = _explicit_port(REDIS_URL, 6379)
    queue = _empty_queue(redis_url, folder)
    database_url = _fresh_database()
    stored_files = folder / "shared-storage"  # what would be the NFS mount
    with ExitStack() as cleanup:
        cleanup.callback(_drop_database, database_url)
        cleanup.callback(queue.flush)
        yield from _running_cluster(folder, database_url, redis_url, stored_files)


def _running_cluster(folder: Path, database_url: str, redis_url: str, stored_files: Path):
    with Hosts(["a", "b"], [database_url, redis_url]) as hosts, ExitStack() as running:
        shared = {"RENOVATION_DATABASE_URL": hosts.url(database_url), "RENOVATION_QUEUE_URL": hosts.url(redis_url),
                  "RENOVATION_SECRET_KEY": secrets.token_hex(32), "RENOVATION_PHOTO_PATH": str(stored_files),
                  "RENOVATION_TRUSTED_PROXIES": "1",  # as behind nginx
                  "RENOVATION_LEDGER_BACKGROUND_ROWS": "2",  # so that the worker previews the test's ledger
                  "RENOVATION_WORKERS": str(WORKERS),
                  "RENOVATION_BULLETIN_STEPS": ""}  # an office that issues a draft in one step
        environments, urls = {}, {}
        for name, host in hosts.hosts.items():
            port = 5000 if host.prefix else free_port()  # a namespace has every port free
            environments[name] = _host_environment({
                **shared, "RENOVATION_INSTANCE_PATH": str(folder / f"instance-{name}"),
                "RENOVATION_HOST": host.address, "RENOVATION_PORT": str(port)})
            urls[name] = f"http://{host.address}:{port}"
        # Both hosts bring the new database's schema up to date as they start, at the same moment.
        upgrades = [start_flask(environments[name], host, "db", "upgrade") for name, host in hosts.hosts.items()]
        for upgrade in upgrades:
            upgrade.stop_when_done()
        token = _seed(database_url, folder / "seeding", stored_files)
        servers = [start_gunicorn(environments[name], host) for name, host in hosts.hosts.items()]
        running.callback(stop_all, servers)
        for server in servers:
            wait_until_serving(server, WORKERS)
        worker = start_worker(environments["b"], hosts.hosts["b"])  # the other host's worker
        servers.append(worker)  # stopped with them
        print(f"two servers at {urls['a']} and {urls['b']}: {hosts.isolation}")
        yield Cluster(urls["a"], urls["b"], hosts, worker, upgrades,
                      [folder / "instance-a", folder / "instance-b"], database_url, token)


def logged_in(server: str, username: str = "engineer") -> Browser:
    """A browser logged in through the login form on ``server``."""
    browser = Browser()
    fields = form_fields(browser.get(server, "/login").text, "/login")
    response = browser.post(server, "/login", form={**fields, "username": username, "password": PASSWORD})
    assert response.status == 303, response.text
    return browser


def kept_per_host(cluster: Cluster) -> list[str]:
    """Files in the hosts' instance folders: there should be none (everything is shared)."""
    return [str(path) for folder in cluster.instances for path in folder.rglob("*") if path.is_file()]


def _wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_both_servers_bring_the_schema_up_to_date_at_once(cluster):
    """Each host runs ``flask db upgrade`` as it starts (./scripts/run does): on PostgreSQL one
    waits for the other's lock, then finds the schema at head and has nothing to do."""
    assert [upgrade.popen.returncode for upgrade in cluster.upgrades] == [0, 0], \
        [upgrade.output for upgrade in cluster.upgrades]
    assert sorted("Running upgrade" in upgrade.output for upgrade in cluster.upgrades) == [False, True]


def test_each_host_reaches_the_database_only_at_the_address_it_is_given(cluster):
    """The hosts are apart: PostgreSQL on this machine's 127.0.0.1 is not theirs to reach."""
    if not cluster.hosts.hosts["a"].prefix:
        pytest.skip(f"no network namespaces here: {cluster.hosts.isolation}")
    port = make_url(cluster.database_url).port
    reach = "import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3).close()"
    for address, reached in (("127.0.0.1", False), (cluster.hosts.service_address, True)):
        probe = Process([sys.executable, "-c", reach, address, str(port)], os.environ, cluster.hosts.hosts["a"])
        assert (probe.stop_when_done(30) == 0) is reached, (address, probe.output)


def test_a_session_made_on_one_server_is_valid_on_the_other(cluster):
    stranger = Browser()
    assert stranger.get(cluster.b, "/projects").status == 302  # to the login page
    browser = logged_in(cluster.a)
    page = browser.get(cluster.b, "/projects")
    assert page.status == 200 and "ZP-2026-001" in page.text
    # Logging out on the second server with the first one's form (its CSRF token) ends the
    # session on both: a tab still holding the old cookie is sent to the login page.
    other_tab = browser.copy()
    fields = form_fields(browser.get(cluster.a, "/projects").text, "/logout")
    assert browser.post(cluster.b, "/logout", form=fields).status == 303
    assert other_tab.get(cluster.a, "/projects").status == 302
    assert kept_per_host(cluster) == []


def test_a_stale_stage_change_through_the_api_is_a_conflict_on_the_other_server(cluster):
    path = "/api/v1/projects/ZP-2026-001/stages/survey"
    seen = cluster.api(cluster.b, "GET", "/api/v1/projects/ZP-2026-001").json()
    version = next(stage for stage in seen["stages"] if stage["key"] == "survey")["version"]
    changed = cluster.api(cluster.a, "PATCH", path, json={"percent": 30, "version": version})
    assert changed.status == 200 and changed.json()["version"] == version + 1
    stale = cluster.api(cluster.b, "PATCH", path, json={"percent": 40, "version": version})
    assert stale.status == 409
    assert stale.json()["stage"]["percent"] == 30  # the other server's change, as it is now


def test_a_stale_stage_form_on_the_other_server_is_a_conflict(cluster):
    browser = logged_in(cluster.a)
    path = "/projects/ZP-2026-002/stages/survey/edit"
    stale = form_fields(browser.get(cluster.b, path).text, path)
    fresh = form_fields(browser.get(cluster.a, path).text, path)
    assert browser.post(cluster.a, path, form={**fresh, "percent": "30"}).status == 303
    answer = browser.post(cluster.b, path, form={**stale, "percent": "40"})
    assert answer.status == 409
    assert 'value="30"' in answer.text  # the form now shows the stage as the other server saved it
    stage = cluster.api(cluster.b, "GET", "/api/v1/projects/ZP-2026-002").json()["stages"][0]
    assert (stage["key"], stage["percent"]) == ("survey", 30)


def _draft(browser, server: str, **fields) -> int:
    form = form_fields(browser.get(server, "/bulletins/new").text, "/bulletins")
    drafted = browser.post(server, "/bulletins", form={**form, **fields})
    assert drafted.status == 303, drafted.text
    return int(drafted.location.rsplit("/", 1)[1])


def _issue_form(browser, server: str, bulletin_id: int) -> dict:
    """The confirmation's fields (its version and the number it names)."""
    return form_fields(browser.get(server, f"/bulletins/{bulletin_id}/issue").text, f"/bulletins/{bulletin_id}/issue")


def test_bulletins_issued_on_both_servers_at_once_get_distinct_numbers(cluster):
    """Six drafts issued at the same moment on both servers get six numbers, none twice, no gap. (Sent
    without the number a confirmation names, as a script would: a confirmed number that another
    took meanwhile is refused instead, tests/test_bulletin_drafts.py.)"""
    browser = logged_in(cluster.a)
    servers = [cluster.a, cluster.b] * 3
    drafts = [_draft(browser, cluster.a, kind="city") for _server in servers]
    forms = [{name: value for name, value in _issue_form(browser, cluster.a, draft).items() if name != "label"}
             for draft in drafts]
    start, answers = threading.Barrier(len(servers)), [None] * len(servers)

    def issue(index: int, server: str) -> None:
        tab = browser.copy()
        start.wait()
        answers[index] = tab.post(server, f"/bulletins/{drafts[index]}/issue", form=forms[index])

    threads = [threading.Thread(target=issue, args=(index, server)) for index, server in enumerate(servers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answer.status for answer in answers] == [303] * len(servers), [answer.text for answer in answers]
    issued = {int(answer.location.rsplit("/", 1)[1]) for answer in answers}
    listed = cluster.api(cluster.b, "GET", "/api/v1/bulletins").json()["items"]
    numbers = [item["number"] for item in listed if item["id"] in issued]
    assert issued == set(drafts) and len(set(numbers)) == len(servers)
    city = sorted(item["number"] for item in listed if item["kind"] == "city")
    assert city == list(range(1, len(city) + 1))  # and no gaps


def test_a_photo_uploaded_on_one_server_is_served_by_the_other(cluster):
    original = jpeg(seed=7)
    uploaded = cluster.api(cluster.a, "POST", "/api/v1/projects/ZP-2026-003/photos", form={"phase": "before"},
                           files={"file": ("东门.jpg", original, "image/jpeg")})
    assert uploaded.status == 201, uploaded.text
    photo = uploaded.json()
    served = cluster.api(cluster.b, "GET", urlsplit(photo["urls"]["original"]).path)
    assert served.status == 200 and served.body == original
    display = cluster.api(cluster.b, "GET", urlsplit(photo["urls"]["display"]).path)
    assert display.status == 200 and display.headers["Content-Type"] == "image/jpeg"
    thumbnail = logged_in(cluster.a).get(cluster.b, f"/photos/{photo['id']}/thumbnail")
    assert thumbnail.status == 200 and thumbnail.body.startswith(b"\xff\xd8")
    assert kept_per_host(cluster) == []


def test_a_render_queued_on_one_server_is_done_by_the_worker_of_the_other_host(cluster):
    browser = logged_in(cluster.a)
    bulletin_id = _draft(browser, cluster.a, kind="project", project="ZP-2026-004")
    confirmation = _issue_form(browser, cluster.a, bulletin_id)
    issued = browser.post(cluster.a, f"/bulletins/{bulletin_id}/issue", form=confirmation)
    assert issued.status == 303, issued.text

    def rendered():
        listed = cluster.api(cluster.b, "GET", "/api/v1/bulletins").json()["items"]
        found = next(item for item in listed if item["id"] == bulletin_id)
        return found if found["status"] in ("done", "failed") else None

    bulletin = _wait_for(rendered, 120, "the worker to render the bulletin")
    assert bulletin["status"] == "done"
    assert f"bulletin {bulletin_id}: done" in cluster.worker.output  # the second host's worker did it
    pdf = {server: cluster.api(server, "GET", f"/api/v1/bulletins/{bulletin_id}/pdf").body
           for server in (cluster.a, cluster.b)}
    assert pdf[cluster.a] == pdf[cluster.b] and pdf[cluster.a].startswith(b"%PDF-")
    assert hashlib.sha256(pdf[cluster.a]).hexdigest() == bulletin["sha256"]
    assert kept_per_host(cluster) == []


def test_a_ledger_uploaded_on_one_server_is_previewed_by_the_worker_and_imported_on_the_other(cluster):
    browser = logged_in(cluster.a)
    fields = form_fields(browser.get(cluster.a, "/ledger/import").text, "/ledger/import")
    uploaded = browser.post(cluster.a, "/ledger/import", form=fields,
                            files={"ledger": ("台账.xlsx", ledger_file(programme_rows(3)), XLSX_MIMETYPE)})
    assert uploaded.status == 303, uploaded.text
    preview = uploaded.location

    def previewed():
        page = browser.get(cluster.b, preview)
        assert page.status == 200, (page.status, page.location)  # not "that upload is not here any more"
        return page.text if re.search(r'name="fingerprint"[^>]*value="\w+"', page.text) else None

    page = _wait_for(previewed, 60, "the worker's preview of the ledger")
    assert "preview_ledger" in cluster.worker.output  # more rows than LEDGER_BACKGROUND_ROWS: the worker's job
    imported = browser.post(cluster.b, preview, form=form_fields(page, preview))
    assert imported.status == 303 and imported.location.endswith("/projects")
    assert cluster.api(cluster.a, "GET", "/api/v1/projects/ZP-2025-003").status == 200
    assert kept_per_host(cluster) == []


def test_the_login_throttle_counts_the_failures_of_every_server(cluster):
    """Five wrong passwords, spread over both servers, block the sixth attempt on either (each
    server alone saw fewer than five). The client's address comes from X-Forwarded-For, as nginx
    sends it."""
    browser = Browser({"X-Forwarded-For": "198.51.100.23"})
    fields = form_fields(browser.get(cluster.a, "/login").text, "/login")
    for server in [cluster.a, cluster.b] * 2 + [cluster.a]:
        refused = browser.post(server, "/login", form={**fields, "username": "guessed", "password": "wrong"})
        assert refused.status == 200 and "/login" in refused.text
    for server in (cluster.b, cluster.a):
        blocked = browser.post(server, "/login", form={**fields, "username": "guessed", "password": PASSWORD})
        assert blocked.status == 429 and int(blocked.headers["Retry-After"]) > 0
