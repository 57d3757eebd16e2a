"""The engineer's main task on a 390×844 phone, as issue 11's "Done when" puts it: log in, find the
project by its contractor's name, update a stage that is behind schedule with the reason, upload
three photos of which one fails offline and is retried, and pair the before and after photos.

Every page and every state an htmx action leaves (a form opened, an error, a save) is checked where
the engineer stands (tests/browser/phone_checks.py: axe, no sideways scroll), with the pages' own
Content-Security-Policy on; the focus is checked after each htmx action; the database at the end.
"""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from renovation.domain.clock import today
from renovation.extensions import db
from renovation.models import Photo, PhotoPair, Stage
from tests.browser.phone_checks import is_in_view, log_in, page_problems
from tests.browser.phone_walk import phone_page
from tests.browser.waits import htmx_ready
from tests.conftest import days_ago, make_project, make_user
from tests.domain.photo_samples import jpeg

pytestmark = pytest.mark.browser

CONTRACTOR = "闽西宏达建设有限公司"


@pytest.fixture
def project(app):
    """A project whose facade stage is behind: planned to end ten days ago, at 30%. Another
    project, by another contractor, must not come up in the search."""
    make_project(code="ZP-2026-002", compound="新华新村", community="城中社区", street="菁城街道")
    project = make_project(
        code="ZP-2026-001",
        compound="九龙桂冠小区",
        community="九龙社区",
        street="桂林街道",
        stages={
            "survey": {
                "status": "completed",
                "percent": 100,
                "actual_start": days_ago(120),
                "actual_end": days_ago(100),
            },
            "rain_sewage": {"status": "in_progress", "percent": 80, "actual_start": days_ago(90)},
            "facade": {
                "status": "in_progress",
                "percent": 30,
                "actual_start": days_ago(60),
                "planned_start": days_ago(70),
                "planned_end": days_ago(10),
            },
        },
    )
    project.contractor = CONTRACTOR
    db.session.commit()
    make_user("engineer", "engineer")
    return project


@pytest.fixture
def phone(browser):
    """A phone page that keeps the pages' Content-Security-Policy and fails on what it refused."""
    with phone_page(browser) as page:
        yield page


def clear_of_the_menu(page, locator) -> bool:
    """Whether the element starts below the project page's sticky section menu, not under it."""
    menu_bottom = page.locator(".section-menu").evaluate("menu => menu.getBoundingClientRect().bottom")
    return locator.evaluate("element => element.getBoundingClientRect().top") >= menu_bottom


