"""Linked leaders through the pages: an admin links a leader to a community and ends a link (history
kept); the leader's home starts with their linked compounds; site visits recorded from the project
page (htmx and full page, a problem raised on the spot) by who may, read by everyone; a leader's page."""
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from renovation.domain.clock import today
from renovation.domain.leaders.links import end_link, link_user
from renovation.domain.photos.operations import add_photo
from renovation.domain.problems.flow import Step
from renovation.domain.problems.operations import raise_problem, take_step
from renovation.domain.residents.demands import raise_demand
from renovation.extensions import db
from renovation.models import AuditEntry, Problem
from renovation.models.leaders import LeaderLink, SiteVisit
from tests.conftest import count_statements, days_ago, login, make_project, make_user
from tests.domain.photo_samples import jpeg

HTMX = {"HX-Request": "true"}
CODE = "ZP-2026-001"


@pytest.fixture
def people(app, project):
    make_project("ZP-2026-002", compound="九龙桂冠小区", community="九龙社区", street="菁城街道")
    return {"admin": make_user("admin", "admin"), "engineer": make_user("engineer", "engineer"),
            "committee": make_user("committee", "committee", community="铁路社区"),
            "other_committee": make_user("other_committee", "committee", community="九龙社区"),
            "leader": make_user("leader", "leader"), "zhang": make_user("zhang", "leader")}


def visit_form(**values) -> dict:
    return {"visited_on": today().isoformat(), "others": "住建局林建华", "seen": "3号楼前燃气管线未迁改",
            "decided": "燃气公司一周内迁改", **values}


def visits() -> list[SiteVisit]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(SiteVisit).order_by(SiteVisit.id)))


# --- links, by an admin -----------------------------------------------------------------------------

def test_an_admin_links_the_leader_to_a_community_then_ends_it_and_the_history_stays(client, project, people):
    login(client, "admin")
    users = client.get("/admin/users").get_data(as_text=True)
    leader_id = people["leader"].id
    assert f'href="/admin/users/{leader_id}/links"' in users
    page = client.get(f"/admin/users/{leader_id}/links").get_data(as_text=True)
    community = re.search(r'<option value="(\d+)">铁路社区</option>', page).group(1)
    answer = client.post(f"/admin/users/{leader_id}/links", data={
        "community": community, "project": "", "started_on": days_ago(3).isoformat(), "note": "市委常委"})
    assert answer.status_code == 303 and answer.headers["Location"] == f"/admin/users/{leader_id}/links"
    page = client.get(f"/admin/users/{leader_id}/links").get_data(as_text=True)
    assert "已添加挂钩联系点" in page and "铁路社区" in page and "市委常委" in page and "结束挂钩" in page
    link = db.session.scalar(sa.select(LeaderLink))
    answer = client.post(f"/admin/links/{link.id}/end", data={"ended_on": today().isoformat()})
    assert answer.status_code == 303
    page = client.get(f"/admin/users/{leader_id}/links").get_data(as_text=True)
    assert "已结束" in page and "结束挂钩</button>" not in page
    db.session.expire_all()
    assert db.session.scalar(sa.select(LeaderLink)).ended_on == today()
    assert sorted(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("leader_link.%")))) == [
        "leader_link.add", "leader_link.end"]
    assert "挂钩联系社区或小区" in client.get("/admin/audit").get_data(as_text=True)


def test_a_link_to_a_project_by_its_code(client, project, people):
    login(client, "admin")
    answer = client.post(f"/admin/users/{people['leader'].id}/links", data={
        "community": "0", "project": CODE, "started_on": today().isoformat()})
    assert answer.status_code == 303
    assert db.session.scalar(sa.select(LeaderLink.project_id)) == project.id


@pytest.mark.parametrize(("values", "message"), [
    ({"community": "0", "project": ""}, "二者选其一"),
    ({"community": "0", "project": "ZP-1999-999"}, "没有这个编号的项目"),
    ({"community": "0", "project": CODE, "started_on": (today() + timedelta(days=1)).isoformat()}, "日期不能晚于今天"),
])
def test_a_refused_link_says_why_beside_the_field(client, project, people, values, message):
    login(client, "admin")
    answer = client.post(f"/admin/users/{people['leader'].id}/links",
                         data={"started_on": today().isoformat(), **values})
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LeaderLink)) == 0


def test_ending_a_link_before_it_starts_is_refused_on_the_page(client, project, people):
    link = link_user(people["leader"], people["admin"], project=project, started_on=days_ago(2))
    login(client, "admin")
    answer = client.post(f"/admin/links/{link.id}/end", data={"ended_on": days_ago(5).isoformat()})
    assert answer.status_code == 422 and "结束日期不能早于开始日期" in answer.get_data(as_text=True)


