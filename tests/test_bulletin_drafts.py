"""A bulletin's way through the pages (issue 14): drafted, sent for checking, checked by another
engineer, signed by someone allowed to sign, then issued after a confirmation that names its
number; sent back with a reason; stale steps refused; the drafts on their way listed, the user's
turn first; drafts kept from those who do not follow them."""
import re

import pytest
import sqlalchemy as sa

from renovation.domain.clock import today
from renovation.extensions import db
from renovation.models import AuditEntry, Bulletin
from tests.bulletin_samples import programme
from tests.bulletin_steps import draft
from tests.conftest import login, make_user

YEAR = today().year
TITLE = "全市城镇老旧小区改造工作进度通报"


@pytest.fixture
def office(app, engineer):
    """The drafter (engineer), a checker (another engineer), a deputy director who signs, a committee."""
    programme()
    checker = make_user("checker", "engineer")
    deputy = make_user("deputy", "leader")
    deputy.may_sign_bulletins = True
    make_user("committee", "committee", community="铁路社区")
    db.session.commit()
    return {"drafter": engineer, "checker": checker, "deputy": deputy}


def as_user(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 303
    return client


def version_of(bulletin_id) -> int:
    db.session.expire_all()
    return db.session.get(Bulletin, bulletin_id).version


def step(client, bulletin_id, name, **data):
    return client.post(f"/bulletins/{bulletin_id}/{name}", data={"version": version_of(bulletin_id), **data})


def test_drafted_checked_signed_and_issued_through_the_pages(app, client, office):
    login(client)
    bulletin_id = draft(client, kind="city", notes="一是加快进度。")
    page = client.get(f"/bulletins/{bulletin_id}").get_data(as_text=True)
    assert "送审核" in page and "印发…" not in page and "修改草稿" in page

    assert step(client, bulletin_id, "send-on").status_code == 303
    assert step(client, bulletin_id, "check").status_code == 403  # not by its own drafter
    checker = as_user(app, "checker")
    assert "待我处理" in checker.get("/bulletins").get_data(as_text=True)
    assert step(checker, bulletin_id, "check").status_code == 303
    assert step(checker, bulletin_id, "sign").status_code == 403  # not allowed to sign
    deputy = as_user(app, "deputy")
    assert "签发" in deputy.get(f"/bulletins/{bulletin_id}").get_data(as_text=True)
    assert step(deputy, bulletin_id, "sign").status_code == 303

    confirmation = client.get(f"/bulletins/{bulletin_id}/issue").get_data(as_text=True)
    assert f"将印发 {TITLE} {YEAR}年第1期，印发后不可修改。" in confirmation
    assert f'hx-get="/bulletins/{bulletin_id}/preview?fragment=pages"' in confirmation  # its pages, once shown
    pages = client.get(f"/bulletins/{bulletin_id}/preview?fragment=pages", headers={"HX-Request": "true"})
    first_page = rf'<img src="/bulletins/{bulletin_id}/preview/[0-9a-f]{{64}}/1\.png"'
    assert re.search(first_page, pages.get_data(as_text=True))
    issued = step(client, bulletin_id, "issue", label=f"{YEAR}年第1期")
    assert issued.status_code == 303
    page = client.get(issued.headers["Location"]).get_data(as_text=True)
    assert f"已印发：{TITLE}，{YEAR}年第1期，漳住建〔{YEAR}〕1号。" in page
    steps = page[page.index('class="bulletin-steps"'):]
    steps = re.sub(r"\s+", " ", steps[:steps.index("</ol>")])
    for name, username in (("拟稿", "engineer"), ("审核", "checker"), ("签发", "deputy"), ("印发", "engineer")):
        assert f"<strong>{name}</strong> {username} · <time" in steps
    bulletin = db.session.get(Bulletin, bulletin_id)
    assert (bulletin.checked_by.username, bulletin.signed_by.username, bulletin.issued_by.username) == (
        "checker", "deputy", "engineer")
    assert bulletin.snapshot["document"]["signer"] == bulletin.signed_by.name
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("bulletin.%"))
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["bulletin.draft", "bulletin.send_on", "bulletin.check", "bulletin.sign", "bulletin.issue"]


