"""Difficult problems in the domain: raising, the way from open to solved or suspended and back,
versions, history and audit, overdue with a moved clock, and the figures."""
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from renovation.domain import clock
from renovation.domain.clock import today
from renovation.domain.photos.operations import add_photo
from renovation.domain.problems import listing
from renovation.domain.problems.flow import Step, days_overdue, departments_setting
from renovation.domain.problems.operations import (
    ProblemConflict,
    ProblemRuleViolation,
    change_problem,
    raise_problem,
    steps_of,
    take_step,
)
from renovation.extensions import db
from renovation.models import AuditEntry, Problem
from tests.conftest import make_project, make_user
from tests.domain.photo_samples import jpeg


def raise_one(project, user, **values):
    return raise_problem(project, user, {
        "title": "燃气管线迁改", "description": "3号楼前燃气管线需迁改后才能开挖雨污管道", "category": "utilities",
        "departments": ["漳平市燃气公司"], "proposal": "请燃气公司先行迁改", "deadline": today() + timedelta(days=10),
        "stage": "rain_sewage", **values})


@pytest.fixture
def people(app):
    return {"engineer": make_user("engineer", "engineer"),
            "committee": make_user("committee", "committee", community="铁路社区"),
            "leader": make_user("leader", "leader"), "other_leader": make_user("zhang", "leader")}


def test_raise_records_the_problem_its_history_and_audit(project, people):
    problem = raise_one(project, people["committee"])
    assert (problem.status, problem.version, problem.leader, problem.stage_key) == ("open", 1, None, "rain_sewage")
    assert problem.departments == ["漳平市燃气公司"]
    assert [(event.step, event.changes) for event in problem.events] == [
        ("raise", [{"field": "status", "old": None, "new": "open"}])]
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.action.like("problem.%"))) == "problem.raise"


@pytest.mark.parametrize("values, field", [
    ({"title": "  "}, "title"), ({"description": ""}, "description"), ({"category": "weather"}, "category"),
    ({"departments": ["不存在的局"]}, "departments"), ({"deadline": None}, "deadline"),
    ({"deadline": today() - timedelta(days=1)}, "deadline"), ({"stage": "roof"}, "stage"),
    ({"photos": [999]}, "photos"),
])
def test_raise_refuses_bad_facts_and_saves_nothing(project, people, values, field):
    with pytest.raises(ProblemRuleViolation) as refused:
        raise_one(project, people["engineer"], **values)
    assert field in refused.value.errors
    assert db.session.scalar(sa.select(sa.func.count(Problem.id))) == 0


def test_departments_come_from_the_setting(app, project, people):
    assert "国网漳平市供电公司" in departments_setting()
    app.config["PROBLEM_DEPARTMENTS"] = ["市住建局", "供电公司"]
    with pytest.raises(ProblemRuleViolation):
        raise_one(project, people["engineer"])
    assert raise_one(project, people["engineer"], departments=["供电公司"]).departments == ["供电公司"]


def test_photos_of_the_project_are_linked(project, people):
    photo = add_photo(project, people["engineer"], "燃气管.jpg", io.BytesIO(jpeg(seed=4)), "before", "rain_sewage")
    other = make_project(code="ZP-2026-002", compound="新华新村")
    foreign = add_photo(other, people["engineer"], "别处.jpg", io.BytesIO(jpeg(seed=5)), "before", None)
    assert [p.id for p in raise_one(project, people["engineer"], photos=[photo.id]).photos] == [photo.id]
    with pytest.raises(ProblemRuleViolation):
        raise_one(project, people["engineer"], photos=[foreign.id])


def test_the_way_to_solved(project, people):
    problem = raise_one(project, people["engineer"])
    take_step(problem, people["engineer"], Step.ASSIGN, {"leader": "leader"}, 1)
    assert (problem.status, problem.leader.username) == ("in_hand", "leader")
    take_step(problem, people["leader"], Step.SOLVE, {"resolution": "燃气公司已迁改完毕"}, problem.version)
    assert (problem.status, problem.resolution, problem.solved_on) == ("solved", "燃气公司已迁改完毕", today())
    assert [event.step for event in problem.events] == ["solve", "assign", "raise"]
    actions = list(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("problem.%"))
                                      .order_by(AuditEntry.id)))
    assert actions == ["problem.raise", "problem.assign", "problem.solve"]


