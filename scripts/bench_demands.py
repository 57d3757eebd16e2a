"""Time the demands list (GET /demands) at the demo's 141 projects and at 20,000 demands, on
SQLite and PostgreSQL: the server time through the test client (rendering included, network
not) of every kind of list a user can ask for, beside the issue's target (100 ms) and a floor
measured in the same run: a bare query of 50 demands with their project and compound, rendered
as 50 plain rows.

The cases: the plain list in each sort, on its first, middle and a late page; searches (one
word matching thousands, one matching about a thousand, several words, a place and a word, a
project code, nothing); the status, category and overdue filters, with a search too; and a
committee member's list of their own community, searched and paged. Each line gives the
median time (and the fastest run), the floor's median timed in turn with it, their ratio, and
the queries the request ran.

The PostgreSQL database comes from RENOVATION_BENCH_POSTGRES_URL (it is emptied), else the
scratch database renovation_bench_demands on 127.0.0.1:5432. It is ANALYZEd after the demands
are added, as autovacuum would do on a live server; SQLite is not (nothing runs ANALYZE there).
"""
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

# Time the checkout this script is in, not the one a shared virtualenv's editable install points
# at (Python puts scripts/ first on the path, not the checkout).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
import sqlalchemy as sa
from flask import render_template_string

from renovation import create_app
from renovation.demo import data as demo_data
from renovation.domain import accounts
from renovation.domain.bulk_insert import next_id, sync_id_sequences
from renovation.extensions import db
from renovation.models import Community, Compound, Project
from renovation.models.consultations import Demand, DemandEvent

PG_DATABASE = "renovation_bench_demands"
TARGET_MS = 100
REPEAT = 7
PASSWORD = "bench-password"
FLOOR_TEMPLATE = """<ul>{% for demand in demands %}<li><a href="/demands/{{ demand.id }}">{{ demand.text }}</a>
{{ demand.project.code }} {{ demand.project.compound.name }} {{ demand.raised_on }} {{ demand.status }}</li>
{% endfor %}</ul>"""
# (label, query string); "page": "late" is 9/10 of the way through the matches, "middle" half.
ENGINEER_CASES = [
    ("list, overdue first", {}),
    ("list, overdue first, middle page", {"page": "middle"}),
    ("list, overdue first, late page", {"page": "late"}),
    ("list, newest first", {"sort": "newest"}),
    ("list, oldest first, late page", {"sort": "oldest", "page": "late"}),
    ("list, by project", {"sort": "project"}),
    ("list, by project, late page", {"sort": "project", "page": "late"}),
    ("search 希望 (most demands)", {"q": "希望"}),
    ("search 希望, newest, late page", {"q": "希望", "sort": "newest", "page": "late"}),
    ("search 希望, by project, late page", {"q": "希望", "sort": "project", "page": "late"}),
    ("search 积水 (about 1 in 17)", {"q": "积水", "sort": "newest"}),
    ("search 积水　单元 (two words)", {"q": "积水\u3000单元"}),
    ("search 铁路 电梯 (compound + text)", {"q": "铁路 电梯"}),
    ("search ZP-2026-015 (a project code)", {"q": "ZP-2026-015", "sort": "oldest"}),
    ("search 无此诉求 (nothing)", {"q": "无此诉求"}),
    ("status pending", {"status": "pending"}),
    ("overdue only, by project", {"overdue": "y", "sort": "project"}),
    ("category + status + search", {"category": "drainage", "status": "resolved", "q": "积水"}),
]
COMMITTEE_CASES = [
    ("committee: own community", {"community": "own"}),
    ("committee: own community, late page", {"community": "own", "page": "late"}),
    ("committee: own community, search 希望, by project", {"community": "own", "q": "希望", "sort": "project"}),
    ("committee: own, overdue, search, newest", {"community": "own", "overdue": "y", "q": "希望", "sort": "newest"}),
]


