"""A project's page in a small city and in a large one (issue 13: "a project page's cost does not
depend on the number of projects in the city"; the large page within 1.2× of the small one).

Two scratch databases (PostgreSQL by default, emptied first), seeded alike as ``./scripts/bench``
seeds its one (the demo's 141 projects, the demo's photos, 500 photo rows on one project); the
second then grows to N projects (default 20,000) by copies of the demo's projects made in the
database — each copy in a compound of its own, in the same communities, with its stages, history,
consultations, votes, demands and their history (not its photos: a project's photos are read by
project) — so that both hold the very same project pages, one among 141 projects, the other among
N. The tallies of demand figures follow the copies as they would any write (their triggers).

For each case it prints the server CPU per request (``time.process_time()`` around one request
through Flask's test client, the median of the runs, the small city's and the large city's
requests alternating so both meet the same noise of a shared machine), the statements per
request, and the ratio large / small. Cases: the project page of ``./scripts/bench`` (the
photographed project with the most consultations and demands), the page of the project with 500
photos, and its gallery alone (htmx).

    python scripts/bench_project_page.py [--projects N] [--runs N] [--small URL] [--large URL]
        defaults: postgresql+psycopg://postgres@127.0.0.1:5432/renovation_bench_page_small and …_large
"""
import argparse
import os
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
# This checkout's app, not the one the virtualenv has installed (editable, maybe another worktree).
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import bench_pages  # noqa: E402  (scripts/ is not a package)

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
SMALL_URL, LARGE_URL = f"{SERVER}/renovation_bench_page_small", f"{SERVER}/renovation_bench_page_large"
TARGET = 1.2


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database ``url`` names when it does not exist."""
    if not url.startswith("postgresql"):
        return
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                 {"name": target.database}):
            connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


# --- growing the city ---------------------------------------------------------------------------

# Each table copied, with how its columns change in copy number k (``{stride}``: ids of each table
# move by a stride larger than any id there is): ids and the ids they refer to move on, names and
# codes that must stay unique take the copy's number.
COPIED = [
    ("compound", {"id": "id + k * {stride}", "name": "name || '·' || k"}),
    ("project", {"id": "id + k * {stride}", "code": "code || '-' || k", "compound_id": "compound_id + k * {stride}"}),
    ("stage", {"id": "id + k * {stride}", "project_id": "project_id + k * {stride}"}),
    ("stage_event", {"id": "id + k * {stride}", "project_id": "project_id + k * {stride}"}),
    ("consultation", {"id": "id + k * {stride}", "project_id": "project_id + k * {stride}"}),
    ("vote", {"id": "id + k * {stride}", "consultation_id": "consultation_id + k * {stride}"}),
    ("demand", {"id": "id + k * {stride}", "project_id": "project_id + k * {stride}",
                "consultation_id": "consultation_id + k * {stride}"}),
    ("demand_event", {"id": "id + k * {stride}", "demand_id": "demand_id + k * {stride}"}),
]


def grow(url: str, projects: int) -> int:
    """Copy the demo's projects (and what hangs on them) until the city holds about ``projects``;
    returns how many there are."""
    from renovation.extensions import db

    engine = sa.create_engine(url)
    metadata = db.metadata
    with engine.begin() as connection:
        present = connection.scalar(sa.text("SELECT count(*) FROM project"))
        copies = max(0, round(projects / present) - 1)
        stride = 1 + max(connection.scalar(sa.text(f"SELECT coalesce(max(id), 0) FROM {name}"))
                         for name, _changes in COPIED)
        for name, changes in COPIED:
            table = metadata.tables[name]
            columns = [column.name for column in table.columns if column.computed is None]
            values = [changes.get(column, f'"{column}"').format(stride=stride) for column in columns]
            quoted = ", ".join(f'"{column}"' for column in columns)
            connection.execute(sa.text(
                f"WITH RECURSIVE copies(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM copies WHERE k < :copies) "
                f"INSERT INTO {name} ({quoted}) SELECT {', '.join(values)} FROM {name} CROSS JOIN copies"),
                {"copies": copies})
        if engine.dialect.name == "postgresql":
            for name, _changes in COPIED:
                connection.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"))
        total = connection.scalar(sa.text("SELECT count(*) FROM project"))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()
    return total


# --- measuring ------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20000, help="the large city's projects (default 20,000)")
    parser.add_argument("--runs", type=int, default=40, help="requests per case and city (default 40)")
    parser.add_argument("--small", default=SMALL_URL, help=f"the small city's database (default {SMALL_URL})")
    parser.add_argument("--large", default=LARGE_URL, help=f"the large city's database (default {LARGE_URL})")
    args = parser.parse_args()
    os.chdir(ROOT)
    from renovation import create_app
    from renovation.extensions import db

    cities = {}
    for label, url in (("small", args.small), ("large", args.large)):
        ensure_database(url)
        started = time.perf_counter()
        seeded = bench_pages.seed(url=url)
        line = f"  {label}: seeded the demo in {time.perf_counter() - started:.1f} s"
        if label == "large":
            started = time.perf_counter()
            total = grow(url, args.projects)
            line += f", grown to {total:,} projects in {time.perf_counter() - started:.1f} s"
        print(line, flush=True)
        app = create_app(bench_pages.app_config(url, seeded.instance))
        with app.app_context():
            projects = db.session.scalar(sa.text("SELECT count(*) FROM project"))
            engine = db.engine
        cities[label] = (seeded, bench_pages.login(app), engine, projects)

    small_seeded = cities["small"][0]
    page, gallery = f"/projects/{small_seeded.page_code}", f"/projects/{small_seeded.gallery_code}"
    cases = [("project page", bench_pages.Request("GET", page)),
             ("project page, 500 photos", bench_pages.Request("GET", gallery)),
             ("its gallery (htmx)", bench_pages.Request("GET", f"{gallery}?fragment=gallery",
                                                        headers={"HX-Request": "true"}))]
    assert cities["large"][0].page_code == small_seeded.page_code, "the two cities chose different projects"
    budget = {"min_runs": args.runs, "max_runs": args.runs, "budget_s": 0}
    rows = []
    for name, request in cases:
        measured = bench_pages.measure_in_process(
            {label: (client, engine, lambda request=request: request)
             for label, (_seeded, client, engine, _projects) in cities.items()}, **budget)
        rows.append((name, measured))

    engine_name = cities["small"][2].dialect.name
    print()
    print(f"A project's page in a small and a large city — {time.strftime('%Y-%m-%d %H:%M %Z')}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}, "
          f"{'PostgreSQL' if engine_name == 'postgresql' else 'SQLite'}")
    print("CPU: process_time around one request through Flask's test client (the app's own CPU); wall: the "
          "same request's elapsed time (the database's work included); medians of "
          f"{args.runs}, the two cities' requests alternating; SQL: statements per request")
    small_projects, large_projects = cities["small"][3], cities["large"][3]
    header = (f"{'case':26} {'':4} {f'{small_projects:,} projects':>15} {f'{large_projects:,} projects':>17} "
              f"{'large/small':>12} {'SQL':>8}")
    print(header)
    print("-" * len(header))
    worst = 0.0
    for name, measured in rows:
        small, large = measured["small"], measured["large"]
        for what, small_ms, large_ms in (("CPU", small.cpu_ms, large.cpu_ms), ("wall", small.wall_ms, large.wall_ms)):
            ratio = large_ms / small_ms
            worst = max(worst, ratio)
            sql = f"{small.statements}/{large.statements}" if what == "CPU" else ""
            print(f"{name if what == 'CPU' else '':26} {what:4} {small_ms:12.2f} ms {large_ms:14.2f} ms "
                  f"{ratio:11.2f}× {sql:>8}")
    print("-" * len(header))
    print(f"Target (issue 13): the large city's page within {TARGET}× of the small one's — "
          f"{'met' if worst <= TARGET else 'NOT met'} (worst {worst:.2f}×).")


if __name__ == "__main__":
    main()
