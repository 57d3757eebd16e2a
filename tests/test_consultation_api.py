"""The consultation API: log a consultation with its vote, read the log; errors and permissions."""
import pytest
import sqlalchemy as sa

from renovation.domain.residents.consultations import add_consultation, delete_consultation
from renovation.extensions import db
from renovation.models import Consultation, Vote
from tests.conftest import api_token, days_ago, make_project, make_user

CODE = "ZP-2026-001"
URL = f"/api/v1/projects/{CODE}/consultations"
UNKNOWN = "/api/v1/projects/ZP-1999-999/consultations"
AREA_NUMBER = "Enter the area in m² as a number, such as 85.37."
WHOLE_OWNERS = "Enter the number of owners as a whole number."
KIND = "Choose a kind: council_meeting, door_to_door, questionnaire, public_notice or hearing."
HOUSEHOLDS = "Enter the number of households represented as a whole number, 0 or more."


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {api_token(user)}", "Accept-Language": "en"}


def special_vote(**changes) -> dict:
    """120 owners / 9000 m²; exactly 2/3 take part (80 owners, 6000 m²) and exactly 3/4 of
    them agree (60 owners, 4500 m²): the least that carries a special matter."""
    vote = {"matter": "使用维修资金改造雨污管网", "matter_class": "special",
            "total_owners": 120, "total_area": "9000.00",
            "participating_owners": 80, "participating_area": 6000,
            "agree_owners": 60, "agree_area": 4500.0, "oppose_owners": 15, "oppose_area": "1125.50",
            "abstain_owners": 5, "abstain_area": "374.50"}
    return {**vote, **changes}


def consultation(**changes) -> dict:
    body = {"date": days_ago(2).isoformat(), "kind": "council_meeting", "place": "铁路社区居委会",
            "topic": "雨污分流改造方案", "attendees": "居民代表、施工单位", "households": 86,
            "opinions": "希望雨季前完工", "decisions": "同意方案", "follow_up": "公示七天", "vote": special_vote()}
    return {**body, **changes}


def log(project, user, days: int, topic: str):
    """A consultation without a vote, logged through the domain."""
    values = {"date": days_ago(days), "kind": "hearing", "topic": topic}
    return add_consultation(project, user, values, None)


def outcome(client, headers, vote) -> dict:
    response = client.post(URL, json=consultation(vote=vote), headers=headers)
    return response.get_json()["vote"]["outcome"]


def count() -> tuple[int, int]:
    return (db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Vote)))


@pytest.fixture
def project(app):
    return make_project(CODE)


@pytest.fixture
def engineer(app):
    return bearer(make_user("engineer", "engineer"))


def test_vote_at_exactly_two_thirds_and_three_quarters_passes(client, project, engineer):
    response = client.post(URL, json=consultation(), headers=engineer)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/consultations/{body['id']}")
    assert (body["project"], body["kind"], body["households"]) == (CODE, "council_meeting", 86)
    assert body["date"] == days_ago(2).isoformat()
    vote = body["vote"]
    assert vote["participating_owners"] == 80
    assert (vote["agree_area"], vote["oppose_area"]) == ("4500.00", "1125.50")
    decided = vote["outcome"]
    assert decided["passed"] is True and decided["quorum_met"] is True
    assert decided["reasons"][0].startswith("Passed")
    assert {check["key"]: (check["actual"], check["met"]) for check in decided["checks"]} == {
        "quorum_area": ("2/3", True), "quorum_owners": ("2/3", True),
        "agree_area": ("3/4", True), "agree_owners": ("3/4", True)}
    stored = db.session.scalar(sa.select(Vote))
    assert stored.passed is True and str(stored.oppose_area) == "1125.50"


def test_one_owner_moving_from_agree_to_oppose_fails_with_a_reason(client, project, engineer):
    vote = special_vote(agree_owners=59, oppose_owners=16)

    decided = outcome(client, engineer, vote)

    assert decided["passed"] is False and decided["quorum_met"] is True
    assert decided["reasons"] == [
        "Not passed: at least three quarters of the participating owners must agree."]
    assert db.session.scalar(sa.select(Vote.passed)) is False


