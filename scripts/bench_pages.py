"""The app's pages beside the framework's floor (issue 13, "Near the floor at 141 projects").

One run on one machine: the demo programme (141 projects, ``renovation.demo`` seeding as
``flask seed-demo`` does, plus 500 photo rows — metadata only, no files — on one project for the
gallery) in SQLite in a temporary instance folder; the app and the floor apps of
``scripts/bench_floor.py`` read the same database file. For each case it prints:

- server CPU ms per request: ``time.process_time()`` around one request through Flask's test client
  (the WSGI call, rendering and reading the body; no network, no server), the median of 10–60, the
  app's and the floor's requests alternating so that both meet the same noise;
- the floor's figure measured the same way, and the ratio app / floor;
- statements sent to the database per request (an SQLAlchemy ``before_cursor_execute`` listener)
  and the size of the answer;
- wall time p50/p95 with 1 client and with 4 concurrent clients against a real server: gunicorn
  with ``gunicorn.conf.py`` as ``./scripts/run`` serves (3 threaded workers, access log on), one
  server for the app and one for the floor, HTTP/1.1 keep-alive clients in this process; and the
  server CPU per request during the 4-client run (gunicorn's processes, from /proc).

Also ``flask --app renovation --help``: the median wall time of 5 runs.

The machine is shared and noisy: read the ratios, which are measured side by side.

    ./scripts/bench [--quick] [--no-server] [--postgres [URL]]
                        (PostgreSQL: a scratch database, emptied first; default renovation_bench_floor)
"""
import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from hashlib import sha256
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's renovation, not the virtualenv's editable install
sys.path.insert(1, str(ROOT / "scripts"))
VENV_BIN = Path(sys.executable).parent

PASSWORD = "bench-password-1"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/renovation_bench_floor"
GALLERY_PHOTOS = 500


def app_config(url: str, instance: str) -> dict:
    """The bench app: the demo's defaults, all 141 projects on one list page, CSRF off (the floor has
    none either; the bench posts without first fetching a token)."""
    return {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance, "PROJECTS_PER_PAGE": 500,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "WTF_CSRF_ENABLED": False}


# --- the data ---------------------------------------------------------------------------------

@dataclass
class Seeded:
    url: str
    instance: str
    token: str
    page_code: str  # the project page case
    gallery_code: str  # the project with 500 photos
    # (code, key) of the stages the API case changes: four for the app's clients, four for the floor's
    api_targets: list = field(default_factory=list)
    form_targets: list = field(default_factory=list)  # the same for the page's form