def test_a_leader_takes_an_open_problem_on(project, people):
    problem = raise_one(project, people["engineer"])
    take_step(problem, people["leader"], Step.TAKE_ON, {}, 1)
    assert (problem.status, problem.leader.username) == ("in_hand", "leader")
    with pytest.raises(ProblemRuleViolation):  # taken already: only an engineer gives it to another
        take_step(problem, people["other_leader"], Step.TAKE_ON, {}, problem.version)


def test_only_a_leader_takes_a_problem_on(project, people):
    problem = raise_one(project, people["engineer"])
    with pytest.raises(ProblemRuleViolation):
        take_step(problem, people["engineer"], Step.TAKE_ON, {}, 1)


@pytest.mark.parametrize("step, values, field", [
    (Step.SOLVE, {"resolution": " "}, "resolution"), (Step.SUSPEND, {"reason": ""}, "reason"),
    (Step.ASSIGN, {"leader": "nobody"}, "leader"), (Step.ASSIGN, {"leader": "engineer"}, "leader"),
])
def test_steps_need_their_text(project, people, step, values, field):
    problem = raise_one(project, people["engineer"])
    take_step(problem, people["leader"], Step.TAKE_ON, {}, 1)
    with pytest.raises(ProblemRuleViolation) as refused:
        take_step(problem, people["engineer"], step, values, problem.version)
    assert field in refused.value.errors
    assert problem.status == "in_hand"


def test_an_open_problem_cannot_be_solved_without_a_leader(project, people):
    problem = raise_one(project, people["engineer"])
    with pytest.raises(ProblemRuleViolation) as refused:
        take_step(problem, people["engineer"], Step.SOLVE, {"resolution": "已解决"}, 1)
    assert "status" in refused.value.errors


def test_suspend_and_reopen_with_reasons(project, people):
    problem = raise_one(project, people["engineer"])
    take_step(problem, people["engineer"], Step.SUSPEND, {"reason": "等待省级资金"}, 1)
    assert (problem.status, problem.reason) == ("suspended", "等待省级资金")
    with pytest.raises(ProblemRuleViolation):
        take_step(problem, people["engineer"], Step.REOPEN, {"reason": ""}, problem.version)
    take_step(problem, people["committee"], Step.REOPEN, {"reason": "资金已到位"}, problem.version)
    assert (problem.status, problem.reason) == ("open", "资金已到位")


def test_reopening_a_solved_problem_gives_it_back_to_its_leader(project, people):
    problem = raise_one(project, people["engineer"])
    take_step(problem, people["leader"], Step.TAKE_ON, {}, 1)
    take_step(problem, people["leader"], Step.SOLVE, {"resolution": "已迁改"}, problem.version)
    take_step(problem, people["committee"], Step.REOPEN, {"reason": "居民反映仍有漏气"}, problem.version)
    assert (problem.status, problem.leader.username, problem.resolution, problem.solved_on) == (
        "in_hand", "leader", "", None)


def test_a_stale_version_is_a_conflict_and_saves_nothing(project, people):
    problem = raise_one(project, people["engineer"])
    take_step(problem, people["leader"], Step.TAKE_ON, {}, 1)
    with pytest.raises(ProblemConflict) as conflict:
        take_step(problem, people["engineer"], Step.SUSPEND, {"reason": "暂缓"}, 1)
    assert conflict.value.current.status == "in_hand"


def test_a_concurrent_save_is_a_conflict(app, project, people):
    problem = raise_one(project, people["engineer"])
    problem_id = problem.id
    db.session.execute(sa.update(Problem).where(Problem.id == problem_id).values(version=Problem.version + 1))
    db.session.commit()  # another session's save, unseen by this one's object
    db.session.expire_all()
    stale = db.session.get(Problem, problem_id)
    with pytest.raises(ProblemConflict):
        change_problem(stale, people["engineer"], {"title": "新标题"}, 1)


