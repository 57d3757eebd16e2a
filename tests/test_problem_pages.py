"""Problem pages: the project section and its stage cards, raising a problem (htmx and full page),
a problem's page with the steps each role may take, errors beside the fields, stale versions,
overdue in red with a moved clock, and the list with its filters and figures."""
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from renovation.domain import clock
from renovation.domain.clock import today
from renovation.domain.photos.operations import add_photo
from renovation.domain.problems.flow import Step
from renovation.domain.problems.operations import raise_problem, take_step
from renovation.extensions import db
from renovation.models import Problem
from tests.conftest import count_statements, login, make_project, make_user
from tests.domain.photo_samples import jpeg
from tests.test_permissions import database_state

HTMX = {"HX-Request": "true"}


@pytest.fixture
def people(app, project):
    make_project("ZP-2026-002", compound="九龙桂冠小区", community="九龙社区", street="菁城街道")
    return {"admin": make_user("admin", "admin"), "engineer": make_user("engineer", "engineer"),
            "committee": make_user("committee", "committee", community="铁路社区"),
            "other_committee": make_user("other_committee", "committee", community="九龙社区"),
            "leader": make_user("leader", "leader"), "zhang": make_user("zhang", "leader")}


def form(**values) -> dict:
    return {"title": "燃气管线迁改", "category": "utilities", "description": "3号楼前燃气管线需迁改",
            "stage": "rain_sewage", "departments": ["漳平市燃气公司", "市住房和城乡建设局"],
            "proposal": "请燃气公司先行迁改", "deadline": (today() + timedelta(days=10)).isoformat(), **values}


def a_problem(project, user, **values):
    values = form(**values)
    return raise_problem(project, user, {**values, "deadline": today() + timedelta(days=10), "photos": []})


def stored() -> list[Problem]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Problem).order_by(Problem.id)))


def test_an_engineer_raises_a_problem_with_a_photo_from_the_project_page(client, project, people):
    photo = add_photo(project, people["engineer"], "燃气管.jpg", io.BytesIO(jpeg(seed=3)), "before", "rain_sewage")
    login(client, "engineer")
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert 'id="problems"' in page and 'href="#problems"' in page
    blank = client.get(f"/projects/{project.code}/problems/new", headers=HTMX).get_data(as_text=True)
    assert "<html" not in blank and 'name="title"' in blank and 'value="漳平市燃气公司"' in blank
    assert f'/photos/{photo.id}/thumbnail' in blank
    answer = client.post(f"/projects/{project.code}/problems", data=form(photos=[str(photo.id)]), headers=HTMX)
    assert answer.status_code == 200 and answer.headers["HX-Trigger"] == "problemsChanged"
    assert "燃气管线迁改" in answer.get_data(as_text=True)
    # The card of the stage it blocks comes along, out of band: it now names the problem.
    assert '<article class="stage-card status-not_started" id="stage-rain_sewage" hx-swap-oob="true">' in \
        answer.get_data(as_text=True)
    [problem] = stored()
    assert (problem.status, problem.departments, [p.id for p in problem.photos]) == (
        "open", ["漳平市燃气公司", "市住房和城乡建设局"], [photo.id])
    # The stage it blocks says so on its card.
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    card = re.search(r'<article class="stage-card[^"]*" id="stage-rain_sewage">.*?</article>', page, re.S).group(0)
    assert f'/problems/{problem.id}' in card and "燃气管线迁改" in card


def test_a_refused_raise_keeps_the_input_with_errors_beside_the_fields(client, project, people):
    login(client, "committee")
    answer = client.post(f"/projects/{project.code}/problems", data=form(title=""), headers=HTMX)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'id="raise-title-error"' in html and "3号楼前燃气管线需迁改" in html
    assert re.search(r'value="漳平市燃气公司" checked', html) and not re.search(r'value="市财政局" checked', html)
    past = client.post(f"/projects/{project.code}/problems", data=form(deadline="2020-01-01"), headers=HTMX)
    assert past.status_code == 422 and 'id="raise-deadline-error"' in past.get_data(as_text=True)
    assert stored() == []
    page = client.post(f"/projects/{project.code}/problems", data=form(title=""))
    assert page.status_code == 422 and "<h1>" in page.get_data(as_text=True)


