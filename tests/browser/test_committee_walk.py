"""Issue 11's "done when" for a community committee member on a 390×844 phone: they land on their
own community's projects (one link away from the whole city), open a project, log a council meeting
with a vote while the outcome follows the figures they type, save it, then raise a resident demand
and resolve it with a response. Every page and every opened form passes axe (no critical or serious
violation) without sideways scroll, under the page's own Content-Security-Policy, and the focus is
where the last action should leave it."""
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from renovation.extensions import db
from renovation.models import Consultation, Demand
from tests.browser.phone_checks import focused, is_in_view, log_in, page_problems
from tests.browser.phone_walk import phone_page
from tests.conftest import make_project, make_user

pytestmark = pytest.mark.browser

# Exactly 2/3 of the owners and of the area take part; exactly 3/4 of each agree: a special matter passes.
VOTE = {"total_owners": "120", "total_area": "9000", "participating_owners": "80",
        "participating_area": "6000", "agree_owners": "60", "agree_area": "4500", "oppose_owners": "15",
        "oppose_area": "1000", "abstain_owners": "5", "abstain_area": "500"}


@pytest.fixture
def tielu(app):
    project = make_project(code="ZP-2026-001", compound="铁路二段生活小区", community="铁路社区")
    make_project(code="ZP-2026-002", compound="九龙桂冠小区", community="九龙社区", street="桂林街道")
    make_user("tielu", "committee", community="铁路社区")
    return project


def active_in_view(page) -> bool:
    return page.evaluate("(() => { const r = document.activeElement.getBoundingClientRect();"
                         " return r.bottom > 0 && r.top < innerHeight; })()")


def test_committee_member_logs_a_vote_and_resolves_a_demand_on_a_phone(live_server, browser, tielu):
    with phone_page(browser) as page:
        walk(page, live_server, tielu)

    db.session.expire_all()
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.project_id == tielu.id))
    assert consultation.topic == "雨污分流改造方案表决"
    assert consultation.place == "铁路社区居委会二楼"
    vote = consultation.vote
    assert (vote.matter, vote.matter_class, vote.passed) == ("实施雨污分流改造", "special", True)
    assert (vote.participating_owners, vote.agree_owners, vote.oppose_owners) == (80, 60, 15)
    demand = db.session.scalar(sa.select(Demand).where(Demand.project_id == tielu.id))
    assert (demand.text, demand.status, demand.response) == ("楼道照明不足，晚上看不清台阶", "resolved",
                                                              "已在2号楼楼道加装声控灯")
    assert demand.resolved_on is not None


