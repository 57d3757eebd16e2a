"""Raising demands from a consultation's page: linked to that consultation, listed there and on the
project page, refused for the wrong people with nothing saved."""
import pytest
import sqlalchemy as sa

from renovation.domain.residents.consultations import add_consultation
from renovation.extensions import db
from renovation.models.consultations import Demand
from tests.conftest import days_ago, login, make_project, make_user
from tests.test_permissions import database_state

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


@pytest.fixture
def meeting(project):
    engineer = make_user("engineer", "engineer")
    return add_consultation(project, engineer, {"date": days_ago(3), "kind": "council_meeting",
                                                "topic": "雨污分流改造方案"}, None)


def _raise(client, consultation, htmx=True, **values):
    data = {"category": "parking", "text": "希望增设非机动车棚", "raised_by": "5号楼",
            "raised_on": days_ago(3).isoformat(), **values}
    return client.post(f"/consultations/{consultation.id}/demands", data=data, headers=HX if htmx else {})


def _demands() -> list[Demand]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Demand).order_by(Demand.id)))


def test_committee_raises_two_demands_at_the_meeting_and_sees_them_there(client, project, meeting):
    make_user("committee", "committee", community="铁路社区")
    login(client, "committee")
    page = client.get(f"/consultations/{meeting.id}").get_data(as_text=True)
    assert 'id="consultation-demands"' in page and "Demands raised at this consultation" in page
    assert f'value="{days_ago(3).isoformat()}"' in page  # dated the day of the meeting by default

    first = _raise(client, meeting)
    assert first.status_code == 200 and first.headers["HX-Trigger"] == "demandsChanged"
    html = first.get_data(as_text=True)
    assert 'id="consultation-demands"' in html and 'id="demands"' not in html  # just the section
    assert "希望增设非机动车棚" in html and "Demand recorded." in html

    second = _raise(client, meeting, htmx=False, category="drainage", text="雨天积水")
    assert second.status_code == 303
    assert second.headers["Location"].endswith(f"/consultations/{meeting.id}#consultation-demands")

    assert [(d.category, d.consultation_id, d.project_id) for d in _demands()] == [
        ("parking", meeting.id, project.id), ("drainage", meeting.id, project.id)]
    page = client.get(f"/consultations/{meeting.id}").get_data(as_text=True)
    assert "希望增设非机动车棚" in page and "雨天积水" in page
    project_page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert "希望增设非机动车棚" in project_page and "雨天积水" in project_page


def test_only_the_consultations_own_demands_are_listed(client, project, meeting):
    other = add_consultation(project, meeting.created_by, {"date": days_ago(9), "kind": "hearing",
                                                           "topic": "听证会"}, None)
    login(client, "engineer")
    _raise(client, other, text="楼道照明不足", category="lighting")
    page = client.get(f"/consultations/{meeting.id}").get_data(as_text=True)
    assert "楼道照明不足" not in page and "No demand raised at this consultation yet." in page


def test_missing_text_is_422_with_input_kept_and_nothing_saved(client, project, meeting):
    login(client, "engineer")
    before = database_state()
    response = _raise(client, meeting, text="  ", raised_by="7号楼2单元")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Write what the residents ask for." in html and 'value="7号楼2单元"' in html
    assert database_state() == before


def test_future_date_is_refused_beside_the_field(client, project, meeting):
    login(client, "engineer")
    response = _raise(client, meeting, raised_on=days_ago(-2).isoformat())
    assert response.status_code == 422
    assert "The date cannot be in the future." in response.get_data(as_text=True)
    assert _demands() == []


def test_committee_of_another_community_and_leader_cannot_raise(client, project, meeting):
    make_user("jiulong", "committee", community="九龙社区")
    make_user("leader", "leader")
    for username in ("jiulong", "leader"):
        login(client, username)
        page = client.get(f"/consultations/{meeting.id}").get_data(as_text=True)
        assert 'class="demand-raise"' not in page  # courtesy only: the server decides below
        assert _raise(client, meeting).status_code == 403
        client.post("/logout")
    assert _demands() == []


def test_a_deleted_consultation_takes_no_demands(client, project, meeting):
    from renovation.domain.residents.consultations import delete_consultation

    delete_consultation(meeting, meeting.created_by, "重复录入")
    login(client, "engineer")
    assert _raise(client, meeting).status_code == 404
    assert _demands() == []


def test_demand_of_another_project_does_not_show(client, project, meeting):
    other_project = make_project(code="ZP-2026-002", compound="九龙桂冠小区", community="九龙社区")
    login(client, "engineer")
    client.post(f"/projects/{other_project.code}/demands",
                data={"category": "other", "text": "另一个小区的诉求", "raised_on": days_ago(1).isoformat()})
    assert "另一个小区的诉求" not in client.get(f"/consultations/{meeting.id}").get_data(as_text=True)