def test_a_full_page_raise_goes_to_the_problem(client, project, people):
    login(client, "engineer")
    answer = client.post(f"/projects/{project.code}/problems", data=form())
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/problems/{stored()[0].id}")


@pytest.mark.parametrize("role, status", [("admin", 303), ("engineer", 303), ("committee", 303),
                                          ("other_committee", 403), ("leader", 403)])
def test_who_may_raise_on_the_page(client, project, people, role, status):
    login(client, role)
    before = database_state()
    assert client.post(f"/projects/{project.code}/problems", data=form()).status_code == status
    assert (database_state() != before) == (status == 303)


STEP_FORMS = {  # who sees which step forms on an open problem, and once a leader has it
    "admin": (["assign", "suspend", "edit"], ["assign", "solve", "suspend", "edit"]),
    "engineer": (["assign", "suspend", "edit"], ["assign", "solve", "suspend", "edit"]),
    "committee": (["edit"], ["edit"]),
    "other_committee": ([], []),
    "leader": (["take_on"], ["solve", "suspend"]),
    "zhang": (["take_on"], []),
}


@pytest.mark.parametrize("role", STEP_FORMS)
def test_each_role_sees_the_steps_it_may_take(client, project, people, role):
    problem = a_problem(project, people["engineer"])
    login(client, role)

    def steps_shown():
        html = client.get(f"/problems/{problem.id}").get_data(as_text=True)
        return re.findall(rf'action="/problems/{problem.id}/(\w+)"', html)

    assert steps_shown() == STEP_FORMS[role][0]
    take_step(problem, people["leader"], Step.TAKE_ON, {}, problem.version)
    assert steps_shown() == STEP_FORMS[role][1]


def test_the_way_through_the_pages(client, project, people):
    problem = a_problem(project, people["committee"])
    login(client, "engineer")
    assigned = client.post(f"/problems/{problem.id}/assign", data={"leader": "leader", "version": "1"}, headers=HTMX)
    assert assigned.status_code == 200 and assigned.headers["HX-Trigger"] == "problemsChanged"
    assert "<html" not in assigned.get_data(as_text=True) and 'id="problem"' in assigned.get_data(as_text=True)
    client.post("/logout")
    login(client, "leader")
    refused = client.post(f"/problems/{problem.id}/solve", data={"resolution": "", "version": "2"}, headers=HTMX)
    assert refused.status_code == 422 and 'id="step-resolution-error"' in refused.get_data(as_text=True)
    solved = client.post(f"/problems/{problem.id}/solve", data={"resolution": "燃气公司已完成迁改", "version": "2"})
    assert solved.status_code == 303 and solved.headers["Location"].endswith(f"/problems/{problem.id}")
    html = client.get(f"/problems/{problem.id}").get_data(as_text=True)
    assert "燃气公司已完成迁改" in html and html.count('class="history problem-history"') == 1
    assert [p.status for p in stored()] == ["solved"]
    client.post("/logout")
    login(client, "committee")
    reopened = client.post(f"/problems/{problem.id}/reopen", data={"reason": "居民反映仍有异味", "version": "3"})
    assert reopened.status_code == 303
    assert (stored()[0].status, stored()[0].reason) == ("in_hand", "居民反映仍有异味")


def test_a_stale_step_answers_409_with_the_problem_as_it_is(client, project, people):
    problem = a_problem(project, people["engineer"])
    take_step(problem, people["leader"], Step.TAKE_ON, {}, 1)
    login(client, "engineer")
    answer = client.post(f"/problems/{problem.id}/suspend", data={"reason": "等资金", "version": "1"}, headers=HTMX)
    assert answer.status_code == 409
    assert 'role="alert"' in answer.get_data(as_text=True) and stored()[0].status == "in_hand"


@pytest.mark.parametrize("role, step, data", [
    ("leader", "assign", {"leader": "zhang"}), ("committee", "solve", {"resolution": "x"}),
    ("other_committee", "edit", form()), ("zhang", "solve", {"resolution": "x"}),
    ("committee", "assign", {"leader": "leader"}), ("other_committee", "reopen", {"reason": "x"}),
])
def test_refused_steps_change_nothing(client, project, people, role, step, data):
    problem = a_problem(project, people["engineer"])
    take_step(problem, people["leader"], Step.TAKE_ON, {}, 1)
    login(client, role)
    before = database_state()
    assert client.post(f"/problems/{problem.id}/{step}", data={**data, "version": "2"}).status_code == 403
    assert database_state() == before


