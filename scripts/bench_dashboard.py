"""Seed N demo projects into a scratch database, take the monthly snapshots, and time the
dashboard: the server time of GET /dashboard through the test client (rendering included,
network not), beside the issue's targets (100 ms at 141 projects, 1 s at 20,000 on PostgreSQL).
"""
import statistics
import sys
import tempfile
import time

import psycopg
import sqlalchemy as sa

from renovation import create_app
from renovation.demo import data as demo_data
from renovation.demo import snapshots as demo_snapshots
from renovation.domain import accounts
from renovation.domain.clock import today
from renovation.domain.programme.snapshots import month_of, take_snapshot
from renovation.extensions import db

PG_DATABASE = "renovation_bench_dashboard"
PG_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DATABASE}"


def timed(call, repeat=7) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def bench(url: str, label: str, projects: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": tempfile.mkdtemp(),
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.drop_all()
        from flask_migrate import upgrade

        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        started = time.perf_counter()
        demo_data.seed(projects)
        demo_snapshots.seed_previous_month()
        accounts.create_user("bench", "bench-password", "leader")
        db.session.commit()
        print(f"[{label}] seed-demo --projects {projects} (with last month's snapshot): "
              f"{time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        result = take_snapshot(month_of(today()))
        print(f"[{label}] snapshot-month: {result.projects} projects in {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        again = take_snapshot(month_of(today()))
        assert again.unchanged
        print(f"[{label}] snapshot-month again (nothing changes): {(time.perf_counter() - started) * 1000:.0f} ms")
    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": "bench-password"})
    assert client.get("/dashboard").status_code == 200
    target = 100 if projects <= 141 else 1000
    ms = timed(lambda: client.get("/dashboard"))
    print(f"[{label}] GET /dashboard with {projects} projects: {ms:7.1f} ms   (target {target} ms)")
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    sizes = [int(value) for value in sys.argv[1:]] or [141, 20000]
    for projects in sizes:
        bench(f"sqlite:///{tempfile.mkdtemp()}/bench.db", "sqlite", projects)
    try:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True,
                             connect_timeout=3) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,)).fetchone()
            if not exists:
                connection.execute(f"CREATE DATABASE {PG_DATABASE}")
    except psycopg.OperationalError:
        print("[postgresql] not reachable on 127.0.0.1:5432; left out")
        return
    for projects in sizes:
        bench(PG_URL, "postgresql", projects)


if __name__ == "__main__":
    main()
