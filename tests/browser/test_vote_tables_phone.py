"""At 390×844 a vote's tables keep their row headings readable (表决范围 on one or two lines, not one
character per line) on a consultation's page and in its form, and neither page scrolls sideways."""
from decimal import Decimal

import pytest

from renovation.domain.residents.consultations import add_consultation
from tests.browser.phone_checks import log_in
from tests.browser.phone_walk import phone_page
from tests.conftest import days_ago, make_project, make_user

pytestmark = pytest.mark.browser

VOTE = {"matter": "实施雨污分流改造", "matter_class": "special", "total_owners": 120, "total_area": Decimal("9000"),
        "participating_owners": 80, "participating_area": Decimal("6000"), "agree_owners": 60,
        "agree_area": Decimal("4500"), "oppose_owners": 15, "oppose_area": Decimal("1000"), "abstain_owners": 5,
        "abstain_area": Decimal("500")}


@pytest.fixture
def consultation(app):
    engineer = make_user("engineer", "engineer")
    return add_consultation(make_project(), engineer, {"date": days_ago(3), "kind": "council_meeting",
                                                       "topic": "雨污分流改造方案表决"}, dict(VOTE))


@pytest.mark.parametrize("where", ["page", "form"])
def test_vote_row_headings_stay_readable_on_a_phone(live_server, browser, consultation, where):
    with phone_page(browser) as page:
        log_in(page, live_server, "engineer")
        url = f"/consultations/{consultation.id}" + ("/edit" if where == "form" else "")
        page.goto(live_server + url)
        # The text's own height in lines (a cell holds padding, and the form's rows are as tall as their inputs).
        lines = dict(page.evaluate("""() => [...document.querySelectorAll(
            '.vote-figures th[scope=row], .vote-checks th[scope=row]')].map(th => {
                const range = document.createRange(); range.selectNodeContents(th);
                return [th.textContent.trim(),
                        range.getBoundingClientRect().height / parseFloat(getComputedStyle(th).lineHeight)]; })"""))
        assert "表决范围" in lines and len(lines) >= 5 + 4  # five figures' rows, four checks
        assert {text: round(height) for text, height in lines.items() if round(height) > 2} == {}
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
