"""Issue 11's "done when" for a city leader on a 390×844 phone set to the dark colour scheme: they
log in to the overview, follow the project furthest behind from its lagging list to the project,
where the reason and the catch-up date are in sight, and download the latest bulletin, a PDF that
names the city and that project. Every page passes axe (no critical or serious violation) without
sideways scroll, under the page's own Content-Security-Policy."""
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from renovation.domain.bulletins.issue import Scope, issue_bulletin
from renovation.domain.clock import today
from tests import pdf_checks
from tests.browser.phone_checks import is_in_view, log_in, page_problems
from tests.browser.phone_walk import phone_page
from tests.bulletin_samples import DONE, completed_stages, on_track
from tests.conftest import make_project, make_user

pytestmark = pytest.mark.browser
TITLE = "全市城镇老旧小区改造工作进度通报"


@pytest.fixture
def programme(app):
    """Three projects, one of them behind with its reason and catch-up date, and an issued bulletin."""
    make_project("ZP-2026-001", "九龙桂冠小区", "桂冠社区", "桂林街道", households=200,
                 stages=completed_stages(), start=today() - timedelta(days=400))
    catch_up = today() + timedelta(days=20)
    lagging = make_project(
        "ZP-2026-002",
        "粮食局宿舍",
        "城中社区",
        "菁城街道",
        households=80,
        stages={
            "survey": {
                **DONE,
                "actual_start": today() - timedelta(days=60),
                "actual_end": today() - timedelta(days=40),
            },
            "rain_sewage": {
                "status": "in_progress",
                "percent": 40,
                "actual_start": today() - timedelta(days=30),
                "planned_start": today() - timedelta(days=40),
                "planned_end": today() - timedelta(days=12),
                "lag_reason": "utilities",
                "lag_note": "燃气管道迁改待燃气公司施工",
                "catch_up_date": catch_up,
            },
        },
    )
    on_track("ZP-2026-003", compound="新华新村", community="城中社区", street="菁城街道")
    engineer = make_user("engineer", "engineer")
    make_user("leader", "leader")
    bulletin = issue_bulletin("city", Scope(), engineer, notes="加快滞后项目进度。")
    assert bulletin.render_status == "done"
    return lagging, catch_up, bulletin


def test_leader_follows_a_lagging_project_and_downloads_the_bulletin_on_a_phone(live_server, browser, programme):
    lagging, catch_up, bulletin = programme
    problems = []
    with phone_page(browser, dark=True) as page:
        log_in(page, live_server, "leader")
        expect(page).to_have_url(f"{live_server}/dashboard")
        problems += page_problems(page, "dashboard")

        # The lagging list says why and until when, and leads to the project.
        behind = page.locator("#behind article", has_text="粮食局宿舍")
        expect(behind).to_contain_text("滞后 12 天")
        expect(behind).to_contain_text("管线迁改")
        expect(behind).to_contain_text(f"{catch_up.year}年{catch_up.month}月{catch_up.day}日")
        behind.locator("a", has_text="粮食局宿舍").click()
        expect(page.locator("h1")).to_contain_text("粮食局宿舍")
        problems += page_problems(page, "lagging project")
        reason = page.locator("#stage-rain_sewage .lag-reason")
        expect(reason).to_contain_text("滞后原因：管线迁改")
        expect(reason).to_contain_text("燃气管道迁改待燃气公司施工")
        expect(reason).to_contain_text(f"计划赶上日期：{catch_up.year}年{catch_up.month}月{catch_up.day}日")
        assert is_in_view(reason), "the reason for the delay is in sight on arriving from the lagging list"

        # Back on the overview, the latest bulletin comes first; its PDF downloads on the phone.
        page.go_back()
        expect(page).to_have_url(f"{live_server}/dashboard")
        latest = page.locator("#bulletins article").first
        expect(latest).to_contain_text(bulletin.label)
        link = latest.locator("a[download]")
        with page.expect_download() as download:
            link.click()
        pdf = Path(download.value.path()).read_bytes()
        answer = page.request.get(live_server + link.get_attribute("href"))
        assert answer.headers["content-type"] == "application/pdf"
        assert answer.body() == pdf

        latest.locator("a", has_text=bulletin.label).click()  # and its page, where the archive lists it
        expect(page.locator("h1")).to_have_text(TITLE)
        expect(page.locator("main hgroup p")).to_contain_text(bulletin.label)  # its number, on a phone too
        expect(page.locator("main hgroup p")).to_be_visible()
        problems += page_problems(page, "bulletin page")

    assert pdf.startswith(b"%PDF")
    text = pdf_checks.text(pdf)
    assert TITLE in text and "漳平市住房和城乡建设局" in text
    assert "粮食局宿舍" in text and "管线迁改" in text, "the bulletin's lagging table names the project and why"
    assert "全市纳入改造计划的老旧小区项目共3个" in text and "共有1个项目滞后于计划节点" in text
    assert problems == []
