"""竣工验收 on the project page: the issue's walk as a user clicks it (an acceptance with two residents'
representatives records one item to rectify; completing acceptance is refused with the rule's message
until the item is closed with a photo), closing without a photo or a note, a stale form, the papers
served only to those signed in, overdue items in red, and who may do what."""
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from renovation.domain.acceptance import rectifications
from renovation.domain.clock import today
from renovation.domain.contents import catalogue
from renovation.domain.contents.operations import add_content
from renovation.extensions import db
from renovation.models import Photo
from renovation.models.acceptance import AcceptanceAttachment, AcceptanceRecord, Rectification
from tests.conftest import days_ago, login, make_project, make_user
from tests.domain.photo_samples import jpeg

HTMX = {"HX-Request": "true"}
CODE = "ZP-2026-001"
DONE = {"status": "completed", "percent": 100, "actual_start": days_ago(200), "actual_end": days_ago(20)}
READY = {key: DONE for key in ("survey", "rain_sewage", "facade", "paving")} | {
    "acceptance": {"status": "in_progress", "percent": 50, "actual_start": days_ago(10)}}
ZH_OPEN = "竣工验收尚有1项整改事项未完成，整改完毕后方可完成验收。"
EN_OPEN = "Acceptance still has open rectification items (1): close them before completing it."


@pytest.fixture
def setup(app):
    catalogue.ensure_default_items()
    engineer = make_user("engineer", "engineer")
    make_user("committee", "committee", community="铁路社区")
    make_user("other_committee", "committee", community="九龙社区")
    make_user("leader", "leader")
    project = make_project(CODE, stages=READY, start=days_ago(300))
    make_project("ZP-2026-002", compound="九龙桂冠小区", community="九龙社区", street="菁城街道")
    pipes = add_content(project, engineer, {"item": "rain_sewage_pipes", "planned_quantity": Decimal(1200),
                                            "completed_quantity": Decimal(1200)})
    lifts = add_content(project, engineer, {"item": "elevators", "planned_quantity": Decimal(2),
                                            "completed_quantity": Decimal(2)})
    return {"project": project, "engineer": engineer, "pipes": pipes.id, "lifts": lifts.id}


def acceptance_form(setup, **values) -> dict:
    return {"accepted_on": days_ago(1).isoformat(), "units": ["construction_owner", "contractor", "supervisor"],
            "representatives-0-name": "陈秀英", "representatives-0-represents": "3号楼居民",
            "representatives-1-name": "王建国", "representatives-1-represents": "5号楼居民",
            "checks-0-content_id": str(setup["pipes"]), "checks-0-result": "accepted",
            "checks-1-content_id": str(setup["lifts"]), "checks-1-result": "rectify",
            "checks-1-note": "2号电梯井道渗水", "rectify_deadline": (today() + timedelta(days=7)).isoformat(),
            "rectify_unit": "contractor", "summary": "", **values}


def complete_acceptance(client, headers=HTMX):
    version = db.session.scalar(sa.text("SELECT version FROM stage WHERE key = 'acceptance' AND project_id = 1"))
    return client.post(f"/projects/{CODE}/stages/acceptance/edit", headers=headers, data={
        "status": "completed", "percent": "100", "actual_start": days_ago(10).isoformat(),
        "actual_end": today().isoformat(), "note": "", "version": str(version)})


def the_item() -> Rectification:
    db.session.expire_all()
    return db.session.scalar(sa.select(Rectification))


def test_the_issue_s_walk_on_the_project_page(client, setup):
    login(client, "engineer")
    page = client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert 'id="acceptance"' in page and 'href="#acceptance"' in page
    blank = client.get(f"/projects/{CODE}/acceptances/new", headers=HTMX).get_data(as_text=True)
    assert "<html" not in blank and "雨污分流管网" in blank and "加装电梯" in blank
    assert 'name="units" value="designer"' in blank

    answer = client.post(f"/projects/{CODE}/acceptances", data=acceptance_form(setup), headers=HTMX)
    assert answer.status_code == 200 and answer.headers["HX-Trigger"] == "acceptanceChanged"
    section = answer.get_data(as_text=True)
    assert "陈秀英" in section and "王建国" in section and "加装电梯：2号电梯井道渗水" in section
    assert the_item().status == "open"

    refused = complete_acceptance(client)
    assert refused.status_code == 422
    assert ZH_OPEN in refused.get_data(as_text=True)
    db.session.expire_all()
    assert setup["project"].stage("acceptance").status == "in_progress"

    item = the_item()
    closed = client.post(f"/rectifications/{item.id}/close", headers=HTMX, data={
        "version": str(item.version), "note": "", "photo": (io.BytesIO(jpeg(seed=9)), "整改后.jpg")},
        content_type="multipart/form-data")
    assert closed.status_code == 200, closed.get_data(as_text=True)
    item = the_item()
    photo = db.session.get(Photo, item.photo_id)
    assert (item.status, photo.stage_key, photo.phase) == ("closed", "acceptance", "after")
    assert f"/photos/{photo.id}/thumbnail" in closed.get_data(as_text=True)

    assert complete_acceptance(client).status_code == 200
    db.session.expire_all()
    assert setup["project"].stage("acceptance").status == "completed"


def test_a_full_page_acceptance_is_refused_with_the_message_beside_the_field(client, setup):
    login(client, "engineer")
    answer = client.post(f"/projects/{CODE}/acceptances", data=acceptance_form(
        setup, **{"representatives-0-represents": "", "checks-1-note": ""}))
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert "<html" in text and "陈秀英" in text  # the input kept
    assert db.session.scalar(sa.select(sa.func.count(AcceptanceRecord.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Rectification.id))) == 0
    saved = client.post(f"/projects/{CODE}/acceptances", data=acceptance_form(setup))
    assert saved.status_code == 303 and saved.headers["Location"].endswith(f"/projects/{CODE}#acceptance")