def test_the_confirmed_number_is_the_one_issued(app, client, office):
    """Two drafts signed at once: the one issued second is not issued under a number nobody confirmed."""
    app.config["BULLETIN_STEPS"] = ""
    login(client)
    first, second = draft(client, kind="city"), draft(client, kind="city")
    for bulletin_id in (first, second):
        assert f"{YEAR}年第1期" in client.get(f"/bulletins/{bulletin_id}/issue").get_data(as_text=True)
    assert step(client, first, "issue", label=f"{YEAR}年第1期").status_code == 303
    refused = step(client, second, "issue", label=f"{YEAR}年第1期")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and f"本通报现将编为{YEAR}年第2期" in page
    assert f"将印发 {TITLE} {YEAR}年第2期" in page and db.session.get(Bulletin, second).number is None
    assert step(client, second, "issue", label=f"{YEAR}年第2期").status_code == 303
    assert db.session.get(Bulletin, second).number == 2


def test_a_stale_step_is_refused_and_changes_nothing(app, client, office):
    login(client)
    bulletin_id = draft(client, kind="city")
    stale = version_of(bulletin_id)
    assert step(client, bulletin_id, "send-on").status_code == 303
    checker = as_user(app, "checker")
    refused = checker.post(f"/bulletins/{bulletin_id}/check", data={"version": stale})
    assert refused.status_code == 409 and "此通报刚刚已被他人处理" in refused.get_data(as_text=True)
    assert db.session.get(Bulletin, bulletin_id).status == "checking"
    edit = client.post(f"/bulletins/{bulletin_id}/edit", data={"version": stale, "notes": "改了"})
    assert edit.status_code == 409 and re.search(r">\s*改了</textarea>", edit.get_data(as_text=True))  # kept as typed
    assert db.session.get(Bulletin, bulletin_id).notes == ""
    assert client.get(f"/bulletins/{bulletin_id}/edit").status_code == 303  # only a draft is edited


def test_sent_back_with_a_reason_it_is_a_draft_again(app, client, office):
    login(client)
    bulletin_id = draft(client, kind="city")
    step(client, bulletin_id, "send-on")
    checker = as_user(app, "checker")
    empty = step(checker, bulletin_id, "send-back", reason="  ")
    assert empty.status_code == 422
    assert re.search(r'class="field-error" id="reason-error">请说明退回拟稿人的原因', empty.get_data(as_text=True))
    assert step(checker, bulletin_id, "send-back", reason="滞后项目数据需核实").status_code == 303
    page = client.get(f"/bulletins/{bulletin_id}").get_data(as_text=True)
    assert "已退回拟稿人：滞后项目数据需核实" in page and "送审核" in page
    edited = client.post(f"/bulletins/{bulletin_id}/edit",
                         data={"version": version_of(bulletin_id), "notes": "一是核实滞后项目数据。"})
    assert edited.status_code == 303 and db.session.get(Bulletin, bulletin_id).notes == "一是核实滞后项目数据。"


def test_an_office_without_steps_issues_the_draft(app, client, office):
    app.config["BULLETIN_STEPS"] = ""
    login(client)
    bulletin_id = draft(client, kind="city")
    page = client.get(f"/bulletins/{bulletin_id}").get_data(as_text=True)
    assert "印发…" in page and "送审核" not in page and "送签发" not in page
    app.config["BULLETIN_STEPS"] = "sign"
    page = client.get(f"/bulletins/{bulletin_id}").get_data(as_text=True)
    assert "送签发" in page and "印发…" not in page


def test_drafts_are_read_by_who_follows_them(app, client, office):
    login(client)
    bulletin_id = draft(client, kind="city", notes="内部讨论稿")
    committee = as_user(app, "committee")
    assert committee.get(f"/bulletins/{bulletin_id}").status_code == 404
    assert committee.get(f"/bulletins/{bulletin_id}/preview").status_code == 403
    assert "在办通报" not in committee.get("/bulletins").get_data(as_text=True)
    make_user("leader", "leader")
    assert as_user(app, "leader").get(f"/bulletins/{bulletin_id}").status_code == 404
    deputy = as_user(app, "deputy")  # may sign: follows the drafts
    assert deputy.get(f"/bulletins/{bulletin_id}").status_code == 200
    assert deputy.get(f"/bulletins/{bulletin_id}/edit").status_code == 403


def test_an_admin_grants_and_withdraws_the_right_to_sign(app, client, office):
    make_user("admin", "admin")
    admin = as_user(app, "admin")
    checker = office["checker"]
    page = admin.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{checker.id}/signing" in page and "授予签发权" in page
    assert admin.post(f"/admin/users/{checker.id}/signing").status_code == 303
    db.session.expire_all()
    assert checker.may_sign_bulletins is True
    admin.post(f"/admin/users/{checker.id}/signing")
    db.session.expire_all()
    assert checker.may_sign_bulletins is False
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("user.%signing"))).all()
    assert actions == ["user.grant_signing", "user.withdraw_signing"]
