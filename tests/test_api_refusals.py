"""The API's refusals have one shape per kind, whichever area answers (pinned whole, not by key):

- 404 and 403: ``{"error": message}`` (the app's error handler);
- 422: ``{"errors": {field: message}}``, both for the request's own values and the domain's rules;
- 409: ``{"error": message, <record>: ...}`` with the record as it is now.
"""
import io

import pytest

from renovation.api.errors import CONFLICT_ANSWERS
from renovation.domain.bulletins.workflow import BulletinConflict
from renovation.domain.contents.catalogue import ItemConflict
from renovation.domain.errors import Conflict
from renovation.domain.residents.attachments import DuplicateAttachment
from tests.conftest import api_token, days_ago, make_project, make_user
from tests.domain.photo_samples import jpeg

CODE = "ZP-2026-001"
NOT_FOUND = {"error": "The page or record does not exist."}
FORBIDDEN = {"error": "You do not have permission to do this."}
NOT_AN_OBJECT = {"errors": {"body": "Send a JSON object."}}
DEMAND = {"category": "parking", "text": "晚上停车难", "raised_on": days_ago(2).isoformat()}
CONSULTATION = {"date": days_ago(2).isoformat(), "kind": "hearing", "topic": "雨污分流改造方案"}


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {api_token(user)}", "Accept-Language": "en"}


@pytest.fixture
def engineer(app):
    make_project(CODE, stages={"survey": {"status": "in_progress", "percent": 10, "actual_start": days_ago(30)}})
    return bearer(make_user("engineer", "engineer"))


@pytest.fixture
def leader(app):
    return bearer(make_user("leader", "leader"))


def photo_upload(client, headers):
    data = {"phase": "before", "file": (io.BytesIO(jpeg()), "a.jpg")}
    return client.post(f"/api/v1/projects/{CODE}/photos", data=data, headers=headers,
                       content_type="multipart/form-data")


WRITES = [  # (method, url, JSON body) of every JSON-taking write, on the project CODE
    ("patch", f"/api/v1/projects/{CODE}/stages/survey", {"percent": 20, "version": 1}),
    ("post", f"/api/v1/projects/{CODE}/demands", DEMAND),
    ("post", f"/api/v1/projects/{CODE}/consultations", CONSULTATION),
]