def seed(projects: int = 141, url: str | None = None) -> Seeded:
    """Seed the demo into a fresh SQLite file in a temporary instance folder, or into ``url``
    (emptied first: a scratch PostgreSQL database)."""
    from flask_migrate import upgrade

    from renovation import create_app
    from renovation.demo import data as demo_data
    from renovation.demo import photos as demo_photos
    from renovation.demo import snapshots as demo_snapshots
    from renovation.domain import accounts, audit
    from renovation.extensions import db
    from renovation.models import Consultation, Demand, Photo, PhotoPair, Project, Stage, StageEvent

    instance = tempfile.mkdtemp(prefix="bench-pages-")
    url = url or f"sqlite:///{instance}/bench.db"
    app = create_app(app_config(url, instance))
    with app.app_context():
        if not url.startswith("sqlite"):
            # Everything in the scratch database goes, whatever schema an earlier run left there
            # (tables, triggers and functions of another branch's migrations included).
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE"))
                connection.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
        count = demo_data.seed(projects)
        demo_snapshots.seed_previous_month()
        user = accounts.create_user("bench", PASSWORD, "engineer", display_name="林建华")
        audit.record(None, "demo.seed", "database", "demo", projects=count)
        db.session.commit()
        demo_photos.seed(user)
        token = accounts.create_token(user)
        db.session.commit()
        # The project page: a photographed project with the most consultations and demands.
        photographed = set(db.session.scalars(sa.select(Photo.project_id).distinct()))
        weight = {pid: 0 for pid in photographed}
        for model in (Consultation, Demand):
            for pid, n in db.session.execute(sa.select(model.project_id, sa.func.count()).group_by(model.project_id)):
                if pid in weight:
                    weight[pid] += n
        page_project = db.session.get(Project, max(weight, key=lambda pid: (weight[pid], -pid)))
        # The gallery: 500 photo rows (no files: the gallery reads metadata only) on a project with none.
        gallery_project = db.session.scalar(sa.select(Project).where(Project.id.not_in(photographed))
                                            .order_by(Project.code))
        _add_photo_rows(gallery_project, user, GALLERY_PHOTOS, Photo, PhotoPair, StageEvent)
        # Stages a note-only change is accepted on (completed stages: not behind, no lag asked).
        taken = {page_project.id, gallery_project.id}
        targets = []
        for stage in db.session.scalars(sa.select(Stage).where(Stage.status == "completed").order_by(Stage.id)):
            if stage.project_id not in taken:
                taken.add(stage.project_id)
                targets.append((db.session.get(Project, stage.project_id).code, stage.key))
        db.session.commit()
        seeded = Seeded(url, instance, token, page_project.code, gallery_project.code)
        db.engine.dispose()
    client = login(app)
    for code, key in targets:  # keep those the app takes (a rule could refuse some)
        version = stage_version(url, code, key)
        response = client.patch(f"/api/v1/projects/{code}/stages/{key}", json={"note": "bench", "version": version},
                                headers={"Authorization": f"Bearer {seeded.token}"})
        if response.status_code == 200:
            (seeded.api_targets if len(seeded.api_targets) < 8 else seeded.form_targets).append((code, key))
        if len(seeded.form_targets) == 8:
            break
    assert len(seeded.form_targets) == 8, "not enough stages to change"
    return seeded


def _add_photo_rows(project, user, count, Photo, PhotoPair, StageEvent) -> None:
    from renovation.domain.clock import utcnow
    from renovation.extensions import db

    stages = ["survey", "rain_sewage", "facade", "paving", "acceptance", None]
    phases = ["before", "during", "after"]
    now, rows = utcnow(), []
    for index in range(count):
        taken = now - timedelta(hours=index * 7)
        rows.append(dict(
            project_id=project.id, stage_key=stages[index % len(stages)], phase=phases[index % 3],
            caption=f"第{index + 1}张 现场照片", sha256=sha256(f"bench-photo-{index}".encode()).hexdigest(),
            content_type="image/jpeg", original_filename=f"IMG_{index:04d}.jpg", width=1200, height=1600,
            byte_size=350_000, taken_at=taken, taken_at_source="exif", gps_latitude=None, gps_longitude=None,
            camera_model="HUAWEI P40", uploaded_by_id=user.id, uploaded_at=taken, deleted_at=None,
            deleted_by_id=None))
    db.session.execute(sa.insert(Photo), rows)
    photos = db.session.scalars(sa.select(Photo).where(Photo.project_id == project.id).order_by(Photo.id)).all()
    db.session.execute(sa.insert(StageEvent), [
        {"project_id": project.id, "stage_key": photo.stage_key, "at": photo.uploaded_at, "user_id": user.id,
         "note": "", "changes": [{"field": "photo_added", "old": None, "new": photo.original_filename,
                                  "photo": photo.id}]} for photo in photos])
    befores = [photo for photo in photos if photo.phase == "before"]
    afters = [photo for photo in photos if photo.phase == "after"]
    db.session.execute(sa.insert(PhotoPair), [
        {"project_id": project.id, "before_id": before.id, "after_id": after.id, "created_by_id": user.id,
         "created_at": now} for before, after in list(zip(befores, afters, strict=False))[:25]])


_engines: dict = {}


