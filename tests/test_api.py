"""The JSON API /api/v1: bearer tokens, the project list and detail, PATCH of a stage, history."""
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from renovation.demo import data as demo_data
from renovation.domain import accounts
from renovation.domain.clock import today, utcnow
from renovation.extensions import db
from renovation.models import ApiToken, Project, Stage, StageEvent, User
from tests.conftest import api_token, count_statements, make_project, make_user

CODE = "ZP-2026-001"
PAVING_BEFORE_PIPES = ("Paving cannot be completed before rain/sewage separation is completed: "
                       "the pipes lie under the road.")
SUMMARY_FIELDS = {"code", "compound", "street", "community", "households", "current_stage",
                  "progress", "days_behind", "updated_at"}
STAGE_FIELDS = {"key", "status", "percent", "planned_start", "planned_end", "actual_start",
                "actual_end", "note", "version"}


def ago(days):
    return today() - timedelta(days=days)


def under_way(code=CODE, **kwargs):
    """Survey done; rain/sewage 40%, facade 30%, paving 20% under way; acceptance not started."""
    stages = {
        "survey": {"status": "completed", "percent": 100, "actual_start": ago(200), "actual_end": ago(150)},
        # Behind its planned end (ago(50)), so it says why and when it will catch up.
        "rain_sewage": {"status": "in_progress", "percent": 40, "actual_start": ago(140),
                        "lag_reason": "utilities", "catch_up_date": today() + timedelta(days=30)},
        "facade": {"status": "in_progress", "percent": 30, "actual_start": ago(100)},
        "paving": {"status": "in_progress", "percent": 20, "actual_start": ago(50)},
    }
    stages.update(kwargs.pop("stages", {}))
    defaults = {"compound": "九龙桂冠小区", "community": "九龙社区", "street": "桂林街道",
                "households": 312, "start": ago(200)}
    return make_project(code, stages=stages, **{**defaults, **kwargs})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def token(app):
    return api_token(make_user("engineer", "engineer"))


@pytest.fixture
def api(client, token):
    """GET/PATCH with the engineer's token; English messages unless told otherwise."""

    class Api:
        def get(self, url, language="en", **headers):
            return client.get(url, headers={**bearer(token), "Accept-Language": language, **headers})

        def patch(self, url, body, language="en", **headers):
            if isinstance(body, (dict, list)):
                return client.patch(url, json=body, headers={**bearer(token), "Accept-Language": language})
            return client.patch(url, data=body, headers={**bearer(token), "Accept-Language": language, **headers})

    return Api()


def stage_row(key="rain_sewage", code=CODE) -> Stage:
    db.session.expire_all()
    return db.session.scalar(sa.select(Stage).join(Project).where(Project.code == code, Stage.key == key))


def events() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(StageEvent))


def stage_url(key="rain_sewage", code=CODE):
    return f"/api/v1/projects/{code}/stages/{key}"


def codes(response) -> list[str]:
    return [item["code"] for item in response.get_json()["items"]]


# --- authentication ----------------------------------------------------------------------------

@pytest.mark.parametrize("header", [None, "Bearer", "Bearer ", "Bearer rnv_not-a-real-token", "Basic ZW5naW5lZXI6eA==",
                                    "rnv_token-without-scheme"])
