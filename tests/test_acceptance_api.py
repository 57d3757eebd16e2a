"""竣工验收 through the API: the issue's walk (an acceptance with two residents' representatives records
one item to rectify, which blocks completing acceptance with the rule's message until the item is closed
with a photo), closing without a photo or a note, a stale version, and who may do what."""
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from renovation.domain.clock import today
from renovation.domain.contents import catalogue
from renovation.domain.contents.operations import add_content
from renovation.domain.photos.operations import add_photo
from renovation.extensions import db
from renovation.models import AuditEntry
from renovation.models.acceptance import AcceptanceRecord, Rectification
from tests.conftest import api_token, days_ago, make_project, make_user
from tests.domain.photo_samples import jpeg

CODE = "ZP-2026-001"
DONE = {"status": "completed", "percent": 100, "actual_start": days_ago(200), "actual_end": days_ago(20)}
READY = {key: DONE for key in ("survey", "rain_sewage", "facade", "paving")} | {
    "acceptance": {"status": "in_progress", "percent": 50, "actual_start": days_ago(10)}}
OPEN_MESSAGE = "Acceptance still has open rectification items (1): close them before completing it."
ZH_OPEN_MESSAGE = "竣工验收尚有1项整改事项未完成，整改完毕后方可完成验收。"


def bearer(user, language="en") -> dict:
    return {"Authorization": f"Bearer {api_token(user)}", "Accept-Language": language}


@pytest.fixture
def setup(app):
    catalogue.ensure_default_items()
    users = {"admin": make_user("admin", "admin"), "engineer": make_user("engineer", "engineer"),
             "committee": make_user("committee", "committee", community="铁路社区"),
             "other_committee": make_user("other", "committee", community="九龙社区"),
             "leader": make_user("leader", "leader")}
    project = make_project(CODE, stages=READY, start=days_ago(300))
    make_project("ZP-2026-002", compound="九龙桂冠小区", community="九龙社区", street="菁城街道")
    pipes = add_content(project, users["engineer"], {"item": "rain_sewage_pipes", "planned_quantity": Decimal(1200),
                                                     "completed_quantity": Decimal(1200)})
    lifts = add_content(project, users["engineer"], {"item": "elevators", "planned_quantity": Decimal(2),
                                                     "completed_quantity": Decimal(2)})
    return {"project": project, "users": users, "tokens": {role: bearer(user) for role, user in users.items()},
            "pipes": pipes.id, "lifts": lifts.id}


def acceptance_body(setup, **changes) -> dict:
    return {"accepted_on": days_ago(1).isoformat(), "units": ["construction_owner", "contractor", "supervisor",
                                                              "street_community"],
            "representatives": [{"name": "陈秀英", "represents": "3号楼居民"},
                                {"name": "王建国", "represents": "5号楼居民"}],
            "checks": [{"content_id": setup["pipes"], "result": "accepted"},
                       {"content_id": setup["lifts"], "result": "rectify", "note": "2号电梯井道渗水",
                        "deadline": (today() + timedelta(days=7)).isoformat(), "responsible_unit": "contractor"}],
            "summary": "各方现场验收", **changes}


def complete(client, headers, version):
    return client.patch(f"/api/v1/projects/{CODE}/stages/acceptance", headers=headers, json={
        "status": "completed", "percent": 100, "actual_end": days_ago(0).isoformat(), "version": version})


def stage_version(client, headers) -> int:
    stages = client.get(f"/api/v1/projects/{CODE}", headers=headers).get_json()["stages"]
    return next(stage["version"] for stage in stages if stage["key"] == "acceptance")


def test_the_issue_s_walk_through_the_api(client, setup):
    tokens = setup["tokens"]
    response = client.post(f"/api/v1/projects/{CODE}/acceptances", json=acceptance_body(setup),
                           headers=tokens["engineer"])
    assert response.status_code == 201, response.get_json()
    record = response.get_json()
    assert record["representative_count"] == 2 and record["latest"] is True
    assert [check["result"] for check in record["checks"]] == ["accepted", "rectify"]
    assert record["units"] == ["construction_owner", "contractor", "supervisor", "street_community"]
    assert client.get(f"/api/v1/acceptances/{record['id']}", headers=tokens["leader"]).get_json() == record
    listed = client.get(f"/api/v1/projects/{CODE}/acceptances", headers=tokens["leader"]).get_json()["items"]
    assert [item["id"] for item in listed] == [record["id"]]

    (item,) = client.get(f"/api/v1/projects/{CODE}/rectifications", headers=tokens["leader"]).get_json()["items"]
    assert (item["status"], item["description"], item["responsible_unit"], item["overdue"]) == (
        "open", "加装电梯：2号电梯井道渗水", "contractor", False)

    refused = complete(client, tokens["engineer"], stage_version(client, tokens["engineer"]))
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["status"] == OPEN_MESSAGE
    chinese = complete(client, bearer(setup["users"]["engineer"], "zh-CN"), stage_version(client, tokens["engineer"]))
    assert chinese.get_json()["errors"]["status"] == ZH_OPEN_MESSAGE

    # closing needs a photo or a note
    url = f"/api/v1/rectifications/{item['id']}"
    empty = client.patch(url, json={"version": item["version"], "note": ""}, headers=tokens["engineer"])
    assert empty.status_code == 422 and "note" in empty.get_json()["errors"]
    photo = add_photo(setup["project"], setup["users"]["engineer"], "整改后.jpg", io.BytesIO(jpeg(seed=5)), "after",
                      "acceptance", "井道已修复")
    closed = client.patch(url, json={"version": item["version"], "photo_id": photo.id}, headers=tokens["committee"])
    assert closed.status_code == 200, closed.get_json()
    assert (closed.get_json()["status"], closed.get_json()["photo_id"]) == ("closed", photo.id)
    stale = client.patch(url, json={"version": item["version"], "note": "again"}, headers=tokens["engineer"])
    assert stale.status_code == 409
    assert stale.get_json()["rectification"]["status"] == "closed"

    done = complete(client, tokens["engineer"], stage_version(client, tokens["engineer"]))
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "completed"
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"acceptance.record", "rectification.close", "stage.update"} <= actions