def stage_row(url: str, code: str, key: str):
    if url not in _engines:
        _engines[url] = sa.create_engine(url)
    with _engines[url].connect() as connection:
        return connection.execute(sa.text(
            "SELECT stage.* FROM stage JOIN project ON project.id = stage.project_id "
            "WHERE project.code = :code AND stage.key = :key"), {"code": code, "key": key}).mappings().one()


def stage_version(url: str, code: str, key: str) -> int:
    return stage_row(url, code, key)["version"]


def stage_form(url: str, code: str, key: str, note: str, version: int) -> dict:
    """What the stage card's form posts: every field as it stands, the note changed."""
    row = stage_row(url, code, key)

    def text(value):
        return "" if value is None else str(value)[:10] if "-" in str(value) else str(value)

    return {"status": row["status"], "percent": str(row["percent"]), "actual_start": text(row["actual_start"]),
            "actual_end": text(row["actual_end"]), "note": note, "lag_reason": row["lag_reason"] or "",
            "lag_note": row["lag_note"] or "", "catch_up_date": text(row["catch_up_date"]), "version": str(version)}


def login(app):
    client = app.test_client()
    response = client.post("/login", data={"username": "bench", "password": PASSWORD})
    assert response.status_code in (302, 303), response.status_code
    return client


# --- the cases --------------------------------------------------------------------------------

@dataclass
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict = field(default_factory=dict)
    expect: tuple = (200,)


class Writer:
    """Successive stage changes on one stage, tracking its version (nobody else writes it)."""

    def __init__(self, seeded: Seeded, who: str, kind: str, target: tuple):
        self.seeded, self.who, self.kind, (self.code, self.key) = seeded, who, kind, target
        self.version = stage_version(seeded.url, self.code, self.key)
        self.count = 0

    def __call__(self) -> Request:
        self.count += 1
        note = f"bench {self.who} {self.kind} {self.count} {time.time_ns()}"
        version, self.version = self.version, self.version + 1
        if self.kind == "api":
            path = (f"/api/v1/projects/{self.code}/stages/{self.key}" if self.who == "app"
                    else f"/api/stages/{self.code}/{self.key}")
            headers = {"Content-Type": "application/json"}
            if self.who == "app":
                headers["Authorization"] = f"Bearer {self.seeded.token}"
            return Request("PATCH", path, json.dumps({"note": note, "version": version}).encode(), headers)
        if self.who == "app":
            form = stage_form(self.seeded.url, self.code, self.key, note, version)
            path = f"/projects/{self.code}/stages/{self.key}/edit"
        else:
            form, path = {"note": note, "version": str(version)}, f"/projects/{self.code}/stages/{self.key}"
        return Request("POST", path, urlencode(form).encode(),
                       {"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true"})


@dataclass
class Case:
    name: str
    app: object  # a Request, or a callable (seeded, who, client index) -> a callable making Requests
    floor: object
    floor_name: str = ""


def cases(seeded: Seeded) -> list[Case]:
    def writer(kind):
        def make(seeded, who, index):
            targets = seeded.api_targets if kind == "api" else seeded.form_targets
            return Writer(seeded, who, kind, targets[index + (4 if who == "floor" else 0)])
        return make

    return [
        Case("hello world", None, Request("GET", "/hello")),
        Case("project list, 141 rows", Request("GET", "/projects"), Request("GET", "/projects")),
        Case("project page", Request("GET", f"/projects/{seeded.page_code}"),
             Request("GET", f"/projects/{seeded.page_code}")),
        Case("stage change, API", writer("api"), writer("api")),
        Case("stage change, page (htmx)", writer("form"), writer("form")),
        Case("dashboard", Request("GET", "/dashboard"), Request("GET", "/dashboard")),
        Case("demands list, page 1 of 50", Request("GET", "/demands"), Request("GET", "/demands")),
        Case("photo gallery, 500 photos", Request("GET", f"/projects/{seeded.gallery_code}?fragment=gallery",
                                                  headers={"HX-Request": "true"}),
             Request("GET", f"/projects/{seeded.gallery_code}/gallery")),
        Case("project page, 500 photos", Request("GET", f"/projects/{seeded.gallery_code}"),
             Request("GET", f"/projects/{seeded.gallery_code}")),
    ]


