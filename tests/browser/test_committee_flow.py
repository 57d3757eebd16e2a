"""Issue 4's "done when", in a real browser and in Chinese: a committee member logs a residents'
council meeting with a vote on the boundary of every threshold, sees it pass, turns one owner and
sees it fail, raises two demands at the meeting and resolves one; cannot write for another
community; the engineer sees the overdue demands."""
import re

import pytest
from playwright.sync_api import expect

from renovation.domain.residents.demands import raise_demand
from tests.conftest import PASSWORD, days_ago, make_project, make_user

pytestmark = pytest.mark.browser

# Exactly 2/3 of the owners and of the area take part; exactly 3/4 of each agree.
VOTE = {"total_owners": "120", "total_area": "9000", "participating_owners": "80",
        "participating_area": "6000", "agree_owners": "60", "agree_area": "4500", "oppose_owners": "15",
        "oppose_area": "1000", "abstain_owners": "5", "abstain_area": "500"}


@pytest.fixture
def tielu(app):
    project = make_project(code="ZP-2026-001", compound="铁路二段生活小区", community="铁路社区")
    other = make_project(code="ZP-2026-002", compound="九龙桂冠小区", community="九龙社区")
    engineer = make_user("engineer", "engineer")
    make_user("tielu", "committee", community="铁路社区")
    raise_demand(other, engineer, {"category": "drainage", "text": "雨天单元门口积水", "raised_on": days_ago(20)})
    return project


def log_in(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    # The bureau lands on the overview; a committee member on their own community's projects.
    expect(page).to_have_url(f"{base}/dashboard" if username == "engineer"
                             else re.compile(rf"{re.escape(base)}/projects\?community=\d+$"))


def test_committee_logs_a_meeting_votes_and_follows_demands(live_server, page, tielu):
    log_in(page, live_server, "tielu")
    page.goto(f"{live_server}/projects/{tielu.code}")
    page.evaluate("window.notReloaded = true")

    section = page.locator("#consultations")
    section.locator("summary", has_text="登记协商").click()
    page.fill("#topic", "雨污分流改造方案表决")
    page.select_option("#kind", "council_meeting")
    page.fill("#place", "铁路社区居委会二楼")
    page.check("#has_vote")
    page.fill("[name='vote-matter']", "实施雨污分流改造")
    page.select_option("[name='vote-matter_class']", "special")
    for name, value in VOTE.items():
        page.fill(f"[name='vote-{name}']", value)
    section.locator("button[type=submit]").click()

    row = page.locator("#consultations .consultation-row")
    page.locator("#consultations .consultation-row, #consultations .field-error").first.wait_for()
    refused = page.locator("#consultations .field-error").all_inner_texts()
    assert refused == [], f"the consultation was refused: {refused}"  # (CI once saw a 422 here, not seen since)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("雨污分流改造方案表决")
    expect(row.locator(".badge")).to_have_text("通过")
    assert page.evaluate("window.notReloaded") is True, "the consultation was added without a reload"

    row.locator("a").click()
    expect(page.locator("#vote h2")).to_contain_text("通过")
    expect(page.locator("#vote .vote-reasons")).to_contain_text("四分之三以上的业主同意")
    expect(page.locator("#vote .check-failed")).to_have_count(0)

    # One owner turns from agreeing to opposing: 59/80 < 3/4 of the participating owners.
    page.click("a[role=button]:has-text('修改')")
    page.fill("[name='vote-agree_owners']", "59")
    page.fill("[name='vote-oppose_owners']", "16")
    page.click("form.consultation-form button[type=submit]")
    expect(page.locator("#vote h2")).to_contain_text("未通过")
    expect(page.locator("#vote .vote-reasons")).to_contain_text("未通过：须经参与表决人数四分之三以上的业主同意。")
    expect(page.locator("#vote .check-failed")).to_have_count(1)

    # Two demands raised at the meeting, from its page; one resolved.
    demands = page.locator("#consultation-demands")
    for text in ("希望增设非机动车棚", "楼道照明不足"):
        if not demands.locator("details.raise-demand").evaluate("d => d.open"):
            demands.locator("details.raise-demand summary").click()
        demands.locator("[name=text]").fill(text)
        demands.locator("form.demand-raise button[type=submit]").click()
        expect(demands.locator("article.demand", has_text=text)).to_have_count(1)
    expect(demands.locator("article.demand")).to_have_count(2)

    first = demands.locator("article.demand", has_text="希望增设非机动车棚")
    first.locator("summary", has_text="办理与记录").click()
    first.locator("select[name=status]").select_option("resolved")
    first.locator("textarea[name=response]").fill("已在3号楼旁建车棚")
    first.locator("button[type=submit]").click()
    resolved = demands.locator("article.demand", has_text="希望增设非机动车棚")
    expect(resolved.locator(".status-badge")).to_have_text("已办结")
    expect(resolved).to_contain_text("已在3号楼旁建车棚")

    # Another community's project: no form, and the server says no when asked anyway.
    page.goto(f"{live_server}/projects/ZP-2026-002")
    expect(page.locator("h1")).to_contain_text("九龙桂冠小区")
    expect(page.locator("#consultations form")).to_have_count(0)
    status = page.evaluate("""async () => {
        const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
        const body = new URLSearchParams({date: '2026-11-01', kind: 'hearing', topic: '越权登记'});
        const response = await fetch('/projects/ZP-2026-002/consultations',
            {method: 'POST', body, headers: {'X-CSRFToken': token}});
        return response.status;
    }""")
    assert status == 403


def test_engineer_sees_the_overdue_demands_at_a_glance(live_server, page, tielu):
    log_in(page, live_server, "engineer")
    page.goto(f"{live_server}/demands?overdue=1")
    overdue = page.locator("article.demand.overdue")
    expect(overdue).to_have_count(1)
    expect(overdue).to_contain_text("雨天单元门口积水")
    expect(overdue.locator(".badge-late")).to_contain_text("5")  # 20 days open, 15 allowed
    color = overdue.locator(".demand-text").evaluate("e => getComputedStyle(e).color")
    red, green, blue = (int(part) for part in color[color.index("(") + 1:color.index(")")].split(",")[:3])
    assert red > 150 and green < 100 and blue < 100, f"an overdue demand is written in red, not {color}"
