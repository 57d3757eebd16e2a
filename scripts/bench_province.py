"""The app at province scale (issue 13, "Search and lists at 200,000 projects on PostgreSQL").

One run on one machine, against a scratch PostgreSQL database (default
``renovation_bench_province``, created when missing):

- the seed: ``flask --app renovation seed-demo --projects N`` in a subprocess, timed (skipped when
  the database already holds N projects, unless ``--reseed``), then ``ANALYZE``;
- gunicorn as ``./scripts/run`` serves (``gunicorn.conf.py``: 3 threaded workers) on that database;
- for each case, p50/p95 wall time with 1 client and with 4 concurrent keep-alive clients, the
  server's CPU per request during the 4-client run, and the issue's target (p95 with 4 clients);
- the monthly snapshot of N projects (a scratch month, taken in-process), timed;
- the ledger export of every project, streamed through the server: its size, the time to its
  first byte and to its last, and how much the serving worker's peak memory grew.

The machine is shared and noisy: the p95 moves with the neighbours.

    ./scripts/bench --province [N] [--reseed] [--quick] [--only TEXT] [--url URL]
"""
import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's renovation, not the virtualenv's editable install
sys.path.insert(1, str(ROOT / "scripts"))

import bench_list  # noqa: E402
import bench_pages  # noqa: E402
from bench_pages import HttpClient, Request, free_port, measure_server  # noqa: E402

VENV_BIN = Path(sys.executable).parent
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/renovation_bench_province"
PASSWORD = "province-bench-1"
DEFAULT_PROJECTS = 200_000


