"""Linked leaders in the domain: which projects a user follows on a date (directly or through a
community), linking and ending links with the history kept and the audit log, site visits with the
problems raised on the spot, and a linked leader's home in a constant number of queries."""
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from renovation.domain.clock import today
from renovation.domain.leaders import home, links, visits
from renovation.domain.leaders.links import LinkRuleViolation, end_link, link_user, linked_project_ids
from renovation.domain.leaders.visits import VisitRuleViolation, record_visit
from renovation.domain.photos.operations import add_photo
from renovation.domain.problems.flow import Step
from renovation.domain.problems.operations import raise_problem, take_step
from renovation.domain.residents.demands import raise_demand
from renovation.extensions import db
from renovation.models import AuditEntry, Problem
from renovation.models.leaders import LeaderLink
from tests.conftest import count_statements, days_ago, make_project, make_user
from tests.domain.photo_samples import jpeg


@pytest.fixture
def people(app):
    return {"admin": make_user("admin", "admin"), "engineer": make_user("engineer", "engineer"),
            "leader": make_user("leader", "leader"), "other_leader": make_user("zhang", "leader")}


def _community(project):
    return project.compound.community


def test_a_user_without_links_follows_no_project(app):
    make_project()
    assert linked_project_ids(make_user("leader", "leader")) == set()


def test_projects_linked_directly_and_through_a_community_on_a_date(people):
    railway = make_project("ZP-2026-001", "铁路二段生活小区", "铁路社区")
    railway_two = make_project("ZP-2026-002", "粮食局宿舍", "铁路社区")
    xinhua = make_project("ZP-2026-003", "新华新村", "和平社区")
    elsewhere = make_project("ZP-2026-004", "农机公司宿舍区", "城东社区")
    leader, admin = people["leader"], people["admin"]
    old = link_user(leader, admin, community=_community(railway), started_on=days_ago(100))
    end_link(old, admin, days_ago(10))
    link_user(leader, admin, project=xinhua, started_on=days_ago(5))
    assert linked_project_ids(leader) == {xinhua.id}
    assert linked_project_ids(leader, days_ago(10)) == {railway.id, railway_two.id}
    assert linked_project_ids(leader, days_ago(101)) == set()
    assert elsewhere.id not in linked_project_ids(leader.id, days_ago(5))
    assert linked_project_ids(people["other_leader"]) == set()


def test_ending_a_link_keeps_it_with_its_dates_and_both_steps_are_audited(people):
    project = make_project()
    leader, admin = people["leader"], people["admin"]
    link = link_user(leader, admin, community=_community(project), started_on=days_ago(30), note="市委常委")
    end_link(link, admin, days_ago(10))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LeaderLink)) == 1
    assert (link.started_on, link.ended_on, link.note, link.ended_by_id) == (days_ago(30), days_ago(10), "市委常委",
                                                                             admin.id)
    assert [(entry.action, entry.target_id, entry.details["place"]) for entry in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action.like("leader_link.%")).order_by(AuditEntry.id))] == [
        ("leader_link.add", "leader", "铁路社区"), ("leader_link.end", "leader", "铁路社区")]
    # Linked again when the post comes back: a second link, the first one still in the history.
    link_user(leader, admin, community=_community(project), started_on=days_ago(2))
    assert [(row.started_on, row.ended_on) for row in links.links_of(leader.id)] == [
        (days_ago(2), None), (days_ago(30), days_ago(10))]
    assert not links.is_current(link) and links.is_current(link, days_ago(10))


def test_a_place_is_linked_once_at_a_time(people):
    project = make_project()
    leader, admin = people["leader"], people["admin"]
    link_user(leader, admin, project=project, started_on=days_ago(3))
    with pytest.raises(LinkRuleViolation) as refused:
        link_user(leader, admin, project=project, started_on=days_ago(1))
    assert set(refused.value.errors) == {"place"}
    # Another leader may follow the same compound.
    link_user(people["other_leader"], admin, project=project, started_on=days_ago(1))


@pytest.mark.parametrize(("where", "started_on", "field"), [
    ("nowhere", days_ago(1), "place"), ("both", days_ago(1), "place"),
    ("project", today() + timedelta(days=1), "started_on"), ("project", None, "started_on")])
def test_a_link_needs_one_place_and_a_start_not_in_the_future(people, where, started_on, field):
    project = make_project()
    place = {"nowhere": {}, "both": {"project": project, "community": _community(project)},
             "project": {"project": project}}[where]
    with pytest.raises(LinkRuleViolation) as refused:
        link_user(people["leader"], people["admin"], started_on=started_on, **place)
    assert field in refused.value.errors
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LeaderLink)) == 0


def test_a_link_ends_once_not_before_it_starts_nor_in_the_future(people):
    project = make_project()
    link = link_user(people["leader"], people["admin"], project=project, started_on=days_ago(5))
    for ended_on in (days_ago(6), today() + timedelta(days=1)):
        with pytest.raises(LinkRuleViolation):
            end_link(link, people["admin"], ended_on)
    end_link(link, people["admin"], days_ago(5))
    with pytest.raises(LinkRuleViolation):
        end_link(link, people["admin"])
    assert link.ended_on == days_ago(5)


