"""The difficult problems API: raise a problem, take it through its steps, who may do what (every
role, a committee of another community too), conflicts, errors and the list across projects."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from renovation.domain import clock
from renovation.domain.clock import today
from renovation.extensions import db
from renovation.models import Problem
from tests.conftest import api_token, make_project, make_user

CODE = "ZP-2026-001"
URL = f"/api/v1/projects/{CODE}/problems"


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {api_token(user)}", "Accept-Language": "en"}


def problem_body(**changes) -> dict:
    return {"title": "燃气管线迁改", "description": "3号楼前燃气管线需迁改", "category": "utilities",
            "departments": ["漳平市燃气公司"], "proposal": "请燃气公司先行迁改",
            "deadline": (today() + timedelta(days=10)).isoformat(), "stage": "rain_sewage", **changes}


@pytest.fixture
def tokens(app):
    make_project(CODE)
    make_project("ZP-2026-002", compound="九龙桂冠小区", community="九龙社区", street="菁城街道")
    users = {"admin": make_user("admin", "admin"), "engineer": make_user("engineer", "engineer"),
             "committee": make_user("committee", "committee", community="铁路社区"),
             "other_committee": make_user("other", "committee", community="九龙社区"),
             "leader": make_user("leader", "leader"), "zhang": make_user("zhang", "leader")}
    return {role: bearer(user) for role, user in users.items()}


def raised(client, tokens, role="engineer", **changes) -> dict:
    response = client.post(URL, json=problem_body(**changes), headers=tokens[role])
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_raise_answers_the_problem_with_the_issue_s_fields(client, tokens):
    body = raised(client, tokens, "committee")
    assert {key: body[key] for key in ("project", "title", "category", "departments", "status", "leader",
                                       "resolution", "reason", "version", "overdue", "raised_by", "solved_at",
                                       "stage")} == {
        "project": CODE, "title": "燃气管线迁改", "category": "utilities", "departments": ["漳平市燃气公司"],
        "status": "open", "leader": None, "resolution": "", "reason": "", "version": 1, "overdue": False,
        "raised_by": "committee", "solved_at": None, "stage": "rain_sewage"}
    assert body["raised_at"].endswith("Z") and body["deadline"] == (today() + timedelta(days=10)).isoformat()
    assert client.get(f"/api/v1/problems/{body['id']}", headers=tokens["leader"]).get_json() == body
    assert [item["id"] for item in client.get(URL, headers=tokens["leader"]).get_json()["items"]] == [body["id"]]


@pytest.mark.parametrize("role, status", [("admin", 201), ("engineer", 201), ("committee", 201),
                                          ("other_committee", 403), ("leader", 403)])
def test_who_may_raise(client, tokens, role, status):
    assert client.post(URL, json=problem_body(), headers=tokens[role]).status_code == status
    assert db.session.scalar(sa.select(sa.func.count(Problem.id))) == (1 if status == 201 else 0)


@pytest.mark.parametrize("body, field", [
    (problem_body(category="weather"), "category"), (problem_body(title=""), "title"),
    (problem_body(deadline="tomorrow"), "deadline"), (problem_body(departments="燃气公司"), "departments"),
    (problem_body(departments=["不存在的局"]), "departments"), (problem_body(photos=[1.5]), "photos"),
    (problem_body(leader="leader"), "leader"), (problem_body(status="solved"), "status"),
    (problem_body(colour="red"), "colour"),
])
def test_raise_refuses_bad_fields(client, tokens, body, field):
    response = client.post(URL, json=body, headers=tokens["engineer"])
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert db.session.scalar(sa.select(sa.func.count(Problem.id))) == 0


def test_the_whole_way_through_the_api(client, tokens):
    problem = raised(client, tokens)
    url = f"/api/v1/problems/{problem['id']}"
    assigned = client.patch(url, json={"status": "in_hand", "leader": "leader", "version": 1},
                            headers=tokens["engineer"])
    assert (assigned.status_code, assigned.get_json()["leader"]) == (200, "leader")
    refused = client.patch(url, json={"status": "solved", "version": 2}, headers=tokens["leader"])
    assert (refused.status_code, list(refused.get_json()["errors"])) == (422, ["resolution"])
    solved = client.patch(url, json={"status": "solved", "resolution": "燃气公司已迁改", "version": 2},
                          headers=tokens["leader"])
    assert solved.status_code == 200
    assert (solved.get_json()["status"], solved.get_json()["solved_at"]) == ("solved", today().isoformat())
    reopened = client.patch(url, json={"status": "in_hand", "reason": "仍有漏气", "version": 3},
                            headers=tokens["committee"])
    assert (reopened.get_json()["status"], reopened.get_json()["reason"]) == ("in_hand", "仍有漏气")


def test_a_leader_takes_an_open_problem_on_but_does_not_assign_others(client, tokens):
    problem = raised(client, tokens)
    url = f"/api/v1/problems/{problem['id']}"
    assert client.patch(url, json={"status": "in_hand", "leader": "zhang", "version": 1},
                        headers=tokens["leader"]).status_code == 403
    taken = client.patch(url, json={"status": "in_hand", "version": 1}, headers=tokens["leader"])
    assert (taken.status_code, taken.get_json()["leader"]) == (200, "leader")
    # Another leader can neither take it over (it is taken: the rule) nor solve it (not theirs).
    taken_over = client.patch(url, json={"leader": "zhang", "version": 2}, headers=tokens["zhang"])
    assert (taken_over.status_code, list(taken_over.get_json()["errors"])) == (422, ["status"])
    assert client.patch(url, json={"status": "solved", "resolution": "x", "version": 2},
                        headers=tokens["zhang"]).status_code == 403


@pytest.mark.parametrize("role, body, status", [
    ("committee", {"status": "in_hand", "leader": "leader"}, 403),
    ("committee", {"status": "suspended", "reason": "等资金"}, 403),
    ("committee", {"proposal": "社区协调"}, 200),
    ("other_committee", {"proposal": "别的社区"}, 403),
    ("other_committee", {"status": "suspended", "reason": "x"}, 403),
    ("leader", {"title": "领导改标题"}, 403),
    ("engineer", {"status": "suspended", "reason": "等待省级资金"}, 200),
    ("admin", {"status": "in_hand", "leader": "zhang"}, 200),
])
def test_who_may_take_which_step(client, tokens, role, body, status):
    problem = raised(client, tokens)
    response = client.patch(f"/api/v1/problems/{problem['id']}", json={**body, "version": 1}, headers=tokens[role])
    assert response.status_code == status, response.get_json()
    assert db.session.scalar(sa.select(Problem.version)) == (2 if status == 200 else 1)


def test_a_stale_version_is_409_with_the_problem_as_it_is(client, tokens):
    problem = raised(client, tokens)
    url = f"/api/v1/problems/{problem['id']}"
    client.patch(url, json={"proposal": "新方案", "version": 1}, headers=tokens["engineer"])
    response = client.patch(url, json={"status": "suspended", "reason": "x", "version": 1}, headers=tokens["engineer"])
    assert response.status_code == 409
    assert response.get_json()["error"] and response.get_json()["problem"]["proposal"] == "新方案"


def test_patch_needs_a_version(client, tokens):
    problem = raised(client, tokens)
    response = client.patch(f"/api/v1/problems/{problem['id']}", json={"proposal": "x"}, headers=tokens["engineer"])
    assert response.status_code == 422 and "version" in response.get_json()["errors"]


def test_unknown_problem_and_project_are_404(client, tokens):
    assert client.get("/api/v1/problems/99", headers=tokens["engineer"]).status_code == 404
    assert client.post("/api/v1/projects/ZP-1999-999/problems", json=problem_body(),
                       headers=tokens["engineer"]).status_code == 404


def test_the_list_across_projects_filters_by_status_leader_and_overdue(client, tokens, monkeypatch):
    first = raised(client, tokens)
    second = client.post("/api/v1/projects/ZP-2026-002/problems", json=problem_body(
        deadline=(today() + timedelta(days=30)).isoformat()), headers=tokens["engineer"]).get_json()
    client.patch(f"/api/v1/problems/{first['id']}", json={"status": "in_hand", "version": 1},
                 headers=tokens["leader"])

    def ids(query):
        answer = client.get(f"/api/v1/problems?{query}", headers=tokens["leader"])
        assert answer.status_code == 200, answer.get_json()
        return [item["id"] for item in answer.get_json()["items"]]

    assert sorted(ids("")) == [first["id"], second["id"]]
    assert ids("status=in_hand") == [first["id"]] == ids("leader=leader")
    assert ids("leader=nobody") == [] == ids("overdue=1")
    monkeypatch.setattr(clock, "today", lambda: today() + timedelta(days=11))
    assert ids("overdue=1") == [first["id"]]
    late = client.get(f"/api/v1/problems/{first['id']}", headers=tokens["leader"]).get_json()
    assert (late["overdue"], late["days_overdue"]) == (True, 1)
    assert client.get("/api/v1/problems?status=lost", headers=tokens["leader"]).status_code == 422


def test_a_read_only_token_cannot_raise(client, tokens, app):
    from renovation.domain import accounts
    from renovation.models import User

    engineer = db.session.scalar(sa.select(User).where(User.username == "engineer"))
    secret = accounts.create_token(engineer, scope="read")
    db.session.commit()
    response = client.post(URL, json=problem_body(), headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 403 and response.get_json()["reason"] == "read_only_token"
