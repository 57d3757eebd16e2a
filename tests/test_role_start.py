"""Each role starts where its work is: committee members on their own community (projects,
demands, consultations, photos) one click from the whole city; engineers' 我负责的 filter."""
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from renovation.domain.residents.consultations import add_consultation
from renovation.domain.residents.demands import raise_demand
from renovation.extensions import db
from renovation.models import Community, Project
from tests.conftest import days_ago, login, make_project, make_user
from tests.test_project_list import codes_in


@pytest.fixture
def two_communities(app):
    engineer = make_user("engineer", "engineer")
    railway = make_project("ZP-2026-001", "铁路二段生活小区", "铁路社区", "桂林街道")
    jiulong = make_project("ZP-2026-002", "九龙桂冠小区", "九龙社区", "桂林街道")
    for project in (railway, jiulong):
        add_consultation(project, engineer, {"date": days_ago(3), "kind": "council_meeting",
                                             "topic": f"{project.compound.name}加装电梯"}, None)
        raise_demand(project, engineer, {"category": "parking", "text": f"{project.compound.name}车棚",
                                         "raised_by": "5号楼", "raised_on": days_ago(1)})
    make_user("committee", "committee", community="铁路社区")
    return db.session.scalar(sa.select(Community.id).where(Community.name == "铁路社区"))


def test_a_committee_member_lands_on_their_own_communitys_projects(client, two_communities):
    location = login(client, "committee").headers["Location"]
    assert urlsplit(location).path == "/projects"
    assert parse_qs(urlsplit(location).query) == {"community": [str(two_communities)]}
    page = client.get(location).get_data(as_text=True)
    assert codes_in(page) == ["ZP-2026-001"]
    assert client.get("/").headers["Location"] == location


@pytest.mark.parametrize("path, own, other", [
    ("/projects", "铁路二段生活小区", "九龙桂冠小区"),
    ("/demands", "铁路二段生活小区车棚", "九龙桂冠小区车棚"),
    ("/consultations", "铁路二段生活小区加装电梯", "九龙桂冠小区加装电梯"),
    ("/photos", None, None),
])
def test_committee_lists_open_on_their_community_one_click_from_the_city(client, two_communities, path, own, other):
    login(client, "committee")
    opened = client.get(path)
    assert opened.status_code == 302
    assert opened.headers["Location"] == f"{path}?community={two_communities}"
    page = client.get(opened.headers["Location"]).get_data(as_text=True)
    city = f'href="{path}?community=0"'
    assert city in page and "全市" in page
    if own:
        assert own in page and other not in page
    whole = client.get(f"{path}?community=0")
    assert whole.status_code == 200
    if own:
        assert own in whole.get_data(as_text=True) and other in whole.get_data(as_text=True)
    # A filter the member chose is kept: no redirect.
    assert client.get(f"{path}?community=").status_code == 200


@pytest.mark.parametrize("path", ["/projects", "/demands", "/consultations", "/photos"])
def test_the_bureau_opens_lists_on_the_whole_city_without_a_switch(client, two_communities, path):
    login(client)
    response = client.get(path)
    assert response.status_code == 200 and 'class="community-scope"' not in response.get_data(as_text=True)


def test_engineers_filter_the_projects_they_are_responsible_for(client, app):
    make_project("ZP-2026-001", "铁路二段生活小区")
    make_project("ZP-2026-002", "九龙桂冠小区", "九龙社区")
    project = db.session.scalar(sa.select(Project).where(Project.code == "ZP-2026-002"))
    project.responsible_engineer = "陈志明"
    engineer = make_user("chenzm", "engineer")
    engineer.display_name = "陈志明"
    db.session.commit()
    login(client, "chenzm")
    page = client.get("/projects").get_data(as_text=True)
    assert 'name="mine"' in page and "陈志明" in page  # the help text names what is matched
    assert codes_in(client.get("/projects?mine=1").get_data(as_text=True)) == ["ZP-2026-002"]
    assert codes_in(client.get("/projects").get_data(as_text=True)) == ["ZP-2026-001", "ZP-2026-002"]
    make_user("leader", "leader")
    client.post("/logout")
    login(client, "leader")
    page = client.get("/projects?mine=1").get_data(as_text=True)
    assert 'name="mine"' not in page and codes_in(page) == ["ZP-2026-001", "ZP-2026-002"]
