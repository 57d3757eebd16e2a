"""Consultation pages: the project page's section and its htmx form, the vote outcome with every
check, edit after seven days, soft delete, who may write, and the list across projects."""
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from renovation.domain.clock import utcnow
from renovation.domain.residents.consultations import add_consultation
from renovation.extensions import db
from renovation.models import AuditEntry, Consultation, Vote
from tests.conftest import count_statements, days_ago, login, make_project, make_user

CODE = "ZP-2026-001"  # 铁路二段生活小区, 铁路社区
HX = {"HX-Request": "true"}

# Exactly 2/3 of the owners and of the area take part; exactly 3/4 of each agree.
PASSING_VOTE = {
    "has_vote": "y", "vote-matter": "雨污分流改造", "vote-matter_class": "special",
    "vote-total_owners": "120", "vote-total_area": "9000.00",
    "vote-participating_owners": "80", "vote-participating_area": "6000.00",
    "vote-agree_owners": "60", "vote-agree_area": "4500.00",
    "vote-oppose_owners": "15", "vote-oppose_area": "1000.00",
    "vote-abstain_owners": "5", "vote-abstain_area": "500.00",
}
ONE_OWNER_TURNS = {**PASSING_VOTE, "vote-agree_owners": "59", "vote-oppose_owners": "16"}


def meeting(**overrides) -> dict:
    data = {"date": days_ago(1).isoformat(), "kind": "council_meeting", "place": "铁路社区居委会二楼",
            "organiser": "陈主任", "attendees": "居民代表32人", "households": "32",
            "topic": "雨污分流改造方案", "opinions": "多数居民支持", "decisions": "按方案实施",
            "follow_up": "公示七天"}
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


@pytest.fixture
def committee_client(client, project):
    make_user("committee", "committee", community="铁路社区")
    assert login(client, "committee").status_code == 303
    return client


def saved() -> list[Consultation]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Consultation).order_by(Consultation.id)))


def post(client, data, htmx=True):
    return client.post(f"/projects/{CODE}/consultations", data=data, headers=HX if htmx else {})


# --- the "done when" scenario ----------------------------------------------------------------------

def test_committee_logs_a_meeting_whose_vote_passes_at_the_exact_thresholds(committee_client):
    response = post(committee_client, meeting(**PASSING_VOTE))
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "consultationsChanged"
    html = response.get_data(as_text=True)
    assert 'id="consultations"' in html and "雨污分流改造方案" in html and "Passed" in html
    [consultation] = saved()
    assert consultation.vote.passed is True
    assert consultation.vote.agree_area == Decimal("4500.00")
    assert consultation.created_by.username == "committee"

    page = committee_client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Passed: the quorum is reached" in page
    for label in ("Quorum by area", "Quorum by owners", "Agreement by area", "Agreement by owners"):
        assert label in page
    assert "≥ 66.67%" in page and "≥ 75.00%" in page
    assert "(80 / 120)" in page and "(4,500.00 / 6,000.00)" in page
    assert page.count("✓") == 4 and "✗" not in page
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "consultation.add"))
    assert audit.details["consultation"] == consultation.id and audit.details["vote_passed"] is True
    assert (audit.target_type, audit.target_id) == ("project", CODE)  # like every project action


def test_one_owner_changing_sides_makes_the_vote_fail_with_the_reason(committee_client):
    assert post(committee_client, meeting(**ONE_OWNER_TURNS)).status_code == 200
    [consultation] = saved()
    assert consultation.vote.passed is False
    page = committee_client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Not passed" in page
    assert "Not passed: at least three quarters of the participating owners must agree." in page
    assert "73.75%" in page and "(59 / 80)" in page
    assert page.count("✓") == 3 and page.count("✗") == 1


def test_editing_the_vote_recomputes_the_outcome(committee_client):
    post(committee_client, meeting(**PASSING_VOTE))
    [consultation] = saved()
    response = committee_client.post(f"/consultations/{consultation.id}/edit", data=meeting(**ONE_OWNER_TURNS))
    assert response.status_code == 303
    assert saved()[0].vote.passed is False