def padded(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` columns of a terminal, where a Chinese character takes two."""
    import unicodedata

    columns = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(0, width - columns)


@dataclass
class Case:
    name: str
    request: Request
    target_ms: float | None  # p95 with 4 clients


def ensure_database(url: str) -> None:
    """Create the scratch database when it is not there yet."""
    name = sa.engine.make_url(url).database
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def project_count(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(sa.text("SELECT count(*) FROM project"))
    except sa.exc.ProgrammingError:
        return -1
    finally:
        engine.dispose()


def flask_env(url: str, instance: str) -> dict:
    return {**os.environ, "RENOVATION_DATABASE_URL": url, "RENOVATION_INSTANCE_PATH": instance,
            "RENOVATION_SECRET_KEY": "province-bench", "RENOVATION_QUEUE_URL": "immediate",
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def flask(args: list[str], env: dict) -> str:
    done = subprocess.run([str(VENV_BIN / "flask"), "--app", "renovation", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def seed(url: str, projects: int, instance: str) -> float:
    """Empty the database and load the demo programme of ``projects`` projects; the seconds it took."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    env = flask_env(url, instance)
    flask(["db", "upgrade"], env)
    started = time.perf_counter()
    flask(["seed-demo", "--projects", str(projects), "--password", PASSWORD], env)
    return time.perf_counter() - started


def analyze(url: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("ANALYZE"))
    engine.dispose()


def picks(url: str) -> dict:
    """The list's picks (scripts/bench_list.py: the busiest street, the project half-way down the
    list) and a project for the page case."""
    picked = bench_list.picks(url)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        picked["code"] = connection.scalar(sa.text("SELECT code FROM project ORDER BY id OFFSET :n LIMIT 1"),
                                           {"n": picked["total"] // 2})
    engine.dispose()
    return picked


def api_token(url: str, instance: str) -> str:
    printed = flask(["create-token", "engineer", "--name", "province bench"], flask_env(url, instance))
    return printed.strip().splitlines()[-1]


def cases(picked: dict, token: str) -> list[Case]:
    """The list's cases of scripts/bench_list.py (its first page, a page half-way down as its Next
    link asks for it, search, filters, the API), then the other pages."""
    return [
        *(Case(name, request, 100) for name, request in bench_list.cases(picked, token)),
        Case("project page", Request("GET", f"/projects/{picked['code']}"), 50),
        Case("dashboard", Request("GET", "/dashboard"), 1000),
        Case("demands list", Request("GET", "/demands"), 100),
    ]


class Server(bench_pages.Server):
    """gunicorn with gunicorn.conf.py, serving the app (``wsgi:app``) on the province database;
    its CPU and its stop as ``scripts/bench_pages.py``'s."""

    def __init__(self, url: str, instance: str):
        self.port = free_port()
        self.log = Path(instance) / "gunicorn-province.log"
        env = {**flask_env(url, instance), "RENOVATION_PORT": str(self.port)}
        self.process = subprocess.Popen([str(VENV_BIN / "gunicorn"), "--config", "gunicorn.conf.py", "wsgi:app"],
                                        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log.open("w"))
        workers = int(os.environ.get("RENOVATION_WORKERS", "3"))
        deadline = time.monotonic() + 120
        while self.log.read_text().count("Worker ready to serve") < workers:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)

    def peak_kb(self) -> dict[int, int]:
        """Each worker's peak resident memory so far (VmHWM), in KB."""
        try:
            workers = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            workers = []
        peaks = {}
        for pid in map(int, workers):
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks[pid] = int(line.split()[1])
            except OSError:
                continue
        return peaks


def login(port: int) -> str:
    """Log in as the demo's engineer through the login form (its CSRF token and session cookie)."""
    import re
    from urllib.parse import urlencode

    def cookies_of(response) -> str:
        return "; ".join(header.split(";", 1)[0] for name, header in response.getheaders()
                         if name.lower() == "set-cookie")

    client = HttpClient(port)
    status, body, response = client.send(Request("GET", "/login"))
    token = re.search(rb'name="csrf_token" value="([^"]+)"', body).group(1).decode()
    client.cookie = cookies_of(response)
    status, _body, response = client.send(Request(
        "POST", "/login", urlencode({"username": "engineer", "password": PASSWORD, "csrf_token": token}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"}))
    if status not in (302, 303):
        raise RuntimeError(f"login answered {status}")
    return cookies_of(response)


def time_export(server: Server, cookie: str) -> tuple[int, float, float, int]:
    """The whole ledger export through the server: (bytes, first byte s, last byte s, the serving
    workers' largest growth of peak memory in KB)."""
    before = server.peak_kb()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    started = time.perf_counter()
    connection.request("GET", "/exports/projects.xlsx", headers={"Cookie": cookie})
    response = connection.getresponse()
    first = response.read(1)
    first_at = time.perf_counter() - started
    size = len(first)
    while chunk := response.read(1 << 16):
        size += len(chunk)
    done_at = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"the export answered {response.status}")
    after = server.peak_kb()
    growth = max((after[pid] - before.get(pid, after[pid]) for pid in after), default=0)
    return size, first_at, done_at, growth


def time_snapshot(url: str, instance: str) -> tuple[float, int]:
    from renovation import create_app
    from renovation.domain.programme.snapshots import take_snapshot

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance})
    with app.app_context():
        started = time.perf_counter()
        result = take_snapshot("2000-01", replace=True, user=None)
        return time.perf_counter() - started, result.projects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("projects", nargs="?", type=int, default=DEFAULT_PROJECTS)
    parser.add_argument("--url", default=PG_URL, help=f"a scratch PostgreSQL database (default {PG_URL})")
    parser.add_argument("--reseed", action="store_true", help="seed again even if the database holds N projects")
    parser.add_argument("--quick", action="store_true", help="fewer requests (a rough look)")
    parser.add_argument("--only", metavar="TEXT", help="only the cases whose name holds TEXT (no snapshot, no export)")
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="bench-province-")
    ensure_database(args.url)
    seeded_in = None
    if args.reseed or project_count(args.url) != args.projects:
        print(f"Seeding {args.projects:,} projects (flask seed-demo) into {args.url} …", flush=True)
        seeded_in = seed(args.url, args.projects, instance)
        print(f"  seeded in {seeded_in:.0f} s", flush=True)
    else:
        flask(["db", "upgrade"], flask_env(args.url, instance))
        print(f"The database already holds {args.projects:,} projects (--reseed to seed again).", flush=True)
    analyze(args.url)
    picked, token = picks(args.url), api_token(args.url, instance)
    load = dict(per_client=10, budget_s=2.0) if args.quick else dict(per_client=40, budget_s=6.0)

    print("Starting gunicorn (gunicorn.conf.py) …", flush=True)
    server = Server(args.url, instance)
    rows = []
    try:
        cookie = login(server.port)
        for case in [case for case in cases(picked, token) if not args.only or args.only in case.name]:
            one = measure_server(server, cookie, [lambda case=case: case.request], **load)
            four = measure_server(server, cookie, [lambda case=case: case.request] * 4, **load)
            rows.append((case, one, four))
            print(f"  {padded(case.name, 36)} 1 client p95 {one.p95:7.1f} ms, 4 clients p95 {four.p95:7.1f} ms",
                  flush=True)
        export = None if args.only else time_export(server, cookie)
    finally:
        server.stop()
    snapshot_s, snapshot_projects = (None, None) if args.only else time_snapshot(args.url, instance)

    print()
    print(f"The app at province scale — {time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}, PostgreSQL, {picked['total']:,} projects")
    print("wall: gunicorn (gunicorn.conf.py: 3 gthread workers), keep-alive HTTP clients, p50 / p95 in ms; "
          "srv CPU: gunicorn's processes per request during the 4-client run; target: p95 with 4 clients")
    header = f"{'case':38} {'1 client p50/p95':>17}  {'4 clients p50/p95':>17} {'srv CPU':>8} {'target':>8}  met"
    print(header)
    print("-" * len(header))
    for case, one, four in rows:
        errors = f" ({one.errors + four.errors} errors)" if one.errors or four.errors else ""
        met = "yes" if case.target_ms and four.p95 < case.target_ms and not errors else "NO"
        print(f"{padded(case.name, 38)} {one.p50:7.1f} /{one.p95:7.1f}  {four.p50:7.1f} /{four.p95:7.1f} "
              f"{four.server_cpu_ms:8.1f} {'< ' + format(case.target_ms, '.0f'):>8}  {met}{errors}")
    print("-" * len(header))
    if seeded_in is not None:
        print(f"seed-demo --projects {args.projects:,}: {seeded_in:.0f} s")
    if export is None:
        return
    print(f"monthly snapshot of {snapshot_projects:,} projects: {snapshot_s:.1f} s (target < 60 s)")
    size, first_at, done_at, growth = export
    print(f"ledger export (.xlsx, every project): {size / 1e6:.1f} MB, first byte after {first_at:.2f} s, "
          f"last after {done_at:.1f} s; the serving worker's peak memory grew {growth / 1024:.0f} MB")


if __name__ == "__main__":
    main()