@pytest.mark.parametrize("role, status", [("admin", 201), ("engineer", 201), ("committee", 201),
                                          ("other_committee", 403), ("leader", 403)])
def test_who_may_record_an_acceptance(client, setup, role, status):
    response = client.post(f"/api/v1/projects/{CODE}/acceptances", json=acceptance_body(setup),
                           headers=setup["tokens"][role])
    assert response.status_code == status
    assert db.session.scalar(sa.select(sa.func.count(AcceptanceRecord.id))) == (1 if status == 201 else 0)


@pytest.mark.parametrize("role, status", [("admin", 200), ("engineer", 200), ("committee", 200),
                                          ("other_committee", 403), ("leader", 403)])
def test_who_may_add_and_close_an_item(client, setup, role, status):
    tokens = setup["tokens"]
    body = {"description": "3号楼单元门禁未安装", "deadline": (today() + timedelta(days=5)).isoformat(),
            "responsible_unit": "contractor"}
    added = client.post(f"/api/v1/projects/{CODE}/rectifications", json=body, headers=tokens[role])
    assert added.status_code == (201 if status == 200 else 403)
    item = client.post(f"/api/v1/projects/{CODE}/rectifications", json=body, headers=tokens["engineer"]).get_json()
    closed = client.patch(f"/api/v1/rectifications/{item['id']}", json={"version": item["version"], "note": "已安装"},
                          headers=tokens[role])
    assert closed.status_code == status
    assert db.session.get(Rectification, item["id"]).status == ("closed" if status == 200 else "open")
    assert client.get(f"/api/v1/projects/{CODE}/rectifications", headers=tokens[role]).status_code == 200


@pytest.mark.parametrize("changes, field", [
    ({"accepted_on": "yesterday"}, "accepted_on"), ({"units": "contractor"}, "units"),
    ({"units": ["mayor"]}, "units"), ({"representatives": [{"name": "陈秀英"}]}, "representatives"),
    ({"representatives": [{"headcount": "3", "represents": "3号楼"}]}, "representatives.headcount"),
    ({"checks": [{"content_id": 99999, "result": "accepted"}]}, "checks"), ({"colour": "red"}, "colour"),
])
def test_a_bad_acceptance_is_refused(client, setup, changes, field):
    response = client.post(f"/api/v1/projects/{CODE}/acceptances", json=acceptance_body(setup, **changes),
                           headers=setup["tokens"]["engineer"])
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert db.session.scalar(sa.select(sa.func.count(AcceptanceRecord.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Rectification.id))) == 0


def test_unknown_records_are_404(client, setup):
    headers = setup["tokens"]["engineer"]
    assert client.get("/api/v1/acceptances/999", headers=headers).status_code == 404
    assert client.get("/api/v1/projects/ZP-0000-000/rectifications", headers=headers).status_code == 404
    assert client.patch("/api/v1/rectifications/999", json={"version": 1, "note": "x"},
                        headers=headers).status_code == 404


def test_an_acceptance_names_its_papers_and_serves_them_to_readers(client, setup):
    from renovation.domain.acceptance.attachments import add_attachment

    tokens = setup["tokens"]
    record = client.post(f"/api/v1/projects/{CODE}/acceptances", json=acceptance_body(setup),
                         headers=tokens["engineer"]).get_json()
    add_attachment(db.session.get(AcceptanceRecord, record["id"]), setup["users"]["engineer"], "minutes", "纪要.jpg",
                   io.BytesIO(jpeg(seed=21)))
    (paper,) = client.get(f"/api/v1/acceptances/{record['id']}", headers=tokens["leader"]).get_json()["attachments"]
    assert (paper["kind"], paper["filename"]) == ("minutes", "纪要.jpg")
    served = client.get(paper["url"], headers=tokens["leader"])
    assert served.status_code == 200 and served.data == jpeg(seed=21)
    served.close()
    assert client.get(paper["url"]).status_code == 401