@pytest.mark.parametrize("url", ["/api/v1/projects", f"/api/v1/projects/{CODE}", f"/api/v1/projects/{CODE}/history"])
def test_401_without_a_valid_token(client, token, header, url):
    under_way()
    headers = {"Accept-Language": "en", **({"Authorization": header} if header else {})}
    response = client.get(url, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json() == {"error": "A valid API token is required."}


def test_401_for_patch_without_token_changes_nothing(client, token):
    under_way()
    response = client.patch(stage_url(), json={"percent": 60, "version": 1})
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers
    assert stage_row().percent == 40


def test_the_api_ignores_the_session_cookie(client, token):
    from tests.conftest import login

    under_way()
    login(client)
    assert client.get("/api/v1/projects").status_code == 401


def test_revoked_token_and_disabled_user_are_refused(client, token):
    under_way()
    assert client.get("/api/v1/projects", headers=bearer(token)).status_code == 200
    db.session.execute(sa.update(ApiToken).values(revoked_at=utcnow()))
    db.session.commit()
    assert client.get("/api/v1/projects", headers=bearer(token)).status_code == 401

    other = api_token(make_user("other", "engineer"))
    assert client.get("/api/v1/projects", headers=bearer(other)).status_code == 200
    db.session.execute(sa.update(User).where(User.username == "other").values(active=False))
    db.session.commit()
    assert client.get("/api/v1/projects", headers=bearer(other)).status_code == 401


# --- scopes, expiry and last use ------------------------------------------------------------

def test_a_read_only_token_reads_and_is_refused_writes_with_a_clear_403(client):
    under_way()
    engineer = make_user("engineer", "engineer")
    reader = accounts.create_token(engineer, name="大屏", scope="read")
    db.session.commit()
    headers = {**bearer(reader), "Accept-Language": "en"}
    assert client.get(f"/api/v1/projects/{CODE}", headers=headers).status_code == 200
    response = client.patch(stage_url(), json={"percent": 60, "version": 1}, headers=headers)
    assert response.status_code == 403
    assert response.get_json() == {
        "error": "This API token is read-only: create a read-and-write token to make changes.",
        "reason": "read_only_token"}
    assert stage_row().percent == 40 and events() == 0
    chinese = client.patch(stage_url(), json={"percent": 60, "version": 1}, headers=bearer(reader))
    assert chinese.get_json()["error"].startswith("此 API 令牌为只读")


def test_a_read_and_write_token_writes(client):
    under_way()
    writer = accounts.create_token(make_user("engineer", "engineer"), scope="write")
    db.session.commit()
    assert client.patch(stage_url(), json={"percent": 60, "version": 1}, headers=bearer(writer)).status_code == 200


def test_an_expired_token_is_refused(client):
    under_way()
    secret = accounts.create_token(make_user("engineer", "engineer"), expires_in_days=7)
    db.session.commit()
    assert client.get("/api/v1/projects", headers=bearer(secret)).status_code == 200
    db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    response = client.get("/api/v1/projects", headers=bearer(secret))
    assert response.status_code == 401 and response.get_json()["error"]


def test_last_use_is_recorded_without_a_write_per_request(client, token):
    under_way()
    assert db.session.scalar(sa.select(ApiToken.last_used_at)) is None
    with count_statements() as statements:
        for _ in range(5):
            assert client.get("/api/v1/projects", headers=bearer(token)).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(sa.select(ApiToken.last_used_at)) is not None
    assert len([s for s in statements if s.lstrip().upper().startswith("UPDATE")]) == 1


# --- the list ----------------------------------------------------------------------------------

def test_list_shape_and_item_fields(api):
    under_way()
    response = api.get("/api/v1/projects")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"items", "total", "total_is_exact", "page", "per_page", "next"}
    assert (body["total"], body["total_is_exact"], body["page"], body["per_page"]) == (1, True, 1, 50)
    assert body["next"] is None  # one page holds them all
    [item] = body["items"]
    assert set(item) == SUMMARY_FIELDS
    assert item["code"] == CODE
    assert (item["compound"], item["street"], item["community"]) == ("九龙桂冠小区", "桂林街道", "九龙社区")
    assert item["households"] == 312
    assert item["current_stage"] == "rain_sewage"
    assert item["progress"] == round((100 + 40 + 30 + 20 + 0) / 5)
    # make_project plans stage n from day 60n to 60n + 90: rain/sewage was due 50 days ago.
    assert item["days_behind"] == 50
    assert item["updated_at"].endswith("Z") and "T" in item["updated_at"]


