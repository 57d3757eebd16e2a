"""The after-care API: a project's 长效管理 read (blank until recorded) and written with PUT, fields left
out kept, types and rules refused by field (422), a stale version (409 with the record as it is),
who may write (the bureau anywhere, a committee its own community's, leaders never)."""
import pytest
import sqlalchemy as sa

from renovation.extensions import db
from renovation.models import AuditEntry
from renovation.models.aftercare import Aftercare
from tests.conftest import api_token, make_project, make_user

CODE = "ZP-2026-001"
URL = f"/api/v1/projects/{CODE}/aftercare"
BODY = {"party_branch": True, "party_branch_name": "铁路二段小区党支部", "building_party_groups": 4,
        "owners_committee": True, "red_owners_committee": True, "property_management": "professional",
        "property_company": "漳平市安居物业服务有限公司", "red_property": True, "version": 0}


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {api_token(user)}", "Accept-Language": "en"}


@pytest.fixture
def tokens(app):
    make_project(CODE)
    make_project("ZP-2026-002", compound="九龙桂冠小区", community="九龙社区", street="菁城街道")
    users = {"admin": make_user("admin", "admin"), "engineer": make_user("engineer", "engineer"),
             "committee": make_user("committee", "committee", community="铁路社区"),
             "other_committee": make_user("other", "committee", community="九龙社区"),
             "leader": make_user("leader", "leader")}
    return {role: bearer(user) for role, user in users.items()}


def test_a_project_without_after_care_reads_as_nobody_version_0(client, tokens):
    answer = client.get(URL, headers=tokens["leader"])
    assert answer.status_code == 200
    assert answer.json == {"project": CODE, "party_branch": False, "party_branch_name": "", "building_party_groups": 0,
                           "owners_committee": False, "red_owners_committee": False, "property_management": "none",
                           "property_company": "", "red_property": False, "recorded": False, "version": 0,
                           "updated_at": None, "updated_by": None}


def test_the_committee_records_its_compound_and_everyone_reads_it(client, tokens):
    answer = client.put(URL, json=BODY, headers=tokens["committee"])
    assert answer.status_code == 200
    body = answer.json
    assert {name: body[name] for name in BODY if name != "version"} == {k: v for k, v in BODY.items() if k != "version"}
    assert body["version"] == 1 and body["recorded"] is True and body["updated_by"] == "committee"
    assert client.get(URL, headers=tokens["leader"]).json == body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "aftercare.change", AuditEntry.target_id == CODE)) == 1


def test_fields_left_out_keep_their_values(client, tokens):
    client.put(URL, json=BODY, headers=tokens["engineer"])
    answer = client.put(URL, json={"building_party_groups": 6, "version": 1}, headers=tokens["engineer"])
    assert answer.status_code == 200
    assert (answer.json["building_party_groups"], answer.json["property_company"], answer.json["version"]) == \
        (6, "漳平市安居物业服务有限公司", 2)


def test_what_the_get_shows_may_be_sent_back(client, tokens):
    shown = client.put(URL, json=BODY, headers=tokens["engineer"]).json
    answer = client.put(URL, json={**shown, "property_management": "community", "property_company": ""},
                        headers=tokens["engineer"])
    assert answer.status_code == 200 and answer.json["property_management"] == "community"


@pytest.mark.parametrize("body, field", [
    ({"party_branch": "yes"}, "party_branch"),
    ({"red_property": 1}, "red_property"),
    ({"building_party_groups": -1}, "building_party_groups"),
    ({"building_party_groups": 2.5}, "building_party_groups"),
    ({"building_party_groups": 10000}, "building_party_groups"),
    ({"property_management": "hotel"}, "property_management"),
    ({"property_management": "professional", "property_company": ""}, "property_company"),
    ({"property_management": "self"}, "property_company"),
    ({"owners_committee": False}, "red_owners_committee"),
    ({"party_branch": False, "party_branch_name": ""}, "building_party_groups"),
    ({"party_branch_name": 3}, "party_branch_name"),
    ({"property_company": "企" * 129}, "property_company"),
    ({"colour": "red"}, "colour"),
    ({"project": "ZP-2026-002"}, "project"),
    ({"version": "0"}, "version"),
])
def test_bad_values_are_refused_by_field_and_nothing_is_saved(client, tokens, body, field):
    answer = client.put(URL, json={**BODY, **body}, headers=tokens["engineer"])
    assert answer.status_code == 422
    assert field in answer.json["errors"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Aftercare)) == 0


def test_a_body_that_is_no_object_is_refused(client, tokens):
    answer = client.put(URL, json=[BODY], headers=tokens["engineer"])
    assert answer.status_code == 422 and "body" in answer.json["errors"]


def test_a_stale_version_is_409_with_the_record_as_it_is(client, tokens):
    client.put(URL, json=BODY, headers=tokens["engineer"])
    answer = client.put(URL, json={**BODY, "building_party_groups": 9}, headers=tokens["committee"])  # version 0
    assert answer.status_code == 409
    assert answer.json["aftercare"]["version"] == 1 and answer.json["aftercare"]["building_party_groups"] == 4
    assert "changed" in answer.json["error"]
    assert client.get(URL, headers=tokens["engineer"]).json["building_party_groups"] == 4


@pytest.mark.parametrize("role", ["leader", "other_committee"])
def test_leaders_and_other_communities_committees_may_not_write(client, tokens, role):
    assert client.put(URL, json=BODY, headers=tokens[role]).status_code == 403
    assert client.get(URL, headers=tokens[role]).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Aftercare)) == 0


def test_an_unknown_project_is_404(client, tokens):
    assert client.get("/api/v1/projects/ZP-1999-999/aftercare", headers=tokens["engineer"]).status_code == 404
    assert client.put("/api/v1/projects/ZP-1999-999/aftercare", json=BODY,
                      headers=tokens["engineer"]).status_code == 404


def test_a_version_when_nothing_is_recorded_is_409_with_the_blank(client, tokens):
    answer = client.put(URL, json={**BODY, "version": 3}, headers=tokens["engineer"])
    assert answer.status_code == 409
    assert answer.json["aftercare"]["recorded"] is False and answer.json["aftercare"]["version"] == 0
    assert answer.json["aftercare"]["project"] == CODE