def test_closing_needs_a_photo_or_a_note_and_a_stale_form_is_409(client, setup):
    login(client, "committee")
    item = rectifications.add_rectification(setup["project"], setup["engineer"], {
        "description": "单元门禁未安装", "deadline": today() + timedelta(days=3), "responsible_unit": "contractor"})
    url = f"/rectifications/{item.id}/close"
    empty = client.post(url, headers=HTMX, data={"version": str(item.version), "note": " "})
    assert empty.status_code == 422
    assert the_item().status == "open"
    stale = client.post(url, headers=HTMX, data={"version": str(item.version - 1), "note": "已安装"})
    assert stale.status_code == 409
    assert the_item().status == "open"
    page = client.post(url, data={"version": str(item.version), "note": "已安装门禁"})
    assert page.status_code == 303
    assert (the_item().status, the_item().closing_note) == ("closed", "已安装门禁")


def test_an_overdue_item_is_red(client, setup):
    item = rectifications.add_rectification(setup["project"], setup["engineer"], {
        "description": "绿化补种", "deadline": today(), "responsible_unit": "street_community"})
    item.deadline = today() - timedelta(days=3)
    db.session.commit()
    login(client, "leader")
    page = client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert re.search(r'class="rectification overdue rectification-open"', page)
    assert "Close this item" not in page and "关闭此项" not in page and "record an acceptance" not in page.lower()


def test_papers_are_served_only_after_the_permission_check(client, setup):
    login(client, "engineer")
    client.post(f"/projects/{CODE}/acceptances", data=acceptance_form(setup))
    record = db.session.scalar(sa.select(AcceptanceRecord))
    uploaded = client.post(f"/acceptances/{record.id}/attachments", data={
        "kind": "sign_in_sheet", "files": [(io.BytesIO(jpeg(seed=11)), "签到表.jpg")]},
        content_type="multipart/form-data", headers=HTMX)
    assert uploaded.status_code == 200
    paper = db.session.scalar(sa.select(AcceptanceAttachment))
    served = client.get(f"/acceptances/attachments/{paper.id}/file")
    assert served.status_code == 200 and served.data == jpeg(seed=11)
    served.close()
    client.post("/logout")
    assert client.get(f"/acceptances/attachments/{paper.id}/file").status_code in (302, 401)


@pytest.mark.parametrize("user, status", [("engineer", 200), ("committee", 200), ("other_committee", 403),
                                          ("leader", 403)])
def test_who_may_record_and_close(client, setup, user, status):
    login(client, user)
    answer = client.post(f"/projects/{CODE}/acceptances", data=acceptance_form(setup), headers=HTMX)
    assert answer.status_code == status
    item = rectifications.add_rectification(setup["project"], setup["engineer"], {
        "description": "路灯未亮", "deadline": today() + timedelta(days=3), "responsible_unit": "contractor"})
    closed = client.post(f"/rectifications/{item.id}/close", headers=HTMX,
                         data={"version": str(item.version), "note": "已修复"})
    assert closed.status_code == status
    assert client.get(f"/projects/{CODE}").status_code == 200


def test_the_section_reads_in_the_same_statements_however_many_acceptances_and_items(client, setup):
    from renovation.domain.acceptance import records
    from tests.conftest import count_statements

    def acceptance(day):
        records.record_acceptance(setup["project"], setup["engineer"], {
            "accepted_on": days_ago(day), "units": ["contractor"],
            "representatives": [{"name": "陈秀英", "represents": "3号楼居民"}, {"headcount": 2, "represents": "5号楼"}],
            "checks": [{"content_id": setup["pipes"], "result": "rectify", "note": f"第{day}处渗水"},
                       {"content_id": setup["lifts"], "result": "accepted"}]})

    login(client, "engineer")
    acceptance(5)
    with count_statements() as one:
        assert client.get(f"/projects/{CODE}").status_code == 200
    for day in (4, 3, 2):
        acceptance(day)
    with count_statements() as four:
        page = client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert page.count('class="acceptance-record') == 4 and len(re.findall(r'id="rectification-\d', page)) == 4
    assert len(four) == len(one)


def test_the_add_item_form_comes_when_opened_and_as_a_page_without_a_script(client, setup):
    login(client, "engineer")
    page = client.get(f"/projects/{CODE}").get_data(as_text=True)
    section = page[page.index('id="acceptance"'):]
    assert f'hx-get="/projects/{CODE}/rectifications/new"' in section
    assert 'name="description"' not in section.split('class="rectification-new"')[1].split("</details>")[0]
    fragment = client.get(f"/projects/{CODE}/rectifications/new", headers=HTMX).get_data(as_text=True)
    assert 'class="rectification-form"' in fragment and "<html" not in fragment
    assert f'hx-post="/projects/{CODE}/rectifications"' in fragment
    whole = client.get(f"/projects/{CODE}/rectifications/new").get_data(as_text=True)
    assert "<html" in whole and 'class="rectification-form"' in whole and "hx-post=" not in whole.split(
        'class="rectification-form"')[0].rsplit("<form", 1)[1]
    answer = client.post(f"/projects/{CODE}/rectifications", headers=HTMX, data={
        "description": "", "deadline": days_ago(-7).isoformat(), "responsible_unit": "contractor"})
    assert answer.status_code == 422
    refused = answer.get_data(as_text=True)
    assert '<details class="rectification-new" open>' in refused and 'name="description"' in refused