def test_overdue_is_red_with_a_moved_clock(client, project, people, monkeypatch):
    problem = a_problem(project, people["engineer"])
    login(client, "leader")
    assert "badge-late" not in client.get(f"/problems/{problem.id}").get_data(as_text=True)
    monkeypatch.setattr(clock, "today", lambda: problem.deadline + timedelta(days=2))
    html = client.get(f"/problems/{problem.id}").get_data(as_text=True)
    assert 'class="problem overdue' in html and "badge-late" in html
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert f'class="problem-row overdue problem-open" id="problem-{problem.id}"' in page
    card = re.search(r'<article class="stage-card[^"]*" id="stage-rain_sewage">.*?</article>', page, re.S).group(0)
    assert '<li class="late">' in card
    listing = client.get("/problems?overdue=1").get_data(as_text=True)
    assert f'id="problem-{problem.id}"' in listing


def test_the_list_filters_and_counts(client, project, people):
    other = db.session.scalar(sa.select(type(project)).where(type(project).code == "ZP-2026-002"))
    first = a_problem(project, people["engineer"])
    a_problem(other, people["engineer"], category="funding", title="资金拨付滞后", stage="")
    take_step(first, people["leader"], Step.TAKE_ON, {}, 1)
    login(client, "committee")
    page = client.get("/problems").get_data(as_text=True)
    assert "燃气管线迁改" in page and "资金拨付滞后" in page
    assert re.search(r"<th scope=\"row\"><a [^>]*>桂林街道</a></th><td>1</td>", page)
    only = client.get("/problems?category=funding", headers=HTMX).get_data(as_text=True)
    assert "<html" not in only and "资金拨付滞后" in only and "燃气管线迁改" not in only
    leader_id = people["leader"].id
    mine = client.get(f"/problems?leader={leader_id}").get_data(as_text=True)
    assert "燃气管线迁改" in mine and "资金拨付滞后" not in mine
    street = client.get(f"/problems?street={other.compound.community.street_id}").get_data(as_text=True)
    assert "资金拨付滞后" in street and "燃气管线迁改" not in street
    assert client.get("/problems?status=nonsense&leader=abc").status_code == 200  # stale values: all


def test_the_list_reads_a_constant_number_of_queries(client, project, people):
    login(client, "engineer")
    a_problem(project, people["engineer"])
    client.get("/problems")  # the areas' choices and the user, kept after the first request
    with count_statements() as few:
        client.get("/problems")
    for number in range(5):
        a_problem(project, people["engineer"], title=f"问题{number}")
    with count_statements() as many:
        client.get("/problems")
    def problem_reads(statements):  # the user's session and the area lists are cached on their own terms
        return [s for s in statements if "problem" in s]

    assert len(problem_reads(many)) == len(problem_reads(few)) == 8


def test_a_leader_takes_an_open_problem_on_from_its_page(client, project, people):
    problem = a_problem(project, people["engineer"])
    login(client, "leader")
    answer = client.post(f"/problems/{problem.id}/take_on", data={"version": "1"}, headers=HTMX)
    assert answer.status_code == 200 and "flash-success" in answer.get_data(as_text=True)
    assert (stored()[0].status, stored()[0].leader.username) == ("in_hand", "leader")


def test_the_committee_edits_the_facts_of_its_own_problem(client, project, people):
    problem = a_problem(project, people["committee"])
    login(client, "committee")
    edited = client.post(f"/problems/{problem.id}/edit", data={**form(proposal="请住建局牵头协调", stage=""),
                                                                "version": "1"})
    assert edited.status_code == 303
    assert (stored()[0].proposal, stored()[0].stage_key) == ("请住建局牵头协调", None)
    history = client.get(f"/problems/{problem.id}").get_data(as_text=True)
    assert "请住建局牵头协调" in history and history.count("<li>") >= 2
    refused = client.post(f"/problems/{problem.id}/edit", data={**form(description=""), "version": "2"}, headers=HTMX)
    assert refused.status_code == 422 and 'id="edit-description-error"' in refused.get_data(as_text=True)