@pytest.fixture
def three(app):
    under_way("ZP-2026-001")
    make_project("ZP-2026-002", "铁路二段生活小区", "铁路社区", "桂林街道", start=ago(-30))
    make_project("ZP-2025-007", "新华新村", "城中社区", "菁城街道", start=ago(-10))


def test_list_filters(api, three):
    assert codes(api.get("/api/v1/projects")) == ["ZP-2025-007", "ZP-2026-001", "ZP-2026-002"]
    assert codes(api.get("/api/v1/projects?q=九龙")) == ["ZP-2026-001"]
    assert codes(api.get("/api/v1/projects?q=zp-2025")) == ["ZP-2025-007"]
    assert codes(api.get("/api/v1/projects?q=铁路社区")) == ["ZP-2026-002"]
    assert codes(api.get("/api/v1/projects?q=%25")) == []
    assert codes(api.get("/api/v1/projects?q=_")) == []
    assert codes(api.get("/api/v1/projects?q=桂林%E3%80%80铁路")) == ["ZP-2026-002"]
    assert codes(api.get("/api/v1/projects?street=桂林街道")) == ["ZP-2026-001", "ZP-2026-002"]
    assert codes(api.get("/api/v1/projects?community=城中社区")) == ["ZP-2025-007"]
    assert codes(api.get("/api/v1/projects?street=没有这个街道")) == []
    assert codes(api.get("/api/v1/projects?community=没有这个社区")) == []
    assert codes(api.get("/api/v1/projects?stage=rain_sewage")) == ["ZP-2026-001"]
    assert codes(api.get("/api/v1/projects?stage=survey")) == ["ZP-2025-007", "ZP-2026-002"]
    assert codes(api.get("/api/v1/projects?stage=done")) == []
    assert codes(api.get("/api/v1/projects?behind=1")) == ["ZP-2026-001"]
    assert codes(api.get("/api/v1/projects?behind=true")) == ["ZP-2026-001"]
    assert codes(api.get("/api/v1/projects?street=桂林街道&q=铁路")) == ["ZP-2026-002"]
    assert api.get("/api/v1/projects?street=桂林街道").get_json()["total"] == 2


def test_list_pages_and_per_page_cap(api):
    demo_data.seed(250)
    db.session.commit()
    body = api.get("/api/v1/projects").get_json()
    assert (len(body["items"]), body["total"], body["page"], body["per_page"]) == (50, 250, 1, 50)
    capped = api.get("/api/v1/projects?per_page=1000").get_json()
    assert (len(capped["items"]), capped["per_page"]) == (200, 200)
    second = api.get("/api/v1/projects?per_page=200&page=2").get_json()
    assert (len(second["items"]), second["page"]) == (50, 2)
    assert set(codes_of(capped)) | set(codes_of(second)) == {p for p in db.session.scalars(sa.select(Project.code))}
    small = api.get("/api/v1/projects?per_page=20&page=3").get_json()
    assert small["items"] == api.get("/api/v1/projects?per_page=60").get_json()["items"][40:60]


def test_list_next_reads_every_page_past_the_count_limit(app, api):
    """``next`` starts after the page's last project: following it reads every project once, even
    where the list stops counting (100 here, 500 by default) and says only "more than"."""
    demo_data.seed(250)
    db.session.commit()
    app.config["PROJECTS_COUNT_LIMIT"] = 100
    body = api.get("/api/v1/projects?per_page=40&sort=ignored&stage=").get_json()
    assert (body["total"], body["total_is_exact"]) == (100, False)
    assert parse_qs(urlsplit(body["next"]).query, keep_blank_values=True) == {
        "per_page": ["40"], "sort": ["ignored"], "stage": [""], "page": ["2"], "after": [body["items"][-1]["code"]]}
    seen = codes_of(body)
    while body["next"]:
        body = api.get(body["next"]).get_json()
        seen += codes_of(body)
    assert body["page"] == 7 and len(body["items"]) == 10
    assert seen == sorted(db.session.scalars(sa.select(Project.code)))
    # By its number a page is found among the counted matches only.
    assert api.get("/api/v1/projects?per_page=40&page=7").get_json()["page"] == 3


