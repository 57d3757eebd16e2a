"""Ledger import and export: how long a 20,000-row ledger takes to export, preview and commit.
Prints figures beside the target of issue 6 (20,000 rows preview in under 30 s; not a timed test).

A scratch SQLite database gets the demo programme of the given size; its ledger is exported
(.xlsx and CSV), then previewed against the same database (every row unchanged: the round trip)
and against an empty database (every row new), which is then committed in one transaction.

    ./scripts/bench-ledger [--projects 20000]
"""
import argparse
import io
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from renovation import create_app
from renovation.demo import data as demo_data
from renovation.domain.clock import today
from renovation.domain.ledger.commit import commit_import
from renovation.domain.ledger.exports import project_table
from renovation.domain.ledger.preview import preview_ledger
from renovation.domain.ledger.reader import read_ledger
from renovation.domain.ledger.spreadsheets import csv_bytes, xlsx_bytes
from renovation.domain.project_list import ProjectFilter
from renovation.extensions import db

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20_000)
    args = parser.parse_args()
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
