"""Messages where the eye is, in Chromium with the keyboard: focus follows the stage card's form
(open, Escape, save, with the result read out), an upload that failed offline is retried from
beside the form, and a save after the login expired is sent again with what was typed."""
import pytest
from playwright.sync_api import expect

from renovation.extensions import db
from renovation.models import Photo, Stage
from tests.browser.test_engineer_flow import log_in
from tests.conftest import PASSWORD, days_ago, make_project, make_user
from tests.domain.photo_samples import jpeg

pytestmark = pytest.mark.browser


@pytest.fixture
def jiulong(app):
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




def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.name || document.activeElement.tagName")


def stage_percent(project, key="facade") -> int:
    db.session.expire_all()
    return db.session.query(Stage).filter_by(project_id=project.id, key=key).one().percent


def test_keyboard_focus_follows_the_stage_form(live_server, page, jiulong):
    log_in(page, live_server)
    page.goto(f"{live_server}/projects/{jiulong.code}")
    card = page.locator("#stage-facade")

    card.locator("a[role=button]", has_text="更新").focus()
    page.keyboard.press("Enter")
    expect(card.locator("form.stage-form")).to_be_visible()
    expect(page.locator("#facade-status")).to_be_focused()  # the form's first field

    page.keyboard.press("Escape")
    expect(card.locator("form.stage-form")).to_have_count(0)
    expect(page.locator("#stage-facade")).to_be_focused()  # back on the card, not lost on <body>

    page.locator("#stage-facade a[role=button]", has_text="更新").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#facade-status")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#facade-percent")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("60")
    page.keyboard.press("Enter")
    expect(page.locator("#stage-facade")).to_contain_text("60%")
    expect(page.locator("#stage-facade")).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("已保存。")
    assert stage_percent(jiulong) == 60

    # A refused save puts the focus on the field in error.
    page.locator("#stage-facade a[role=button]", has_text="更新").focus()
    page.keyboard.press("Enter")
    page.fill("#facade-percent", "100")
    page.locator("#stage-facade button[type=submit]:not([name=action])").click()
    expect(page.locator("#stage-facade .field-error").first).to_be_visible()
    expect(page.locator("#stage-facade [aria-invalid=true]").first).to_be_focused()


def test_offline_upload_fails_beside_the_form_and_is_retried(live_server, page, jiulong, tmp_path):
    log_in(page, live_server)
    page.goto(f"{live_server}/projects/{jiulong.code}")
    photo = tmp_path / "东门.jpg"
    photo.write_bytes(jpeg())
    card = page.locator("#stage-facade")
    card.locator("summary", has_text="添加照片").click()
    form = page.locator("#upload-facade")
    form.locator("input[type=file]").set_input_files(str(photo))
    form.locator("input[name=phase]").first.check()

    page.context.set_offline(True)
    form.locator("button[type=submit]:not([name=action])").click()
    feedback = form.locator(".htmx-feedback")
    expect(feedback).to_contain_text("网络连接失败")
    expect(feedback).to_be_focused()
    assert feedback.evaluate("box => { const r = box.getBoundingClientRect();"
                             " return r.top >= 0 && r.bottom <= innerHeight; }")
    expect(page.locator("#flash .flash-error")).to_have_count(0)  # not in the banner at the top

    page.context.set_offline(False)
    feedback.locator("button", has_text="重试").click()
    expect(form.locator(".upload-outcomes")).to_contain_text("东门.jpg")
    expect(form.locator(".htmx-feedback")).to_have_count(0)
    db.session.expire_all()
    assert db.session.query(Photo).filter_by(project_id=jiulong.id).count() == 1


def test_save_after_the_login_expired_is_resubmitted_with_what_was_typed(live_server, page, jiulong):
    log_in(page, live_server)
    page.goto(f"{live_server}/projects/{jiulong.code}")
    card = page.locator("#stage-facade")
    card.locator("a[role=button]", has_text="更新").click()
    page.fill("#facade-percent", "70")
    page.fill("#facade-note", "外墙涂料完成七成")

    page.context.clear_cookies()  # the session ended while the form was being filled in
    card.locator("button[type=submit]:not([name=action])").click()
    feedback = card.locator(".htmx-feedback")
    expect(feedback).to_contain_text("登录已过期，请重新登录")
    expect(feedback).not_to_contain_text("刷新")
    expect(feedback).to_be_focused()
    expect(page.locator("#facade-percent")).to_have_value("70")  # nothing typed was lost
    expect(page.locator("#facade-note")).to_have_value("外墙涂料完成七成")
    assert stage_percent(jiulong) == 30

    # Resubmitting before logging in again leads to the login link, and saves nothing.
    feedback.locator("button", has_text="重新提交").click()
    expect(feedback.locator("a[target=_blank]")).to_be_focused()
    assert stage_percent(jiulong) == 30

    with page.context.expect_page() as new_tab:
        feedback.locator("a[target=_blank]").click()
    login_tab = new_tab.value
    login_tab.fill("input[name=username]", "engineer")
    login_tab.fill("input[name=password]", PASSWORD)
    login_tab.click("main button[type=submit]")
    expect(login_tab.locator("h1")).to_have_text("已重新登录")
    login_tab.close()

    feedback.locator("button", has_text="重新提交").click()
    expect(page.locator("#stage-facade")).to_contain_text("70%")
    expect(page.locator("#stage-facade")).to_contain_text("外墙涂料完成七成")
    assert stage_percent(jiulong) == 70


def test_paging_takes_the_reader_to_the_new_results(live_server, page, app):
    for number in range(1, 8):
        make_project(code=f"ZP-2026-{number:03d}", compound=f"新华新村{number}号")
    make_user("engineer", "engineer")
    app.config["PROJECTS_PER_PAGE"] = 3
    log_in(page, live_server)
    page.goto(f"{live_server}/projects")
    page.locator("nav.pagination a[rel=next]").scroll_into_view_if_needed()
    page.locator("nav.pagination a[rel=next]").click()
    expect(page.locator("#results .result-count")).to_contain_text("第 2")
    expect(page.locator("#results .result-count")).to_be_focused()


def test_language_and_current_page_follow_boosted_navigation(live_server, page, jiulong):
    log_in(page, live_server)
    page.click("header a[href='/photos']")
    expect(page).to_have_url(f"{live_server}/photos")
    expect(page.locator("header a[href='/photos']")).to_have_attribute("aria-current", "page")
    page.evaluate("window.notReloaded = true")
    page.click("header button[lang=en]")
    expect(page.locator("header button[lang=zh-CN]")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.evaluate("window.notReloaded") is True, "the switch was a boosted navigation"
    page.keyboard.press("Tab")
    expect(page.locator("a.skip-link")).to_be_focused()