# --- the leader's home ------------------------------------------------------------------------------

def test_the_leaders_home_starts_with_their_linked_compounds(client, project, people):
    leader, engineer = people["leader"], people["engineer"]
    photo = add_photo(project, engineer, "东门.jpg", io.BytesIO(jpeg(seed=1)), "before", "survey")
    raise_demand(project, engineer, {"category": "parking", "text": "停车难", "raised_on": days_ago(40)})
    mine = raise_problem(project, engineer, {"title": "燃气管线迁改", "description": "x", "category": "utilities",
                                             "deadline": today() + timedelta(days=3)})
    take_step(mine, leader, Step.TAKE_ON, {}, mine.version)
    raise_problem(project, engineer, {"title": "无人领办的问题", "description": "x", "category": "other",
                                      "deadline": today() + timedelta(days=3)})
    link_user(leader, people["admin"], community=project.compound.community, started_on=days_ago(1))
    login(client, "leader")
    page = client.get("/dashboard").get_data(as_text=True)
    section = re.search(r'<section id="linked".*?</section>', page, re.S).group(0)
    assert page.index('id="linked"') < page.index('id="bulletins"') < page.index('class="kpis"')
    assert "我联系的小区" in section and "铁路二段生活小区" in section and "九龙桂冠小区" not in section
    assert "燃气管线迁改" in section and "无人领办的问题" not in section
    assert "1件居民诉求逾期" in section and f"/photos/{photo.id}/thumbnail" in section
    assert "摸底调查" in section  # the current stage


@pytest.mark.parametrize("role", ["engineer", "committee", "zhang"])
def test_a_user_without_links_sees_the_city_overview_as_before(client, project, people, role):
    link_user(people["leader"], people["admin"], community=project.compound.community, started_on=days_ago(1))
    login(client, role)
    assert 'id="linked"' not in client.get("/dashboard").get_data(as_text=True)


def test_an_ended_link_leaves_the_home(client, project, people):
    link = link_user(people["leader"], people["admin"], project=project, started_on=days_ago(9))
    end_link(link, people["admin"], days_ago(1))
    login(client, "leader")
    assert 'id="linked"' not in client.get("/dashboard").get_data(as_text=True)


def _followed(project, people):
    """A photo of the project and a problem in the leader's hand."""
    add_photo(project, people["engineer"], f"{project.code}.jpg", io.BytesIO(jpeg(seed=project.id)), "during", None)
    problem = raise_problem(project, people["engineer"], {"title": f"问题{project.code}", "description": "x",
                                                          "category": "other", "deadline": today()})
    take_step(problem, people["leader"], Step.TAKE_ON, {}, problem.version)


def test_the_linked_section_costs_the_same_queries_for_one_project_as_for_five(client, project, people):
    link_user(people["leader"], people["admin"], community=project.compound.community, started_on=days_ago(1))
    _followed(project, people)
    login(client, "leader")
    client.get("/dashboard")
    with count_statements() as one:
        client.get("/dashboard")
    for n in range(3, 7):
        _followed(make_project(f"ZP-2026-{n:03d}", compound=f"小区{n}", community="铁路社区"), people)
    client.get("/dashboard")
    with count_statements() as five:
        page = client.get("/dashboard").get_data(as_text=True)
    assert page.count('<article class="linked-card') == 5
    assert len(five) == len(one)


# --- site visits ----------------------------------------------------------------------------------

def test_a_linked_leader_records_a_visit_raising_a_problem_on_the_spot(client, project, people):
    leader = people["leader"]
    link_user(leader, people["admin"], community=project.compound.community, started_on=days_ago(1))
    known = raise_problem(project, people["engineer"], {"title": "资金拨付滞后", "description": "x",
                                                        "category": "funding", "deadline": today()})
    login(client, "leader")
    page = client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert 'id="visits"' in page and 'href="#visits"' in page and "记录蹲点调研" in page
    blank = client.get(f"/projects/{CODE}/visits/new", headers=HTMX).get_data(as_text=True)
    assert "<html" not in blank and f'value="{leader.id}" checked' in blank.replace(" checked>", " checked")
    answer = client.post(f"/projects/{CODE}/visits", headers=HTMX, data=visit_form(
        leaders=[str(leader.id)], problems=[str(known.id)], **{
            "problem-title": "燃气管线迁改", "problem-category": "utilities", "problem-description": "需先迁改",
            "problem-deadline": (today() + timedelta(days=10)).isoformat()}))
    assert answer.status_code == 200 and answer.headers["HX-Trigger"] == "visitsChanged"
    html = answer.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="visits"') and "蹲点调研已记录" in html
    assert '<section id="problems"' in html  # taken out of band by the form's hx-select-oob
    [visit] = visits()
    assert [user.id for user in visit.leaders] == [leader.id]
    assert sorted(problem.title for problem in visit.problems) == ["燃气管线迁改", "资金拨付滞后"]
    raised = db.session.scalar(sa.select(Problem).where(Problem.title == "燃气管线迁改"))
    assert raised.raised_by_id == leader.id
    page = client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert "燃气公司一周内迁改" in page and "住建局林建华" in page