def request_maker(spec, seeded, who, index):
    if spec is None:
        return None
    if isinstance(spec, Request):
        return lambda: spec
    return spec(seeded, who, index)


# --- in process: CPU per request ----------------------------------------------------------------

@dataclass
class InProcess:
    cpu_ms: float
    wall_ms: float
    statements: int
    kbytes: float
    elements: int
    runs: int


def test_client_request(client, request: Request):
    response = client.open(request.path, method=request.method, data=request.body, headers=request.headers)
    body = response.get_data()
    assert response.status_code in request.expect, (request.method, request.path, response.status_code, body[:300])
    return body


def measure_in_process(sides: dict, *, min_runs=10, max_runs=60, budget_s=6.0) -> dict[str, InProcess]:
    """``sides`` maps "app"/"floor" to (test client, engine, request maker). The sides' requests
    alternate, so that both see the same noise of a shared machine and their ratio holds."""
    bodies, statements = {}, {}
    for who, (client, engine, make) in sides.items():
        for _ in range(3):  # templates compiled, caches warm
            test_client_request(client, make())
        counted = []

        def count(*_args, counted=counted, **_kwargs):
            counted.append(1)

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            bodies[who] = test_client_request(client, make())
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        statements[who] = len(counted)
    cpu, wall = {who: [] for who in sides}, {who: [] for who in sides}
    started, runs = time.perf_counter(), 0
    while runs < max_runs and (runs < min_runs or time.perf_counter() - started < budget_s):
        runs += 1
        for who, (client, _engine, make) in sides.items():
            request = make()
            c0, w0 = time.process_time(), time.perf_counter()
            test_client_request(client, request)
            cpu[who].append((time.process_time() - c0) * 1000)
            wall[who].append((time.perf_counter() - w0) * 1000)
    return {who: InProcess(statistics.median(cpu[who]), statistics.median(wall[who]), statements[who],
                           len(bodies[who]) / 1024, bodies[who].count(b"<") - bodies[who].count(b"</"), runs)
            for who in sides}


# --- a real server: wall time at 1 and 4 clients ------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn as ./scripts/run starts it (gunicorn.conf.py), serving the app or the floor."""

    def __init__(self, seeded: Seeded, target: str):
        self.port = free_port()
        self.log = Path(seeded.instance) / f"gunicorn-{target}.log"
        env = {**os.environ, "RENOVATION_PORT": str(self.port), "BENCH_TARGET": target,
               "BENCH_DATABASE_URL": seeded.url, "BENCH_INSTANCE": seeded.instance,
               "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "scripts"), os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--config", "gunicorn.conf.py", "bench_wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log.open("w"))
        workers = int(os.environ.get("RENOVATION_WORKERS", "3"))
        deadline = time.monotonic() + 90
        while self.log.read_text().count("Worker ready to serve") < workers:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn ({target}) did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)

    def cpu_seconds(self) -> float:
        """CPU (user + system) used so far by gunicorn's master and workers."""
        pids = [self.process.pid]
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
            pids += [int(pid) for pid in children]
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

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


class HttpClient:
    """One keep-alive connection; keeps the session cookie it is given."""

    def __init__(self, port: int, cookie: str = ""):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = cookie

    def send(self, request: Request) -> tuple[int, bytes, http.client.HTTPResponse]:
        headers = dict(request.headers)
        if self.cookie:
            headers["Cookie"] = self.cookie
        self.connection.request(request.method, request.path, body=request.body, headers=headers)
        response = self.connection.getresponse()
        return response.status, response.read(), response


