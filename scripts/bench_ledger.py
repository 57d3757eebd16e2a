"""Ledger import and export: how long a 20,000-row ledger takes to export, preview and commit.
Prints figures beside the target of issue 6 (20,000 rows preview in under 30 s; not a timed test).

A scratch SQLite database gets the demo programme of the given size; its ledger is exported
(.xlsx and CSV), then previewed against the same database (every row unchanged: the round trip)
and against an empty database (every row new), which is then committed in one transaction.

With ``--database URL`` (for instance a PostgreSQL database loaded by ``flask seed-demo
--projects 200000``) only the streamed exports are measured, on that database: the time, the
file's size and the peak memory (the process's resident set above what it held before; with
``--tracemalloc`` also the peak of Python's allocations, in a second, slower run) of producing
the .xlsx and the CSV piece by piece as the app sends them (issue 13: the export is streamed,
never held whole in memory).

    ./scripts/bench-ledger [--projects 20000]
    ./scripts/bench-ledger --database postgresql+psycopg://postgres@127.0.0.1:5432/wseed_bench
"""
import argparse
import io
import tempfile
import time
import tracemalloc
from pathlib import Path

from flask_migrate import upgrade

from renovation import create_app
from renovation.demo import data as demo_data
from renovation.domain.clock import today
from renovation.domain.ledger.commit import commit_import
from renovation.domain.ledger.exports import project_table
from renovation.domain.ledger.preview import preview_ledger
from renovation.domain.ledger.reader import read_ledger
from renovation.domain.ledger.spreadsheets import csv_bytes, csv_chunks, xlsx_bytes, xlsx_chunks
from renovation.domain.project_list import ProjectFilter
from renovation.extensions import db
from renovation.models import Project

TARGET_PREVIEW_S = 30.0


def scratch_app(folder: Path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}", "INSTANCE_PATH": str(folder),
                      "SECRET_KEY": "bench", "QUEUE_URL": "immediate"})
    with app.app_context():
        upgrade()
    return app


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def resident_kb(field: str = "VmRSS") -> int:
    """The process's resident set (``VmRSS``) or its peak since the last reset (``VmHWM``), in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def peak_of(function) -> tuple[float, int, int]:
    """Seconds, peak resident set growth (kB, Linux) and the result's size of ``function()``."""
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the present resident set
    before = resident_kb()
    seconds, size = timed(function)
    return seconds, resident_kb("VmHWM") - before, size


def traced_peak(function) -> int:
    """Peak of Python's own allocations (bytes) while ``function()`` runs."""
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def export_xlsx() -> int:
    return sum(len(piece) for piece in xlsx_chunks(project_table(ProjectFilter(), today())))


def export_csv() -> int:
    return sum(len(piece) for piece in csv_chunks(project_table(ProjectFilter(), today())))


def bench_streamed_exports(url: str, traced: bool) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": tempfile.mkdtemp(), "SECRET_KEY": "bench"})
    with app.app_context():
        projects = db.session.scalar(db.select(db.func.count()).select_from(Project))
        print(f"{projects} projects on {db.engine.dialect.name}, the ledger streamed (issue 13):", flush=True)
        for label, export in ((".xlsx (piece by piece)", export_xlsx), ("CSV (piece by piece)", export_csv)):
            seconds, grown, size = peak_of(export)
            db.session.rollback()
            allocations = f"   peak Python allocations {traced_peak(export) / 1e6:5.1f} MB" if traced else ""
            db.session.rollback()
            print(f"  {label:24} {seconds:6.1f} s  {size / 1e6:6.1f} MB file   peak resident +{grown / 1024:5.0f} MB"
                  f"{allocations}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--database", help="measure the streamed exports only, on this (seeded) database")
    parser.add_argument("--tracemalloc", action="store_true", help="with --database: Python's peak allocations too")
    args = parser.parse_args()
    if args.database:
        bench_streamed_exports(args.database, args.tracemalloc)
        return
    with tempfile.TemporaryDirectory(prefix="bench-ledger-") as full, \
            tempfile.TemporaryDirectory(prefix="bench-ledger-empty-") as empty:
        app = scratch_app(Path(full))
        with app.app_context():
            demo_data.seed(args.projects)
            db.session.commit()
            export_s, ledger = timed(lambda: xlsx_bytes(project_table(ProjectFilter(), today())))
            csv_s, csv_data = timed(lambda: csv_bytes(project_table(ProjectFilter(), today())))
            read_s, sheet = timed(lambda: read_ledger(io.BytesIO(ledger)))
            same_s, same = timed(lambda: preview_ledger(io.BytesIO(ledger)))
        app = scratch_app(Path(empty))
        with app.app_context():
            new_s, new = timed(lambda: preview_ledger(io.BytesIO(ledger)))
            commit_s, result = timed(lambda: commit_import(new, None, "bench"))
    print(f"{args.projects} projects, {len(sheet.match.columns)} columns:")
    print(f"  export .xlsx                     {export_s:6.1f} s   {len(ledger) / 1e6:5.1f} MB")
    print(f"  export CSV                       {csv_s:6.1f} s   {len(csv_data) / 1e6:5.1f} MB")
    print(f"  read the workbook only           {read_s:6.1f} s")
    print(f"  preview, same database (round trip) {same_s:6.1f} s  (target < {TARGET_PREVIEW_S:g} s)   "
          f"{same.counts['unchanged']} unchanged, {len(same.problems)} problems")
    print(f"  preview, empty database          {new_s:6.1f} s  (target < {TARGET_PREVIEW_S:g} s)   "
          f"{new.counts['create']} new, {len(new.problems)} problems")
    print(f"  commit into the empty database   {commit_s:6.1f} s   {result.created} projects created")


if __name__ == "__main__":
    main()
