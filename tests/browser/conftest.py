"""A live server on a free port and Debian's Chromium driven by Playwright."""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


# The live server is Werkzeug's development server in a thread, stopped at the end of each test
# while the browser may still be asking for something late (the favicon). Such a request, cut off
# half-way when the next test borrows the app, leaves the static file it opened for the garbage
# collector, which says so in whatever test runs then. Only the test harness does this: gunicorn
# serves the app in production, and nginx the static files.
STATIC_FILE_LEFT_OPEN = ("ignore:Exception ignored in. <_io.FileIO name='[^']*/static/"
                         ":pytest.PytestUnraisableExceptionWarning")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if f"{os.sep}browser{os.sep}" in str(item.path):
            item.add_marker(pytest.mark.filterwarnings(STATIC_FILE_LEFT_OPEN))


@pytest.fixture
def live_server(app):
    # A browser goes through CSRF protection as in production (the other tests switch it off).
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required for the browser tests under CI (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Reports, from inside every page, what the Content-Security-Policy refused and what htmx refused
# to evaluate (allowEval is false): either means a page needs something the policy forbids.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.reportViolation(event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
                         " at " + event.sourceFile + ":" + event.lineNumber);
});
document.addEventListener("htmx:evalDisallowedError", function (event) {
  window.reportViolation("htmx wanted eval for " + (event.target && event.target.outerHTML || "").slice(0, 200));
});
"""


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    violations = []
    context.expose_binding("reportViolation", lambda _source, text: violations.append(text))
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert violations == [], "the page needed what the Content-Security-Policy forbids"