def codes_of(body):
    return [item["code"] for item in body["items"]]


@pytest.mark.parametrize("query", ["page=abc", "page=0", "page=-2", "page=999", "per_page=0", "per_page=x",
                                   "per_page=-5", "stage=bogus", "behind=maybe", "q=%25_", "street=", "sort=drop"])
def test_bad_list_parameters_do_not_crash(api, three, query):
    response = api.get(f"/api/v1/projects?{query}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["page"] >= 1 and 1 <= body["per_page"] <= 200


# --- one project -------------------------------------------------------------------------------

def test_project_detail(api):
    under_way()
    response = api.get(f"/api/v1/projects/{CODE}")
    assert response.status_code == 200
    body = response.get_json()
    assert SUMMARY_FIELDS <= set(body)
    assert body["progress"] == 38 and body["days_behind"] == 50
    assert [stage["key"] for stage in body["stages"]] == ["survey", "rain_sewage", "facade", "paving", "acceptance"]
    for stage in body["stages"]:
        assert STAGE_FIELDS <= set(stage)
    survey, pipes = body["stages"][:2]
    assert survey == {**survey, "status": "completed", "percent": 100, "actual_start": ago(200).isoformat(),
                      "actual_end": ago(150).isoformat(), "version": 1,
                      "planned_start": ago(200).isoformat(), "planned_end": ago(110).isoformat()}
    assert pipes["status"] == "in_progress" and pipes["percent"] == 40 and pipes["actual_end"] is None
    assert body["budget"]["total"] == 420.0


# Every role reads the projects, a project and its history: the permission matrix (tests/test_permissions.py).


@pytest.mark.parametrize("query", ["q=%00", "stage=survey%00", "street=%00", "community=%E4%B9%9D%00"])
def test_nul_characters_in_the_query_are_a_400(api, three, query):
    """PostgreSQL cannot store NUL, and no text of the app contains one: refused at the door."""
    response = api.get(f"/api/v1/projects?{query}")
    assert response.status_code == 400
    assert "error" in response.get_json()


@pytest.mark.parametrize("url", ["/api/v1/projects/ZP-9999-999", "/api/v1/projects/ZP-9999-999/history"])
def test_unknown_project_is_404(api, url):
    under_way()
    response = api.get(url)
    assert response.status_code == 404
    assert response.get_json() == {"error": "The page or record does not exist."}


# --- PATCH a stage -----------------------------------------------------------------------------

def test_patch_saves_and_bumps_the_version(api):
    under_way()
    response = api.patch(stage_url(), {"percent": 60, "note": "东段管道已铺设", "version": 1})
    assert response.status_code == 200
    body = response.get_json()
    assert STAGE_FIELDS <= set(body)
    assert (body["key"], body["status"], body["percent"], body["note"], body["version"]) == (
        "rain_sewage", "in_progress", 60, "东段管道已铺设", 2)
    stage = stage_row()
    assert (stage.percent, stage.note, stage.version) == (60, "东段管道已铺设", 2)
    detail = api.get(f"/api/v1/projects/{CODE}").get_json()
    assert detail["progress"] == round((100 + 60 + 30 + 20 + 0) / 5)
    # The next change must send the new version.
    again = api.patch(stage_url(), {"percent": 70, "version": 2})
    assert again.status_code == 200 and again.get_json()["version"] == 3


def test_patch_note_with_a_nul_byte(api):
    """PostgreSQL refuses NUL in text: it is dropped rather than failing the save."""
    under_way()
    response = api.patch(stage_url(), {"note": "东段\u0000管道", "version": 1})
    assert response.status_code == 200
    assert stage_row().note == "东段管道"
    assert api.patch(stage_url(code=CODE + "\u0000"), {"percent": 60, "version": 2}).status_code == 400


def test_patch_completing_a_stage_with_dates(api):
    under_way()
    response = api.patch(stage_url(), {"status": "completed", "percent": 100,
                                       "actual_end": ago(1).isoformat(), "version": 1})
    assert response.status_code == 200
    assert response.get_json()["actual_end"] == ago(1).isoformat()
    detail = api.get(f"/api/v1/projects/{CODE}").get_json()
    assert detail["current_stage"] == "facade"


def test_patch_with_a_stale_version_is_a_conflict(api):
    under_way()
    assert api.patch(stage_url(), {"percent": 55, "version": 1}).status_code == 200
    response = api.patch(stage_url(), {"percent": 70, "note": "我的修改", "version": 1})
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == "Someone else changed this stage since you loaded it."
    assert body["stage"]["version"] == 2 and body["stage"]["percent"] == 55 and body["stage"]["note"] == ""
    stage = stage_row()
    assert (stage.percent, stage.note, stage.version) == (55, "", 2)
    assert events() == 1


def test_acceptance_scenario_paving_before_pipes_is_refused(api):
    """The issue's scenario: completing paving before rain/sewage separation is refused."""
    under_way()
    response = api.patch(stage_url("paving"), {"status": "completed", "percent": 100,
                                               "actual_end": ago(1).isoformat(), "version": 1})
    assert response.status_code == 422
    assert response.get_json() == {"errors": {"status": PAVING_BEFORE_PIPES}}
    paving = stage_row("paving")
    assert (paving.status, paving.percent, paving.actual_end, paving.version) == ("in_progress", 20, None, 1)
    assert events() == 0


def test_rule_messages_follow_accept_language(api):
    under_way()
    body = {"status": "completed", "percent": 100, "actual_end": ago(1).isoformat(), "version": 1}
    default = api.patch(stage_url("paving"), body, language=None)
    assert default.status_code == 422
    with force_locale("zh_CN"):
        chinese = str(_l(PAVING_BEFORE_PIPES))  # the catalog's translation (the English text if none yet)
    assert default.get_json() == {"errors": {"status": chinese}}
    assert api.patch(stage_url("paving"), body, language="zh-CN").get_json() == {"errors": {"status": chinese}}
    english = api.patch(stage_url("paving"), body, language="en-GB,en;q=0.8")
    assert english.get_json() == {"errors": {"status": PAVING_BEFORE_PIPES}}
    assert stage_row("paving").version == 1


def test_paving_may_complete_when_pipes_do_not_apply(api):
    under_way(stages={"rain_sewage": {"status": "not_applicable", "percent": 0}})
    response = api.patch(stage_url("paving"), {"status": "completed", "percent": 100,
                                               "actual_end": ago(1).isoformat(), "version": 1})
    assert response.status_code == 200


@pytest.mark.parametrize("body, field", [
    ({"percent": 150, "version": 1}, "percent"),
    ({"percent": 100, "version": 1}, "percent"),
    ({"actual_start": ago(-3).isoformat(), "version": 1}, "actual_start"),
    ({"status": "suspended", "note": "", "version": 1}, "note"),
    ({"status": "finished", "version": 1}, "status"),
])
def test_other_rule_violations_are_422(api, body, field):
    under_way()
    response = api.patch(stage_url(), body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert stage_row().version == 1 and events() == 0


@pytest.mark.parametrize("body, field", [
    ({"percent": "x", "version": 1}, "percent"),
    ({"percent": "60", "version": 1}, "percent"),
    ({"percent": 60.5, "version": 1}, "percent"),
    ({"percent": True, "version": 1}, "percent"),
    ({"percent": None, "version": 1}, "percent"),
    ({"actual_start": "2026-13-01", "version": 1}, "actual_start"),
    ({"actual_end": "yesterday", "version": 1}, "actual_end"),
    ({"actual_start": 20260101, "version": 1}, "actual_start"),
    ({"note": 5, "version": 1}, "note"),
    ({"status": None, "version": 1}, "status"),
    ({"colour": "red", "version": 1}, "colour"),
    ({"planned_end": "2027-01-01", "version": 1}, "planned_end"),
    ({"percent": 60}, "version"),
    ({"percent": 60, "version": "1"}, "version"),
    ({"percent": 60, "version": None}, "version"),
    ({"percent": 60, "version": True}, "version"),
])
def test_bad_values_are_422_and_change_nothing(api, body, field):
    under_way()
    response = api.patch(stage_url(), body)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert field in errors and errors[field]
    assert stage_row().percent == 40 and stage_row().version == 1 and events() == 0


@pytest.mark.parametrize("data, content_type", [
    ("not json", "text/plain"), ("not json", "application/json"), ('{"percent": 60,', "application/json"),
    ('[{"percent": 60, "version": 1}]', "application/json"), ('"text"', "application/json"),
    ("", "application/json"), ("percent=60&version=1", "application/x-www-form-urlencoded"),
])
def test_body_that_is_not_a_json_object_is_422(api, data, content_type):
    under_way()
    response = api.patch(stage_url(), data, **{"Content-Type": content_type})
    assert response.status_code == 422
    assert "body" in response.get_json()["errors"]
    assert stage_row().version == 1


# Committees and leaders may not patch (403, the message, nothing changed): the permission matrix.


def test_admin_may_patch(client):
    under_way()
    token = api_token(make_user("boss", "admin"))
    assert client.patch(stage_url(), json={"percent": 60, "version": 1}, headers=bearer(token)).status_code == 200


@pytest.mark.parametrize("url", [stage_url(code="ZP-9999-999"), stage_url("drainage"), stage_url("done"),
                                 stage_url("SURVEY")])
def test_patch_unknown_project_or_stage_is_404(api, url):
    under_way()
    response = api.patch(url, {"percent": 60, "version": 1})
    assert response.status_code == 404
    assert response.get_json()["error"] == "The page or record does not exist."


# --- history -----------------------------------------------------------------------------------

def test_history_newest_first(api):
    under_way()
    assert api.get(f"/api/v1/projects/{CODE}/history").get_json() == {"items": []}
    assert api.patch(stage_url(), {"percent": 60, "version": 1}).status_code == 200
    assert api.patch(stage_url("facade"), {"percent": 50, "note": "外墙涂料施工", "version": 1}).status_code == 200
    response = api.get(f"/api/v1/projects/{CODE}/history")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [item["stage"] for item in items] == ["facade", "rain_sewage"]
    newest, oldest = items
    assert newest["user"] == "engineer"
    assert newest["changes"] == [{"field": "percent", "old": 30, "new": 50},
                                 {"field": "note", "old": "", "new": "外墙涂料施工"}]
    assert newest["note"] == "外墙涂料施工"
    assert oldest["changes"] == [{"field": "percent", "old": 40, "new": 60}]
    assert newest["at"].endswith("Z") and newest["at"] >= oldest["at"]


def test_refused_changes_leave_no_history(api):
    under_way()
    api.patch(stage_url("paving"), {"status": "completed", "percent": 100, "actual_end": ago(1).isoformat(),
                                    "version": 1})
    api.patch(stage_url(), {"percent": 60, "version": 7})
    api.patch(stage_url(), {"percent": "x", "version": 1})
    assert api.get(f"/api/v1/projects/{CODE}/history").get_json() == {"items": []}


def test_api_errors_are_json(api):
    under_way()
    response = api.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json()["error"]
    response = api.get(f"/api/v1/projects/{CODE}/stages/survey")
    assert response.status_code == 405 and response.get_json()["error"]
    assert json.loads(response.get_data(as_text=True))