def test_engineer_walks_the_main_task_on_a_phone(live_server, phone, project, tmp_path):
    page, problems = phone, []
    log_in(page, live_server, "engineer")
    problems += page_problems(page, "the overview after logging in")

    # Find the project by its contractor's name.
    page.click("header a[href='/projects']")
    expect(page).to_have_url(f"{live_server}/projects")
    htmx_ready(page, "form[data-live-search]")
    problems += page_problems(page, "the project list")
    page.fill("input[name=q]", "宏达")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("九龙桂冠小区")
    expect(page.locator("input[name=q]")).to_be_focused()  # the results came in while typing
    problems += page_problems(page, "the project list searched by contractor")
    rows.first.locator("a", has_text="九龙桂冠小区").click()
    expect(page.locator("h1")).to_contain_text("九龙桂冠小区")
    htmx_ready(page, "#stage-facade a[hx-get]")
    problems += page_problems(page, "the project page")

    # Update the stage that is behind: the form asks why and by when it will be back on track.
    card = page.locator("#stage-facade")
    expect(card.locator(".badge-late")).to_be_visible()
    card.locator("a[role=button]", has_text="更新").click()
    expect(page.locator("#facade-status")).to_be_focused()  # the form's first field
    assert clear_of_the_menu(page, page.locator("label[for=facade-status]")), (
        "the first field's label is under the menu"
    )
    expect(card.locator("fieldset.lag-fields legend")).to_have_text("滞后")
    problems += page_problems(page, "the stage form opened")
    page.fill("#facade-percent", "60")
    card.locator("button[type=submit]:not([name=action])").click()
    reason = page.locator("#facade-lag_reason")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_be_focused()
    message = card.locator(".field-error", has_text="滞后原因")
    expect(message).to_be_visible()
    assert is_in_view(message), "the message about the missing reason is off screen"
    assert clear_of_the_menu(page, page.locator("label[for=facade-lag_reason]")), "the field's label is under the menu"
    expect(page.locator("#facade-percent")).to_have_value("60")  # what was typed is kept
    problems += page_problems(page, "the stage form refused without a reason")
    reason.select_option("organisation")
    page.fill("#facade-catch_up_date", (today() + timedelta(days=20)).isoformat())
    page.fill("#facade-lag_note", "脚手架进场推迟")
    card.locator("button[type=submit]:not([name=action])").click()
    expect(page.locator("#stage-facade")).to_contain_text("60%")
    expect(page.locator("#stage-facade")).to_be_focused()
    assert clear_of_the_menu(page, page.locator("#stage-facade .flash-success")), "the result is under the menu"
    expect(page.locator("#announcer")).to_have_text("已保存。")
    expect(page.locator("#stage-facade .lag-reason")).to_contain_text("施工组织")
    problems += page_problems(page, "the stage saved")

    # Three photos from the stage card: before, after (sent offline, then retried), during.
    files = {}
    for seed, name in enumerate(("东立面-改造前.jpg", "东立面-改造后.jpg", "东立面-施工中.jpg")):
        files[name] = tmp_path / name
        files[name].write_bytes(jpeg(seed=60 + seed))
    card = page.locator("#stage-facade")
    card.locator("summary", has_text="添加照片").click()
    form = page.locator("#upload-facade")
    expect(form).to_be_visible()
    problems += page_problems(page, "the upload form opened")

    def upload(name: str, phase: str) -> None:
        form.locator("input[type=file]").set_input_files(str(files[name]))
        form.locator(f"input[name=phase][value={phase}]").check()
        form.locator("button[type=submit]").click()

    upload("东立面-改造前.jpg", "before")
    expect(form.locator(".upload-outcomes")).to_contain_text("东立面-改造前.jpg")
    expect(form.locator(".upload-outcomes")).to_contain_text("已保存")
    expect(form.locator(".upload-outcomes")).to_be_focused()  # the result, where the button was
    assert clear_of_the_menu(page, form.locator(".upload-outcomes"))
    problems += page_problems(page, "the first photo uploaded")

    page.context.set_offline(True)
    upload("东立面-改造后.jpg", "after")
    feedback = form.locator(".htmx-feedback")
    expect(feedback).to_contain_text("网络连接失败")
    expect(feedback).to_be_focused()
    assert is_in_view(feedback), "the offline message is off screen"
    assert clear_of_the_menu(page, feedback), "the offline message is under the menu"
    problems += page_problems(page, "the upload failed offline")
    page.context.set_offline(False)
    feedback.locator("button", has_text="重试").click()
    expect(form.locator(".upload-outcomes")).to_contain_text("东立面-改造后.jpg")
    expect(form.locator(".htmx-feedback")).to_have_count(0)
    expect(form.locator(".upload-outcomes")).to_be_focused()
    problems += page_problems(page, "the upload retried")

    upload("东立面-施工中.jpg", "during")
    expect(form.locator(".upload-outcomes")).to_contain_text("东立面-施工中.jpg")
    problems += page_problems(page, "the third photo uploaded")

    # Pairing mode, from the gallery: beside the before photo, tick the after photo, save.
    page.locator("#gallery a", has_text="配对改造前后照片").click()
    expect(page.locator("h1")).to_contain_text("配对改造前后照片")
    htmx_ready(page, "#pair-picker")
    problems += page_problems(page, "the pairing page")
    page.locator(".pair-actions button[type=submit]").click()
    error = page.locator("#pair-picker-error")
    expect(error).to_contain_text("请至少在一张改造前照片旁勾选一张改造后照片")
    expect(error).to_be_focused()
    assert is_in_view(error), "the pairing error is off screen"
    problems += page_problems(page, "the pairing refused with nothing ticked")
    row = page.locator(".pair-row", has_text="东立面-改造前.jpg")
    row.locator("label.pick", has_text="东立面-改造后.jpg").click()
    expect(row.locator("input[type=radio]:checked")).to_have_count(1)
    page.locator(".pair-actions button[type=submit]").click()
    result = page.locator("#pair-picker .flash-success")
    expect(result).to_contain_text("已保存 1 对改造前后照片。")
    expect(result).to_contain_text("东立面-改造前.jpg → 东立面-改造后.jpg")
    expect(result).to_be_focused()
    assert is_in_view(result), "the pairing result is off screen"
    expect(page.locator("#announcer")).to_contain_text("已保存 1 对改造前后照片。")
    problems += page_problems(page, "the pair saved")
    page.locator("#pair-picker a", has_text="查看对比照片").click()
    expect(page.locator("#pairs")).to_be_visible()
    problems += page_problems(page, "the project page with its pair")

    assert problems == []
    db.session.expire_all()
    facade = db.session.scalars(sa.select(Stage).where(Stage.project_id == project.id, Stage.key == "facade")).one()
    assert (facade.percent, facade.lag_reason, facade.lag_note) == (60, "organisation", "脚手架进场推迟")
    assert facade.catch_up_date == today() + timedelta(days=20)
    photos = {
        photo.original_filename: photo
        for photo in db.session.scalars(sa.select(Photo).where(Photo.project_id == project.id))
    }
    assert {name: (photo.phase, photo.stage_key) for name, photo in photos.items()} == {
        "东立面-改造前.jpg": ("before", "facade"),
        "东立面-改造后.jpg": ("after", "facade"),
        "东立面-施工中.jpg": ("during", "facade"),
    }
    pair = db.session.scalars(sa.select(PhotoPair)).one()
    assert (pair.before_id, pair.after_id) == (photos["东立面-改造前.jpg"].id, photos["东立面-改造后.jpg"].id)
