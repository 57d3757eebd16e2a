"""The consultation form that fits the task: the vote block only when a vote was taken, required
fields marked, and the outcome computed by the server as the figures are typed."""
import re

import pytest

from renovation.domain.residents.consultations import vote_outcome
from tests.conftest import login, make_project, make_user
from tests.test_consultation_pages import CODE, HX, ONE_OWNER_TURNS, PASSING_VOTE, meeting, post, saved

OUTCOME = f"/projects/{CODE}/consultations/vote-outcome"


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


@pytest.fixture
def committee_client(client):
    make_project(CODE)
    make_user("committee", "committee", community="铁路社区")
    assert login(client, "committee").status_code == 303
    return client


def form_of(html: str) -> str:
    return re.search(r'<form[^>]*class="consultation-form".*?</form>', html, re.S).group(0)


def opened_form(client) -> str:
    """The blank form the project page asks for when 添加协商 is opened (htmx, on the toggle)."""
    page = client.get(f"/projects/{CODE}").get_data(as_text=True)
    slot = re.search(r'<details class="add-consultation">.*?<div class="form-slot" hx-get="([^"]+)" '
                     r'hx-trigger="toggle once from:closest details" hx-swap="outerHTML"', page, re.S)
    answer = client.get(slot.group(1), headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in answer
    return form_of(answer)


def test_the_vote_block_is_behind_the_checkbox_and_asks_the_server_as_figures_are_typed(committee_client):
    form = opened_form(committee_client)
    fieldset = re.search(r'<fieldset class="vote-fieldset"[^>]*>', form).group(0)
    assert f'hx-post="{OUTCOME}"' in fieldset
    assert 'hx-trigger="input changed delay:300ms"' in fieldset
    assert re.search(r'<input[^>]*class="vote-toggle"[^>]*name="has_vote"', form)
    assert 'checked' not in re.search(r'<input[^>]*name="has_vote"[^>]*>', form).group(0)
    # The figures sit in the block the checkbox reveals (a rule of app.css, so no script is needed).
    body = form[form.index('class="vote-body"'):]
    assert 'name="vote-participating_owners"' in body and 'id="vote-outcome"' in body


def test_required_fields_are_marked(committee_client):
    form = opened_form(committee_client)
    for name in ("date", "topic"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', form).group(0)
        assert "required" in tag and 'aria-required="true"' in tag, tag
    for name in ("vote-matter", "vote-total_owners", "vote-participating_area", "vote-agree_owners"):
        assert 'aria-required="true"' in re.search(rf'<input[^>]*name="{name}"[^>]*>', form).group(0), name
    assert 'aria-required="true"' not in re.search(r'<input[^>]*name="vote-oppose_owners"[^>]*>', form).group(0)
    assert "Fields marked * are required." in form


def test_the_outcome_follows_the_figures_as_they_are_typed(committee_client):
    passing = committee_client.post(OUTCOME, data=PASSING_VOTE, headers=HX)
    assert passing.status_code == 200
    html = passing.get_data(as_text=True)
    # The verdict goes, out of band, into the line above the figures; the conditions below them.
    verdict, conditions = html.split('<div id="vote-outcome"')
    assert verdict.lstrip().startswith('<p id="vote-verdict"') and 'hx-swap-oob="innerHTML"' in verdict
    assert 'data-outcome="passed"' in verdict and "Passed" in verdict
    assert "Quorum by area" in conditions and "≥ 66.67%" in conditions
    assert "Agreement by owners" in conditions and "75.00%" in conditions
    turned = committee_client.post(OUTCOME, data=ONE_OWNER_TURNS, headers=HX).get_data(as_text=True)
    assert 'data-outcome="failed"' in turned and "Not passed" in turned and "73.75%" in turned
    assert saved() == []  # nothing is stored by asking


def test_incomplete_or_mistyped_figures_say_what_is_missing(committee_client):
    partial = {"has_vote": "y", "vote-matter_class": "special", "vote-total_owners": "120", "vote-total_area": "9000"}
    html = committee_client.post(OUTCOME, data=partial, headers=HX).get_data(as_text=True)
    assert "data-outcome" not in html
    assert "Owners taking part: Enter the number of owners." in html
    typo = committee_client.post(OUTCOME, data={**PASSING_VOTE, "vote-agree_owners": "六十"}, headers=HX)
    assert "Owners agreeing:" in typo.get_data(as_text=True)
    assert "data-outcome" not in typo.get_data(as_text=True)


def test_no_vote_no_outcome(committee_client):
    html = committee_client.post(OUTCOME, data={"vote-total_owners": "120"}, headers=HX).get_data(as_text=True)
    assert "data-outcome" not in html and "<li>" not in html


def test_a_leader_may_not_ask(client):
    make_project(CODE)
    make_user("leader", "leader")
    assert login(client, "leader").status_code == 303
    assert client.post(OUTCOME, data=PASSING_VOTE, headers=HX).status_code == 403


def test_a_refused_save_shows_the_outcome_beside_the_figures(committee_client):
    response = post(committee_client, meeting(topic="", **ONE_OWNER_TURNS))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-outcome="failed"' in html
    assert re.search(r'<input[^>]*checked[^>]*name="has_vote"|<input[^>]*name="has_vote"[^>]*checked', html)


def test_the_domain_outcome_is_the_saving_rule(app):
    assert vote_outcome(None) is None
    values = {key.removeprefix("vote-"): value for key, value in PASSING_VOTE.items() if key.startswith("vote-")}
    figures = {name: (int(value) if name.endswith("_owners") else value) for name, value in values.items()}
    assert vote_outcome(figures).decision.passed is True
    assert vote_outcome({**figures, "participating_owners": None}).decision is None
