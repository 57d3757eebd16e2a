"""A bulletin from draft to issue (issue 14): drafted, checked by another engineer, signed by
someone allowed to sign, then issued, which alone numbers it; who may take each step, a stale
step refused, a bulletin sent back with its reason, and offices that skip steps."""
import threading

import pytest
import sqlalchemy as sa

from renovation.domain.bulletins import workflow
from renovation.domain.bulletins.issue import BulletinError, Scope, scope_named
from renovation.domain.clock import today
from renovation.extensions import db
from renovation.models import AuditEntry, Bulletin, User
from tests.bulletin_samples import programme
from tests.conftest import make_user

YEAR = today().year


@pytest.fixture
def office(app):
    """The people of the bureau: two engineers, a deputy director allowed to sign (a leader), an
    admin, a leader who may not sign, and a committee member."""
    programme()
    people = {name: make_user(name, role) for name, role in (
        ("drafter", "engineer"), ("checker", "engineer"), ("deputy", "leader"), ("admin", "admin"),
        ("reader", "leader"))}
    people["committee"] = make_user("committee", "committee", community="铁路社区")
    people["deputy"].may_sign_bulletins = True
    db.session.commit()
    return people


def actions() -> list[tuple[str, str]]:
    return [(entry.action, entry.user.username) for entry in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action.like("bulletin.%")).order_by(AuditEntry.id))]


def test_drafted_checked_signed_then_issued_with_the_next_number(office):
    draft = workflow.create_draft("city", Scope(), office["drafter"], notes="加快推进。", copy_to="市政府办公室")
    assert (draft.status, draft.number, draft.label, draft.issued_at) == ("draft", None, None, None)
    draft = workflow.edit_draft(draft, office["drafter"], draft.version, "加快推进滞后项目。", None,
                                "市政府办公室，新桥镇人民政府")
    draft = workflow.send_on(draft, office["drafter"], draft.version)
    assert draft.status == "checking" and draft.snapshot["data"]["overview"]["projects"] == 3
    draft = workflow.check(draft, office["checker"], draft.version)
    assert (draft.status, draft.checked_by.username) == ("signing", "checker")
    draft = workflow.sign(draft, office["deputy"], draft.version)
    assert (draft.status, draft.signed_by.username) == ("signed", "deputy")
    issued = workflow.issue(draft.id, office["drafter"], draft.version)
    assert (issued.status, issued.number, issued.label, issued.document_number) == (
        "issued", 1, f"{YEAR}年第1期", f"漳住建〔{YEAR}〕1号")
    document = issued.snapshot["document"]
    assert (document["notes"], document["copy_to"], document["signer"]) == (
        "加快推进滞后项目。", "市政府办公室，新桥镇人民政府", "deputy")
    assert issued.render_status == "queued" and issued.issued_by.username == "drafter"
    assert actions() == [("bulletin.draft", "drafter"), ("bulletin.edit", "drafter"), ("bulletin.send_on", "drafter"),
                         ("bulletin.check", "checker"), ("bulletin.sign", "deputy"), ("bulletin.issue", "drafter")]


@pytest.mark.parametrize("who, step, allowed", [
    ("checker", "check", True), ("admin", "check", True), ("drafter", "check", False),
    ("deputy", "check", False), ("reader", "check", False), ("committee", "check", False),
    ("deputy", "sign", True), ("drafter", "sign", False), ("checker", "sign", False), ("admin", "sign", False),
    ("reader", "sign", False), ("committee", "sign", False),
])
def test_who_may_check_and_sign(office, who, step, allowed):
    bulletin = workflow.create_draft("city", Scope(), office["drafter"])
    bulletin = workflow.send_on(bulletin, office["drafter"], bulletin.version)
    if step == "sign":
        bulletin = workflow.check(bulletin, office["checker"], bulletin.version)
    take = getattr(workflow, step)
    if allowed:
        assert take(bulletin, office[who], bulletin.version).status == ("signing" if step == "check" else "signed")
    else:
        before = bulletin.status
        with pytest.raises(BulletinError):
            take(bulletin, office[who], bulletin.version)
        db.session.rollback()
        assert db.session.get(Bulletin, bulletin.id).status == before


@pytest.mark.parametrize("who", ["reader", "committee", "deputy"])
def test_only_engineers_and_admins_draft_and_issue(office, who):
    with pytest.raises(BulletinError):
        workflow.create_draft("city", Scope(), office[who])
    assert db.session.scalar(sa.select(sa.func.count(Bulletin.id))) == 0


def test_nothing_is_issued_before_it_is_signed(office):
    bulletin = workflow.create_draft("city", Scope(), office["drafter"])
    for step in ("draft", "checking", "signing"):
        assert bulletin.status == step
        with pytest.raises(BulletinError, match="签发后才能印发"):
            workflow.issue(bulletin.id, office["drafter"], bulletin.version)
        db.session.rollback()
        bulletin = db.session.get(Bulletin, bulletin.id)
        if step == "draft":
            bulletin = workflow.send_on(bulletin, office["drafter"], bulletin.version)
        elif step == "checking":
            bulletin = workflow.check(bulletin, office["checker"], bulletin.version)
    assert db.session.scalar(sa.select(Bulletin.number).where(Bulletin.id == bulletin.id)) is None