def test_full_page_post_without_javascript_redirects_303(committee_client):
    response = post(committee_client, meeting(), htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/projects/{CODE}#consultations")
    [consultation] = saved()
    assert consultation.vote is None
    page = committee_client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert "Consultation saved." in page and "雨污分流改造方案" in page


def test_extra_threshold_is_checked_as_well(committee_client):
    data = meeting(**PASSING_VOTE, **{"vote-extra_threshold": "9/10", "vote-extra_label": "加装电梯"})
    assert post(committee_client, data).status_code == 200
    [consultation] = saved()
    assert consultation.vote.passed is False and consultation.vote.extra_threshold == "9/10"
    page = committee_client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "加装电梯" in page and "≥ 90.00%" in page and "(60 / 120)" in page


# --- refused -----------------------------------------------------------------------------------------

def test_inconsistent_figures_are_refused_with_the_message_and_input_kept(committee_client):
    data = meeting(**{**PASSING_VOTE, "vote-participating_owners": "130"})
    response = post(committee_client, data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "More owners take part than the voting scope has." in html
    assert 'id="vote-participating_owners-error"' in html
    assert 'value="130"' in html and "雨污分流改造方案" in html
    assert saved() == []
    assert not db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("consultation.%"))).all()


def test_refused_without_javascript_shows_the_form_page(committee_client):
    response = post(committee_client, meeting(topic="", **PASSING_VOTE), htmx=False)
    assert response.status_code == 422
    assert 'id="topic-error"' in response.get_data(as_text=True)
    assert saved() == []


def test_missing_vote_matter_is_refused(committee_client):
    response = post(committee_client, meeting(**{**PASSING_VOTE, "vote-matter": ""}))
    assert response.status_code == 422 and "Enter the matter voted on." in response.get_data(as_text=True)
    assert saved() == []


def test_unticked_vote_fieldset_saves_no_vote(committee_client):
    data = {key: value for key, value in meeting(**PASSING_VOTE).items() if key != "has_vote"}
    assert post(committee_client, data).status_code == 200
    assert saved()[0].vote is None


def test_the_voting_scope_defaults_to_the_compound(committee_client, project):
    from tests.test_consultation_form_fit import opened_form

    html = opened_form(committee_client)
    assert 'name="vote-total_owners" type="number" value="120"' in html
    assert 'name="vote-total_area" step="any" type="number" value="8600' in html
    page = committee_client.get(f"/projects/{CODE}/consultations/new").get_data(as_text=True)  # without a script
    assert "<html" in page and 'class="consultation-form"' in page and 'value="120"' in page


# Who may read and write each consultation route (the committee of another community, a leader)
# is in the permission matrix, tests/test_permissions.py; here what the pages add to it.

def test_committee_of_another_community_is_offered_no_form_and_its_htmx_post_is_refused(client, project):
    make_user("other", "committee", community="南门社区")
    assert login(client, "other").status_code == 303
    assert post(client, meeting(**PASSING_VOTE)).status_code == 403
    assert saved() == []
    html = client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert "Add a consultation" not in html


def test_a_leaders_htmx_post_is_refused(client, project):
    make_user("leader", "leader")
    assert login(client, "leader").status_code == 303
    assert post(client, meeting()).status_code == 403
    assert saved() == []


# --- edit and delete ---------------------------------------------------------------------------------

def _values(**overrides):
    values = {"date": days_ago(3), "kind": "door_to_door", "place": "3号楼", "organiser": "陈主任",
              "attendees": "", "households": 12, "topic": "入户走访", "opinions": "", "decisions": "",
              "follow_up": ""}
    values.update(overrides)
    return values


def _old_consultation(project, user, days):
    consultation = add_consultation(project, user, _values(), None)
    consultation.created_at = utcnow() - timedelta(days=days)
    db.session.commit()
    return consultation


def test_edit_within_seven_days_needs_no_reason(committee_client, project):
    consultation = _old_consultation(project, make_user("engineer", "engineer"), 6)
    response = committee_client.post(f"/consultations/{consultation.id}/edit", data=meeting(topic="改过的题目"))
    assert response.status_code == 303
    assert saved()[0].topic == "改过的题目"


def test_edit_after_seven_days_needs_a_reason_which_is_audited(committee_client, project):
    consultation = _old_consultation(project, make_user("engineer", "engineer"), 8)
    form = committee_client.get(f"/consultations/{consultation.id}/edit").get_data(as_text=True)
    assert "more than seven days old" in form and 'value="入户走访"' in form

    refused = committee_client.post(f"/consultations/{consultation.id}/edit", data=meeting(topic="改过的题目"))
    assert refused.status_code == 422
    assert "More than seven days have passed" in refused.get_data(as_text=True)
    assert saved()[0].topic == "入户走访"

    response = committee_client.post(f"/consultations/{consultation.id}/edit",
                                     data=meeting(topic="改过的题目", reason="记录有误"))
    assert response.status_code == 303
    assert saved()[0].topic == "改过的题目"
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "consultation.update"))
    assert audit.details["reason"] == "记录有误" and "topic" in audit.details["fields"]
    assert audit.target_id == CODE


