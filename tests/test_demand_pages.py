"""Demand pages: the project section, raising and handling a demand (htmx and full-page), who may
write, stale versions, the overdue list and a constant number of queries."""

import re

import pytest
import sqlalchemy as sa

from renovation.domain.residents.demands import change_demand, raise_demand
from renovation.extensions import db
from renovation.models.consultations import Demand, DemandEvent
from tests.conftest import count_statements, days_ago, login, make_project, make_user
from tests.test_permissions import database_state

HTMX = {"HX-Request": "true"}


@pytest.fixture
def committee(app):
    return make_user("committee", "committee", community="铁路社区")


def _new(**values):
    return {"category": "parking", "text": "希望增设非机动车棚", "raised_by": "5号楼",
            "raised_on": days_ago(1).isoformat(), "consultation_id": "0", **values}


def _demands():
    db.session.expire_all()
    return db.session.scalars(sa.select(Demand).order_by(Demand.id)).all()


def test_committee_raises_two_demands_and_resolves_one(client, project, committee):
    login(client, "committee")
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert 'id="demands"' in page and 'class="demand-raise"' not in page  # asked for when 登记诉求 is opened
    new_url = f"/projects/{project.code}/demands/new"
    assert f'<div class="form-slot" hx-get="{new_url}" hx-trigger="toggle once from:closest details"' in page
    blank = client.get(new_url, headers=HTMX).get_data(as_text=True)
    assert "<html" not in blank and 'class="demand-raise"' in blank and 'name="text"' in blank
    assert 'class="demand-raise"' in client.get(new_url).get_data(as_text=True)  # without a script: a page
    first = client.post(f"/projects/{project.code}/demands", data=_new(), headers=HTMX)
    assert first.status_code == 200 and first.headers["HX-Trigger"] == "demandsChanged"
    assert "希望增设非机动车棚" in first.get_data(as_text=True)
    assert first.get_data(as_text=True).count("flash-success") == 1  # the section's, not every row's
    second = client.post(f"/projects/{project.code}/demands", data=_new(category="drainage", text="雨天积水"))
    assert second.status_code == 303
    assert second.headers["Location"].endswith(f"/projects/{project.code}#demands")
    first_demand, second_demand = _demands()
    assert (first_demand.category, second_demand.category) == ("parking", "drainage")

    url = f"/demands/{first_demand.id}/status"
    refused = client.post(url, data={"status": "resolved", "response": "", "reason": "", "assignee": "",
                                     "version": "1"}, headers=HTMX)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'class="field-error"' in html and 'aria-invalid="true"' in html
    assert _demands()[0].status == "pending"

    # The project page's rows ask for their fold (form and history) saying the page shows the figures;
    # the fold's form says so (hx-vals), so they come back with the row.
    fold_url = f"/demands/{first_demand.id}?fragment=more&figures=project"
    assert fold_url.replace("&", "&amp;") in client.get(f"/projects/{project.code}").get_data(as_text=True)
    fold = client.get(fold_url, headers=HTMX).get_data(as_text=True)
    assert """hx-vals='{"figures": "project"}'""" in fold and 'name="status"' in fold and "<html" not in fold
    assert "hx-vals" not in client.get(f"/demands/{first_demand.id}?fragment=more", headers=HTMX).get_data(
        as_text=True)  # asked for from elsewhere: no figures to bring back
    done = client.post(url, data={"status": "resolved", "response": "已在3号楼旁建车棚", "reason": "",
                                  "assignee": "王工", "version": "1", "figures": "project"}, headers=HTMX)
    assert done.status_code == 200
    assert f'id="demand-{first_demand.id}"' in done.get_data(as_text=True)
    assert "已在3号楼旁建车棚" in done.get_data(as_text=True)
    # The project's figures come along out of band: one resolved, one open.
    oob = done.get_data(as_text=True).split('hx-swap-oob="true"')[1]
    assert [cell.split("</dd>")[0] for cell in oob.split("<dd>")[1:5]] == ["2", "1", "0", "1"]
    # And so does the comparison below them (本项目 / 本社区 / 全市), which said "0 resolved" beside "1".
    compare = done.get_data(as_text=True).split(f'id="demand-compare-{project.id}" hx-swap-oob="true"')[1]
    rows = [re.findall(r"<td[^>]*>(\d+)", row)[:3] for row in compare.split("<tbody>")[1].split("</tr>")[:3]]
    assert rows == [["2", "1", "1"]] * 3  # received, resolved, open: the project is the whole community and city
    demand = _demands()[0]
    assert (demand.status, demand.response, demand.assignee) == ("resolved", "已在3号楼旁建车棚", "王工")
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert "已在3号楼旁建车棚" in page


