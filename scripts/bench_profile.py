"""Where a page's time goes: the cases of ``./scripts/bench`` profiled one by one (issue 13).

For each case of the app, through Flask's test client on the same seeded demo:
- CPU per request without the profiler (process_time, median);
- the statements sent to the database: how many, their shape (whitespace collapsed, the first
  110 characters) and how often each came, the time spent in the driver, and how many were sent
  while a template was rendering (lazy loads from templates);
- time inside template rendering (``render_template`` / jinja2-fragments' ``render_block``, inclusive:
  whatever the template triggers counts), measured without the profiler;
- under cProfile (which slows everything, so read shares, not milliseconds): self time summed by
  package (compiled templates, jinja2, markupsafe, Babel, SQLAlchemy's ORM and its Core/engine,
  the sqlite3 driver, WTForms, Werkzeug, Flask, the app…), and the app's own functions and template
  lines with the most cumulative time (file:line).

    python scripts/bench_profile.py [CASE-SUBSTRING ...] [--runs N] [--imports]

``--imports`` also prints what ``flask --app renovation --help`` spends importing
(``python -X importtime``, the largest cumulative imports).
"""
import argparse
import cProfile
import os
import pstats
import re
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
# This checkout's app, not the one the virtualenv has installed (editable, maybe another worktree).
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import bench_pages  # noqa: E402  (scripts/ is not a package)

PACKAGES = [  # (label, test on the code's file name); the first that matches wins
    ("templates (compiled)", lambda f: f.endswith(".html")),
    ("jinja2", lambda f: "/jinja2/" in f or "jinja2_fragments" in f),
    ("markupsafe", lambda f: "markupsafe" in f),
    ("babel / flask_babel", lambda f: "/babel/" in f or "flask_babel" in f),
    ("sqlalchemy.orm", lambda f: "/sqlalchemy/orm/" in f),
    ("sqlalchemy core/engine", lambda f: "/sqlalchemy/" in f),
    ("sqlite3 driver", lambda f: "sqlite3" in f),
    ("wtforms / flask_wtf", lambda f: "wtforms" in f or "flask_wtf" in f),
    ("werkzeug", lambda f: "/werkzeug/" in f),
    ("flask_login", lambda f: "flask_login" in f),
    ("flask", lambda f: "/flask/" in f),
    ("renovation (app code)", lambda f: "/renovation/" in f),
    ("python stdlib/builtins", lambda f: True),
]


def package_of(filename: str) -> str:
    for label, test in PACKAGES:
        if test(filename):
            return label
    return "other"


class Watch:
    """Statements (with time in the driver) and template time, per request, without a profiler."""

    def __init__(self, engine):
        self.engine, self.rendering = engine, 0
        self.statements, self.sql_seconds, self.in_template, self.template_seconds = [], 0.0, 0, 0.0

    def reset(self):
        self.statements, self.sql_seconds, self.in_template, self.template_seconds = [], 0.0, 0, 0.0

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_started", []).append(time.perf_counter())
        self.statements.append(f"{' '.join(statement.split())[:110]}\n           from {origin()}")
        if self.rendering:
            self.in_template += 1

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.sql_seconds += time.perf_counter() - conn.info["bench_started"].pop()

    def __enter__(self):
        import flask.templating
        import jinja2_fragments.flask as fragments

        import renovation.templating

        sa.event.listen(self.engine, "before_cursor_execute", self._before)
        sa.event.listen(self.engine, "after_cursor_execute", self._after)
        self.patched = []
        for module, name in ((flask.templating, "_render"), (fragments, "render_block"),
                             (renovation.templating, "render_block")):
            original = getattr(module, name)

            def timed(*args, __original=original, **kwargs):
                self.rendering += 1
                started = time.perf_counter()
                try:
                    return __original(*args, **kwargs)
                finally:
                    self.rendering -= 1
                    if not self.rendering:
                        self.template_seconds += time.perf_counter() - started

            setattr(module, name, timed)
            self.patched.append((module, name, original))
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._before)
        sa.event.remove(self.engine, "after_cursor_execute", self._after)
        for module, name, original in self.patched:
            setattr(module, name, original)


def origin() -> str:
    """Where a statement comes from: the innermost template line and app function on the stack."""
    frame, found = sys._getframe(2), []
    template = code = None
    while frame is not None and (template is None or code is None):
        filename = frame.f_code.co_filename
        if template is None and "__jinja_template__" in frame.f_globals and filename.endswith(".html"):
            line = frame.f_globals["__jinja_template__"].get_corresponding_lineno(frame.f_lineno)
            template = f"{short(filename)}:{line}"
        elif code is None and "/renovation/" in filename:
            code = f"{short(filename)}:{frame.f_lineno} {frame.f_code.co_name}"
        frame = frame.f_back
    found = [part for part in (template, code) if part]
    return " ← ".join(found) or "?"


