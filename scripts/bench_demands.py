"""Time the demands list (GET /demands, page 1 of 50) at the demo's 141 projects and at 20,000
demands, on SQLite and PostgreSQL: the server time through the test client (rendering included,
network not), beside the issue's target (100 ms) and a floor measured in the same run: a bare
query of 50 demands with their project and compound, rendered as 50 plain rows.

The PostgreSQL database comes from RENOVATION_BENCH_POSTGRES_URL (it is emptied), else the
scratch database renovation_bench_demands on 127.0.0.1:5432.
"""
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta

import psycopg
import sqlalchemy as sa
from flask import render_template_string

from renovation import create_app
from renovation.domain import accounts, demo_data
from renovation.domain.bulk_insert import next_id, sync_id_sequences
from renovation.extensions import db
from renovation.models import Compound, Project
from renovation.models.consultations import Demand, DemandEvent

PG_DATABASE = "renovation_bench_demands"
TARGET_MS = 100
FLOOR_TEMPLATE = """<ul>{% for demand in demands %}<li><a href="/demands/{{ demand.id }}">{{ demand.text }}</a>
{{ demand.project.code }} {{ demand.project.compound.name }} {{ demand.raised_on }} {{ demand.status }}</li>{% endfor %}</ul>"""


def timed(call, repeat=7) -> float:
    """The median of ``repeat`` runs, in milliseconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def grow_demands(total: int) -> None:
    """Copy the demo's demands (with their history) under new ids and shifted dates until
    there are ``total``."""
    rng = random.Random(11)
    model_rows = [dict(row._mapping) for row in db.session.execute(sa.select(Demand.__table__))]
    events = {}
    for row in db.session.execute(sa.select(DemandEvent.__table__)):
        events.setdefault(row.demand_id, []).append(dict(row._mapping))
    demand_id, event_id = next_id(Demand), next_id(DemandEvent)
    demands, copied_events = [], []
    for _ in range(total - len(model_rows)):
        source = rng.choice(model_rows)
        shift = timedelta(days=rng.randint(0, 400))
        demands.append({**source, "id": demand_id, "raised_on": source["raised_on"] - shift,
                        "resolved_on": source["resolved_on"] and source["resolved_on"] - shift})
        for event in events.get(source["id"], []):
            copied_events.append({**event, "id": event_id, "demand_id": demand_id, "at": event["at"] - shift})
            event_id += 1
        demand_id += 1
    for start in range(0, len(demands), 2000):
        db.session.execute(sa.insert(Demand.__table__), demands[start:start + 2000])
    for start in range(0, len(copied_events), 4000):
        db.session.execute(sa.insert(DemandEvent.__table__), copied_events[start:start + 4000])
    sync_id_sequences(Demand, DemandEvent)
    db.session.commit()


def floor_ms(app) -> float:
    """A bare query of the first 50 demands with project and compound, rendered as plain rows."""
    def bare():
        with app.test_request_context("/demands"):
            rows = db.session.scalars(
                sa.select(Demand).join(Demand.project).join(Project.compound)
                .options(sa.orm.contains_eager(Demand.project).contains_eager(Project.compound))
                .order_by(Demand.raised_on.desc(), Demand.id.desc()).limit(50)).all()
            render_template_string(FLOOR_TEMPLATE, demands=rows)
            db.session.remove()
    bare()
    return timed(bare)


def bench(url: str, label: str, sizes: list[int]) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": tempfile.mkdtemp(),
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.drop_all()
        from flask_migrate import upgrade

        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        demo_data.seed(141)
        accounts.create_user("bench", "bench-password", "engineer")
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": "bench-password"})
    for size in sizes:
        with app.app_context():
            count = db.session.scalar(sa.select(sa.func.count(Demand.id)))
            if size > count:
                grow_demands(size)
                count = size
            projects = db.session.scalar(sa.select(sa.func.count(Project.id)))
        assert client.get("/demands").status_code == 200
        ms = timed(lambda: client.get("/demands"))
        searched = timed(lambda: client.get("/demands", query_string={"q": "积水", "sort": "newest"}))
        with app.app_context():
            floor = floor_ms(app)
        print(f"[{label}] GET /demands, {projects} projects, {count:>6} demands: {ms:7.1f} ms"
              f"   (searched and sorted: {searched:6.1f} ms; floor {floor:5.1f} ms; target {TARGET_MS} ms)")
    with app.app_context():
        db.engine.dispose()


def postgres_url() -> str | None:
    """RENOVATION_BENCH_POSTGRES_URL, or a scratch database on the local server; None if unreachable."""
    if os.environ.get("RENOVATION_BENCH_POSTGRES_URL"):
        return os.environ["RENOVATION_BENCH_POSTGRES_URL"]
    try:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True,
                             connect_timeout=3) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,)).fetchone()
            if not exists:
                connection.execute(f"CREATE DATABASE {PG_DATABASE}")
    except psycopg.OperationalError:
        return None
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DATABASE}"


def main() -> None:
    sizes = sorted(int(value) for value in sys.argv[1:]) or [0, 20000]
    bench(f"sqlite:///{tempfile.mkdtemp()}/bench.db", "sqlite", sizes)
    url = postgres_url()
    if url is None:
        print("[postgresql] not reachable on 127.0.0.1:5432; left out")
        return
    bench(url, "postgresql", sizes)


if __name__ == "__main__":
    main()
