"""Pairing mode on a 390 px phone with several photos: the after photos beside each before photo sit
side by side in a strip that scrolls sideways inside its row (the page does not), several pairs are
ticked and saved at once, and a photo ticked twice is refused beside its row, focused, with the ticks
kept and nothing saved."""
import io

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from renovation.domain.photos.operations import add_photo
from renovation.extensions import db
from renovation.models import PhotoPair
from tests.browser.conftest import REPORT_VIOLATIONS
from tests.browser.phone_checks import is_in_view, log_in, page_problems, phone_context
from tests.conftest import make_project, make_user
from tests.domain.photo_samples import jpeg

pytestmark = pytest.mark.browser


@pytest.fixture
def project(app):
    project = make_project()
    engineer = make_user("engineer", "engineer")
    for seed, (caption, phase, stage) in enumerate(
        [
            ("东门全景", "before", "survey"),
            ("3号楼东立面改造前", "before", "facade"),
            ("主路改造前", "before", "paving"),
            ("3号楼东立面改造后", "after", "facade"),
            ("5号楼立面改造后", "after", "facade"),
            ("主路改造后", "after", "paving"),
            ("小区入口改造后", "after", None),
        ]
    ):
        add_photo(project, engineer, f"IMG_{seed}.jpg", io.BytesIO(jpeg(seed=seed + 80)), phase, stage, caption)
    return project


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


def overlapping_thumbnails(page) -> list[str]:
    """After photos of a row whose boxes run into the next one's."""
    return page.evaluate("""() => [...document.querySelectorAll('.pair-row-afters')].flatMap(strip => {
        const boxes = [...strip.querySelectorAll(':scope > li > label')].map(label => label.getBoundingClientRect());
        return boxes.slice(1).flatMap((box, at) =>
          box.left < boxes[at].right - 0.5 ? [strip.closest('fieldset').id] : []);
    })""")


def row(page, caption):
    return page.locator(".pair-row", has=page.locator("legend", has_text=caption))


def test_several_pairs_at_once_on_a_phone(live_server, phone, project):
    page, problems = phone, []
    log_in(page, live_server, "engineer")
    page.goto(f"{live_server}/projects/{project.code}/pairing")
    problems += page_problems(page, "the pairing page")
    assert overlapping_thumbnails(page) == []
    survey_strip = row(page, "东门全景").locator(".pair-row-afters")
    assert survey_strip.evaluate("strip => strip.scrollWidth > strip.clientWidth"), "four after photos fit a phone?"

    # The same after photo ticked beside two before photos: the later row is refused.
    row(page, "3号楼东立面改造前").locator("label.pick", has_text="3号楼东立面改造后").click()
    row(page, "东门全景").locator("label.pick", has_text="3号楼东立面改造后").click()
    row(page, "主路改造前").locator("label.pick", has_text="主路改造后").click()
    page.locator(".pair-actions button[type=submit]").click()
    error = row(page, "东门全景").locator(".field-error")
    expect(error).to_have_text("这张改造后照片同时勾选给了另一张改造前照片；每张照片只能配成一对。")
    expect(error).to_be_focused()
    assert is_in_view(error)
    expect(page.locator(".pair-row input:checked:not([value=''])")).to_have_count(3)  # the ticks are kept
    problems += page_problems(page, "a photo ticked twice")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PhotoPair)) == 0

    row(page, "东门全景").locator("label.pick", has_text="小区入口改造后").click()
    page.locator(".pair-actions button[type=submit]").click()
    result = page.locator("#pair-picker .flash-success")
    expect(result).to_contain_text("已保存 3 对改造前后照片。")
    expect(result).to_be_focused()
    assert is_in_view(result)
    expect(page.locator(".pair-row")).to_have_count(0)
    problems += page_problems(page, "three pairs saved")

    assert problems == []
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PhotoPair)) == 3
