"""Notifications without HTTP: who hears of what (every role, the committee of another community,
linked and unlinked leaders), each once, the time-based ones found with a moved clock, and the
choices each person makes."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from renovation.domain import clock, notifications
from renovation.domain.bulletins.issue import Scope
from renovation.domain.clock import utcnow
from renovation.domain.notifications import choices, inbox, scan
from renovation.domain.problems.flow import Step
from renovation.domain.problems.operations import raise_problem, take_step
from renovation.domain.residents.demands import raise_demand
from renovation.extensions import db
from renovation.models import Bulletin, Community, LeaderLink, Notification, Project, User
from tests.conftest import make_project, make_user

REAL_TODAY = clock.today()


@pytest.fixture
def people(app):
    """One user per role, the committee of another community, and two leaders: ``leader`` linked
    to 铁路社区 (the project's community), ``other_leader`` linked to nothing."""
    project = make_project()
    users = {
        "admin": make_user("admin", "admin"),
        "engineer": make_user("engineer", "engineer"),
        "committee": make_user("committee", "committee", community="铁路社区"),
        "other_committee": make_user("other_committee", "committee", community="九龙社区"),
        "leader": make_user("leader", "leader"),
        "other_leader": make_user("other_leader", "leader"),
    }
    link(users["leader"], community=project.compound.community)
    return project, users


def link(user, community=None, project=None, since=None):
    db.session.add(LeaderLink(user_id=user.id, community_id=community.id if community else None,
                              project_id=project.id if project else None, note="",
                              started_on=since or REAL_TODAY - timedelta(days=30), created_at=utcnow()))
    db.session.commit()


def received(kind: str | None = None) -> dict[str, int]:
    """How many notifications each username has (of ``kind``)."""
    query = sa.select(User.username, sa.func.count(Notification.id)).join(Notification, Notification.user_id == User.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return dict(db.session.execute(query.group_by(User.username)).all())


def on(monkeypatch, day):
    monkeypatch.setattr(clock, "today", lambda: day)


PROBLEM = {"title": "燃气管线迁改", "description": "3号楼前燃气管线需迁改", "category": "utilities",
           "departments": ["漳平市燃气公司"], "deadline": REAL_TODAY + timedelta(days=10)}


def test_a_problem_given_to_a_leader_tells_that_leader_only(people):
    project, users = people
    problem = raise_problem(project, users["engineer"], PROBLEM)
    assert received() == {}
    take_step(problem, users["engineer"], Step.ASSIGN, {"leader": "other_leader"}, problem.version)
    assert received() == {"other_leader": 1}
    notice = db.session.scalars(sa.select(Notification)).one()
    assert (notice.kind, notice.subject_id, notice.read_at) == ("problem_assigned", problem.id, None)
    assert notice.facts.items() >= {"title": "燃气管线迁改", "code": "ZP-2026-001", "compound": "铁路二段生活小区",
                                 "leader": "other_leader"}.items()
    notifications.problem_assigned(problem, users["engineer"])  # the same event again: written once
    assert received() == {"other_leader": 1}


def test_a_leader_taking_a_problem_on_is_not_told_of_it(people):
    project, users = people
    problem = raise_problem(project, users["committee"], PROBLEM)
    take_step(problem, users["leader"], Step.TAKE_ON, {}, problem.version)
    assert received() == {}


def test_given_to_another_leader_and_back_tells_again(people):
    project, users = people
    problem = raise_problem(project, users["engineer"], PROBLEM)
    for name in ("leader", "other_leader", "leader"):
        problem = take_step(problem, users["engineer"], Step.ASSIGN, {"leader": name}, problem.version)
    assert received() == {"leader": 2, "other_leader": 1}


def test_a_problem_due_in_three_days_then_overdue(people, monkeypatch):
    """For its leader and the users linked to its project; once per deadline, again when it moves."""
    project, users = people
    problem = raise_problem(project, users["engineer"], PROBLEM)
    problem = take_step(problem, users["engineer"], Step.ASSIGN, {"leader": "other_leader"}, problem.version)
    deadline = problem.deadline
    on(monkeypatch, deadline - timedelta(days=4))
    scan.scan()
    assert received("problem_due_soon") == {}
    on(monkeypatch, deadline - timedelta(days=3))
    scan.scan()
    scan.scan()  # every quarter of an hour: still once
    assert received("problem_due_soon") == {"other_leader": 1, "leader": 1}
    on(monkeypatch, deadline)
    scan.scan()
    assert received("problem_overdue") == {}  # on the deadline itself it is not late
    on(monkeypatch, deadline + timedelta(days=1))
    scan.scan()
    assert received("problem_overdue") == {"other_leader": 1, "leader": 1}
    notice = db.session.scalars(sa.select(Notification).where(Notification.kind == "problem_overdue")).first()
    assert notice.facts["days"] == 1 and notice.occurrence == deadline.isoformat()
    on(monkeypatch, deadline + timedelta(days=5))
    scan.scan()
    assert received("problem_overdue") == {"other_leader": 1, "leader": 1}


def test_a_solved_problem_is_never_overdue(people, monkeypatch):
    project, users = people
    problem = raise_problem(project, users["engineer"], PROBLEM)
    problem = take_step(problem, users["leader"], Step.TAKE_ON, {}, problem.version)
    take_step(problem, users["leader"], Step.SOLVE, {"resolution": "燃气公司已迁改"}, problem.version)
    on(monkeypatch, PROBLEM["deadline"] + timedelta(days=2))
    scan.scan()
    assert received() == {}


def test_a_demand_just_overdue_tells_its_community_and_its_linked_leader(people, monkeypatch):
    project, users = people
    demand = raise_demand(project, users["committee"], {"category": "parking", "text": "停车难，" * 30,
                                                        "raised_on": REAL_TODAY})
    on(monkeypatch, REAL_TODAY + timedelta(days=15))
    scan.scan()
    assert received() == {}  # 15 days open: not yet overdue
    on(monkeypatch, REAL_TODAY + timedelta(days=16))
    scan.scan()
    assert received("demand_overdue") == {"committee": 1, "leader": 1}  # not 九龙社区's committee
    notice = db.session.scalars(sa.select(Notification).where(Notification.user_id == users["committee"].id)).one()
    assert notice.subject_id == demand.id and notice.facts["days"] == 16
    assert notice.facts["text"].endswith("…") and len(notice.facts["text"]) == 61


def test_a_demand_overdue_long_ago_is_not_announced(people, monkeypatch):
    """The first run, or a worker stopped for days, floods nobody: the lists show those."""
    project, users = people
    raise_demand(project, users["committee"], {"category": "parking", "text": "停车难", "raised_on": REAL_TODAY})
    on(monkeypatch, REAL_TODAY + timedelta(days=15 + scan.CATCH_UP_DAYS + 1))
    scan.scan()
    assert received() == {}


def test_a_stage_behind_by_more_than_n_days_tells_its_linked_users(people, monkeypatch, app):
    project, users = people
    survey = project.stages[0]
    survey.status, survey.percent, survey.actual_start = "in_progress", 40, REAL_TODAY - timedelta(days=20)
    db.session.commit()
    survey_end = survey.planned_end  # rain/sewage, not started, fell behind its start long before: not announced
    link(users["other_committee"], project=project)  # anyone can be linked, a committee of elsewhere too
    on(monkeypatch, survey_end + timedelta(days=7))
    scan.scan()
    assert received() == {}  # behind by 7: not more than 7
    on(monkeypatch, survey_end + timedelta(days=8))
    scan.scan()
    # The leader wants it by default; the committee's defaults leave stages out.
    assert received("stage_behind") == {"leader": 1}
    notice = db.session.scalars(sa.select(Notification)).one()
    assert notice.facts["stage"] == "survey" and notice.facts["days"] == 8
    app.config["NOTIFY_STAGE_BEHIND_DAYS"] = 30
    on(monkeypatch, survey_end + timedelta(days=31))
    scan.scan()
    assert received("stage_behind") == {"leader": 1}


def test_a_link_that_ended_tells_nothing(people, monkeypatch):
    project, users = people
    db.session.execute(sa.update(LeaderLink).values(ended_on=REAL_TODAY))
    db.session.commit()
    on(monkeypatch, project.stages[0].planned_end + timedelta(days=8))
    scan.scan()
    assert received() == {}


def test_a_bulletin_issued_tells_who_wants_it(people):
    project, users = people
    bulletin = Bulletin(kind="city", series="city", status="issued", title="全市城镇老旧小区改造工作进度通报",
                        issuer="漳平市住房和城乡建设局", label="2026年第1期", year=2026, number=1)
    db.session.add(bulletin)
    db.session.commit()
    notifications.bulletin_issued(bulletin)
    # Leaders and committees by default; engineers issue them, admins administer.
    assert received("bulletin_issued") == {"leader": 1, "other_leader": 1, "committee": 1, "other_committee": 1}


def test_issuing_a_bulletin_tells_and_a_failure_never_stops_it(people, monkeypatch, app):
    from renovation.domain.bulletins import issue

    project, users = people
    monkeypatch.setattr(issue, "render_bulletin", lambda bulletin_id: None)
    bulletin = issue.issue_bulletin("project", Scope(project=project), users["engineer"], render=False)
    assert received("bulletin_issued") == {"leader": 1, "other_leader": 1, "committee": 1, "other_committee": 1}

    def broken(*args, **kwargs):
        raise RuntimeError("notifications are down")

    monkeypatch.setattr(choices, "wanting", broken)
    second = issue.issue_bulletin("project", Scope(project=project), users["engineer"], render=False)
    assert second.status == "issued" and second.id != bulletin.id


def test_each_person_chooses(people):
    project, users = people
    leader = users["leader"]
    assert choices.wanted_kinds(leader) >= {"problem_assigned", "stage_behind", "bulletin_issued"}
    choices.save_choices(leader, ["problem_assigned"], digest=False, email="li@example.com")
    assert choices.wanted_kinds(leader) == {"problem_assigned"}
    assert leader.email == "li@example.com"
    bulletin = Bulletin(kind="city", series="city", status="issued", title="通报", issuer="住建局", label="第1期")
    db.session.add(bulletin)
    db.session.commit()
    notifications.bulletin_issued(bulletin)
    assert "leader" not in received("bulletin_issued")
    with pytest.raises(choices.ChoiceRuleViolation) as refused:
        choices.save_choices(leader, ["problem_assigned"], digest=True, email="not an address")
    assert set(refused.value.errors) == {"email"}


def test_a_disabled_user_hears_nothing(people):
    project, users = people
    users["other_leader"].active = False
    db.session.commit()
    problem = raise_problem(project, users["engineer"], PROBLEM)
    take_step(problem, users["engineer"], Step.ASSIGN, {"leader": "leader"}, problem.version)
    bulletin = Bulletin(kind="city", series="city", status="issued", title="通报", issuer="住建局", label="第1期")
    db.session.add(bulletin)
    db.session.commit()
    notifications.bulletin_issued(bulletin)
    assert "other_leader" not in received()


def test_the_unread_count_and_opening_the_list(people):
    project, users = people
    problem = raise_problem(project, users["engineer"], PROBLEM)
    for name in ("leader", "other_leader", "leader"):
        problem = take_step(problem, users["engineer"], Step.ASSIGN, {"leader": name}, problem.version)
    leader = db.session.get(User, users["leader"].id)
    assert leader.unread_notifications == 2
    items, more = inbox.open_list(leader)
    assert [item.new for item in items] == [True, True] and not more
    assert items[0].path == f"/problems/{problem.id}" and "燃气管线迁改" in items[0].headline
    db.session.expire(leader)
    assert leader.unread_notifications == 0
    items, _more = inbox.open_list(leader)
    assert [item.new for item in items] == [False, False]


def test_the_list_pages_by_fifty(people):
    project, users = people
    leader = users["leader"]
    db.session.add_all(Notification(user_id=leader.id, kind="bulletin_issued", subject_id=n, facts={"label": str(n)},
                                    created_at=utcnow()) for n in range(inbox.PAGE_SIZE + 3))
    db.session.commit()
    first, more = inbox.open_list(leader)
    assert len(first) == inbox.PAGE_SIZE and more
    rest, more = inbox.open_list(leader, first[-1].id)
    assert len(rest) == 3 and not more


def test_robots_hear_of_their_place_only(people, app):
    from renovation.domain.notifications import robots

    project, users = people
    app.config["ROBOT_HOSTS"] = ["qyapi.weixin.qq.com"]
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
    railway = project.compound.community
    jiulong = db.session.scalar(sa.select(Community).where(Community.name == "九龙社区"))
    made = {name: robots.add_robot({"name": name, "kind": "wecom", "url": url, "kinds": ["problem_assigned"],
                                    **place}, users["admin"])
            for name, place in (("铁路社区群", {"community": railway}), ("九龙社区群", {"community": jiulong}),
                                ("桂林街道群", {"street": railway.street}), ("全市群", {}))}
    assert {robot.name for robot in notifications.events.robots_for(
        "problem_assigned", notifications.events.project_area(db.session.get(Project, project.id)))} == {
        "铁路社区群", "桂林街道群", "全市群"}
    assert {robot.name for robot in notifications.events.robots_for("bulletin_issued", None)} == set()
    assert {robot.name for robot in notifications.events.robots_for(
        "problem_assigned", notifications.events.Area(railway.street_id))} == set(made)
