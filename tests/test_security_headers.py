"""Every response carries the Content-Security-Policy and its companions; pages need nothing
the policy forbids (no inline script, no eval for htmx); uploaded files are sandboxed."""
import re
from pathlib import Path

import pytest

from renovation import create_app
from tests.conftest import api_token, login

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
DIRECTIVES = {"script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"}


def policy(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Content-Security-Policy", "").split(";")}


def assert_protected(response):
    csp = policy(response)
    assert DIRECTIVES <= csp, (response.request.path, csp)
    assert not any("unsafe-eval" in part or ("unsafe-inline" in part and part.startswith("script-src"))
                   for part in csp)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


@pytest.fixture
def engineer_client(client, engineer, project):
    login(client)
    return client


@pytest.mark.parametrize("path, headers", [
    ("/login", {}),
    ("/projects", {}),
    ("/projects", {"HX-Request": "true"}),
    ("/projects/ZP-2026-001", {}),
    ("/projects/ZP-2026-001/stages/survey", {"HX-Request": "true"}),
    ("/exports/projects.csv", {}),
    ("/exports/projects.xlsx", {}),
    ("/projects/nothing-here", {}),
    ("/projects/nothing-here", {"HX-Request": "true"}),
    ("/static/js/app.js", {}),
])
def test_pages_fragments_exports_errors_and_static_files(engineer_client, path, headers):
    response = engineer_client.get(path, headers=headers)
    response.close()  # a static file is streamed
    assert response.status_code in (200, 302, 404)
    assert_protected(response)


def test_api_answers_and_errors(client, engineer, project):
    token = api_token(engineer)
    for path in ("/api/v1/projects", "/api/v1/projects/ZP-2026-001", "/api/v1/projects/none"):
        response = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.is_json
        assert_protected(response)
    assert_protected(client.get("/api/v1/projects"))  # 401


def test_strict_transport_security_only_with_secure_cookies(engineer_client, database_url, tmp_path):
    assert "Strict-Transport-Security" not in engineer_client.get("/login").headers
    secure = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x",
                         "INSTANCE_PATH": str(tmp_path / "secure"), "SESSION_COOKIE_SECURE": True})
    response = secure.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert_protected(response)


def _template_lines():
    for path in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            yield f"{path.relative_to(ROOT)}:{number}", line


def test_templates_need_no_inline_script_and_no_eval():
    """What script-src 'self' and htmx's allowEval: false would refuse, found in the source."""
    forbidden = re.compile(
        r"<script(?![^>]*\bsrc=)"  # an inline script
        r"|\son[a-z]+\s*="  # an event handler attribute
        r"|javascript:"
        r"|hx-on|hx-vars|data-hx-on"  # htmx attributes that evaluate code
        r"|hx-(?:vals|headers)\s*=\s*['\"]\s*(?:js|javascript):"
        r"|hx-trigger\s*=\s*\"[^\"]*\[")  # a trigger filter is evaluated
    offenders = [where for where, line in _template_lines() if forbidden.search(line)]
    assert offenders == []


def test_htmx_runs_without_eval():
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    assert '"allowEval": false' in base and '"allowScriptTags": false' in base
