"""After the works (长效管理) on a 390 px phone: a committee member records who looks after the compound
from the project page (the form opens in place; a refusal stands beside its field; the saved section
reads back), and a leader reads the dashboard's coverage; no page scrolls sideways or fails axe."""
import pytest
from playwright.sync_api import expect

from renovation.domain import project_list
from renovation.domain.aftercare.records import aftercare_of
from renovation.extensions import db
from tests.aftercare_samples import completed_project, record
from tests.browser.conftest import REPORT_VIOLATIONS
from tests.browser.phone_checks import log_in, page_problems, phone_context
from tests.conftest import make_user

pytestmark = pytest.mark.browser
CODE = "ZP-2024-001"


@pytest.fixture
def compounds(app):
    completed_project(CODE, "铁路二段生活小区", "铁路社区")
    engineer = make_user("engineer", "engineer")
    record(completed_project("ZP-2024-002", "九龙桂冠小区", "桂冠社区"), engineer)
    completed_project("ZP-2024-003", "粮食局宿舍", "西园社区", "菁城街道")
    make_user("committee", "committee", community="铁路社区")
    make_user("leader", "leader")


@pytest.fixture
def phone(browser):
    context = phone_context(browser)
    violations = []
    context.expose_binding("reportViolation", lambda _source, text: violations.append(text))
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert violations == [], "a page needed what the Content-Security-Policy forbids"


def test_a_committee_member_records_the_after_care_on_a_phone(live_server, phone, compounds):
    page, problems = phone, []
    log_in(page, live_server, "committee")
    page.goto(f"{live_server}/projects/{CODE}#aftercare")
    section = page.locator("#aftercare")
    expect(section).to_contain_text("尚未登记")
    section.get_by_role("button", name="登记长效管理").click()
    expect(section.locator("form")).to_be_visible()
    problems += page_problems(page, "the form open")

    section.get_by_label("已成立小区党支部").check()
    section.get_by_label("党支部名称").fill("铁路二段生活小区党支部")
    section.get_by_label("楼栋党小组").fill("4")
    section.get_by_label("已成立业主委员会").check()
    section.get_by_label("红色业委会（党员骨干牵头）").check()
    section.locator("#aftercare-property_management").select_option("professional")
    section.get_by_role("button", name="保存").click()
    expect(section.locator(".field-error")).to_contain_text("请填写物业服务企业名称")
    problems += page_problems(page, "the company's name missing")

    section.get_by_label("物业服务企业名称").fill("漳平市安居物业服务有限公司")
    section.get_by_label("红色物业").check()
    section.get_by_role("button", name="保存").click()
    expect(section.locator(".flash-success")).to_contain_text("长效管理已保存")
    expect(section).to_contain_text("4个楼栋党小组")
    expect(section).to_contain_text("漳平市安居物业服务有限公司")
    problems += page_problems(page, "saved")
    assert problems == []
    db.session.expire_all()
    saved = aftercare_of(project_list.project_by_code(CODE).id)
    assert (saved.building_party_groups, saved.property_management, saved.red_property) == (4, "professional", True)


def test_a_leader_reads_the_coverage_on_a_phone(live_server, phone, compounds):
    page = phone
    log_in(page, live_server, "leader")
    page.goto(f"{live_server}/dashboard#aftercare")
    section = page.locator("section#aftercare")
    expect(section).to_contain_text("长效管理")
    expect(section.locator(".aftercare-uncared a")).to_have_count(2)
    assert page_problems(page, "the dashboard") == []
