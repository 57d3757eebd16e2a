"""axe-core on every page, for every role, at phone and desktop width, and with the main htmx
forms open: no critical and no serious violation.

The pages are the app's own GET routes (``app.url_map``) built with the ids of a small seeded
demo, so a new page is checked as soon as it exists; a route whose argument this module has no
value for fails the test until one is added to ``_demo_ids`` in tests/small_demo.py.

axe is injected as an inline script. The Content-Security-Policy (script-src 'self') rightly
refuses inline scripts, so these contexts — and only these — are opened with ``bypass_csp``:
the policy itself is tested by tests/test_security_headers.py and by every other browser test,
which keeps it. axe comes from the npm registry (package.json, devDependencies) and is copied to
tests/browser/vendor/ by ``WITH_TEST=1 scripts/setup``; it is never served by the app.
"""
import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from renovation.extensions import db
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.phone_checks import AXE, axe_problems
from tests.conftest import PASSWORD, _empty_tables
from tests.domain.photo_samples import jpeg
from tests.small_demo import ROLES, Demo, demo_app, page_urls, seed

pytestmark = pytest.mark.browser

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
# Phones are often set to dark mode: the phone runs ask for it, and the pages must stay readable.
SCHEMES = {"phone": "dark", "desktop": "light"}
# What a page answers with; anything else (a PDF, a photo, a spreadsheet) is a file and not checked.
PAGE_TYPES = ("text/html",)


