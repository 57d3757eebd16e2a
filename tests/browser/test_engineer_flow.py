"""An engineer logs in, finds a project by typing, moves a stage and sees the history —
in a real browser, with htmx doing the work."""
import pytest
from playwright.sync_api import expect

from renovation.extensions import db
from renovation.models import Stage
from tests.browser.waits import htmx_ready
from tests.conftest import PASSWORD, days_ago, make_project, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def jiulong(app):
    make_project(code="ZP-2026-002", compound="新华新村", community="城中社区", street="菁城街道")
    project = make_project(
        code="ZP-2026-001", compound="九龙桂冠小区", community="九龙社区", street="桂林街道",
        stages={
            "survey": {"status": "completed", "percent": 100, "actual_start": days_ago(60), "actual_end": days_ago(40)},
            "rain_sewage": {"status": "in_progress", "percent": 50, "actual_start": days_ago(30)},
            "facade": {"status": "in_progress", "percent": 30, "actual_start": days_ago(20)},
        },
    )
    make_user("engineer", "engineer")
    return project


def log_in(page, base, username="engineer"):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page).to_have_url(f"{base}/dashboard")  # the overview is the bureau's home page


def test_engineer_finds_project_moves_stage_and_sees_history(live_server, page, jiulong):
    log_in(page, live_server)
    page.click("header a[href='/projects']")
    expect(page).to_have_url(f"{live_server}/projects")
    page.evaluate("window.notReloaded = true")
    # The boosted navigation swaps the page in; typing before htmx has taken up the new search
    # form would send no live search (a flaky failure on a busy machine).
    htmx_ready(page, "form[data-live-search]")

    page.fill("input[name=q]", "九龙")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("九龙桂冠小区")
    assert page.evaluate("window.notReloaded") is True, "the search reloaded the page"
    assert "q=%E4%B9%9D%E9%BE%99" in page.url, "the address bar follows the search"

    page.go_back()
    expect(rows).to_have_count(2)
    expect(page.locator("input[name=q]")).to_have_value("")
    page.go_forward()
    expect(rows).to_have_count(1)
    expect(page.locator("input[name=q]")).to_have_value("九龙")

    page.click("text=九龙桂冠小区")
    expect(page.locator("h1")).to_contain_text("九龙桂冠小区")
    page.evaluate("window.notReloaded = true")

    card = page.locator("#stage-facade")
    htmx_ready(page, "#stage-facade a[role=button]")
    card.locator("a[role=button]").click()
    card.locator("input[name=percent]").fill("60")
    card.locator("button[type=submit]:not([name=action])").click()
    expect(page.locator("#stage-facade")).to_contain_text("60%")
    expect(page.locator("#history")).to_contain_text("30% → 60%")
    assert page.evaluate("window.notReloaded") is True, "saving the card reloaded the page"

    paving = page.locator("#stage-paving")
    paving.locator("a[role=button]").click()
    paving.locator("select[name=status]").select_option("completed")
    paving.locator("input[name=percent]").fill("100")
    paving.locator("input[name=actual_start]").fill(days_ago(5).isoformat())
    paving.locator("input[name=actual_end]").fill(days_ago(1).isoformat())
    paving.locator("button[type=submit]:not([name=action])").click()
    expect(page.locator("#stage-paving .field-error")).to_be_visible()
    expect(page.locator("#stage-paving input[name=percent]")).to_have_value("100")

    db.session.expire_all()
    paving_row = db.session.query(Stage).filter_by(project_id=jiulong.id, key="paving").one()
    assert paving_row.status == "not_started"


def test_search_waits_while_pinyin_is_composed(live_server, page, jiulong):
    """The search runs without eval (Content-Security-Policy): not on the keystrokes of an input
    method composing 九龙, once the characters are chosen."""
    log_in(page, live_server)
    page.goto(f"{live_server}/projects")
    searches = []
    page.on("request", lambda request: searches.append(request.url) if "q=" in request.url else None)
    page.focus("input[name=q]")
    ime = page.context.new_cdp_session(page)
    for typed in ("j", "ji", "jiu", "jiul", "jiulong"):
        ime.send("Input.imeSetComposition", {"text": typed, "selectionStart": len(typed), "selectionEnd": len(typed)})
    page.wait_for_timeout(600)  # longer than the search's 250 ms delay
    assert searches == [], "searched while the input method was composing"
    ime.send("Input.insertText", {"text": "九龙"})
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("九龙桂冠小区")
    assert len(searches) == 1 and "q=%E4%B9%9D%E9%BE%99" in searches[0]