def server_login(port: int) -> str:
    client = HttpClient(port)
    status, _body, response = client.send(Request(
        "POST", "/login", urlencode({"username": "bench", "password": PASSWORD}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"}))
    assert status in (302, 303), status
    cookies = [header.split(";", 1)[0] for name, header in response.getheaders() if name.lower() == "set-cookie"]
    return "; ".join(cookies)


@dataclass
class Load:
    p50: float
    p95: float
    requests: int
    errors: int
    server_cpu_ms: float


def measure_server(server: Server, cookie: str, makers: list, *, per_client=40, budget_s=5.0) -> Load:
    """Each maker drives one client thread; all start together."""
    samples, errors, lock = [], [0], threading.Lock()
    barrier = threading.Barrier(len(makers) + 1)

    def run(make):
        client = HttpClient(server.port, cookie)
        for _ in range(2):
            client.send(make())
        barrier.wait()
        started, mine = time.perf_counter(), []
        while len(mine) < per_client and (len(mine) < 10 or time.perf_counter() - started < budget_s):
            request = make()
            t0 = time.perf_counter()
            status, _body, _response = client.send(request)
            mine.append((time.perf_counter() - t0) * 1000)
            if status not in request.expect:
                with lock:
                    errors[0] += 1
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=run, args=(make,)) for make in makers]
    for thread in threads:
        thread.start()
    barrier.wait()
    cpu_before = server.cpu_seconds()
    for thread in threads:
        thread.join()
    cpu = server.cpu_seconds() - cpu_before
    samples.sort()
    return Load(statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))],
                len(samples), errors[0], cpu * 1000 / len(samples))


# --- flask --help -------------------------------------------------------------------------------

# The framework's part of the command line's start: Python, Flask's CLI, SQLAlchemy's ORM, the Flask
# extensions and Alembic imported, nothing of the app (a scale for the noisy machine).
FRAMEWORK_IMPORTS = ("import flask.cli, sqlalchemy.orm, flask_sqlalchemy, flask_migrate, flask_login, flask_wtf, "
                     "flask_babel, wtforms")


