"""Seed N demo projects into a scratch database, take the monthly snapshots, and time the
dashboard: the server time of GET /dashboard through the test client (rendering included,
network not), beside the issue's targets (100 ms at 141 projects; 1 s at 20,000 and at 200,000
on PostgreSQL; the monthly snapshot under 60 s at 200,000).

    python scripts/bench_dashboard.py [PROJECTS ...] [--postgres URL] [--no-sqlite] [--keep]

Sizes default to 141 and 20,000, on SQLite and on PostgreSQL (a scratch database
renovation_bench_dashboard, or --postgres URL). ``--keep`` reuses a PostgreSQL database that
already holds that many projects (seeding 200,000 takes minutes) instead of loading it again.
"""
import argparse
import os
import statistics
import tempfile
import time

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from renovation import create_app
from renovation.demo import data as demo_data
from renovation.demo import snapshots as demo_snapshots
from renovation.domain import accounts
from renovation.domain.bulk_insert import refresh_statistics
from renovation.domain.clock import today
from renovation.domain.programme.snapshots import month_of, take_snapshot
from renovation.extensions import db
from renovation.models import Project

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/renovation_bench_dashboard"
USER, PASSWORD = "bench-dashboard", "bench-password"


def timed(call, repeat=7) -> tuple[float, float]:
    """Median and best of ``repeat`` calls, in ms."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), min(samples)


def load(projects: int, label: str, keep: bool) -> None:
    """The demo of ``projects`` projects with last month's snapshot, from an empty database (or
    the one there, with ``keep``, when it has that many)."""
    if keep and db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == projects:
        print(f"[{label}] {projects} projects already there (--keep)")
        return
    db.drop_all()
    from flask_migrate import upgrade

    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()
    started = time.perf_counter()
    demo_data.seed(projects)
    demo_snapshots.seed_previous_month()
    db.session.commit()
    refresh_statistics()
    print(f"[{label}] demo of {projects} projects with last month's snapshot (no photos, as seed-demo "
          f"loads it otherwise): {time.perf_counter() - started:.1f} s")


def bench(url: str, label: str, projects: int, keep: bool = False) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": tempfile.mkdtemp(),
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        load(projects, label, keep)
        if accounts.find_user(USER) is None:
            accounts.create_user(USER, PASSWORD, "leader")
            db.session.commit()
        started = time.perf_counter()
        result = take_snapshot(month_of(today()), replace=True)
        print(f"[{label}] snapshot-month: {result.projects} projects in {time.perf_counter() - started:.2f} s"
              f"   (target < 60 s at 200,000)")
        started = time.perf_counter()
        again = take_snapshot(month_of(today()))
        assert again.unchanged
        print(f"[{label}] snapshot-month again (nothing changes): {(time.perf_counter() - started) * 1000:.0f} ms")
    client = app.test_client()
    client.post("/login", data={"username": USER, "password": PASSWORD})
    assert client.get("/dashboard").status_code == 200
    target = 100 if projects <= 141 else 1000
    median, best = timed(lambda: client.get("/dashboard"))
    print(f"[{label}] GET /dashboard with {projects} projects: {median:7.1f} ms median, {best:7.1f} ms best"
          f"   (target {target} ms; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    with app.app_context():
        db.engine.dispose()


def create_database(url: str) -> bool:
    """Make the PostgreSQL database of ``url`` when it is missing; False when the server is not there."""
    name = make_url(url).database
    try:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True,
                             connect_timeout=3) as connection:
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[141, 20000])
    parser.add_argument("--postgres", default=PG_URL, metavar="URL")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--keep", action="store_true", help="reuse a PostgreSQL database of that size")
    args = parser.parse_args()
    if not args.no_sqlite:
        for projects in args.sizes:
            bench(f"sqlite:///{tempfile.mkdtemp()}/bench.db", "sqlite", projects)
    if not create_database(args.postgres):
        print("[postgresql] not reachable on 127.0.0.1:5432; left out")
        return
    for projects in args.sizes:
        bench(args.postgres, "postgresql", projects, keep=args.keep)


if __name__ == "__main__":
    main()
