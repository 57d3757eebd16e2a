"""A live server on a free port and Debian's Chromium driven by Playwright."""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server
from werkzeug.wsgi import ClosingIterator

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


class RequestsInFlight:
    """The app, counting the requests it is answering (until the server closes their answer), so
    that a test ends only when its page's last requests (a favicon the browser asks for late, say)
    are done: the next test borrows the same app and swaps its configuration and extensions, and a
    request caught half-way would fail and leave its answer (an open static file) unclosed."""

    def __init__(self, app):
        self.app, self.count, self.idle = app, 0, threading.Condition()

    def _done(self) -> None:
        with self.idle:
            self.count -= 1
            self.idle.notify_all()

    def __call__(self, environ, start_response):
        with self.idle:
            self.count += 1
        try:
            answer = self.app(environ, start_response)
        except BaseException:
            self._done()
            raise
        return ClosingIterator(answer, self._done)

    def wait_until_idle(self, timeout: float) -> bool:
        with self.idle:
            return self.idle.wait_for(lambda: self.count == 0, timeout)


@pytest.fixture
def live_server(app):
    # A browser goes through CSRF protection as in production (the other tests switch it off).
    app.config["WTF_CSRF_ENABLED"] = True
    served = RequestsInFlight(app)
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    assert served.wait_until_idle(timeout=15), "the live server still answers a request after the test"
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