def test_sent_back_with_a_reason_it_is_a_draft_again(office):
    bulletin = workflow.create_draft("city", Scope(), office["drafter"])
    bulletin = workflow.send_on(bulletin, office["drafter"], bulletin.version)
    bulletin = workflow.check(bulletin, office["checker"], bulletin.version)
    with pytest.raises(BulletinError, match="退回拟稿人的原因"):
        workflow.send_back(bulletin, office["deputy"], bulletin.version, "  ")
    db.session.rollback()
    bulletin = db.session.get(Bulletin, bulletin.id)
    bulletin = workflow.send_back(bulletin, office["deputy"], bulletin.version, "第二部分数据有误，请核对。")
    assert (bulletin.status, bulletin.sent_back_reason, bulletin.snapshot, bulletin.checked_by) == (
        "draft", "第二部分数据有误，请核对。", None, None)
    bulletin = workflow.send_on(bulletin, office["drafter"], bulletin.version)
    assert bulletin.status == "checking" and bulletin.sent_back_reason == ""


def test_a_stale_step_is_refused_and_nothing_changes(office):
    bulletin = workflow.create_draft("city", Scope(), office["drafter"])
    seen = bulletin.version
    bulletin = workflow.edit_draft(bulletin, office["checker"], seen, "新的要求。", None, "")
    with pytest.raises(workflow.BulletinConflict) as refused:
        workflow.send_on(bulletin, office["drafter"], seen)
    assert refused.value.current.notes == "新的要求。" and refused.value.current.status == "draft"


@pytest.mark.parametrize("steps, after_draft", [("sign", "signing"), ("", "signed"), ("check", "checking")])
def test_offices_that_skip_steps(app, office, steps, after_draft):
    app.config["BULLETIN_STEPS"] = steps
    bulletin = workflow.create_draft("street", scope_named("street", street="桂林街道"), office["drafter"])
    if not steps:  # one step: the draft is issued at once, its data gathered then
        issued = workflow.issue(bulletin.id, office["drafter"], bulletin.version)
        assert (issued.status, issued.label) == ("issued", f"{YEAR}年第1期")
        return
    bulletin = workflow.send_on(bulletin, office["drafter"], bulletin.version)
    assert bulletin.status == after_draft
    if steps == "check":
        assert workflow.check(bulletin, office["checker"], bulletin.version).status == "signed"


def test_the_data_checked_and_signed_are_the_data_printed(office):
    from renovation.models import Project

    bulletin = workflow.create_draft("city", Scope(), office["drafter"])
    bulletin = workflow.send_on(bulletin, office["drafter"], bulletin.version)
    frozen = bulletin.snapshot["data"]["overview"]["projects"]
    db.session.execute(sa.update(Project).where(Project.code == "ZP-2026-003").values(households=999))
    db.session.commit()
    bulletin = workflow.check(bulletin, office["checker"], bulletin.version)
    bulletin = workflow.sign(bulletin, office["deputy"], bulletin.version)
    issued = workflow.issue(bulletin.id, office["admin"], bulletin.version)
    assert issued.snapshot["data"]["overview"]["projects"] == frozen
    assert issued.snapshot["data"]["overview"]["households"] == 400  # as when it was sent on, not 1,319


@pytest.mark.postgresql
def test_two_signed_bulletins_issued_at_once_get_distinct_numbers(app, office, monkeypatch, caplog):
    """Two engineers issue two signed city bulletins at the same moment on PostgreSQL: both read the
    same highest number; the unique constraint sends one round again."""
    import logging

    from renovation.domain.bulletins import issue as issuing

    caplog.set_level(logging.INFO, logger="renovation.domain.bulletins.issue")  # where numbers are given
    app.config["BULLETIN_STEPS"] = ""
    real_next, both_read, first = issuing.next_number, threading.Barrier(2, timeout=10), threading.local()

    def racing_next_number(kind, scope, year):
        number = real_next(kind, scope, year)
        if not getattr(first, "done", False):
            first.done = True
            both_read.wait()
        return number

    monkeypatch.setattr(issuing, "next_number", racing_next_number)
    ids = [workflow.create_draft("city", Scope(), office["drafter"]).id for _ in range(2)]
    versions = {bulletin_id: db.session.get(Bulletin, bulletin_id).version for bulletin_id in ids}
    user_id = office["drafter"].id
    numbers, errors = [], []

    def issue(bulletin_id):
        try:
            with app.app_context():
                user = db.session.get(User, user_id)
                numbers.append(workflow.issue(bulletin_id, user, versions[bulletin_id]).number)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=issue, args=(bulletin_id,)) for bulletin_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sorted(numbers) == [1, 2]
    assert any("taken, retrying" in record.getMessage() for record in caplog.records)  # they did collide
