"""Issuing bulletins: numbers (consecutive, concurrent, never lost to a failed render), the frozen
snapshot and PDF, corrections, the stored bytes and their sha256."""
import hashlib
import logging
import threading

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from renovation.domain.bulletins import issue as bulletins
from renovation.domain.bulletins.issue import (
    BulletinError,
    Scope,
    issue_bulletin,
    pdf_bytes,
    render_bulletin,
    scope_named,
)
from renovation.domain.clock import today
from renovation.extensions import db
from renovation.models import AuditEntry, Bulletin, User
from renovation.storage import get_storage
from tests import pdf_checks
from tests.bulletin_samples import add_pair, programme
from tests.conftest import make_project

YEAR = today().year


def numbers(kind="city") -> list[int]:
    return list(db.session.scalars(sa.select(Bulletin.number).where(Bulletin.kind == kind).order_by(Bulletin.number)))


@pytest.mark.slow
def test_issuing_numbers_renders_and_stores_the_pdf_under_its_sha256(app, engineer):
    programme()
    first = issue_bulletin("city", Scope(), engineer, notes="加快推进滞后项目。")
    assert (first.kind, first.year, first.number, first.render_status) == ("city", YEAR, 1, "done")
    stored = pdf_bytes(first)
    assert hashlib.sha256(stored).hexdigest() == first.pdf_sha256 and len(stored) == first.pdf_size
    assert first.pdf_key == bulletins.pdf_key(first.pdf_sha256) and get_storage().exists(first.pdf_key)
    text = pdf_checks.text(stored)
    assert f"{YEAR}年第1期" in text and "进度通报" in text and "加快推进滞后项目。" in text
    assert first.snapshot["document"]["issued_by"] == "engineer" and first.issued_by_id == engineer.id
    second = issue_bulletin("city", Scope(), engineer)
    assert second.number == 2 and f"{YEAR}年第2期" in pdf_checks.text(pdf_bytes(second))
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "bulletin.issue")
                              .order_by(AuditEntry.id).limit(1))  # the first issue's
    assert entry.details["label"] == f"{YEAR}年第1期"


def test_each_kind_has_its_own_numbers(app, engineer):
    programme()
    issue_bulletin("city", Scope(), engineer, render=False)
    street = issue_bulletin("street", scope_named("street", street="桂林街道"), engineer, render=False)
    brief = issue_bulletin("project", scope_named("project", project="ZP-2026-002"), engineer, render=False)
    assert (street.number, brief.number) == (1, 1)
    assert street.title == "桂林街道城镇老旧小区改造工作进度通报" and brief.title == "铁路二段生活小区改造项目简报"
    assert street.snapshot["data"]["overview"]["projects"] == 2


@pytest.mark.slow
def test_an_issued_bulletin_never_changes_and_the_next_shows_the_change(app, engineer):
    programme()
    first = issue_bulletin("city", Scope(), engineer)
    before, snapshot = pdf_bytes(first), first.snapshot
    make_project("ZP-2026-004", "新华新村", "城中社区", "菁城街道", households=60)
    assert render_bulletin(first.id).pdf_sha256 == first.pdf_sha256  # done: left alone
    db.session.expire_all()
    assert pdf_bytes(db.session.get(Bulletin, first.id)) == before
    assert db.session.get(Bulletin, first.id).snapshot == snapshot
    preview = bulletins.preview_snapshot("city", Scope())
    assert preview["document"]["draft"] and preview["document"]["label"] == f"{YEAR}年第2期"
    second = issue_bulletin("city", Scope(), engineer)
    assert "draft" not in second.snapshot["document"]
    assert second.snapshot["data"]["change"]["projects"] == 1
    assert second.snapshot["document"]["previous_label"] == f"{YEAR}年第1期"
    assert f"与上期（{YEAR}年第1期）相比，项目数增加1个" in pdf_checks.text(pdf_bytes(second))


