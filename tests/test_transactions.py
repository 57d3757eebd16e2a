"""One transaction rule: the domain's operations commit; views (pages and API) never do.

Command-line commands may commit (or call operations), and so may the worker's own jobs
(:mod:`renovation.tasks`). Everything else under ``renovation/`` that calls ``commit()`` or
``rollback()`` on a session is a view writing its own transaction.
"""
import ast
from pathlib import Path

import renovation

PACKAGE = Path(renovation.__file__).parent
# Where a transaction may end: the domain and the demo data (operations), the commands, the worker.
ALLOWED_PACKAGES = ("domain/", "demo/", "migrations/")
ALLOWED_MODULES = {"cli.py", "backup_cli.py", "snapshot_cli.py", "ledger/cli.py", "tasks.py",
                   # The app's error handler rolls back a failed flush so that the error page can read.
                   "errors.py",
                   # The end of a request commits a transaction that wrote nothing (PostgreSQL asked).
                   "request_transactions.py"}


def _ends_transaction(tree: ast.AST) -> list[int]:
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("commit", "rollback")
            and "session" in ast.unparse(node.func.value)]


def test_no_view_commits_or_rolls_back():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(ALLOWED_PACKAGES) or relative in ALLOWED_MODULES:
            continue
        offenders += [f"{relative}:{line}" for line in _ends_transaction(ast.parse(path.read_text()))]
    assert offenders == [], "views never commit: move the commit into the operation they call"


def test_the_check_sees_a_commit():
    assert _ends_transaction(ast.parse("db.session.commit()\nsession.rollback()")) == [1, 2]