def cli_help_seconds(runs: int = 5) -> tuple[float, float]:
    """The median wall time of ``flask --app renovation --help`` and of the framework's imports alone,
    run in alternation."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    app_times, framework_times = [], []
    for _ in range(runs):
        for command, times in (([str(VENV_BIN / "flask"), "--app", "renovation", "--help"], app_times),
                               ([str(VENV_BIN / "python"), "-c", FRAMEWORK_IMPORTS], framework_times)):
            started = time.perf_counter()
            subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - started)
    return statistics.median(app_times), statistics.median(framework_times)


# --- the table ----------------------------------------------------------------------------------

def fmt_load(load: Load | None) -> str:
    if load is None:
        return "—"
    text = f"{load.p50:6.1f} /{load.p95:6.1f}"
    return text + (f" ({load.errors} err)" if load.errors else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-server", action="store_true", help="test-client CPU only, no gunicorn")
    parser.add_argument("--quick", action="store_true", help="fewer requests (a rough look)")
    parser.add_argument("--postgres", nargs="?", const=PG_URL, metavar="URL",
                        help=f"seed and measure on PostgreSQL instead of SQLite (emptied first; default {PG_URL})")
    args = parser.parse_args()
    os.chdir(ROOT)
    from bench_floor import create_floor_app

    from renovation import create_app
    from renovation.extensions import db

    print(f"Seeding the demo (141 projects, {GALLERY_PHOTOS} photo rows on one project) …", flush=True)
    started = time.perf_counter()
    seeded = seed(url=args.postgres)
    print(f"  seeded in {time.perf_counter() - started:.1f} s: {seeded.url}", flush=True)
    app = create_app(app_config(seeded.url, seeded.instance))
    floor = create_floor_app(seeded.url)
    with app.app_context():
        app_engine = db.engine
    clients = {"app": login(app), "floor": floor.test_client()}
    engines = {"app": app_engine, "floor": floor.extensions["floor_engine"]}
    budget = dict(min_runs=5, max_runs=15, budget_s=1.0) if args.quick else {}
    load_budget = dict(per_client=12, budget_s=2.0) if args.quick else {}

    servers, cookies = {}, {}
    if not args.no_server:
        print("Starting gunicorn for the app and for the floor (gunicorn.conf.py) …", flush=True)
        servers = {"app": Server(seeded, "app"), "floor": Server(seeded, "floor")}
        cookies = {"app": server_login(servers["app"].port), "floor": ""}
    rows = []
    try:
        for case in cases(seeded):
            measured = {}
            specs = {who: spec for who, spec in (("app", case.app), ("floor", case.floor)) if spec is not None}
            in_process_of = measure_in_process(
                {who: (clients[who], engines[who], request_maker(spec, seeded, who, 0)) for who, spec in specs.items()},
                **budget)
            for who, spec in specs.items():
                in_process = in_process_of[who]
                one = four = None
                if servers:
                    one = measure_server(servers[who], cookies[who], [request_maker(spec, seeded, who, 0)],
                                         **load_budget)
                    four = measure_server(servers[who], cookies[who],
                                          [request_maker(spec, seeded, who, index) for index in range(4)],
                                          **load_budget)
                measured[who] = (in_process, one, four)
                print(f"  {case.name:28} {who:5} {in_process.cpu_ms:7.2f} ms CPU", flush=True)
            rows.append((case, measured))
    finally:
        for server in servers.values():
            server.stop()
    cli = cli_help_seconds()

    print()
    print(f"Pages beside the framework's floor — {time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}, "
          f"{'PostgreSQL' if args.postgres else 'SQLite'}, 141 projects")
    print("CPU: process_time around one request through Flask's test client (median); wall: gunicorn "
          "(gunicorn.conf.py: 3 gthread workers), keep-alive HTTP clients, p50 / p95 in ms; "
          "srv CPU: gunicorn's processes per request during the 4-client run; SQL: statements per request; "
          "KB, tags: the answer's size and opening tags (how comparable the markup is)")
    header = (f"{'case':28} {'':5} {'CPU ms':>7} {'floor':>7} {'ratio':>6} {'SQL':>4} {'KB':>6} {'tags':>5}  "
              f"{'1 client p50/p95':>17}  {'4 clients p50/p95':>17} {'srv CPU':>8}")
    print(header)
    print("-" * len(header))
    for case, measured in rows:
        floor_cpu = measured["floor"][0].cpu_ms if "floor" in measured else None
        for who in ("app", "floor"):
            if who not in measured:
                continue
            in_process, one, four = measured[who]
            name = case.name if who == "app" or "app" not in measured else ""
            ratio = f"{in_process.cpu_ms / floor_cpu:5.1f}×" if who == "app" and floor_cpu else ""
            floor_text = f"{floor_cpu:7.2f}" if who == "app" and floor_cpu else ""
            srv = f"{four.server_cpu_ms:7.1f}" if four else "—"
            print(f"{name:28} {who:5} {in_process.cpu_ms:7.2f} {floor_text:>7} {ratio:>6} "
                  f"{in_process.statements:4d} {in_process.kbytes:6.1f} {in_process.elements:5d}  "
                  f"{fmt_load(one):>17}  {fmt_load(four):>17} {srv:>8}")
    print("-" * len(header))
    print(f"flask --app renovation --help: {cli[0]:.2f} s wall (median of 5; target < 1 s); "
          f"the framework's imports alone: {cli[1]:.2f} s")
    print("Targets (issue 13): ratio ≤ 3× for the list, project page, dashboard, demands, gallery; "
          "stage change ≤ 8 ms server CPU.")


if __name__ == "__main__":
    main()
