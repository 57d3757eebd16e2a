"""What every page of a role's walk must hold at phone width, checked where the user stands:
axe-core finds no critical or serious violation, the page does not scroll sideways, and the
keyboard focus is where the last action should have left it.

Unlike tests/browser/test_accessibility.py these pages keep their Content-Security-Policy: axe is
added as an init script (the DevTools protocol adds it to every new document, outside the page's
policy), so a walk also proves the pages need nothing the policy forbids.
"""
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
BLOCKING = {"critical", "serious"}


def phone_context(browser, dark: bool = False):
    """A 390×844 touch phone in Chinese, with axe loaded into every page it opens."""
    if not AXE.exists():  # scripts/test runs the setup with WITH_TEST=1, so this is a broken setup
        pytest.fail(f"{AXE} is missing: WITH_TEST=1 scripts/setup copies it from node_modules/axe-core")
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True,
                                  color_scheme="dark" if dark else "light")
    context.add_init_script(path=str(AXE))
    return context


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def axe_problems(page, where: str) -> list[str]:
    """The critical and serious violations axe finds on the page as it is now. A page opened
    without the init script (a context with ``bypass_csp``) gets axe added as a script tag."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    problems = []
    for violation in result["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            problems.append(f"{where}: [{violation['impact']}] {violation['id']} at {node['target']}: "
                            f"{violation['help']} — {node.get('failureSummary', '').splitlines()[-1:]}")
    return problems


def sideways_scroll(page, where: str) -> list[str]:
    """A problem if the page is wider than the phone's screen (the user would scroll sideways)."""
    width = page.evaluate("document.scrollingElement.scrollWidth")
    return [f"{where}: the page is {width} px wide on a {PHONE['width']} px phone"] if width > PHONE["width"] else []


def page_problems(page, where: str) -> list[str]:
    """Everything wrong with the page as the user sees it now: axe and sideways scroll."""
    page.wait_for_load_state()
    return axe_problems(page, where) + sideways_scroll(page, where)


def focused(page) -> str:
    """The focused element as a test names it: its id, else its name, else its tag."""
    return page.evaluate("document.activeElement.id || document.activeElement.name || document.activeElement.tagName")


def is_in_view(locator) -> bool:
    """Whether the element is inside the visible part of the screen (not 1,000 px above it)."""
    return locator.evaluate("el => { const r = el.getBoundingClientRect();"
                            " return r.bottom > 0 && r.top < innerHeight; }")