def test_without_a_script_a_visit_is_a_full_page_post(client, project, people):
    login(client, "engineer")
    form_page = client.get(f"/projects/{CODE}/visits/new").get_data(as_text=True)
    assert "<h1>记录蹲点调研</h1>" in form_page
    answer = client.post(f"/projects/{CODE}/visits", data=visit_form(leaders=[str(people["zhang"].id)]))
    assert answer.status_code == 303 and answer.headers["Location"] == f"/projects/{CODE}#visits"
    refused = client.post(f"/projects/{CODE}/visits", data=visit_form(seen=""))
    assert refused.status_code == 422 and "请填写调研所见情况" in refused.get_data(as_text=True)
    assert len(visits()) == 1


@pytest.mark.parametrize(("values", "message"), [
    ({"seen": ""}, "请填写调研所见情况"), ({"others": ""}, "请说明参加人员"),
    ({"visited_on": (today() + timedelta(days=1)).isoformat()}, "日期不能晚于今天"),
    ({"problem-title": "燃气管线迁改", "problem-description": ""}, "请描述"),
])
def test_a_refused_visit_keeps_the_input_and_says_why(client, project, people, values, message):
    login(client, "engineer")
    answer = client.post(f"/projects/{CODE}/visits", headers=HTMX, data=visit_form(**values))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and message in html and "<details class=\"record-visit\" open" in html
    assert visits() == [] and db.session.scalar(sa.select(sa.func.count()).select_from(Problem)) == 0


@pytest.mark.parametrize(("role", "linked", "status"), [
    ("admin", False, 303), ("engineer", False, 303), ("leader", True, 303), ("leader", False, 403),
    ("zhang", False, 403), ("committee", False, 403), ("other_committee", False, 403)])
def test_who_may_record_a_visit(client, project, people, role, linked, status):
    if linked:
        link_user(people[role], people["admin"], project=project, started_on=days_ago(1))
    login(client, role)
    assert client.post(f"/projects/{CODE}/visits", data=visit_form()).status_code == status
    assert client.get(f"/projects/{CODE}/visits/new").status_code == (200 if status == 303 else 403)
    page = client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert ("记录蹲点调研" in page) == (status == 303)


def test_a_leader_linked_to_another_compound_may_not_record_here(client, project, people):
    other = db.session.scalar(sa.select(LeaderLink.project_id)) or make_project("ZP-2026-009", "新华新村", "和平社区")
    link_user(people["leader"], people["admin"], project=other, started_on=days_ago(1))
    login(client, "leader")
    assert client.post(f"/projects/{CODE}/visits", data=visit_form()).status_code == 403


@pytest.mark.parametrize("role", ["admin", "engineer", "committee", "other_committee", "leader", "zhang"])
def test_everyone_who_reads_projects_reads_the_visits_and_the_leaders_page(client, project, people, role):
    leader = people["leader"]
    link_user(leader, people["admin"], community=project.compound.community, started_on=days_ago(10), note="市委常委")
    # The visit recorded by the engineer, the leader among who came.
    login(client, "engineer")
    client.post(f"/projects/{CODE}/visits", data=visit_form(leaders=[str(leader.id)]))
    client.post("/logout")
    login(client, role)
    page = client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert "3号楼前燃气管线未迁改" in page and f'href="/leaders/{leader.id}"' in page
    mine = client.get(f"/leaders/{leader.id}").get_data(as_text=True)
    assert "铁路社区" in mine and "市委常委" in mine and "3号楼前燃气管线未迁改" in mine
    assert ("管理挂钩联系点" in mine) == (role == "admin")


def test_the_leaders_page_lists_their_problems_and_past_links(client, project, people):
    leader = people["leader"]
    link = link_user(leader, people["admin"], project=project, started_on=days_ago(30))
    end_link(link, people["admin"], days_ago(2))
    problem = raise_problem(project, people["engineer"], {"title": "违章搭建", "description": "x",
                                                          "category": "illegal_structures", "deadline": today()})
    take_step(problem, leader, Step.TAKE_ON, {}, problem.version)
    login(client, "committee")
    page = client.get(f"/leaders/{leader.id}").get_data(as_text=True)
    assert "违章搭建" in page and "已结束" in page and "铁路二段生活小区" in page
    assert client.get("/leaders/9999").status_code == 404