@pytest.mark.slow
def test_a_failed_render_keeps_its_number_and_is_rendered_again_from_the_same_snapshot(app, engineer, monkeypatch):
    programme()
    real = bulletins.render_pdf
    monkeypatch.setattr(bulletins, "render_pdf", lambda snapshot: (_ for _ in ()).throw(RuntimeError("out of memory")))
    failed = issue_bulletin("city", Scope(), engineer)
    assert (failed.number, failed.render_status, failed.render_error) == (1, "failed", "out of memory")
    with pytest.raises(BulletinError):
        pdf_bytes(failed)
    snapshot = failed.snapshot
    make_project("ZP-2026-004", "新华新村", "城中社区", "菁城街道")  # the retry must not see it
    monkeypatch.setattr(bulletins, "render_pdf", real)
    retried = render_bulletin(failed.id)
    assert (retried.number, retried.render_status, retried.render_error) == (1, "done", "")
    assert retried.snapshot == snapshot and "项目共3个" in pdf_checks.text(pdf_bytes(retried))
    assert issue_bulletin("city", Scope(), engineer, render=False).number == 2
    assert numbers() == [1, 2]


def test_a_correction_is_a_new_number_naming_the_corrected_one(app, engineer):
    programme()
    first = issue_bulletin("city", Scope(), engineer, render=False)
    correction = issue_bulletin("city", Scope(), engineer, corrects=first)
    assert correction.number == 2 and correction.corrects_id == first.id
    text = pdf_checks.text(pdf_bytes(correction))
    assert f"更正《全市城镇老旧小区改造工作进度通报》（{YEAR}年第1期）" in text
    with force_locale("en"), pytest.raises(BulletinError, match="same kind"):
        issue_bulletin("street", scope_named("street", street="桂林街道"), engineer, corrects=first, render=False)


def test_chosen_pairs_must_be_in_scope_and_at_most_six(app, engineer):
    done, _, idle = programme()
    pair = add_pair(done, engineer)
    with force_locale("en"), pytest.raises(BulletinError, match="scope"):
        issue_bulletin("street", scope_named("street", street="菁城街道"), engineer, pair_ids=[pair.id], render=False)
    with force_locale("en"), pytest.raises(BulletinError, match="at most 6"):
        issue_bulletin("city", Scope(), engineer, pair_ids=list(range(1, 8)), render=False)
    issued = issue_bulletin("city", Scope(), engineer, pair_ids=[pair.id], render=False)
    assert issued.photo_pair_ids == [pair.id]
    assert numbers() == [1]  # refusals took no number


def test_scope_must_fit_the_kind(app, engineer):
    with pytest.raises(BulletinError):
        issue_bulletin("street", Scope(), engineer)
    with force_locale("en"), pytest.raises(BulletinError, match="No street named “不存在街道”"):
        scope_named("street", street="不存在街道")
    with force_locale("en"), pytest.raises(BulletinError, match="No project with the code or name “ZP-0000-000”"):
        scope_named("project", project="ZP-0000-000")
    with force_locale("en"), pytest.raises(BulletinError, match="needs a project"):
        scope_named("project", project=" ")
    with force_locale("en"), pytest.raises(BulletinError, match="kind"):
        issue_bulletin("county", Scope(), engineer)


def test_refusals_are_in_the_readers_language(app, engineer, monkeypatch):
    """The messages are English msgids looked up in the current language's catalog."""
    from renovation.domain.bulletins import issue as module

    monkeypatch.setattr(module, "_", lambda message, **values: "译：" + message % values)
    with pytest.raises(BulletinError, match="^译：No street named “西园街道”"):
        scope_named("street", street="西园街道")
    with pytest.raises(BulletinError, match="^译：Choose at most 6"):
        issue_bulletin("city", Scope(), engineer, pair_ids=list(range(1, 8)), render=False)