def run_ms(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def timed_beside_floor(call, floor, repeat=REPEAT) -> tuple[list[float], list[float]]:
    """``repeat`` runs of ``call``, each right after a run of ``floor``, in milliseconds: on a
    shared machine the load changes from one second to the next, and the ratio of the two
    medians changes much less than either."""
    samples, floors = [], []
    for _ in range(repeat):
        floors.append(run_ms(floor))
        samples.append(run_ms(call))
    return samples, floors


def grow_demands(total: int) -> None:
    """Copy the demo's demands (with their history) under new ids and shifted dates until
    there are ``total``."""
    rng = random.Random(11)
    stored = [column for column in Demand.__table__.columns if column.computed is None]  # not search_text
    model_rows = [dict(row._mapping) for row in db.session.execute(sa.select(*stored))]
    events = {}
    for row in db.session.execute(sa.select(DemandEvent.__table__)):
        events.setdefault(row.demand_id, []).append(dict(row._mapping))
    demand_id, event_id = next_id(Demand), next_id(DemandEvent)
    demands, copied_events = [], []
    for _ in range(total - len(model_rows)):
        source = rng.choice(model_rows)
        shift = timedelta(days=rng.randint(0, 400))
        demands.append(
            {
                **source,
                "id": demand_id,
                "raised_on": source["raised_on"] - shift,
                "resolved_on": source["resolved_on"] and source["resolved_on"] - shift,
            }
        )
        for event in events.get(source["id"], []):
            copied_events.append({**event, "id": event_id, "demand_id": demand_id, "at": event["at"] - shift})
            event_id += 1
        demand_id += 1
    for start in range(0, len(demands), 2000):
        db.session.execute(sa.insert(Demand.__table__), demands[start : start + 2000])
    for start in range(0, len(copied_events), 4000):
        db.session.execute(sa.insert(DemandEvent.__table__), copied_events[start : start + 4000])
    sync_id_sequences(Demand, DemandEvent)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def floor_call(app):
    """A bare query of the first 50 demands with project and compound, rendered as plain rows."""

    def bare():
        with app.test_request_context("/demands"):
            rows = db.session.scalars(
                sa.select(Demand)
                .join(Demand.project)
                .join(Project.compound)
                .options(sa.orm.contains_eager(Demand.project).contains_eager(Project.compound))
                .order_by(Demand.raised_on.desc(), Demand.id.desc())
                .limit(50)
            ).all()
            render_template_string(FLOOR_TEMPLATE, demands=rows)
            db.session.remove()

    bare()
    return bare


def busiest_community_id() -> int:
    """The community with the most demands: a committee member's longest list."""
    return db.session.scalar(
        sa.select(Compound.community_id)
        .select_from(Demand)
        .join(Demand.project)
        .join(Project.compound)
        .group_by(Compound.community_id)
        .order_by(sa.func.count(Demand.id).desc())
        .limit(1)
    )


def case_query(client, query: dict, community_id: int) -> dict:
    """The query string of a case: "own" is the committee member's community; a "late" or
    "middle" page is found from the pages the first page says there are."""
    query = {**query}
    if query.get("community") == "own":
        query["community"] = community_id
    if query.get("page") in ("late", "middle"):
        where = query.pop("page")
        html = client.get("/demands", query_string=query).get_data(as_text=True)
        found = re.search(r"<span>1 / (\d+)</span>", html)
        pages = int(found.group(1)) if found else 1
        query["page"] = max(1, round(pages * (0.9 if where == "late" else 0.5)))
    return query


class QueryCounter:
    def __init__(self, engine):
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.count += 1


def run_cases(client, cases, community_id: int, floor, label: str, counter: QueryCounter) -> list:
    """Each case's line; returns (median ms, median floor ms) per case."""
    results = []
    for name, query in cases:
        query = case_query(client, query, community_id)
        response = client.get("/demands", query_string=query)
        assert response.status_code == 200, (name, response.status_code)
        counter.count = 0
        client.get("/demands", query_string=query)
        queries = counter.count
        samples, floors = timed_beside_floor(lambda query=query: client.get("/demands", query_string=query), floor)
        ms, floor_ms = statistics.median(samples), statistics.median(floors)
        shown = "&".join(f"{key}={value}" for key, value in query.items())
        mark = "" if ms < TARGET_MS else "  OVER TARGET"
        print(
            f"[{label}]   {name:50} {ms:6.1f} ms (min {min(samples):5.1f})  floor {floor_ms:5.1f} ms"
            f"  {ms / floor_ms:4.1f}× floor  {queries} queries  ?{shown}{mark}"
        )
        results.append((ms, floor_ms))
    return results


def bench(url: str, label: str, sizes: list[int]) -> None:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": tempfile.mkdtemp(),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        db.drop_all()
        from flask_migrate import upgrade

        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        demo_data.seed(141)
        accounts.create_user("bench", PASSWORD, "engineer")
        community_id = busiest_community_id()
        accounts.create_user(
            "bench-committee", PASSWORD, "committee", community=db.session.get(Community, community_id)
        )
        db.session.commit()
        counter = QueryCounter(db.engine)
    engineer, committee = app.test_client(), app.test_client()
    engineer.post("/login", data={"username": "bench", "password": PASSWORD})
    committee.post("/login", data={"username": "bench-committee", "password": PASSWORD})
    for size in sizes:
        with app.app_context():
            count = db.session.scalar(sa.select(sa.func.count(Demand.id)))
            if size > count:
                grow_demands(size)
                count = size
            projects = db.session.scalar(sa.select(sa.func.count(Project.id)))
        floor = floor_call(app)
        print(
            f"[{label}] GET /demands, {projects} projects, {count} demands; each case beside the floor"
            f" (bare query + render of 50 rows) timed in turn with it; target {TARGET_MS} ms"
        )
        results = run_cases(engineer, ENGINEER_CASES, community_id, floor, label, counter)
        results += run_cases(committee, COMMITTEE_CASES, community_id, floor, label, counter)
        times, floors = [ms for ms, _ in results], [floor_ms for _, floor_ms in results]
        print(
            f"[{label}] {count} demands: slowest case {max(times):.1f} ms, median {statistics.median(times):.1f} ms;"
            f" floor median {statistics.median(floors):.1f} ms; highest ratio to the floor"
            f" {max(ms / floor_ms for ms, floor_ms in results):.1f}×"
        )
    with app.app_context():
        db.engine.dispose()


def postgres_url() -> str | None:
    """RENOVATION_BENCH_POSTGRES_URL, or a scratch database on the local server; None if unreachable."""
    if os.environ.get("RENOVATION_BENCH_POSTGRES_URL"):
        return os.environ["RENOVATION_BENCH_POSTGRES_URL"]
    try:
        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=3
        ) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,)).fetchone()
            if not exists:
                connection.execute(f"CREATE DATABASE {PG_DATABASE}")
    except psycopg.OperationalError:
        return None
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DATABASE}"


def main() -> None:
    sizes = sorted(int(value) for value in sys.argv[1:]) or [0, 20000]
    only = os.environ.get("RENOVATION_BENCH_ONLY", "")  # "sqlite" or "postgresql": one database
    if only != "postgresql":
        bench(f"sqlite:///{tempfile.mkdtemp()}/bench.db", "sqlite", sizes)
    if only == "sqlite":
        return
    url = postgres_url()
    if url is None:
        print("[postgresql] not reachable on 127.0.0.1:5432; left out")
        return
    bench(url, "postgresql", sizes)


if __name__ == "__main__":
    main()