def walk(page, base, project):
    problems = []

    # Home: their own community's projects, with the whole city one link away.
    log_in(page, base, "tielu")
    expect(page).to_have_url(re.compile(rf"{re.escape(base)}/projects\?community=\d+$"))
    scope = page.locator("nav.community-scope")
    expect(scope.locator("a[aria-current=page]")).to_have_text("铁路社区")
    expect(page.locator("#results")).to_contain_text("铁路二段生活小区")
    expect(page.locator("#results")).not_to_contain_text("九龙桂冠小区")
    problems += page_problems(page, "own community's projects")
    scope.get_by_role("link", name="全市").click()
    expect(page.locator("#results")).to_contain_text("九龙桂冠小区")
    problems += page_problems(page, "the whole city's projects")
    page.locator("nav.community-scope").get_by_role("link", name="铁路社区").click()
    expect(page.locator("#results")).not_to_contain_text("九龙桂冠小区")

    page.locator("#results a", has_text="铁路二段生活小区").first.click()
    expect(page.locator("h1")).to_contain_text("铁路二段生活小区")
    problems += page_problems(page, "project page")

    # The consultation form opens with the focus in its first field.
    section = page.locator("#consultations")
    section.locator("summary", has_text="登记协商").click()
    form = section.locator("form.consultation-form")
    expect(form).to_be_visible()
    expect(form.locator("input, select, textarea").filter(visible=True).first).to_be_focused()
    problems += page_problems(page, "consultation form opened")

    # Saved without a topic: the message is beside the topic, focused and on screen.
    form.locator("button[type=submit]").click()
    topic = page.locator("#consultations [name=topic]")
    expect(topic).to_have_attribute("aria-invalid", "true")
    expect(topic).to_be_focused()
    assert is_in_view(page.locator("#consultations .field-error").first)
    problems += page_problems(page, "consultation form refused")

    page.fill("#consultations [name=topic]", "雨污分流改造方案表决")
    page.select_option("#consultations [name=kind]", "council_meeting")
    page.fill("#consultations [name=place]", "铁路社区居委会二楼")
    page.check("#has_vote")
    expect(page.locator("#vote-body")).to_be_visible()
    problems += page_problems(page, "vote block shown")

    # The outcome follows the figures as they are typed, before anything is saved.
    page.fill("[name='vote-matter']", "实施雨污分流改造")
    page.select_option("[name='vote-matter_class']", "special")
    # The verdict (above the figures, staying in sight as they are typed) and the conditions behind it (below).
    verdict, outcome = page.locator("#vote-verdict"), page.locator("#vote-outcome")
    for name in ("total_owners", "total_area", "participating_owners", "participating_area"):
        page.fill(f"[name='vote-{name}']", VOTE[name])
    expect(verdict).to_contain_text("尚不能判定")
    expect(outcome.locator(".vote-pending")).to_contain_text("同意人数")  # agreeing figures still missing
    problems += page_problems(page, "outcome waiting for figures")
    for name in ("agree_owners", "agree_area", "oppose_owners", "oppose_area", "abstain_owners", "abstain_area"):
        page.fill(f"[name='vote-{name}']", VOTE[name])
        assert is_in_view(verdict), f"the verdict is out of sight while typing {name}"
    badge = verdict.locator("[data-outcome]")
    expect(badge).to_have_text("通过")
    checks = outcome.locator("table.vote-checks tbody tr")
    expect(checks).to_have_count(4)  # quorum and agreement, by area and by owners
    quorum_owners = checks.filter(has_text="参与表决人数")
    expect(quorum_owners).to_contain_text("≥ 66.67%")  # required
    expect(quorum_owners).to_contain_text("66.67% (80 / 120)")  # actual
    expect(outcome.locator(".check-failed")).to_have_count(0)
    problems += page_problems(page, "outcome passed")

    page.fill("[name='vote-agree_owners']", "59")  # one owner turns: 59/80 < 3/4
    page.fill("[name='vote-oppose_owners']", "16")
    expect(badge).to_have_text("未通过")
    assert is_in_view(verdict) and is_in_view(page.locator("[name='vote-oppose_owners']"))
    failed = outcome.locator(".check-failed")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("≥ 75.00%")
    expect(failed).to_contain_text("73.75% (59 / 80)")
    assert focused(page) == "vote-oppose_owners", "the live outcome leaves the caret where it was"
    problems += page_problems(page, "outcome not passed")

    page.fill("[name='vote-agree_owners']", "60")  # they had miscounted: the vote passed after all
    page.fill("[name='vote-oppose_owners']", "15")
    expect(badge).to_have_text("通过")

    page.evaluate("window.notReloaded = true")
    page.locator("#consultations form.consultation-form button[type=submit]").click()
    saved = page.locator("#consultations .flash-success")
    expect(saved).to_have_text("协商记录已保存。")
    expect(page.locator("#announcer")).to_have_text("协商记录已保存。")
    expect(page.locator("#consultations")).to_be_focused()  # the section holding the result, on screen
    assert active_in_view(page) and is_in_view(saved)
    row = page.locator("#consultations .consultation-row")
    expect(row).to_have_count(1)
    expect(row.locator(".badge")).to_have_text("通过")
    assert page.evaluate("window.notReloaded") is True, "the consultation was saved without a reload"
    problems += page_problems(page, "consultation saved")

    # A demand raised from the project page, then resolved with a response.
    demands = page.locator("#demands")
    demands.locator("summary", has_text="登记诉求").click()
    raise_form = demands.locator("form.demand-raise")
    expect(raise_form.locator("select, input, textarea").filter(visible=True).first).to_be_focused()
    problems += page_problems(page, "demand form opened")
    raise_form.locator("select[name=category]").select_option("lighting")
    raise_form.locator("textarea[name=text]").fill("楼道照明不足，晚上看不清台阶")
    raise_form.locator("input[name=raised_by]").fill("2号楼1单元")
    raise_form.locator("button[type=submit]").click()
    recorded = page.locator("#demands .flash-success")
    expect(recorded).to_have_text("诉求已登记。")
    expect(page.locator("#announcer")).to_have_text("诉求已登记。")
    expect(page.locator("#demands")).to_be_focused()
    assert active_in_view(page) and is_in_view(recorded)
    demand = page.locator("#demands article.demand", has_text="楼道照明不足")
    expect(demand.locator(".status-badge")).to_have_text("待处理")
    problems += page_problems(page, "demand recorded")

    demand.locator("summary", has_text="办理与记录").click()
    status = demand.locator("select[name=status]")
    expect(status).to_be_focused()
    problems += page_problems(page, "demand handling opened")

    # Resolved without a response: the message is beside the response, focused and on screen.
    status.select_option("resolved")
    demand.locator("button[type=submit]").click()
    response = page.locator("#demands article.demand textarea[name=response]")
    expect(response).to_have_attribute("aria-invalid", "true")
    expect(response).to_be_focused()
    assert is_in_view(page.locator("#demands article.demand .field-error").first)
    problems += page_problems(page, "demand refused")

    response.fill("已在2号楼楼道加装声控灯")
    page.locator("#demands article.demand button[type=submit]").click()
    demand = page.locator("#demands article.demand", has_text="楼道照明不足")
    expect(demand.locator(".status-badge")).to_have_text("已办结")
    expect(demand.locator(".demand-response")).to_contain_text("已在2号楼楼道加装声控灯")
    expect(page.locator("#announcer")).to_have_text("已保存。")
    expect(page.locator("#demands article.demand")).to_be_focused()  # the card saved, not the figures above
    assert is_in_view(demand.locator(".status-badge"))
    # The figures above follow, and so does their comparison with the community and the city.
    expect(page.locator("#demands .demand-figures")).to_contain_text("已办结1")
    expect(page.locator("#demands .demand-compare tr.this-project td").nth(1)).to_have_text("1")
    problems += page_problems(page, "demand resolved")

    assert problems == []
