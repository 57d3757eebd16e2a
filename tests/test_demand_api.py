"""The demand API: record a demand, follow it to resolved or declined, overdue, conflicts and
permissions."""
import pytest
import sqlalchemy as sa

from renovation.domain.residents.consultations import add_consultation, delete_consultation
from renovation.extensions import db
from renovation.models import Demand, DemandEvent
from tests.conftest import api_token, days_ago, make_project, make_user

CODE = "ZP-2026-001"
URL = f"/api/v1/projects/{CODE}/demands"
UNKNOWN = "/api/v1/projects/ZP-1999-999/demands"


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {api_token(user)}", "Accept-Language": "en"}


def demand(**changes) -> dict:
    return {"category": "parking", "text": "晚上停车难，希望划线增加车位", "raised_by": "3号楼2单元",
            "raised_on": days_ago(2).isoformat(), **changes}


def stored() -> list[tuple]:
    columns = (Demand.id, Demand.status, Demand.response, Demand.reason, Demand.assignee,
               Demand.version)
    return list(db.session.execute(sa.select(*columns).order_by(Demand.id)))


@pytest.fixture
def project(app):
    return make_project(CODE)


@pytest.fixture
def engineer(app):
    return bearer(make_user("engineer", "engineer"))


@pytest.fixture
def raised(client, project, engineer) -> dict:
    response = client.post(URL, json=demand(), headers=engineer)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def patch(client, headers, item, **changes):
    body = {"version": item["version"], **changes}
    return client.patch(f"/api/v1/demands/{item['id']}", json=body, headers=headers)


def log(project, user, days: int, topic: str):
    values = {"date": days_ago(days), "kind": "hearing", "topic": topic}
    return add_consultation(project, user, values, None)


def raise_on(client, headers, days: int):
    return client.post(URL, json=demand(raised_on=days_ago(days).isoformat()), headers=headers)


def test_raise_a_demand(raised):
    assert (raised["project"], raised["category"]) == (CODE, "parking")
    assert raised["raised_by"] == "3号楼2单元"
    assert raised["status"] == "pending" and raised["version"] == 1 and raised["overdue"] is False
    assert raised["raised_on"] == days_ago(2).isoformat() and raised["consultation_id"] is None
    assert stored() == [(raised["id"], "pending", "", "", "", 1)]


def test_follow_a_demand_to_resolved(client, engineer, raised):
    handling = patch(client, engineer, raised, status="in_progress", assignee="王工")
    assert handling.status_code == 200
    assert handling.get_json()["status"] == "in_progress" and handling.get_json()["version"] == 2

    no_response = patch(client, engineer, handling.get_json(), status="resolved")
    assert no_response.status_code == 422
    assert no_response.get_json() == {
        "errors": {"response": "Write the response given to the residents."}}

    done = patch(client, engineer, handling.get_json(), status="resolved", response="已在北侧增划12个车位")
    assert done.status_code == 200
    assert done.get_json()["resolved_on"] is not None and done.get_json()["overdue"] is False
    assert stored() == [(raised["id"], "resolved", "已在北侧增划12个车位", "", "王工", 3)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DemandEvent)) == 3


def test_decline_needs_a_reason_and_closed_cannot_reopen(client, engineer, raised):
    no_reason = patch(client, engineer, raised, status="declined", reason=" ")
    assert no_reason.status_code == 422 and set(no_reason.get_json()["errors"]) == {"reason"}
    assert stored()[0][1:] == ("pending", "", "", "", 1)

    declined = patch(client, engineer, raised, status="declined", reason="属于物业管理范围，已转交物业")
    assert declined.status_code == 200

    reopened = patch(client, engineer, declined.get_json(), status="in_progress")
    assert reopened.status_code == 422
    message = reopened.get_json()["errors"]["status"]
    assert message.startswith("This demand is closed and cannot be reopened")
    assert stored()[0][1] == "declined"


def test_in_progress_cannot_go_back_to_pending(client, engineer, raised):
    handling = patch(client, engineer, raised, status="in_progress").get_json()
    back = patch(client, engineer, handling, status="pending")
    assert back.status_code == 422 and "status" in back.get_json()["errors"]


def test_stale_version_is_409_with_the_current_demand(client, engineer, raised):
    assert patch(client, engineer, raised, assignee="王工").status_code == 200

    stale = patch(client, engineer, raised, status="resolved", response="已办结")

    assert stale.status_code == 409
    body = stale.get_json()
    assert body["error"] and body["demand"]["assignee"] == "王工" and body["demand"]["version"] == 2
    assert stored()[0][1:] == ("pending", "", "", "王工", 2)


