"""The project list at scale: seeding, then the list, its search, filters, deep pages and the API.

Two parts (issue 13, "Search and lists at 200,000 projects on PostgreSQL"):

- in process (through Flask's test client: rendering, not the network), the median of repeated
  requests, on SQLite and on PostgreSQL (``--postgres-only`` leaves SQLite out);
- with ``--serve``, on PostgreSQL: gunicorn as ``./scripts/run`` serves (``gunicorn.conf.py``: 3
  threaded workers), keep-alive HTTP clients, p50/p95 wall time with 1 client and with 4 at once,
  the server's CPU per request during the 4-client run, and the target (p95 < 100 ms with 4).

The cases: the list's first page; a page half-way down, as its Next link asks for it (after the
project before it: ``?page=…&after=…``); search for 九龙 (2 characters), 龙 (1), 宿舍区 (3) and two
words; the street with the most projects, a stage, behind schedule (most behind first); the API's
list, first page and half-way down (its ``next``).

The database is a scratch one (PostgreSQL ``renovation_bench`` by default), emptied and seeded with
``renovation.demo`` unless ``--reuse`` finds it already holding N projects (seeding 200,000 takes
minutes).

    ./scripts/bench --list [N] [--postgres-only] [--serve] [--reuse] [--quick] [--url URL]
    e.g. ./scripts/bench --list 200000 --postgres-only --serve --reuse
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import psycopg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's renovation, not the virtualenv's editable install
sys.path.insert(1, str(ROOT / "scripts"))

from bench_pages import HttpClient, Request, free_port, measure_server  # noqa: E402

from renovation import create_app  # noqa: E402
from renovation.demo import data as demo_data  # noqa: E402
from renovation.domain import accounts  # noqa: E402
from renovation.extensions import db  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/renovation_bench"
PASSWORD = "bench-password-1"
VENV_BIN = Path(sys.executable).parent
TARGET_MS = 100  # p95 with 4 clients


def timed(call, repeat=7) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def padded(text: str, width: int) -> str:
    """``text`` in ``width`` terminal columns, where a Chinese character takes two."""
    import unicodedata

    return text + " " * max(0, width - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text))


def ensure_postgres_database(url: str) -> bool:
    """Create the scratch database if missing; False when PostgreSQL is not reachable."""
    name = sa.engine.make_url(url).database
    try:
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True,
                             connect_timeout=3) as connection:
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return False
    return True


def prepare(url: str, label: str, projects: int, reuse: bool) -> str:
    """Seed ``projects`` into ``url`` (emptied first) unless ``reuse`` finds them there; the instance
    folder used."""
    instance = tempfile.mkdtemp(prefix="bench-list-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        from flask_migrate import upgrade

        held = -1
        if reuse:
            try:
                held = db.session.scalar(sa.text("SELECT count(*) FROM project"))
            except sa.exc.DatabaseError:
                db.session.rollback()
        if held == projects:
            upgrade()
            print(f"[{label}] reusing the {projects:,} projects already there")
        else:
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
            upgrade()
            started = time.perf_counter()
            demo_data.seed(projects)
            db.session.commit()
            print(f"[{label}] seed-demo --projects {projects:,}: {time.perf_counter() - started:.1f} s")
        if (user := accounts.find_user("bench")) is None:
            accounts.create_user("bench", PASSWORD, "engineer")
        else:
            accounts.set_password(user, PASSWORD, None)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE"))  # as autovacuum leaves it
        db.engine.dispose()
    return instance


def picks(url: str) -> dict:
    """What the cases ask for: the street with the most projects, the project half-way down the list
    (the next page starts after it), and how many projects there are."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        total = connection.scalar(sa.text("SELECT count(*) FROM project"))
        middle = connection.scalar(sa.text("SELECT code FROM project ORDER BY code OFFSET :n LIMIT 1"),
                                   {"n": max(0, total // 2 - 1)})
        street = connection.execute(sa.text(
            "SELECT street.id, count(*) FROM project JOIN compound ON compound.id = project.compound_id "
            "JOIN community ON community.id = compound.community_id JOIN street ON street.id = community.street_id "
            "GROUP BY street.id ORDER BY count(*) DESC, street.id LIMIT 1")).one()
    engine.dispose()
    return {"total": total, "middle": middle, "street": street[0], "street_projects": street[1],
            "deep": max(2, total // 2 // 50 + 1)}


def api_token(url: str, instance: str) -> str:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance})
    with app.app_context():
        token = accounts.create_token(accounts.find_user("bench"))
        db.session.commit()
        db.engine.dispose()
    return token


def cases(picked: dict, token: str) -> list[tuple[str, Request]]:
    api = {"Authorization": f"Bearer {token}"}
    deep = f"page={picked['deep']}&after={quote(picked['middle'])}"

    def q(text: str) -> str:
        return "q=" + quote(text)

    return [
        ("list, first page", Request("GET", "/projects")),
        (f"list, page {picked['deep']:,} (Next)", Request("GET", f"/projects?{deep}")),
        ("list, by progress", Request("GET", "/projects?sort=progress&dir=desc")),
        ("search 九龙 (2 characters)", Request("GET", f"/projects?{q('九龙')}")),
        ("search 龙 (1 character)", Request("GET", f"/projects?{q('龙')}")),
        ("search 宿舍区 (3 characters)", Request("GET", f"/projects?{q('宿舍区')}")),
        ("search two words", Request("GET", f"/projects?{q('新村 陈')}")),
        ("search 九龙, htmx results", Request("GET", f"/projects?{q('九龙')}", headers={"HX-Request": "true"})),
        (f"filter street ({picked['street_projects']:,})", Request("GET", f"/projects?street={picked['street']}")),
        ("filter stage 立面改造", Request("GET", "/projects?stage=facade")),
        ("filter behind, most behind first", Request("GET", "/projects?behind=1&sort=behind")),
        ("API list", Request("GET", "/api/v1/projects", headers=api)),
        (f"API list, page {picked['deep']:,} (next)", Request("GET", f"/api/v1/projects?{deep}", headers=api)),
        ("API search 九龙", Request("GET", f"/api/v1/projects?{q('九龙')}", headers=api)),
    ]


def in_process(url: str, label: str, instance: str, picked: dict, token: str) -> None:
    """Each case through the test client: the median of 7 (the page, and its htmx fragment)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": PASSWORD})
    for name, request in cases(picked, token):
        response = client.get(request.path, headers=request.headers)
        assert response.status_code == 200, (request.path, response.status_code)
        ms = timed(lambda request=request: client.get(request.path, headers=request.headers))
        print(f"[{label}] {padded(name, 38)} {ms:7.1f} ms   ({len(response.data) / 1024:.0f} KB)")
    with app.app_context():
        db.engine.dispose()


class Server:
    """gunicorn with gunicorn.conf.py (as ./scripts/run serves), on the bench's database."""

    def __init__(self, url: str, instance: str):
        self.port = free_port()
        self.log = Path(instance) / "gunicorn-list.log"
        env = {**os.environ, "RENOVATION_DATABASE_URL": url, "RENOVATION_INSTANCE_PATH": instance,
               "RENOVATION_SECRET_KEY": "bench-list", "RENOVATION_QUEUE_URL": "immediate",
               "RENOVATION_PORT": str(self.port),
               "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen([str(VENV_BIN / "gunicorn"), "--config", "gunicorn.conf.py", "wsgi:app"],
                                        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log.open("w"))
        workers, deadline = int(os.environ.get("RENOVATION_WORKERS", "3")), time.monotonic() + 120
        while self.log.read_text().count("Worker ready to serve") < workers:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)

    def cpu_seconds(self) -> float:
        """CPU (user + system) used so far by gunicorn's master and workers."""
        pids = [self.process.pid]
        try:
            pids += map(int, Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split())
        except OSError:
            pass
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except OSError:
                continue
        return total / os.sysconf("SC_CLK_TCK")

    def login(self) -> str:
        """The session cookie of the bench's engineer, logged in through the form (with its token)."""
        client = HttpClient(self.port)
        _status, body, response = client.send(Request("GET", "/login"))
        token = re.search(rb'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', body).group(1).decode()
        client.cookie = "; ".join(value.split(";", 1)[0] for name, value in response.getheaders()
                                  if name.lower() == "set-cookie")
        status, _body, response = client.send(Request(
            "POST", "/login", urlencode({"username": "bench", "password": PASSWORD, "csrf_token": token}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"}))
        if status not in (302, 303):
            raise RuntimeError(f"login answered {status}")
        return "; ".join(value.split(";", 1)[0] for name, value in response.getheaders()
                         if name.lower() == "set-cookie")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def served(url: str, instance: str, picked: dict, token: str, quick: bool) -> None:
    """Each case with 1 client, then 4 at once, against gunicorn: the table."""
    load = dict(per_client=10, budget_s=2.0) if quick else dict(per_client=40, budget_s=6.0)
    server = Server(url, instance)
    rows = []
    try:
        cookie = server.login()
        for name, request in cases(picked, token):
            one = measure_server(server, cookie, [lambda request=request: request], **load)
            four = measure_server(server, cookie, [lambda request=request: request] * 4, **load)
            rows.append((name, one, four))
            print(f"  {padded(name, 38)} 1 client p95 {one.p95:7.1f} ms, 4 clients p95 {four.p95:7.1f} ms", flush=True)
    finally:
        server.stop()
    print()
    print(f"The project list at {picked['total']:,} projects — {time.strftime('%Y-%m-%d %H:%M %Z')}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, PostgreSQL")
    print("wall: gunicorn (gunicorn.conf.py: 3 gthread workers), keep-alive HTTP clients, p50 / p95 in ms; "
          f"srv CPU: gunicorn's processes per request during the 4-client run; target: p95 < {TARGET_MS} ms, 4 clients")
    header = f"{'case':40} {'1 client p50/p95':>17}  {'4 clients p50/p95':>17} {'srv CPU':>8}  met"
    print(header)
    print("-" * len(header))
    for name, one, four in rows:
        errors = f" ({one.errors + four.errors} errors)" if one.errors or four.errors else ""
        met = "yes" if four.p95 < TARGET_MS and not errors else "NO"
        print(f"{padded(name, 40)} {one.p50:7.1f} /{one.p95:7.1f}  {four.p50:7.1f} /{four.p95:7.1f} "
              f"{four.server_cpu_ms:8.1f}  {met}{errors}")
    print("-" * len(header))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("projects", nargs="?", type=int, default=20000)
    parser.add_argument("--postgres-only", action="store_true", help="leave SQLite out")
    parser.add_argument("--serve", action="store_true", help="also 1 and 4 clients against gunicorn (PostgreSQL)")
    parser.add_argument("--reuse", action="store_true", help="keep the projects already there when N match")
    parser.add_argument("--quick", action="store_true", help="fewer requests against gunicorn")
    parser.add_argument("--url", default=PG_URL, help=f"the scratch PostgreSQL database (default {PG_URL})")
    args = parser.parse_args()
    if not args.postgres_only:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
        instance = prepare(url, "sqlite", args.projects, reuse=False)
        in_process(url, "sqlite", instance, picks(url), api_token(url, instance))
    if not ensure_postgres_database(args.url):
        print("[postgresql] not reachable on 127.0.0.1:5432; left out")
        return
    instance = prepare(args.url, "postgresql", args.projects, args.reuse)
    picked, token = picks(args.url), api_token(args.url, instance)
    in_process(args.url, "postgresql", instance, picked, token)
    if args.serve:
        print("Starting gunicorn (gunicorn.conf.py) …", flush=True)
        served(args.url, instance, picked, token, args.quick)


if __name__ == "__main__":
    main()