@pytest.mark.slow
def test_a_tampered_pdf_is_refused(app, engineer):
    programme()
    bulletin = issue_bulletin("city", Scope(), engineer)
    get_storage().put(bulletin.pdf_key, b"%PDF-1.7 not the bulletin")
    with force_locale("en"), pytest.raises(BulletinError, match="sha256"):
        pdf_bytes(bulletin)


def test_two_engineers_issuing_at_the_same_moment_get_consecutive_numbers(app, engineer, monkeypatch, caplog):
    """Both read the same max before either writes; the unique constraint sends one round again."""
    programme()
    caplog.set_level(logging.INFO, logger="renovation.domain.bulletins.issue")
    user_id = engineer.id
    real_next = bulletins.next_number
    both_read = threading.Barrier(2, timeout=10)
    first_call = threading.local()

    def racing_next_number(kind, scope, year):
        number = real_next(kind, scope, year)
        if not getattr(first_call, "done", False):
            first_call.done = True
            both_read.wait()
        return number

    monkeypatch.setattr(bulletins, "next_number", racing_next_number)
    issued, errors = [], []

    def issue():
        try:
            with app.app_context():
                user = db.session.get(User, user_id)
                issued.append(issue_bulletin("city", Scope(), user, render=False).number)
        except BaseException as error:  # reported in the main thread
            errors.append(error)

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert sorted(issued) == [1, 2]
    assert any("taken, retrying" in record.getMessage() for record in caplog.records)  # they did collide
    db.session.expire_all()
    assert numbers() == [1, 2]


def test_without_cjk_fonts_issuing_stops_before_taking_a_number(app, engineer, monkeypatch):
    from renovation.domain.bulletins import pdf as bulletin_pdf

    programme()
    monkeypatch.setattr(bulletin_pdf, "installed_font_families", lambda: set())
    with pytest.raises(bulletin_pdf.CJKFontsMissing, match="fonts-noto-cjk"):
        issue_bulletin("city", Scope(), engineer)
    assert numbers() == []


@pytest.mark.slow
def test_command_line_issues_and_prints_the_number_and_the_file(app, runner, tmp_path):
    programme()
    notes = tmp_path / "notes.txt"
    notes.write_text("一是加快进度。\n二是做好协商。", encoding="utf-8")
    result = runner.invoke(args=["issue-bulletin", "--kind", "city", "--notes-file", str(notes)])
    assert result.exit_code == 0, result.output
    title, path = result.output.strip().splitlines()
    assert title == f"全市城镇老旧小区改造工作进度通报（{YEAR}年第1期，漳住建〔{YEAR}〕1号）"
    bulletin = db.session.scalar(sa.select(Bulletin))
    with open(path, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == bulletin.pdf_sha256
    assert "二是做好协商。" in pdf_checks.text(pdf_bytes(bulletin))
    street = runner.invoke(args=["issue-bulletin", "--kind", "street", "--street", "桂林街道"])
    assert street.exit_code == 0 and f"桂林街道城镇老旧小区改造工作进度通报（{YEAR}年第1期）" in street.output
    brief = runner.invoke(args=["issue-bulletin", "--kind", "project", "--project", "ZP-2026-002"])
    assert brief.exit_code == 0 and "铁路二段生活小区改造项目简报" in brief.output


def test_command_line_refuses_a_missing_street_or_project(app, runner):
    programme()
    result = runner.invoke(args=["issue-bulletin", "--kind", "street", "--street", "不存在街道"])
    assert result.exit_code == 1 and "不存在街道" in result.output  # the message in the default language
    result = runner.invoke(args=["issue-bulletin", "--kind", "project"])
    assert result.exit_code == 1 and "Error:" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Bulletin.id))) == 0


def test_nothing_changed_since_the_previous_bulletin_is_said_in_one_sentence(app, engineer):
    from renovation.domain.bulletins.pdf import render_html

    programme()
    issue_bulletin("city", Scope(), engineer, render=False)
    html = render_html(bulletins.preview_snapshot("city", Scope()))
    assert f"与上期（{YEAR}年第1期）相比，各项主要指标均无变化。" in html and "持平" not in html