@pytest.mark.parametrize("body, field", [
    ({"status": "in_progress"}, "version"),
    ({"status": "in_progress", "version": "1"}, "version"),
    ({"status": "in_progress", "version": True}, "version"),
    ({"version": 1, "status": 3}, "status"),
    ({"version": 1, "status": "finished"}, "status"),
    ({"version": 1, "text": "改个说法"}, "text"),
    ({"version": 1, "raised_on": days_ago(1).isoformat()}, "raised_on"),
    ({"version": 1, "priority": "high"}, "priority"),
    ({"version": 1, "assignee": "长" * 65}, "assignee"),
])
def test_bad_patch_is_422_and_changes_nothing(client, engineer, raised, body, field):
    response = client.patch(f"/api/v1/demands/{raised['id']}", json=body, headers=engineer)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert stored()[0][1:] == ("pending", "", "", "", 1)


@pytest.mark.parametrize("changes, field, message", [
    ({"category": "noise"}, "category", "Choose a category."),
    ({"text": ""}, "text", "Write what the residents ask for."),
    ({"text": ["停车"]}, "text", "Must be text."),
    ({"raised_on": None}, "raised_on", "Enter the date the demand was raised."),
    ({"raised_on": "上周"}, "raised_on", "Not a date: use YYYY-MM-DD."),
    ({"raised_on": days_ago(-1).isoformat()}, "raised_on", "The date cannot be in the future."),
    ({"consultation_id": "1"}, "consultation_id", "Choose a consultation of this project."),
    ({"consultation_id": 999}, "consultation_id", "Choose a consultation of this project."),
    ({"status": "resolved", "response": "已办"}, "status",
     "A new demand is pending: change its status with PATCH once it is recorded."),
    ({"assignee": "王工"}, "assignee",
     "A new demand is pending: set this with PATCH once it is recorded."),
    ({"urgent": True}, "urgent", "Unknown field."),
])
def test_bad_demand_is_422_and_saves_nothing(client, project, engineer, changes, field, message):
    response = client.post(URL, json=demand(**changes), headers=engineer)
    assert response.status_code == 422
    assert response.get_json()["errors"][field] == message
    assert stored() == []


def test_status_pending_may_be_sent_on_post(client, project, engineer):
    assert client.post(URL, json=demand(status="pending"), headers=engineer).status_code == 201


def test_demand_raised_at_a_consultation_of_the_project_only(client, project, engineer):
    admin = make_user("admin", "admin")
    own = log(project, admin, 3, "停车")
    other_project = make_project("ZP-2026-002", compound="九龙桂冠小区", community="九龙社区")
    foreign = log(other_project, admin, 3, "绿化")
    gone = log(project, admin, 4, "重复")
    delete_consultation(gone, admin, "重复录入")

    for refused in (foreign.id, gone.id):
        response = client.post(URL, json=demand(consultation_id=refused), headers=engineer)
        assert response.status_code == 422 and "consultation_id" in response.get_json()["errors"]
    assert stored() == []

    response = client.post(URL, json=demand(consultation_id=own.id), headers=engineer)
    assert response.status_code == 201 and response.get_json()["consultation_id"] == own.id


# --- overdue ------------------------------------------------------------------------------------

def test_overdue_after_more_than_fifteen_days_while_open(client, project, engineer):
    for days in (16, 15):
        assert raise_on(client, engineer, days).status_code == 201

    items = client.get(URL, headers=engineer).get_json()["items"]

    assert [(item["raised_on"], item["overdue"], item["days_overdue"]) for item in items] == [
        (days_ago(16).isoformat(), True, 1), (days_ago(15).isoformat(), False, 0)]
    resolved = patch(client, engineer, items[0], status="resolved", response="已处理")
    assert resolved.get_json()["overdue"] is False


def test_overdue_follows_the_setting(app, client, project, engineer):
    app.config["DEMAND_OVERDUE_DAYS"] = 30
    assert raise_on(client, engineer, 16).get_json()["overdue"] is False


# --- permissions --------------------------------------------------------------------------------

def test_committee_of_the_community_records_and_changes(client, project):
    own = bearer(make_user("committee", "committee", community="铁路社区"))
    raised = client.post(URL, json=demand(), headers=own)
    assert raised.status_code == 201
    assert patch(client, own, raised.get_json(), status="in_progress").status_code == 200


def test_other_committee_and_leader_read_the_demands(client, engineer, raised):
    """Their writes are refused, changing nothing: the permission matrix (tests/test_permissions.py)."""
    other = bearer(make_user("other", "committee", community="九龙社区"))
    leader = bearer(make_user("leader", "leader"))
    for headers in (other, leader):
        assert len(client.get(URL, headers=headers).get_json()["items"]) == 1


def test_without_token_401_unknown_404(client, engineer, raised):
    assert client.get(URL).status_code == 401
    assert client.post(URL, json=demand()).status_code == 401
    assert patch(client, {}, raised, status="in_progress").status_code == 401
    assert client.get(UNKNOWN, headers=engineer).status_code == 404
    assert client.post(UNKNOWN, json=demand(), headers=engineer).status_code == 404
    assert patch(client, engineer, {"id": 999, "version": 1}).status_code == 404
    assert len(stored()) == 1
