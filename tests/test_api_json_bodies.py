"""JSON bodies that parse but cannot be used (a lone surrogate, thousands of levels deep) get a
422 in the API's shape on every route that takes JSON, never a 500 — and change nothing."""
import pytest

from renovation.api.json_bodies import MAX_JSON_DEPTH, json_body_problem
from renovation.extensions import db
from renovation.models import Stage
from tests.conftest import api_token, make_project, make_user

CODE = "ZP-2026-001"
# (method, path) of every API route that reads a JSON body.
JSON_ROUTES = [
    ("PATCH", f"/api/v1/projects/{CODE}/stages/survey"),
    ("POST", f"/api/v1/projects/{CODE}/consultations"),
    ("POST", f"/api/v1/projects/{CODE}/demands"),
    ("PATCH", "/api/v1/demands/1"),
    ("DELETE", "/api/v1/photos/1"),
]
LONE_SURROGATE = '{"note": "\\ud800", "text": "\\ud800", "reason": "\\ud800", "version": 1}'
SURROGATE_KEY = '{"\\udfff": 1}'
DEEP = '{"note": ' + "[" * 5000 + "]" * 5000 + "}"
DEEP_ARRAY = "[" * 5000 + "]" * 5000


@pytest.fixture
def headers(app):
    make_project(CODE)
    token = api_token(make_user(role="admin"))
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


@pytest.mark.parametrize("body", [LONE_SURROGATE, SURROGATE_KEY, DEEP, DEEP_ARRAY],
                         ids=["surrogate", "surrogate-key", "deep-object", "deep-array"])
@pytest.mark.parametrize("method,path", JSON_ROUTES)
def test_unusable_json_is_a_422_in_the_api_shape(client, headers, method, path, body):
    response = client.open(path, method=method, data=body.encode(), headers=headers)
    assert response.status_code == 422, response.data[:300]
    assert response.is_json and response.get_json()["error"]
    assert response.get_json()["errors"]["body"] == response.get_json()["error"]


def test_nothing_is_changed_and_the_message_is_in_the_users_language(client, headers):
    response = client.patch(f"/api/v1/projects/{CODE}/stages/survey", data=LONE_SURROGATE.encode(), headers=headers)
    assert "无效" in response.get_json()["error"]  # Chinese by default
    assert all(stage.note is None or "\ud800" not in stage.note for stage in db.session.query(Stage))
    response = client.patch(f"/api/v1/projects/{CODE}/stages/survey", data=DEEP.encode(), headers=headers)
    assert response.status_code == 422


def test_the_check_itself():
    assert json_body_problem({"note": "ok", "vote": {"a": [1, 2]}}) is None
    assert json_body_problem({"a": "\ud800"}) is not None
    assert json_body_problem({"\udfff": 1}) is not None
    nested = current = []
    for _ in range(MAX_JSON_DEPTH):
        current.append([])
        current = current[0]
    assert json_body_problem(nested) is not None