def test_ordinary_matter_at_exactly_half_fails_and_quorum_can_fail(client, project, engineer):
    half = special_vote(matter_class="ordinary", agree_owners=40, oppose_owners=35,
                        agree_area="3000", oppose_area="2625.50")
    decided = outcome(client, engineer, half)
    assert decided["passed"] is False and len(decided["reasons"]) == 2

    few = special_vote(participating_owners=79, oppose_owners=14)
    decided = outcome(client, engineer, few)
    assert decided["quorum_met"] is False and decided["passed"] is False
    assert decided["reasons"] == ["Not valid: at least two thirds of the owners must take part."]


def test_extra_threshold_of_all_owners(client, project, engineer):
    vote = special_vote(extra_threshold="9/10", extra_label="加装电梯")
    decided = outcome(client, engineer, vote)
    assert decided["passed"] is False
    assert decided["reasons"] == ["Not passed: the stricter local rule “加装电梯” is not met."]


def test_consultation_without_a_vote(client, project, engineer):
    body = consultation(kind="door_to_door")
    del body["vote"], body["place"], body["opinions"]
    response = client.post(URL, json=body, headers=engineer)
    assert response.status_code == 201
    assert response.get_json()["vote"] is None and response.get_json()["place"] == ""
    assert count() == (1, 0)


def test_inconsistent_figures_name_the_vote_field_and_save_nothing(client, project, engineer):
    vote = special_vote(agree_owners=70)  # 70 + 15 + 5 owners out of 80 taking part

    response = client.post(URL, json=consultation(vote=vote), headers=engineer)

    assert response.status_code == 422
    assert response.get_json() == {"errors": {"vote.participating_owners": (
        "Agreeing, opposing and abstaining owners add up to more than the owners taking part.")}}
    assert count() == (0, 0)


@pytest.mark.parametrize("changes, field, message", [
    ({"participating_area": "6000.123"}, "vote.participating_area",
     "Enter the area with at most two decimals."),
    ({"total_area": "a lot"}, "vote.total_area", AREA_NUMBER),
    ({"total_area": True}, "vote.total_area", AREA_NUMBER),
    ({"total_area": "1e4"}, "vote.total_area", AREA_NUMBER),
    ({"agree_owners": 59.5}, "vote.agree_owners", WHOLE_OWNERS),
    ({"agree_owners": "60"}, "vote.agree_owners", WHOLE_OWNERS),
    ({"oppose_owners": -1}, "vote.oppose_owners", "The number of owners cannot be negative."),
    ({"matter_class": "urgent"}, "vote.matter_class",
     "Choose whether the matter is special or ordinary."),
    ({"matter": " "}, "vote.matter", "Enter the matter voted on."),
    ({"agree_owners": None, "agree_area": None}, "vote.agree_owners",
     "Enter the number of owners."),
    ({"extra_threshold": "11/10"}, "vote.extra_threshold",
     "The extra threshold must be a fraction above 0 and at most 1, such as 9/10."),
    ({"quorum": "2/3"}, "vote.quorum", "Unknown field."),
])
def test_bad_vote_values_are_refused_by_field(client, project, engineer, changes, field, message):
    response = client.post(URL, json=consultation(vote=special_vote(**changes)), headers=engineer)
    assert response.status_code == 422
    assert response.get_json()["errors"][field] == message
    assert count() == (0, 0)


@pytest.mark.parametrize("changes, field, message", [
    ({"date": "02/11/2026"}, "date", "Not a date: use YYYY-MM-DD."),
    ({"date": None}, "date", "Enter the date of the consultation."),
    ({"kind": "party"}, "kind", KIND),
    ({"kind": ["hearing"]}, "kind", KIND),
    ({"topic": "  "}, "topic", "Enter the topic."),
    ({"topic": 42}, "topic", "Must be text."),
    ({"topic": "长" * 201}, "topic", "At most 200 characters."),
    ({"households": -3}, "households", HOUSEHOLDS),
    ({"households": 10**12}, "households", HOUSEHOLDS),
    ({"summary": "…"}, "summary", "Unknown field."),
    ({"vote": "yes"}, "vote", "Send the vote as a JSON object, or null when no vote was taken."),
])
def test_bad_consultation_values_are_refused_by_field(client, project, engineer, changes, field,
                                                       message):
    response = client.post(URL, json=consultation(**changes), headers=engineer)
    assert response.status_code == 422
    assert response.get_json()["errors"][field] == message
    assert count() == (0, 0)


def test_every_mistake_is_reported_at_once(client, project, engineer):
    body = consultation(date="yesterday", vote=special_vote(participating_area="9500"))
    errors = client.post(URL, json=body, headers=engineer).get_json()["errors"]
    assert set(errors) == {"date", "vote.participating_area"}