@pytest.fixture(scope="module")
def demo(database_url, tmp_path_factory):
    """A seeded demo (``flask seed-demo``, a few projects), a city bulletin, a ledger preview and
    an API token, served on a free port with CSRF protection on."""
    app = demo_app(database_url, str(tmp_path_factory.mktemp("a11y-instance")))
    ids = seed(app)
    with app.app_context():
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Demo(f"http://127.0.0.1:{server.server_port}", ids, app)
        finally:
            server.shutdown()
            thread.join(timeout=5)
            db.session.rollback()
            _empty_tables()
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="module")
def axe_browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required for the browser tests under CI (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    if not AXE.exists():  # scripts/test runs the setup with WITH_TEST=1, so this is a broken setup
        pytest.fail(f"{AXE} is missing: WITH_TEST=1 scripts/setup copies it from node_modules/axe-core")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def logged_in_page(browser, demo: Demo, role: str, width: str):
    # bypass_csp: axe is added as an inline script, which the policy refuses (see the docstring).
    context = browser.new_context(locale="zh-CN", viewport=WIDTHS[width], color_scheme=SCHEMES[width],
                                  bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{demo.base}/login")
    page.fill("input[name=username]", role)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return context, page


def _is_page(context, url: str) -> bool:
    """Whether the logged-in user opens ``url`` as a whole HTML page (not a file, not a refusal,
    not an htmx fragment such as a stage card, which is checked inside its page)."""
    answer = context.request.get(url, max_redirects=0)
    if not answer.headers.get("content-type", "").startswith(PAGE_TYPES):
        return False
    if answer.status != 200 and not url.endswith("/no-such-page"):
        return False
    return "<html" in answer.text()[:300].lower()


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_can_open_has_no_serious_violation(axe_browser, demo, role):
    code = demo.ids["code"]
    urls = page_urls(demo) + [
        f"/bulletins/{demo.ids['issued_bulletin_id']}", f"/bulletins/{demo.ids['signed_bulletin_id']}",
        f"/bulletins/{demo.ids['signed_bulletin_id']}/issue",
        f"/projects?q={code}", "/no-such-page"]
    problems, checked, pages = [], 0, None
    for width in WIDTHS:
        context, page = logged_in_page(axe_browser, demo, role, width)
        try:
            if pages is None:  # the same at every width: asked once
                pages = [url for url in urls if _is_page(context, demo.base + url)]
            for url in pages:
                page.goto(demo.base + url)
                # Folded parts (a demand's handling form, a photo's edit and delete forms) open, so
                # what they hold is checked too; their summaries are checked either way.
                page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
                problems += axe_problems(page, f"{role} {width} {url}")
                checked += 1
        finally:
            context.close()
    assert checked >= 2 * 8, f"{role} opened only {checked} pages"
    assert problems == [], "\n".join(problems)


# Two files sent at once: one is taken, one refused (each answered on its own line).
UPLOADS = [{"name": "东门入口.jpg", "mimeType": "image/jpeg", "buffer": jpeg()},
           {"name": "说明.txt", "mimeType": "text/plain", "buffer": b"not a photo"}]


def _open_forms(page, demo: Demo, role: str) -> list[str]:
    """The project page with each of its forms opened as a user opens it; axe after each."""
    problems = []
    code = demo.ids["code"]
    page.goto(f"{demo.base}/projects/{code}")
    key = demo.ids["key"]
    card = page.locator(f"#stage-{key}")
    if role in ("engineer", "admin"):
        card.locator("a[role=button]").first.click()
        expect(card.locator("form.stage-form")).to_be_visible()
        problems += axe_problems(page, f"{role} stage edit form")
        card.locator("select[name=status]").select_option("completed")
        card.locator("input[name=percent]").fill("50")  # completed ⇔ 100%: refused beside the field
        card.locator("form.stage-form button[type=submit]:not([name=action])").click()  # 保存
        expect(card.locator(".field-error").first).to_be_visible()
        problems += axe_problems(page, f"{role} stage edit form with errors")
    for details in ("details.add-consultation", "details.raise-demand", "details.stage-photos"):
        found = page.locator(f"{details}:not([open])").first
        found.locator("> summary").click()
        expect(page.locator(f"{details}[open] form").first).to_be_visible()
        problems += axe_problems(page, f"{role} {details} open")
    return problems


@pytest.mark.parametrize("role", ("engineer", "committee"))
def test_the_project_page_with_its_forms_open_has_no_serious_violation(axe_browser, demo, role):
    problems = []
    for width in WIDTHS:
        context, page = logged_in_page(axe_browser, demo, role, width)
        try:
            problems += [f"{width} {problem}" for problem in _open_forms(page, demo, role)]
            # A form sent empty answers with its errors beside the fields: those must hold too.
            for form in ("details.add-consultation form", "details.raise-demand form"):
                page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
                page.locator(form).first.locator("button[type=submit]").first.click()
                page.wait_for_load_state("networkidle")
                problems += [f"{width} {problem}" for problem in axe_problems(page, f"{role} {form} errors")]
            # Photos sent from the project's upload form: one taken, one refused, each with its outcome;
            # and files added to a consultation likewise.
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            upload = page.locator("#upload-project")
            upload.locator("input[type=file]").set_input_files(UPLOADS)
            upload.locator("button[type=submit]").click()
            expect(upload.locator(".upload-outcomes")).not_to_be_empty()
            problems += [f"{width} {problem}" for problem in axe_problems(page, f"{role} photo upload outcomes")]
            page.goto(f"{demo.base}/consultations/{demo.ids['consultation_id']}")
            page.locator("#attachment-files").set_input_files(UPLOADS)
            page.locator("form.attachment-upload button[type=submit]").click()
            expect(page.locator("#attachments .outcome-refused")).to_be_visible()
            problems += [f"{width} {problem}" for problem in axe_problems(page, f"{role} attachment outcomes")]
        finally:
            context.close()
    assert problems == [], "\n".join(problems)


def test_the_login_page_and_its_error_have_no_serious_violation(axe_browser, demo):
    problems = []
    for width in WIDTHS:
        context = axe_browser.new_context(locale="zh-CN", viewport=WIDTHS[width], color_scheme=SCHEMES[width],
                                          bypass_csp=True)
        try:
            page = context.new_page()
            page.goto(f"{demo.base}/login")
            problems += axe_problems(page, f"{width} login")
            page.fill("input[name=username]", "engineer")
            page.fill("input[name=password]", "not-the-password")
            page.click("main button[type=submit]")
            expect(page.locator("input[name=password]")).to_be_visible()
            problems += axe_problems(page, f"{width} login refused")
        finally:
            context.close()
    assert problems == [], "\n".join(problems)
