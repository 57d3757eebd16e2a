"""A phone for a role's walk: phone_checks' 390×844 context, with the Content-Security-Policy
watched from inside every page (tests/browser/conftest.py's REPORT_VIOLATIONS), so that a page
needing what the policy forbids fails the walk."""
from contextlib import contextmanager

from tests.browser.conftest import REPORT_VIOLATIONS
from tests.browser.phone_checks import phone_context


@contextmanager
def phone_page(browser, dark: bool = False):
    """A page on a phone (dark colour scheme if asked); fails on leaving if the policy refused anything."""
    context = phone_context(browser, dark=dark)
    violations = []
    context.expose_binding("reportViolation", lambda _source, text: violations.append(text))
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()
    assert violations == [], "the walk needed what the Content-Security-Policy forbids"