def test_body_must_be_a_json_object(client, project, engineer):
    for kwargs in ({"json": [1, 2]}, {"data": "not json", "content_type": "application/json"}):
        response = client.post(URL, headers=engineer, **kwargs)
        assert response.status_code == 422 and "body" in response.get_json()["errors"]
    assert count() == (0, 0)


def test_messages_follow_accept_language(client, project, engineer):
    chinese = {**engineer, "Accept-Language": "zh-CN"}
    response = client.post(URL, json=consultation(date="x"), headers=chinese)
    assert response.get_json()["errors"]["date"] != "Not a date: use YYYY-MM-DD."


# --- permissions --------------------------------------------------------------------------------

def test_committee_of_the_community_logs_a_consultation(client, project):
    own = bearer(make_user("committee", "committee", community="铁路社区"))
    assert client.post(URL, json=consultation(), headers=own).status_code == 201
    assert count() == (1, 1)


# The committee of another community and a leader: refused, reading allowed (tests/test_permissions.py).


def test_without_a_token_is_401_and_unknown_project_404(client, project, engineer):
    assert client.post(URL, json=consultation()).status_code == 401
    assert client.get(URL).status_code == 401
    assert client.post(UNKNOWN, json=consultation(), headers=engineer).status_code == 404
    assert client.get(UNKNOWN, headers=engineer).status_code == 404
    assert count() == (0, 0)


# --- reading ------------------------------------------------------------------------------------

def test_list_newest_first_and_detail(client, project, engineer):
    user = make_user("admin", "admin")
    older = log(project, user, 20, "听证")
    newer_id = client.post(URL, json=consultation(), headers=engineer).get_json()["id"]

    items = client.get(URL, headers=engineer).get_json()["items"]
    assert [item["id"] for item in items] == [newer_id, older.id]
    assert items[0]["vote"]["outcome"]["passed"] is True and items[1]["vote"] is None

    detail = client.get(f"/api/v1/consultations/{older.id}", headers=engineer)
    assert detail.status_code == 200
    assert detail.get_json()["topic"] == "听证" and detail.get_json()["kind"] == "hearing"


def test_deleted_or_unknown_consultation_is_404(client, project, engineer):
    user = make_user("admin", "admin")
    gone = log(project, user, 3, "重复")
    delete_consultation(gone, user, "重复录入")
    assert client.get(f"/api/v1/consultations/{gone.id}", headers=engineer).status_code == 404
    assert client.get("/api/v1/consultations/999", headers=engineer).status_code == 404
    assert client.get(URL, headers=engineer).get_json()["items"] == []


def test_detail_lists_the_attached_files_served_to_token_holders(client, project, engineer):
    import io

    from renovation.domain.residents.attachments import add_attachment
    from tests.domain.photo_samples import jpeg
    from tests.domain.test_attachments import pdf

    user = make_user("admin", "admin")
    meeting = log(project, user, 3, "居民议事会")
    sheet = add_attachment(meeting, user, "sign_in_sheet", "签到表.jpg", io.BytesIO(jpeg()))
    minutes = add_attachment(meeting, user, "minutes", "会议纪要.pdf", io.BytesIO(pdf(2)))

    files = client.get(f"/api/v1/consultations/{meeting.id}", headers=engineer).get_json()["attachments"]
    assert [(f["kind"], f["original_filename"], f["content_type"]) for f in files] == [
        ("sign_in_sheet", "签到表.jpg", "image/jpeg"), ("minutes", "会议纪要.pdf", "application/pdf")]
    assert set(files[0]["urls"]) == {"original", "display", "thumbnail"} and set(files[1]["urls"]) == {"original"}

    with client.get(files[0]["urls"]["thumbnail"], headers=engineer) as thumbnail:
        assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/jpeg"
    with client.get(files[1]["urls"]["original"], headers=engineer) as document:
        assert document.status_code == 200 and document.mimetype == "application/pdf"
        assert document.data == pdf(2) and document.headers["X-Content-Type-Options"] == "nosniff"
        assert document.headers["Content-Security-Policy"].startswith("sandbox;")  # never run as the app
    assert client.get(files[1]["urls"]["original"]).status_code == 401
    assert client.get(f"/api/v1/attachments/{minutes.id}/thumbnail", headers=engineer).status_code == 404
    assert sheet.id != minutes.id
