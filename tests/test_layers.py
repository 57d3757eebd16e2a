"""The domain is called with plain values: no module of it reads the request, the request's ``g``
or the session (lint-imports checks the package-level rule, in ./scripts/test and here)."""
import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).parents[1] / "renovation" / "domain"
REQUEST_STATE = {"request", "g", "session"}


def request_state_used(source: str) -> list[str]:
    """Where the source imports ``request``, ``g`` or ``session`` from Flask or reads ``flask.<name>``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "flask":
            found += [f"line {node.lineno}: from flask import {alias.name}" for alias in node.names
                      if alias.name in REQUEST_STATE]
        elif (isinstance(node, ast.Attribute) and node.attr in REQUEST_STATE
              and isinstance(node.value, ast.Name) and node.value.id == "flask"):
            found.append(f"line {node.lineno}: flask.{node.attr}")
    return found


def test_the_check_finds_each_way_of_reading_the_request():
    assert request_state_used("from flask import current_app, g") == ["line 1: from flask import g"]
    assert request_state_used("import flask\nflask.request.form") == ["line 2: flask.request"]
    assert request_state_used("from flask import current_app\nsession = {}") == []


def test_no_domain_module_reads_the_request_or_the_session():
    offenders = {str(path.relative_to(DOMAIN)): found for path in sorted(DOMAIN.rglob("*.py"))
                 if (found := request_state_used(path.read_text(encoding="utf-8")))}
    assert offenders == {}


def test_the_import_contracts_are_kept():
    """The layer rule of setup.cfg's [importlinter] contracts: the domain and the models import no
    blueprint and no module that reads requests; the domain no login or form package."""
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint_imports is None:
        pytest.fail("lint-imports is missing: WITH_TEST=1 scripts/setup installs import-linter")
    result = subprocess.run([lint_imports, "--no-cache"], capture_output=True, text=True,
                            cwd=DOMAIN.parents[1])
    assert result.returncode == 0, result.stdout + result.stderr