def test_declined_without_reason_is_422_input_kept_nothing_saved(client, project, committee):
    demand = raise_demand(project, committee, {"category": "other", "text": "加装电梯", "raised_on": days_ago(2)})
    login(client, "committee")
    before = database_state()
    response = client.post(f"/demands/{demand.id}/status", data={"status": "declined", "reason": " ", "response": "",
                                                          "assignee": "李工", "version": "1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="d{demand.id}-reason-error"' in html
    assert 'value="李工"' in html
    assert database_state() == before


def test_raise_with_errors_keeps_input_and_saves_nothing(client, project, committee):
    login(client, "committee")
    before = database_state()
    future = _new(raised_on="2999-01-01", text="路灯不亮")
    response = client.post(f"/projects/{project.code}/demands", data=future, headers=HTMX)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "路灯不亮" in html and 'class="field-error"' in html
    assert database_state() == before
    page = client.post(f"/projects/{project.code}/demands", data=_new(text=""))
    assert page.status_code == 422 and "<html" in page.get_data(as_text=True)
    assert database_state() == before


# Each demand route for the committee of another community and a leader (refused writes change
# nothing) is in the permission matrix, tests/test_permissions.py; here the htmx side and the page.

def test_committee_of_another_community_is_offered_no_form_and_its_htmx_post_is_refused(client, project, committee):
    make_user("other", "committee", community="东城社区")
    raise_demand(project, committee, {"category": "other", "text": "加装电梯", "raised_on": days_ago(2)})
    login(client, "other")
    before = database_state()
    assert client.post(f"/projects/{project.code}/demands", data=_new(), headers=HTMX).status_code == 403
    assert database_state() == before
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert "demand-raise" not in page and "demand-form" not in page


def test_a_leaders_htmx_change_is_refused(client, project, committee):
    make_user("leader", "leader")
    demand = raise_demand(project, committee, {"category": "other", "text": "加装电梯", "raised_on": days_ago(2)})
    login(client, "leader")
    before = database_state()
    assert client.get("/demands").status_code == 200
    assert client.post(f"/demands/{demand.id}/status", data={"status": "in_progress", "version": "1"},
                       headers=HTMX).status_code == 403
    assert database_state() == before


def test_stale_version_is_a_conflict(client, project, committee, engineer):
    demand = raise_demand(project, committee, {"category": "other", "text": "加装电梯", "raised_on": days_ago(2)})
    change_demand(demand, engineer, {"assignee": "张工"}, 1)
    login(client, "committee")
    before = database_state()
    response = client.post(f"/demands/{demand.id}/status", data={"status": "in_progress", "assignee": "李工",
                                                          "response": "", "reason": "", "version": "1"},
                           headers=HTMX)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html and "李工" in html and 'value="张工"' in html and 'value="2"' in html
    assert database_state() == before


def test_closed_demand_cannot_be_reopened(client, project, committee):
    demand = raise_demand(project, committee, {"category": "other", "text": "加装电梯", "raised_on": days_ago(2)})
    change_demand(demand, committee, {"status": "resolved", "response": "已完成"}, 1)
    login(client, "committee")
    before = database_state()
    response = client.post(f"/demands/{demand.id}/status", data={"status": "pending", "version": "2"}, headers=HTMX)
    assert response.status_code == 422
    assert database_state() == before


def test_engineer_sees_every_overdue_demand_at_a_glance(client, project, committee, engineer):
    other = make_project(code="ZP-2026-002", compound="东门小区", community="东城社区", street="菁城街道")
    for target, age, text in ((project, 16, "逾期一"), (project, 15, "未逾期"), (other, 30, "逾期二")):
        raise_demand(target, engineer, {"category": "lighting", "text": text, "raised_on": days_ago(age)})
    login(client)
    page = client.get("/projects").get_data(as_text=True)
    assert 'href="/demands"' in page
    listing = client.get("/demands").get_data(as_text=True)
    assert 'href="/demands?overdue=1"' in listing
    assert 'class="demand-by-community"' in listing and "东城社区" in listing
    overdue = client.get("/demands?overdue=1").get_data(as_text=True)
    assert "逾期一" in overdue and "逾期二" in overdue and "未逾期" not in overdue
    assert overdue.count('class="demand overdue') == 2
    fragment = client.get(f"/demands?overdue=1&community={other.compound.community_id}", headers=HTMX)
    html = fragment.get_data(as_text=True)
    assert "<html" not in html and "逾期二" in html and "逾期一" not in html
    assert client.get("/demands?status=bogus&street=x").status_code == 200


def test_project_section_shows_overdue_in_red_with_days(client, project, committee):
    raise_demand(project, committee, {"category": "greening", "text": "补种绿化", "raised_on": days_ago(18)})
    login(client, "committee")
    html = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert 'class="demand overdue' in html
    compared = html.split('class="demand-compare"')[1].split("</table>")[0]
    assert "铁路社区" in compared and f"/demands?community={project.compound.community_id}" in compared
    assert "3" in html.split('class="badge badge-late"')[-1][:60]


def _measure(client, url):
    db.session.expire_all()
    with count_statements() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_pages_take_a_constant_number_of_queries(client, project, committee):
    login(client, "committee")
    for _ in range(2):
        raise_demand(project, committee, {"category": "other", "text": "加装电梯", "raised_on": days_ago(20)})
    client.get("/demands?community=0")  # the filter's streets and communities are read once (domain/area_lists.py)
    few = (_measure(client, f"/projects/{project.code}"), _measure(client, "/demands?community=0"))
    for index in range(25):
        demand = raise_demand(project, committee, {"category": "parking", "text": f"诉求{index}",
                                                   "raised_on": days_ago(index)})
        change_demand(demand, committee, {"status": "in_progress", "assignee": f"工{index}"}, 1)
    assert (_measure(client, f"/projects/{project.code}"), _measure(client, "/demands?community=0")) == few
    assert db.session.scalar(sa.select(sa.func.count(DemandEvent.id))) == 52


def test_the_list_figures_follow_a_demand_handled_on_the_list(client, project, committee):
    demand = raise_demand(project, committee, {"category": "lighting", "text": "楼道灯不亮", "raised_on": days_ago(20)})
    login(client, "committee")
    page = client.get("/demands?category=lighting").get_data(as_text=True)
    assert 'hx-trigger="demandsChanged from:body"' in page
    figures_url = page.split('id="demand-list-figures" hx-get="')[1].split('"')[0].replace("&amp;", "&")
    assert "category=lighting" in figures_url and "fragment=figures" in figures_url

    def resolved_and_overdue() -> tuple[str, str]:
        html = client.get(figures_url, headers=HTMX).get_data(as_text=True)
        assert html.lstrip().startswith('<div id="demand-list-figures"') and "楼道灯不亮" not in html
        cells = [cell.split("</dd>")[0] for cell in html.split("<dd>")[1:]]
        return cells[1], cells[4]

    assert resolved_and_overdue() == ("0", "1")
    done = client.post(f"/demands/{demand.id}/status", headers=HTMX, data={
        "status": "resolved", "response": "已更换灯具", "reason": "", "assignee": "", "version": "1"})
    assert done.headers["HX-Trigger"] == "demandsChanged"
    assert resolved_and_overdue() == ("1", "0")
    assert client.get(figures_url).status_code == 200  # without htmx: the whole page