@pytest.mark.parametrize("method, url", [
    ("get", "/api/v1/projects/ZP-1999-999"),
    ("get", "/api/v1/projects/ZP-1999-999/history"),
    ("patch", f"/api/v1/projects/{CODE}/stages/nowhere"),
    ("get", "/api/v1/projects/ZP-1999-999/demands"),
    ("post", "/api/v1/projects/ZP-1999-999/demands"),
    ("patch", "/api/v1/demands/999"),
    ("get", "/api/v1/projects/ZP-1999-999/consultations"),
    ("post", "/api/v1/projects/ZP-1999-999/consultations"),
    ("get", "/api/v1/consultations/999"),
    ("get", "/api/v1/projects/ZP-1999-999/photos"),
    ("get", "/api/v1/photos/999"),
    ("delete", "/api/v1/photos/999"),
    ("get", "/api/v1/photos/999/display"),
    ("get", "/api/v1/photos/999/original"),
    ("get", "/api/v1/attachments/999/original"),
    ("get", "/api/v1/bulletins/999/pdf"),
])
def test_an_unknown_record_is_404_in_one_shape(client, engineer, method, url):
    response = getattr(client, method)(url, json={}, headers=engineer)
    assert (response.status_code, response.get_json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("method, url, body", WRITES)
def test_a_refused_write_is_403_in_one_shape(client, engineer, leader, method, url, body):
    response = getattr(client, method)(url, json=body, headers=leader)
    assert (response.status_code, response.get_json()) == (403, FORBIDDEN)


def test_a_refused_photo_upload_and_delete_are_403_in_one_shape(client, engineer, leader):
    assert (photo_upload(client, leader).status_code, photo_upload(client, leader).get_json()) == (403, FORBIDDEN)
    photo_id = photo_upload(client, engineer).get_json()["id"]
    response = client.delete(f"/api/v1/photos/{photo_id}", headers=leader)
    assert (response.status_code, response.get_json()) == (403, FORBIDDEN)


@pytest.mark.parametrize("body", [None, [], ["a"], 3, "text"])
@pytest.mark.parametrize("method, url, _body", WRITES)
def test_a_body_that_is_not_a_json_object_is_422_in_one_shape(client, engineer, method, url, _body, body):
    if body is None:
        response = getattr(client, method)(url, data="not json", headers=engineer, content_type="application/json")
    else:
        response = getattr(client, method)(url, json=body, headers=engineer)
    assert (response.status_code, response.get_json()) == (422, NOT_AN_OBJECT)


def test_demand_patch_refuses_a_body_that_is_not_an_object(client, engineer):
    demand = client.post(f"/api/v1/projects/{CODE}/demands", json=DEMAND, headers=engineer).get_json()
    response = client.patch(f"/api/v1/demands/{demand['id']}", json=[1], headers=engineer)
    assert (response.status_code, response.get_json()) == (422, NOT_AN_OBJECT)


@pytest.mark.parametrize("method, url, body, errors", [
    # The request's own values (the views' parsing).
    ("patch", f"/api/v1/projects/{CODE}/stages/survey", {"percent": "x"},
     {"percent": "Percent complete must be a whole number from 0 to 100.",
      "version": "Send the version of the stage you last saw."}),
    ("post", f"/api/v1/projects/{CODE}/demands", {**DEMAND, "assignee": "王工"},
     {"assignee": "A new demand is pending: set this with PATCH once it is recorded."}),
    ("post", f"/api/v1/projects/{CODE}/consultations", {**CONSULTATION, "colour": "red"},
     {"colour": "Unknown field."}),
    # The domain's rules (a RuleViolation of each area).
    ("patch", f"/api/v1/projects/{CODE}/stages/survey", {"percent": 100, "version": 1},
     {"percent": "100% means completed: set the status to completed."}),
    ("post", f"/api/v1/projects/{CODE}/demands", {**DEMAND, "category": "weather"},
     {"category": "Choose a category."}),
    ("post", f"/api/v1/projects/{CODE}/consultations",
     {**CONSULTATION, "vote": {"matter": " ", "matter_class": "ordinary", "total_owners": 10, "total_area": 100,
                               "participating_owners": 8, "participating_area": 80, "agree_owners": 6,
                               "agree_area": 60}},
     {"vote.matter": "Enter the matter voted on."}),
])
def test_refused_values_are_422_in_one_shape(client, engineer, method, url, body, errors):
    response = getattr(client, method)(url, json=body, headers=engineer)
    assert (response.status_code, response.get_json()) == (422, {"errors": errors})


def test_a_photo_delete_reason_that_is_not_text_is_422(client, engineer):
    photo_id = photo_upload(client, engineer).get_json()["id"]
    response = client.delete(f"/api/v1/photos/{photo_id}", json={"reason": 5}, headers=engineer)
    assert (response.status_code, response.get_json()) == (422, {"errors": {"reason": "Must be text."}})
    assert client.delete(f"/api/v1/photos/{photo_id}", json=["no reason"], headers=engineer).status_code == 204


def test_conflicts_are_409_with_the_current_record(client, engineer):
    stage_url = f"/api/v1/projects/{CODE}/stages/survey"
    assert client.patch(stage_url, json={"percent": 20, "version": 1}, headers=engineer).status_code == 200
    stale = client.patch(stage_url, json={"percent": 30, "version": 1}, headers=engineer)
    assert stale.status_code == 409 and set(stale.get_json()) == {"error", "stage"}
    assert stale.get_json()["error"] == "Someone else changed this stage since you loaded it."
    assert (stale.get_json()["stage"]["percent"], stale.get_json()["stage"]["version"]) == (20, 2)

    demand = client.post(f"/api/v1/projects/{CODE}/demands", json=DEMAND, headers=engineer).get_json()
    demand_url = f"/api/v1/demands/{demand['id']}"
    assert client.patch(demand_url, json={"assignee": "王工", "version": 1}, headers=engineer).status_code == 200
    stale = client.patch(demand_url, json={"assignee": "李工", "version": 1}, headers=engineer)
    assert stale.status_code == 409 and set(stale.get_json()) == {"error", "demand"}
    assert stale.get_json()["error"] == "Someone else changed this demand since you loaded it."
    assert (stale.get_json()["demand"]["assignee"], stale.get_json()["demand"]["version"]) == ("王工", 2)


def _conflicts(cls=Conflict):
    for sub in cls.__subclasses__():
        yield sub
        yield from _conflicts(sub)


def test_every_conflict_the_api_can_meet_has_an_answer():
    """A new Conflict reaching the API without a row in CONFLICT_ANSWERS would be a 500."""
    # No API route adds attachments, moves a bulletin between its steps, or changes the content catalogue.
    no_api_route = {DuplicateAttachment, BulletinConflict, ItemConflict}
    assert set(_conflicts()) - no_api_route == set(CONFLICT_ANSWERS)