def test_soft_delete_needs_a_reason_and_is_audited(committee_client, project):
    consultation = _old_consultation(project, make_user("engineer", "engineer"), 1)
    refused = committee_client.post(f"/consultations/{consultation.id}/delete", data={"reason": " "})
    assert refused.status_code == 422 and saved()[0].deleted_at is None

    response = committee_client.post(f"/consultations/{consultation.id}/delete", data={"reason": "重复录入"})
    assert response.status_code == 303
    [kept] = saved()
    assert kept.deleted_at is not None and kept.delete_reason == "重复录入"
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "consultation.delete"))
    assert audit.details["reason"] == "重复录入" and audit.target_id == CODE
    assert committee_client.get(f"/consultations/{consultation.id}").status_code == 404
    assert "入户走访" not in committee_client.get(f"/projects/{CODE}").get_data(as_text=True)


# --- the list across projects ----------------------------------------------------------------------

def test_cross_project_list_filters_by_street_community_kind_and_date(client, project):
    engineer = make_user("engineer", "engineer")
    other = make_project(code="ZP-2026-002", compound="南门小区", community="南门社区", street="菁城街道")
    add_consultation(project, engineer, _values(topic="铁路议事会", kind="council_meeting", date=days_ago(20)), None)
    add_consultation(project, engineer, _values(topic="铁路走访", kind="door_to_door", date=days_ago(2)), None)
    add_consultation(other, engineer, _values(topic="南门听证", kind="hearing", date=days_ago(5)), None)
    assert login(client).status_code == 303

    def topics(**args):
        html = client.get("/consultations", query_string=args).get_data(as_text=True)
        return [topic for topic in ("铁路议事会", "铁路走访", "南门听证") if topic in html]

    assert topics() == ["铁路议事会", "铁路走访", "南门听证"]
    assert topics(street=other.compound.community.street_id) == ["南门听证"]
    assert topics(community=project.compound.community_id) == ["铁路议事会", "铁路走访"]
    assert topics(kind="door_to_door") == ["铁路走访"]
    assert topics(date_from=days_ago(10).isoformat()) == ["铁路走访", "南门听证"]
    assert topics(date_to=days_ago(10).isoformat()) == ["铁路议事会"]
    fragment = client.get("/consultations", query_string={"kind": "hearing"}, headers=HX).get_data(as_text=True)
    assert "南门听证" in fragment and "<html" not in fragment


# --- constant queries ---------------------------------------------------------------------------------

def _add_voted(project, user, count):
    vote = {key.removeprefix("vote-"): value for key, value in PASSING_VOTE.items() if key.startswith("vote-")}
    for name in vote:
        if name.endswith("_owners"):
            vote[name] = int(vote[name])
        elif name.endswith("_area"):
            vote[name] = Decimal(vote[name])
    for number in range(count):
        add_consultation(project, user, _values(topic=f"议事会 {number}"), dict(vote))


def test_project_page_section_loads_in_constant_queries(client, project):
    engineer = make_user("engineer", "engineer")
    assert login(client).status_code == 303
    _add_voted(project, engineer, 2)
    with count_statements() as few:
        assert client.get(f"/projects/{CODE}").status_code == 200
    _add_voted(project, engineer, 20)
    with count_statements() as many:
        html = client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert html.count('class="consultation-row"') == 22
    assert len(many) == len(few)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) == 22


def test_cross_project_list_loads_in_constant_queries(client, project):
    engineer = make_user("engineer", "engineer")
    assert login(client).status_code == 303
    _add_voted(project, engineer, 2)
    client.get("/consultations")  # the filter's streets and communities are read once (domain/area_lists.py)
    with count_statements() as few:
        client.get("/consultations")
    _add_voted(make_project(code="ZP-2026-003", compound="西园小区"), engineer, 10)
    client.get("/consultations")
    with count_statements() as many:
        client.get("/consultations")
    assert len(many) == len(few)
