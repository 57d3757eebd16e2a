"""The renovation content API: the catalogue, a project's contents added, changed and removed with exact
decimal strings, versions (409), errors by field (422), who may write (every role, a committee of
another community too); the photo API's hidden-works fields; the stage API's rule override."""
import io

import pytest
import sqlalchemy as sa

from renovation.domain import accounts
from renovation.domain.contents import catalogue
from renovation.extensions import db
from renovation.models import ProjectContent, User
from tests.conftest import api_token, days_ago, make_project, make_user
from tests.domain.photo_samples import jpeg

CODE = "ZP-2026-001"
URL = f"/api/v1/projects/{CODE}/contents"
PIPES = {"item": "rain_sewage_pipes", "planned_quantity": "1200.5", "completed_quantity": "0", "investment": "54.02"}


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {api_token(user)}", "Accept-Language": "en"}


@pytest.fixture
def tokens(app):
    catalogue.ensure_default_items()
    make_project(CODE, stages={"survey": {"status": "completed", "percent": 100, "actual_start": days_ago(40),
                                          "actual_end": days_ago(30)},
                               "rain_sewage": {"status": "in_progress", "percent": 60, "actual_start": days_ago(20)}},
                 start=days_ago(60))
    make_project("ZP-2026-002", compound="九龙桂冠小区", community="九龙社区", street="菁城街道")
    users = {"admin": make_user("admin", "admin"), "engineer": make_user("engineer", "engineer"),
             "committee": make_user("committee", "committee", community="铁路社区"),
             "other_committee": make_user("other", "committee", community="九龙社区"),
             "leader": make_user("leader", "leader")}
    return {role: bearer(user) for role, user in users.items()}


def added(client, tokens, body=None) -> dict:
    response = client.post(URL, json=body or PIPES, headers=tokens["engineer"])
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_the_catalogue_lists_every_item_with_category_and_unit(client, tokens):
    answer = client.get("/api/v1/content-items", headers=tokens["leader"])
    items = {item["key"]: item for item in answer.get_json()["items"]}
    assert items["elevators"] == {"key": "elevators", "category": "improvement", "name": "加装电梯", "unit": "台",
                                  "stage": None, "retired": False}
    assert items["rain_sewage_pipes"]["stage"] == "rain_sewage"


def test_an_engineer_adds_pipes_and_lifts_and_reports_what_is_done(client, tokens):
    content = added(client, tokens)
    assert {key: content[key] for key in ("item", "category", "unit", "planned_quantity", "completed_quantity",
                                          "investment", "stage", "version")} == {
        "item": "rain_sewage_pipes", "category": "basic", "unit": "m", "planned_quantity": "1200.5",
        "completed_quantity": "0", "investment": "54.02", "stage": "rain_sewage", "version": 1}
    added(client, tokens, {"item": "elevators", "planned_quantity": "2", "completed_quantity": "0", "investment": "90"})
    changed = client.patch(f"/api/v1/contents/{content['id']}", headers=tokens["engineer"],
                           json={"completed_quantity": "800", "version": 1})
    assert changed.status_code == 200
    assert changed.get_json()["completed_quantity"] == "800" and changed.get_json()["version"] == 2
    assert [event["action"] for event in changed.get_json()["history"]] == ["change", "add"]
    listed = client.get(URL, headers=tokens["other_committee"]).get_json()["items"]
    assert [(item["item"], item["planned_quantity"], item["completed_quantity"]) for item in listed] == [
        ("rain_sewage_pipes", "1200.5", "800"), ("elevators", "2", "0")]


def test_more_done_than_planned_needs_a_reason(client, tokens):
    content = added(client, tokens)
    refused = client.patch(f"/api/v1/contents/{content['id']}", headers=tokens["engineer"],
                           json={"completed_quantity": "1300", "version": 1})
    assert refused.status_code == 422 and "reason" in refused.get_json()["errors"]
    allowed = client.patch(f"/api/v1/contents/{content['id']}", headers=tokens["engineer"],
                           json={"completed_quantity": "1300", "reason": "设计变更", "version": 1})
    assert allowed.status_code == 200 and allowed.get_json()["reason"] == "设计变更"


def test_errors_are_given_by_field_and_nothing_is_saved(client, tokens):
    response = client.post(URL, headers=tokens["engineer"], json={
        "item": "golden_taps", "planned_quantity": 1200.5, "completed_quantity": "-3", "investment": "1,200",
        "unit": "km", "colour": "red"})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"item", "planned_quantity", "completed_quantity", "investment",
                                                  "unit", "colour"}
    mismatch = client.post(URL, headers=tokens["engineer"], json={**PIPES, "category": "upgrade"})
    assert mismatch.status_code == 422 and set(mismatch.get_json()["errors"]) == {"category"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProjectContent)) == 0


