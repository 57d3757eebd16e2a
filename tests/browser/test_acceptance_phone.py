"""竣工验收 on a phone (390 px), as an engineer does it on site with htmx: open the acceptance form in
the project's section, name two residents' representatives, mark one content item to rectify, save;
completing 竣工验收 on its stage card is refused with the rule's message; the item is closed with a note;
then acceptance completes. At each step: axe finds nothing critical or serious, nothing scrolls
sideways, and the page keeps its Content-Security-Policy."""
from decimal import Decimal

import pytest

from renovation.domain.contents import catalogue
from renovation.domain.contents.operations import add_content
from renovation.extensions import db
from renovation.models.acceptance import Rectification
from tests.browser.phone_checks import log_in, page_problems, phone_context
from tests.conftest import days_ago, make_project, make_user

pytestmark = pytest.mark.browser

DONE = {"status": "completed", "percent": 100, "actual_start": days_ago(200), "actual_end": days_ago(20)}
READY = {key: DONE for key in ("survey", "rain_sewage", "facade", "paving")} | {
    "acceptance": {"status": "in_progress", "percent": 50, "actual_start": days_ago(10)}}


def test_an_engineer_records_an_acceptance_and_closes_its_item_on_a_phone(app, browser, live_server):
    catalogue.ensure_default_items()
    engineer = make_user("engineer", "engineer")
    project = make_project(stages=READY, start=days_ago(300))
    add_content(project, engineer, {"item": "rain_sewage_pipes", "planned_quantity": Decimal(1200),
                                    "completed_quantity": Decimal(1200)})
    add_content(project, engineer, {"item": "elevators", "planned_quantity": Decimal(2),
                                    "completed_quantity": Decimal(2)})
    context = phone_context(browser)
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems = []
    log_in(page, live_server, "engineer")
    page.goto(f"{live_server}/projects/{project.code}#acceptance")
    section = page.locator("#acceptance")
    problems += page_problems(page, "the project page")

    section.locator("details.acceptance-new summary").click()
    form = section.locator("form.acceptance-form")
    form.wait_for()
    form.locator("#representative-name-0").fill("陈秀英")
    form.locator("#representative-represents-0").fill("3号楼居民")
    form.locator("#representative-name-1").fill("王建国")
    form.locator("#representative-represents-1").fill("5号楼居民")
    selects = form.locator("select[name$='-result']")
    selects.nth(0).select_option("accepted")
    selects.nth(1).select_option("rectify")
    form.locator("input[name='checks-1-note']").fill("2号电梯井道渗水")
    problems += page_problems(page, "the acceptance form")
    form.locator("button[type=submit]").click()
    section.get_by_text("加装电梯：2号电梯井道渗水").wait_for()
    assert "陈秀英" in section.inner_text()
    problems += page_problems(page, "the section after the acceptance")

    card = page.locator("#stage-acceptance")
    card.locator("button[value=complete]").click()
    page.get_by_text("竣工验收尚有1项整改事项未完成").wait_for()
    problems += page_problems(page, "the refused completion")

    section.locator("details.rectification-close summary").click()
    section.locator("textarea[name=note]").fill("井道已堵漏，复查无渗水")
    section.locator("form.close-form button[type=submit]").click()
    section.get_by_text("井道已堵漏，复查无渗水").wait_for()
    problems += page_problems(page, "the closed item")
    db.session.expire_all()
    assert db.session.query(Rectification).one().status == "closed"

    page.locator("#stage-acceptance button[value=complete]").click()
    page.locator("#stage-acceptance.status-completed").wait_for()
    context.close()
    assert problems == []