def short(filename: str) -> str:
    for marker in ("/renovation/", "/templates/"):
        if marker in filename:
            return marker.strip("/") + "/" + filename.split(marker, 1)[1]
    return filename.rsplit("/site-packages/", 1)[-1]


def profile_case(name, client, engine, make, runs: int) -> None:
    first = make()
    bench_pages.test_client_request(client, first)
    for _ in range(2):
        bench_pages.test_client_request(client, make())
    cpu = []
    for _ in range(runs):
        request = make()
        started = time.process_time()
        bench_pages.test_client_request(client, request)
        cpu.append((time.process_time() - started) * 1000)
    watch_runs = max(3, runs // 2)
    with Watch(engine) as watch:
        template, sql, walls = [], [], []
        for _ in range(watch_runs):
            watch.reset()
            started = time.perf_counter()
            bench_pages.test_client_request(client, make())
            walls.append(time.perf_counter() - started)
            template.append(watch.template_seconds * 1000)
            sql.append(watch.sql_seconds * 1000)
        shapes = Counter(watch.statements)
        in_template = watch.in_template
    print(f"\n== {name}: {first.method} {first.path}")
    print(f"   CPU {statistics.median(cpu):.1f} ms/request (median of {runs}, no profiler); wall "
          f"{statistics.median(walls) * 1000:.1f} ms with the timers; template rendering (inclusive) "
          f"{statistics.median(template):.1f} ms; SQL in the driver {statistics.median(sql):.1f} ms")
    print(f"   {sum(shapes.values())} statements, {len(shapes)} shapes, {in_template} sent while a template rendered:")
    for statement, count in shapes.most_common():
        print(f"     {count:3d}× {statement}")

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        bench_pages.test_client_request(client, make())
    profiler.disable()
    stats = pstats.Stats(profiler)
    by_package, total = defaultdict(float), 0.0
    for (filename, _line, _func), (_cc, _nc, tottime, _cumtime, _callers) in stats.stats.items():
        by_package[package_of(filename)] += tottime
        total += tottime
    print(f"   self time by package under cProfile ({total / runs * 1000:.1f} ms/request profiled):")
    print("     " + ", ".join(f"{label} {seconds / total * 100:.0f}%"
                              for label, seconds in sorted(by_package.items(), key=lambda item: -item[1])
                              if seconds / total >= 0.01))
    own = [(cumtime, nc, filename, line, func)
           for (filename, line, func), (_cc, nc, _tt, cumtime, _callers) in stats.stats.items()
           if ("/renovation/" in filename or filename.endswith(".html")) and "bench_" not in filename]
    own.sort(reverse=True)
    print("   app code and templates, most cumulative time (share of the profiled request, calls per request):")
    for cumtime, nc, filename, line, func in own[:14]:
        print(f"     {cumtime / total * 100:5.1f}%  {nc / runs:7.1f}×  {short(filename)}:{line} {func}")
    hot = [(tottime, nc, filename, line, func)
           for (filename, line, func), (_cc, nc, tottime, _cumtime, _callers) in stats.stats.items()]
    hot.sort(reverse=True)
    print("   hottest functions by self time:")
    for tottime, nc, filename, line, func in hot[:10]:
        print(f"     {tottime / total * 100:5.1f}%  {nc / runs:8.1f}×  {short(filename)}:{line} {func}")


def imports() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    flask = Path(sys.executable).parent / "flask"
    result = subprocess.run([sys.executable, "-X", "importtime", str(flask), "--app", "renovation", "--help"],
                            cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    rows = []
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match:
            rows.append((int(match.group(2)), int(match.group(1)), len(match.group(3)), match.group(4)))
    total = sum(self_us for _cum, self_us, _depth, _name in rows)
    print(f"\n== flask --app renovation --help: imports take {total / 1e6:.2f} s in all (python -X importtime)")
    print("   top-level imports of the app's dependencies by cumulative time (ms):")
    for cumulative, _self, depth, name in sorted(rows, reverse=True)[:40]:
        print(f"     {cumulative / 1000:8.1f}  {'  ' * min(depth // 2, 6)}{name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="only cases whose name contains one of these")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--imports", action="store_true")
    args = parser.parse_args()
    os.chdir(ROOT)
    from renovation import create_app
    from renovation.extensions import db

    seeded = bench_pages.seed()
    app = create_app(bench_pages.app_config(seeded.url, seeded.instance))
    with app.app_context():
        engine = db.engine
    client = bench_pages.login(app)
    for case in bench_pages.cases(seeded):
        if case.app is None or (args.cases and not any(part in case.name for part in args.cases)):
            continue
        profile_case(case.name, client, engine, bench_pages.request_maker(case.app, seeded, "app", 0), args.runs)
    if args.imports:
        imports()


if __name__ == "__main__":
    main()