def test_a_stale_version_is_409_with_the_content_as_it_is(client, tokens):
    content = added(client, tokens)
    client.patch(f"/api/v1/contents/{content['id']}", headers=tokens["engineer"],
                 json={"completed_quantity": "100", "version": 1})
    stale = client.patch(f"/api/v1/contents/{content['id']}", headers=tokens["admin"],
                         json={"completed_quantity": "200", "version": 1})
    assert stale.status_code == 409
    assert stale.get_json()["content"]["completed_quantity"] == "100"
    assert stale.get_json()["error"] == "Someone else changed this content since you loaded it."
    assert client.delete(f"/api/v1/contents/{content['id']}", headers=tokens["admin"],
                         json={"version": 1}).status_code == 409
    assert client.delete(f"/api/v1/contents/{content['id']}", headers=tokens["admin"],
                         json={"version": 2}).status_code == 204
    assert client.get(URL, headers=tokens["admin"]).get_json()["items"] == []


@pytest.mark.parametrize("role, status", [("admin", 201), ("engineer", 201), ("committee", 403),
                                          ("other_committee", 403), ("leader", 403)])
def test_who_may_add_content(client, tokens, role, status):
    assert client.post(URL, json=PIPES, headers=tokens[role]).status_code == status


@pytest.mark.parametrize("role, status", [("admin", 200), ("engineer", 200), ("committee", 403),
                                          ("other_committee", 403), ("leader", 403)])
def test_who_may_change_and_remove_content(client, tokens, role, status):
    content = added(client, tokens)
    url = f"/api/v1/contents/{content['id']}"
    assert client.patch(url, json={"investment": "60", "version": 1}, headers=tokens[role]).status_code == status
    assert client.delete(url, headers=tokens[role]).status_code == (204 if status == 200 else 403)


def test_every_role_reads_contents_and_the_catalogue(client, tokens):
    added(client, tokens)
    for role in tokens:
        assert client.get(URL, headers=tokens[role]).status_code == 200
        assert client.get("/api/v1/content-items", headers=tokens[role]).status_code == 200
    assert client.get(URL).status_code == 401


def test_a_photo_is_marked_as_hidden_works_of_a_content(client, tokens):
    content = added(client, tokens)
    response = client.post(f"/api/v1/projects/{CODE}/photos", headers=tokens["engineer"], data={
        "phase": "during", "stage": "rain_sewage", "hidden_works": "true", "content_id": str(content["id"]),
        "file": (io.BytesIO(jpeg(seed=11)), "沟槽.jpg")})
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["hidden_works"], response.get_json()["content_id"]) == (True, content["id"])
    plain = client.post(f"/api/v1/projects/{CODE}/photos", headers=tokens["engineer"], data={
        "phase": "after", "file": (io.BytesIO(jpeg(seed=12)), "完工.jpg")}).get_json()
    assert (plain["hidden_works"], plain["content_id"]) == (False, None)


def test_a_photo_cannot_show_another_projects_content(client, tokens):
    other = client.post("/api/v1/projects/ZP-2026-002/contents", json=PIPES, headers=tokens["engineer"]).get_json()
    response = client.post(f"/api/v1/projects/{CODE}/photos", headers=tokens["engineer"], data={
        "phase": "during", "hidden_works": "true", "content_id": str(other["id"]),
        "file": (io.BytesIO(jpeg(seed=13)), "沟槽.jpg")})
    assert response.status_code == 422 and "content_id" in response.get_json()["errors"]
    bad = client.post(f"/api/v1/projects/{CODE}/photos", headers=tokens["engineer"], data={
        "phase": "during", "hidden_works": "maybe", "file": (io.BytesIO(jpeg(seed=14)), "沟槽.jpg")})
    assert bad.status_code == 422 and "hidden_works" in bad.get_json()["errors"]


def test_starting_paving_through_the_api_is_refused_then_overridden_with_a_reason(client, tokens):
    url = f"/api/v1/projects/{CODE}/stages/paving"
    body = {"status": "in_progress", "percent": 10, "actual_start": days_ago(1).isoformat(), "version": 1}
    refused = client.patch(url, json=body, headers=tokens["engineer"])
    assert refused.status_code == 422
    assert "hidden-works" in refused.get_json()["errors"]["status"]
    no_right = client.patch(url, json={**body, "override_reason": "赶工期"}, headers=tokens["engineer"])
    assert no_right.status_code == 422 and "override_reason" in no_right.get_json()["errors"]
    accounts.set_may_override_rules(db.session.scalars(sa.select(User).where(User.username == "engineer")).one(),
                                    True, None)
    allowed = client.patch(url, json={**body, "override_reason": "管道已有监理旁站记录"}, headers=tokens["engineer"])
    assert allowed.status_code == 200 and allowed.get_json()["status"] == "in_progress"
