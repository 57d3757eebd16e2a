"""The bulletin's way, in a real browser with a real background worker: the engineer drafts the
city-wide bulletin and sees its pages as they will print; another engineer checks it, the deputy
director signs it; the engineer confirms the number and issues it; its page shows the render
waiting, then — polled by htmx, with no reload — the download link once a `flask worker` process
has rendered it; the leader logs in, lands on the archive and downloads the same bytes."""
import hashlib
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from renovation.extensions import db
from renovation.models import Bulletin
from tests.browser.test_engineer_flow import log_in
from tests.bulletin_samples import add_pair, programme
from tests.conftest import PASSWORD, make_user
from tests.worker_process import queue_jobs_into, worker_process

pytestmark = pytest.mark.browser
TITLE = "全市城镇老旧小区改造工作进度通报"


@pytest.fixture
def sqlite_queue(app, tmp_path):
    """The live server enqueues into a SQLite queue that a worker process serves, not in-process."""
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    queue_jobs_into(app, url)
    return url


def _download(page, link) -> bytes:
    with page.expect_download() as download:
        link.click()
    return Path(download.value.path()).read_bytes()


def test_engineer_issues_the_city_bulletin_and_the_leader_downloads_the_same_bytes(
        live_server, page, browser, app, engineer, database_url, sqlite_queue):
    done, _, _ = programme()
    add_pair(done, engineer)
    make_user("leader", "leader")
    make_user("checker", "engineer")
    deputy = make_user("deputy", "leader")
    deputy.may_sign_bulletins = True
    db.session.commit()

    log_in(page, live_server)
    page.click("header a[href='/bulletins']")
    page.click("main a[href='/bulletins/new']")
    page.fill("textarea[name=notes]", "一是加快滞后项目进度。")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(rf"{live_server}/bulletins/\d+$"))
    draft_url = page.url
    pages = page.locator("#bulletin-preview .page-images img")  # the PDF's pages, laid out once it is shown
    expect(pages.first).to_be_visible(timeout=60_000)
    page.wait_for_function("() => document.querySelector('#bulletin-preview .page-images img').complete")
    assert pages.count() >= 2 and pages.first.evaluate("img => img.naturalWidth") > 800
    page.click("main button:has-text('送审核')")
    expect(page.locator(".flash-success")).to_contain_text("待审核")

    for who, button in (("checker", "审核通过"), ("deputy", "签发")):
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
        other = context.new_page()
        log_in(other, live_server, who)
        other.goto(draft_url)
        other.click(f"main button:has-text('{button}')")
        expect(other.locator(".flash-success")).to_be_visible()
        context.close()

    page.goto(draft_url)
    page.click("main a:has-text('印发…')")
    expect(page.locator("#issue-what")).to_have_text(re.compile(rf"将印发 {TITLE} \d{{4}}年第1期，印发后不可修改。"))
    expect(page.locator(".page-images img").first).to_be_visible(timeout=60_000)
    page.click("form.issue-confirmation button[type=submit]")
    expect(page).to_have_url(draft_url)
    expect(page.locator("h1")).to_have_text(TITLE)
    status = page.locator("#bulletin-status")
    expect(status).to_have_attribute("hx-trigger", "every 1s")  # queued: no worker yet
    page.evaluate("window.notReloaded = true")

    with worker_process(app, database_url, sqlite_queue):
        expect(page.locator("#bulletin-download")).to_be_visible(timeout=90_000)
    assert page.evaluate("window.notReloaded") is True, "the page reloaded instead of polling"
    expect(status).not_to_have_attribute("hx-trigger", "every 1s")
    engineer_bytes = _download(page, page.locator("#bulletin-download"))

    bulletin = db.session.scalar(sa.select(Bulletin))
    db.session.refresh(bulletin)
    assert hashlib.sha256(engineer_bytes).hexdigest() == bulletin.pdf_sha256
    expect(status).to_contain_text(bulletin.pdf_sha256)

    leader_context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    leader = leader_context.new_page()
    leader.goto(f"{live_server}/login")
    leader.fill("input[name=username]", "leader")
    leader.fill("input[name=password]", PASSWORD)
    leader.click("main button[type=submit]")
    expect(leader).to_have_url(f"{live_server}/dashboard")  # the overview, the latest bulletins first
    latest = leader.locator("#bulletins article", has_text=bulletin.label)
    assert leader.locator("main > section").first.get_attribute("id") == "bulletins"
    assert _download(leader, latest.locator("a[download]")) == engineer_bytes
    leader.click("#bulletins a[href='/bulletins']")  # and the whole archive
    row = leader.locator(f"#bulletin-{bulletin.id}")
    expect(row).to_contain_text(bulletin.label)
    leader_bytes = _download(leader, row.locator("a[download]"))
    assert hashlib.sha256(leader_bytes).hexdigest() == bulletin.pdf_sha256
    assert leader_bytes == engineer_bytes
    leader_context.close()
