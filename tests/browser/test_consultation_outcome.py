"""The consultation form at phone width: the vote block appears when "进行了表决" is ticked, the
outcome follows the figures as they are typed (the server computes it), and without a vote the
form fits about two phone screens."""
import pytest
from playwright.sync_api import expect

from tests.browser.test_committee_flow import VOTE, log_in, tielu  # noqa: F401 — the fixture

pytestmark = pytest.mark.browser


def test_the_outcome_changes_as_the_committee_member_types(live_server, page, tielu):  # noqa: F811
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "tielu")
    page.goto(f"{live_server}/projects/{tielu.code}")
    page.locator("#consultations summary", has_text="登记协商").click()

    form = page.locator("form.consultation-form")
    expect(page.locator("#vote-body")).to_be_hidden()
    assert form.bounding_box()["height"] <= 2 * 844, "without a vote the form fits two phone screens"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.check("#has_vote")
    expect(page.locator("#vote-body")).to_be_visible()
    page.fill("[name='vote-matter']", "实施雨污分流改造")
    for name, value in VOTE.items():
        page.fill(f"[name='vote-{name}']", value)
    outcome = page.locator("#vote-verdict [data-outcome]")
    expect(outcome).to_have_attribute("data-outcome", "passed")
    expect(outcome).to_have_text("通过")
    expect(page.locator("#vote-outcome")).to_contain_text("75.00%")

    page.fill("[name='vote-agree_owners']", "59")  # one owner turns: 59/80 < 3/4
    expect(outcome).to_have_attribute("data-outcome", "failed")
    expect(page.locator("#vote-outcome")).to_contain_text("73.75%")

    page.uncheck("#has_vote")
    expect(page.locator("#vote-body")).to_be_hidden()