def test_change_finds_the_steps_of_an_api_body(project, people):
    problem = raise_one(project, people["engineer"])
    assert steps_of(problem, people["engineer"], {"status": "in_hand", "leader": "leader"}) == [Step.ASSIGN]
    assert steps_of(problem, people["leader"], {"status": "in_hand"}) == [Step.TAKE_ON]
    assert steps_of(problem, people["engineer"], {"title": "x", "status": "suspended"}) == [Step.EDIT, Step.SUSPEND]
    change_problem(problem, people["engineer"], {"proposal": "由住建局协调", "leader": "zhang"}, 1)
    assert (problem.proposal, problem.status, problem.leader.username) == ("由住建局协调", "in_hand", "zhang")
    with pytest.raises(ProblemRuleViolation):
        steps_of(problem, people["engineer"], {"status": "open"})


def test_a_refused_step_of_a_change_saves_none_of_it(project, people):
    problem = raise_one(project, people["engineer"])
    with pytest.raises(ProblemRuleViolation):
        change_problem(problem, people["engineer"], {"title": "改了标题", "status": "solved", "resolution": "x"}, 1)
    db.session.expire_all()
    assert db.session.get(Problem, problem.id).title == "燃气管线迁改"


def test_edit_records_what_changed(project, people):
    problem = raise_one(project, people["engineer"])
    new_deadline = today() + timedelta(days=20)
    change_problem(problem, people["committee"], {"deadline": new_deadline, "stage": None}, 1)
    [edit, _raise] = problem.events
    assert edit.step == "edit"
    assert {change["field"] for change in edit.changes} == {"deadline", "stage"}


def test_a_solved_problem_cannot_be_edited(project, people):
    problem = raise_one(project, people["engineer"])
    take_step(problem, people["leader"], Step.TAKE_ON, {}, 1)
    take_step(problem, people["leader"], Step.SOLVE, {"resolution": "已解决"}, problem.version)
    with pytest.raises(ProblemRuleViolation):
        change_problem(problem, people["engineer"], {"title": "新"}, problem.version)


def test_overdue_with_a_moved_clock(project, people, monkeypatch):
    problem = raise_one(project, people["engineer"])
    deadline = problem.deadline
    assert days_overdue(problem, today()) == 0
    monkeypatch.setattr(clock, "today", lambda: deadline)
    assert days_overdue(problem, clock.today()) == 0  # on the deadline: not yet late
    monkeypatch.setattr(clock, "today", lambda: deadline + timedelta(days=3))
    assert days_overdue(problem, clock.today()) == 3
    later = clock.today()
    assert listing.figures(listing.ProblemFilter(), later).total.overdue == 1
    assert [p.id for p in listing.problem_page(listing.ProblemFilter(overdue=True), later).items] == [problem.id]
    take_step(problem, people["engineer"], Step.SUSPEND, {"reason": "暂缓"}, problem.version)
    assert days_overdue(problem, later) == 0  # a suspended problem waits


def test_figures_by_street_category_and_leader(project, people):
    other = make_project(code="ZP-2026-002", compound="九龙桂冠小区", community="九龙社区", street="菁城街道")
    first = raise_one(project, people["engineer"])
    raise_one(other, people["engineer"], category="funding")
    take_step(first, people["leader"], Step.TAKE_ON, {}, 1)
    take_step(first, people["leader"], Step.SOLVE, {"resolution": "已解决"}, first.version)
    found = listing.figures(listing.ProblemFilter(), today())
    assert (found.total.open, found.total.solved) == (1, 1)
    assert {t.label: (t.open, t.solved) for t in found.by_street} == {"桂林街道": (0, 1), "菁城街道": (1, 0)}
    assert {t.label: (t.open, t.solved) for t in found.by_category} == {"utilities": (0, 1), "funding": (1, 0)}
    assert {t.label: (t.open, t.solved) for t in found.by_leader} == {"leader": (0, 1), "": (1, 0)}
    only = listing.figures(listing.ProblemFilter(category="funding"), today())
    assert (only.total.open, only.total.solved) == (1, 0)


def test_blocking_problems_by_stage(project, people):
    blocking = raise_one(project, people["engineer"])
    raise_one(project, people["engineer"], stage=None, title="资金拨付慢", category="funding")
    found = listing.blocking_by_stage(listing.project_problems(project.id))
    assert {key: [p.id for p in problems] for key, problems in found.items()} == {"rain_sewage": [blocking.id]}