def _visit(project, actor, **values):
    return record_visit(project, actor, {"visited_on": today(), "leaders": [], "others": "",
                                         "seen": "3号楼前燃气管线未迁改", "decided": "燃气公司一周内迁改",
                                         "problems": [], "new_problem": None, **values})


def test_a_visit_records_who_came_what_was_seen_and_decided_and_links_problems(people):
    project = make_project()
    leader = people["leader"]
    known = raise_problem(project, people["engineer"], {
        "title": "资金拨付滞后", "description": "市级配套资金未到位", "category": "funding",
        "deadline": today() + timedelta(days=10)})
    link_user(leader, people["admin"], project=project, started_on=days_ago(1))
    visit = _visit(project, leader, leaders=[leader.id], others="住建局林建华、社区陈主任", problems=[known.id],
                   new_problem={"title": "燃气管线迁改", "description": "需燃气公司先行迁改", "category": "utilities",
                                "deadline": today() + timedelta(days=10)})
    assert [user.username for user in visit.leaders] == ["leader"]
    assert sorted(problem.title for problem in visit.problems) == ["燃气管线迁改", "资金拨付滞后"]
    raised = db.session.scalar(sa.select(Problem).where(Problem.title == "燃气管线迁改"))
    assert (raised.status, raised.raised_by_id) == ("open", leader.id)
    assert [visit.id for visit in visits.project_visits(project.id)] == [visit.id]
    assert [visit.id for visit in visits.visits_of(leader.id)] == [visit.id]
    assert visits.visits_of(people["other_leader"].id) == []
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "visit.record"))
    assert (entry.target_id, entry.details["leaders"]) == (project.code, ["leader"])


@pytest.mark.parametrize(("values", "field"), [
    ({"visited_on": today() + timedelta(days=1)}, "visited_on"), ({"visited_on": None}, "visited_on"),
    ({"seen": "  "}, "seen"), ({"leaders": [], "others": ""}, "leaders"), ({"leaders": [999]}, "leaders"),
    ({"problems": [999]}, "problems"),
    ({"new_problem": {"title": "", "description": "x", "category": "other", "deadline": today()}}, "problem-title")])
def test_a_refused_visit_saves_nothing_and_raises_no_problem(people, values, field):
    project = make_project()
    with pytest.raises(VisitRuleViolation) as refused:
        _visit(project, people["engineer"], **{"others": "社区陈主任", **values})
    assert field in refused.value.errors
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Problem)) == 0
    assert visits.project_visits(project.id) == []


def test_a_problem_of_another_project_is_not_linked_to_a_visit(people):
    project, other = make_project("ZP-2026-001"), make_project("ZP-2026-002", "新华新村", "和平社区")
    theirs = raise_problem(other, people["engineer"], {"title": "审批", "description": "x", "category": "approvals",
                                                       "deadline": today() + timedelta(days=3)})
    with pytest.raises(VisitRuleViolation):
        _visit(project, people["engineer"], others="林工", problems=[theirs.id])


def test_who_may_have_come_offers_the_leaders_and_whoever_is_linked(people):
    project = make_project()
    link_user(people["engineer"], people["admin"], project=project, started_on=days_ago(1))
    assert [user.username for user in visits.who_may_have_come(project)] == ["leader", "zhang", "engineer"]


def _linked_projects(people, numbers):
    """Projects of 铁路社区, each with a photo, an overdue demand and a problem in the leader's hand."""
    leader, engineer = people["leader"], people["engineer"]
    made = [make_project(f"ZP-2026-{n:03d}", f"小区{n}", "铁路社区") for n in numbers]
    for project in made:
        add_photo(project, engineer, f"{project.code}.jpg", io.BytesIO(jpeg(seed=project.id)), "before", "survey")
        raise_demand(project, engineer, {"category": "parking", "text": "停车难", "raised_on": days_ago(40)})
        problem = raise_problem(project, engineer, {"title": f"问题{project.code}", "description": "x",
                                                    "category": "other", "deadline": today() + timedelta(days=5)})
        take_step(problem, leader, Step.TAKE_ON, {}, problem.version)
    db.session.expire_all()
    return made


def test_the_home_lists_the_linked_projects_with_their_problems_demands_and_photos(people):
    made = _linked_projects(people, range(1, 3))
    link_user(people["leader"], people["admin"], community=_community(made[0]), started_on=days_ago(1))
    make_project("ZP-2026-099", "新华新村", "和平社区")
    cards = home.linked_compounds(people["leader"], today())
    assert sorted(card.project.code for card in cards) == [project.code for project in made]
    assert all((len(card.problems), card.overdue_demands, len(card.photos)) == (1, 1, 1) for card in cards)
    assert home.linked_compounds(people["other_leader"], today()) == []


def test_the_home_takes_the_same_queries_for_two_projects_as_for_six(people):
    made = _linked_projects(people, range(1, 3))
    link_user(people["leader"], people["admin"], community=_community(made[0]), started_on=days_ago(1))
    db.session.expire_all()
    assert people["leader"].id  # the user as a page has it, loaded with the session
    with count_statements() as few:
        assert len(home.linked_compounds(people["leader"], today())) == 2
    _linked_projects(people, range(3, 7))
    assert people["leader"].id
    with count_statements() as many:
        cards = home.linked_compounds(people["leader"], today())
    assert len(cards) == 6 and all(len(card.photos) == 1 for card in cards)
    assert len(few) == len(many) == 4
