"""Saving a demand answers the row, and the project's figures out of band only to the page that shows
them: the demands list, a consultation's page and a demand's own page have no figures, and htmx logs
``htmx:oobErrorNoTarget`` for every out-of-band element it cannot place."""

import json

import pytest

from renovation.domain.residents.consultations import add_consultation
from renovation.domain.residents.demands import raise_demand
from tests.conftest import days_ago, login
from tests.test_html_defects import tags

HTMX = {"HX-Request": "true"}


def _ids(html: str) -> set[str]:
    return {attrs["id"] for _tag, attrs in tags(html) if attrs.get("id")}


def _out_of_band_ids(html: str) -> list[str]:
    return [attrs.get("id", "") for _tag, attrs in tags(html) if "hx-swap-oob" in attrs]


def _save_as_the_page_does(client, fragment: str, demand_id: int, version: int = 1):
    """Post the demand's status form as htmx would from ``fragment``: its fields plus its hx-vals."""
    form = next(attrs for tag, attrs in tags(fragment)
                if tag == "form" and attrs.get("hx-post") == f"/demands/{demand_id}/status")
    data = {"status": "in_progress", "response": "已联系物业", "reason": "", "assignee": "王工",
            "version": str(version), **json.loads(form.get("hx-vals") or "{}")}
    response = client.post(form["hx-post"], data=data, headers=HTMX)
    assert response.status_code == 200 and "已联系物业" in response.get_data(as_text=True)
    return response.get_data(as_text=True)


@pytest.fixture
def demand(project, engineer):
    consultation = add_consultation(project, engineer, {"date": days_ago(3), "kind": "council_meeting",
                                                        "topic": "加装电梯"}, None)
    return raise_demand(project, engineer, {"category": "parking", "text": "希望增设非机动车棚",
                                            "raised_on": days_ago(1), "consultation_id": consultation.id})


def test_a_save_from_the_demands_list_brings_nothing_the_list_cannot_place(client, demand):
    login(client)
    page = client.get("/demands").get_data(as_text=True)
    row = client.get(f"/demands/{demand.id}?fragment=row", headers=HTMX).get_data(as_text=True)  # "处理和记录"
    answer = _save_as_the_page_does(client, row, demand.id)
    assert f'id="demand-{demand.id}"' in answer
    assert _out_of_band_ids(answer) == []
    assert f"demand-{demand.id}" in _ids(page)


@pytest.mark.parametrize("where", ["consultation", "demand"])
def test_a_save_from_a_consultation_or_the_demand_page_brings_no_figures(client, demand, where):
    login(client)
    url = f"/consultations/{demand.consultation_id}" if where == "consultation" else f"/demands/{demand.id}"
    page = client.get(url).get_data(as_text=True)
    answer = _save_as_the_page_does(client, page, demand.id)
    assert _out_of_band_ids(answer) == []


def _fold_as_the_page_opens_it(client, page: str, demand_id: int) -> str:
    """What the project page's row asks for when its fold (办理与记录) is opened: the form and history."""
    slot = next(attrs for _tag, attrs in tags(page)
                if attrs.get("hx-get", "").startswith(f"/demands/{demand_id}?fragment=more"))
    fold = client.get(slot["hx-get"], headers=HTMX)
    assert fold.status_code == 200 and "<html" not in fold.get_data(as_text=True)
    return fold.get_data(as_text=True)


def test_the_project_page_gets_its_figures_back_and_every_one_has_its_place(client, project, demand):
    login(client)
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert "/status" not in page  # the rows' forms come when their folds are opened
    answer = _save_as_the_page_does(client, _fold_as_the_page_opens_it(client, page, demand.id), demand.id)
    placed = _out_of_band_ids(answer)
    assert placed == [f"demand-figures-{project.id}", f"demand-compare-{project.id}"]
    assert set(placed) <= _ids(page)
    # The saved row asks for them again on its next save.
    assert _out_of_band_ids(_save_as_the_page_does(client, answer, demand.id, version=2))
