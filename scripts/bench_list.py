"""Seed N demo projects into a scratch database and time the list page and the API.

Prints one line per measurement: the median of repeated requests through the test client,
which includes rendering but not the network.
"""
import statistics
import sys
import tempfile
import time

import psycopg
import sqlalchemy as sa

from renovation import create_app
from renovation.demo import data as demo_data
from renovation.domain import accounts
from renovation.extensions import db

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/renovation_bench"
QUERIES = [
    "/projects",
    "/projects?q=九龙",
    "/projects?behind=1&sort=behind",
    "/projects?sort=progress&dir=desc&page=40",
    "/projects?street=1&stage=facade",
]


def timed(call, repeat=7) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def bench(url: str, label: str, projects: int) -> None:
    instance = tempfile.mkdtemp()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.drop_all()
        from flask_migrate import upgrade

        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        started = time.perf_counter()
        demo_data.seed(projects)
        accounts.create_user("bench", "bench-password", "engineer")
        db.session.commit()
        print(f"[{label}] seed-demo --projects {projects}: {time.perf_counter() - started:.1f} s")
        token = accounts.create_token(accounts.find_user("bench"))
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": "bench-password"})
    for path in QUERIES:
        assert client.get(path).status_code == 200, path
        ms = timed(lambda path=path: client.get(path))
        fragment = timed(lambda path=path: client.get(path, headers={"HX-Request": "true"}))
        print(f"[{label}] GET {path:45} page {ms:7.1f} ms   htmx fragment {fragment:7.1f} ms")
    headers = {"Authorization": f"Bearer {token}"}
    ms = timed(lambda: client.get("/api/v1/projects?per_page=200", headers=headers))
    print(f"[{label}] GET /api/v1/projects?per_page=200{'':14} {ms:7.1f} ms")
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    projects = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    bench(f"sqlite:///{tempfile.mkdtemp()}/bench.db", "sqlite", projects)
    try:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True,
                             connect_timeout=3) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = 'renovation_bench'").fetchone()
            if not exists:
                connection.execute("CREATE DATABASE renovation_bench")
    except psycopg.OperationalError:
        print("[postgresql] not reachable on 127.0.0.1:5432; left out")
        return
    bench(PG_URL, "postgresql", projects)


if __name__ == "__main__":
    main()
