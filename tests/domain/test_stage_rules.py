"""The rules a construction engineer expects of a stage change (renovation.domain.stages.rules).

Each test proposes one stage change on a project and checks which fields are refused. Messages
are lazy translations: they are compared as text under ``force_locale("en")`` for a few rules,
the rest assert the refused field, which does not depend on the language.
"""
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from renovation.domain.stages.keys import DONE, STAGE_ORDER, STARTED_STATUSES, StageKey, Status
from renovation.domain.stages.rules import StageState, stage_errors
from renovation.domain.stages.schedule import (
    current_stage,
    days_behind,
    next_deadline,
    overall_progress,
    stage_days_behind,
)

TODAY = date(2026, 6, 15)
YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)

SURVEY, PIPES, FACADE, PAVING, ACCEPTANCE = STAGE_ORDER


def stage(key, status=Status.NOT_STARTED, percent=None, start=None, end=None, note=""):
    """A stage that is consistent on its own unless the test says otherwise."""
    started = status in STARTED_STATUSES
    if percent is None:
        percent = 100 if status == Status.COMPLETED else 40 if started else 0
    if start is None and started:
        start = TODAY - timedelta(days=60)
    if end is None and status == Status.COMPLETED:
        end = TODAY - timedelta(days=5)
    if status == Status.SUSPENDED and not note:
        note = "燃气管线迁改协调中。"
    return StageState(key=key, status=status, percent=percent, actual_start=start, actual_end=end,
                      note=note)


def project(**statuses):
    """The five stages of a project; keyword arguments give a status per stage key."""
    return {key: stage(key, statuses.get(key, Status.NOT_STARTED)) for key in STAGE_ORDER}


def errors_for(proposed, stages, today=TODAY):
    return stage_errors(proposed, stages, today)


def english(errors):
    with force_locale("en"):
        return {field: str(message) for field, message in errors.items()}


# --- survey before construction ------------------------------------------------------------

@pytest.mark.parametrize("key", [PIPES, FACADE, PAVING])
@pytest.mark.parametrize("status", [Status.IN_PROGRESS, Status.SUSPENDED, Status.COMPLETED])
@pytest.mark.parametrize("survey_status", [Status.NOT_STARTED, Status.IN_PROGRESS])
def test_construction_cannot_start_before_the_survey_is_completed(app, key, status, survey_status):
    stages = project(survey=survey_status, rain_sewage=Status.NOT_APPLICABLE)
    errors = errors_for(stage(key, status), stages)
    assert set(errors) == {"status"}


def test_starting_facade_during_the_survey_says_why(app):
    errors = errors_for(stage(FACADE, Status.IN_PROGRESS), project(survey=Status.IN_PROGRESS))
    assert "survey" in english(errors)["status"].lower()


@pytest.mark.parametrize("key", [PIPES, FACADE, PAVING])
def test_construction_may_start_once_the_survey_is_completed(app, key):
    assert errors_for(stage(key, Status.IN_PROGRESS), project(survey=Status.COMPLETED)) == {}


@pytest.mark.parametrize("undone", [Status.IN_PROGRESS, Status.NOT_STARTED])
def test_undoing_a_completed_survey_is_refused_once_construction_started(app, undone):
    stages = project(survey=Status.COMPLETED, facade=Status.IN_PROGRESS)
    errors = errors_for(stage(SURVEY, undone), stages)
    assert set(errors) == {"status"}
    assert "Facade renovation" in english(errors)["status"]


def test_undoing_the_survey_is_allowed_before_construction(app):
    stages = project(survey=Status.COMPLETED)
    assert errors_for(stage(SURVEY, Status.IN_PROGRESS), stages) == {}


# --- paving after the pipes ----------------------------------------------------------------

@pytest.mark.parametrize("pipes", [Status.NOT_STARTED, Status.IN_PROGRESS, Status.SUSPENDED])
def test_paving_cannot_be_completed_before_the_pipes(app, pipes):
    stages = project(survey=Status.COMPLETED, rain_sewage=pipes)
    errors = errors_for(stage(PAVING, Status.COMPLETED), stages)
    assert set(errors) == {"status"}
    assert "pipes lie under the road" in english(errors)["status"]


@pytest.mark.parametrize("pipes", [Status.COMPLETED, Status.NOT_APPLICABLE])
def test_paving_may_be_completed_after_the_pipes_or_without_them(app, pipes):
    stages = project(survey=Status.COMPLETED, rain_sewage=pipes)
    assert errors_for(stage(PAVING, Status.COMPLETED), stages) == {}


def test_paving_may_be_under_way_while_the_pipes_are_laid(app):
    stages = project(survey=Status.COMPLETED, rain_sewage=Status.IN_PROGRESS)
    assert errors_for(stage(PAVING, Status.IN_PROGRESS), stages) == {}


def test_pipes_cannot_be_reopened_under_a_completed_road(app):
    stages = project(survey=Status.COMPLETED, rain_sewage=Status.COMPLETED, paving=Status.COMPLETED)
    errors = errors_for(stage(PIPES, Status.IN_PROGRESS), stages)
    assert set(errors) == {"status"}


# --- acceptance last -----------------------------------------------------------------------

ALL_DONE = {key: Status.COMPLETED for key in STAGE_ORDER[:-1]}


@pytest.mark.parametrize("acceptance", [Status.IN_PROGRESS, Status.COMPLETED, Status.SUSPENDED])
def test_acceptance_starts_when_every_other_stage_is_completed(app, acceptance):
    assert errors_for(stage(ACCEPTANCE, acceptance), project(**ALL_DONE)) == {}


@pytest.mark.parametrize("key", [PIPES, FACADE, PAVING])
def test_acceptance_skips_stages_that_do_not_apply(app, key):
    stages = project(**{**ALL_DONE, key: Status.NOT_APPLICABLE})
    assert errors_for(stage(ACCEPTANCE, Status.IN_PROGRESS), stages) == {}


@pytest.mark.parametrize("unfinished", [SURVEY, PIPES, FACADE, PAVING])
@pytest.mark.parametrize("status", [Status.NOT_STARTED, Status.IN_PROGRESS, Status.SUSPENDED])
def test_acceptance_is_refused_while_any_stage_is_unfinished(app, unfinished, status):
    stages = project(**{**ALL_DONE, unfinished: status})
    errors = errors_for(stage(ACCEPTANCE, Status.IN_PROGRESS), stages)
    assert set(errors) == {"status"}


def test_acceptance_refusal_names_the_unfinished_stages(app):
    stages = project(survey=Status.COMPLETED, rain_sewage=Status.COMPLETED,
                     facade=Status.IN_PROGRESS, paving=Status.IN_PROGRESS)
    message = english(errors_for(stage(ACCEPTANCE, Status.IN_PROGRESS), stages))["status"]
    assert "Facade renovation" in message and "Road paving" in message
    assert "Survey" not in message


def test_acceptance_refusal_needs_no_request(app):
    """Scripts and CLI commands check rules too: there is no request to pick a language."""
    stages = project(survey=Status.COMPLETED, facade=Status.IN_PROGRESS)
    assert set(errors_for(stage(ACCEPTANCE, Status.IN_PROGRESS), stages)) == {"status"}


def test_a_completed_stage_cannot_be_reopened_once_acceptance_started(app):
    stages = project(**ALL_DONE, acceptance=Status.IN_PROGRESS)
    assert set(errors_for(stage(FACADE, Status.IN_PROGRESS), stages)) == {"status"}


def test_acceptance_may_be_reset_to_not_started(app):
    stages = project(survey=Status.COMPLETED, facade=Status.IN_PROGRESS)
    assert errors_for(stage(ACCEPTANCE, Status.NOT_STARTED), stages) == {}


# --- percent and status --------------------------------------------------------------------

@pytest.mark.parametrize("status", [Status.IN_PROGRESS, Status.SUSPENDED])
def test_hundred_percent_means_completed(app, status):
    stages = project(survey=Status.COMPLETED)
    errors = errors_for(stage(FACADE, status, percent=100), stages)
    assert set(errors) == {"percent"}
    assert "completed" in english(errors)["percent"]


@pytest.mark.parametrize("percent", [0, 99])
def test_completed_means_hundred_percent(app, percent):
    stages = project(survey=Status.COMPLETED)
    assert set(errors_for(stage(FACADE, Status.COMPLETED, percent=percent), stages)) == {"percent"}


@pytest.mark.parametrize("percent", [-1, 101, 250])
def test_percent_out_of_range_is_refused(app, percent):
    stages = project(survey=Status.COMPLETED)
    errors = errors_for(stage(FACADE, Status.IN_PROGRESS, percent=percent), stages)
    assert set(errors) == {"percent"}


@pytest.mark.parametrize("percent", [0, 1, 99])
def test_percent_of_work_under_way(app, percent):
    stages = project(survey=Status.COMPLETED)
    assert errors_for(stage(FACADE, Status.IN_PROGRESS, percent=percent), stages) == {}


@pytest.mark.parametrize("status", [Status.NOT_STARTED, Status.NOT_APPLICABLE])
def test_work_not_started_is_zero_percent(app, status):
    assert set(errors_for(stage(FACADE, status, percent=10), project())) == {"percent"}


@pytest.mark.parametrize("status", [Status.NOT_STARTED, Status.NOT_APPLICABLE])
def test_work_not_started_has_no_actual_dates(app, status):
    errors = errors_for(stage(FACADE, status, start=YESTERDAY), project())
    assert set(errors) == {"actual_start"}
    errors = errors_for(stage(FACADE, status, start=YESTERDAY, end=TODAY), project())
    assert set(errors) == {"actual_start", "actual_end"}


@pytest.mark.parametrize("key", [SURVEY, ACCEPTANCE])
def test_survey_and_acceptance_always_apply(app, key):
    assert set(errors_for(stage(key, Status.NOT_APPLICABLE), project())) == {"status"}


@pytest.mark.parametrize("key", [PIPES, FACADE, PAVING])
def test_construction_stages_may_not_apply(app, key):
    assert errors_for(stage(key, Status.NOT_APPLICABLE), project()) == {}


def test_unknown_status_is_refused(app):
    assert set(errors_for(stage(SURVEY, "finished"), project())) == {"status"}


# --- actual dates --------------------------------------------------------------------------

@pytest.mark.parametrize("status", [Status.IN_PROGRESS, Status.SUSPENDED, Status.COMPLETED])
def test_work_under_way_has_an_actual_start(app, status):
    proposed = stage(SURVEY, status).with_changes(actual_start=None)
    assert "actual_start" in errors_for(proposed, project())


def test_completed_work_has_an_actual_end(app):
    proposed = stage(SURVEY, Status.COMPLETED).with_changes(actual_end=None)
    assert set(errors_for(proposed, project())) == {"actual_end"}


@pytest.mark.parametrize("status", [Status.IN_PROGRESS, Status.SUSPENDED])
def test_only_completed_work_has_an_actual_end(app, status):
    assert set(errors_for(stage(SURVEY, status, end=YESTERDAY), project())) == {"actual_end"}


def test_actual_end_before_actual_start_is_refused(app):
    proposed = stage(SURVEY, Status.COMPLETED, start=YESTERDAY, end=YESTERDAY - timedelta(days=1))
    errors = errors_for(proposed, project())
    assert set(errors) == {"actual_end"}
    assert "before the actual start" in english(errors)["actual_end"]


def test_a_stage_may_start_and_end_on_the_same_day(app):
    proposed = stage(SURVEY, Status.COMPLETED, start=YESTERDAY, end=YESTERDAY)
    assert errors_for(proposed, project()) == {}


def test_actual_start_tomorrow_is_refused_today_allowed(app):
    errors = errors_for(stage(SURVEY, Status.IN_PROGRESS, start=TOMORROW), project())
    assert set(errors) == {"actual_start"}
    assert errors_for(stage(SURVEY, Status.IN_PROGRESS, start=TODAY), project()) == {}


def test_actual_end_tomorrow_is_refused_today_allowed(app):
    errors = errors_for(stage(SURVEY, Status.COMPLETED, end=TOMORROW), project())
    assert set(errors) == {"actual_end"}
    assert "future" in english(errors)["actual_end"]
    assert errors_for(stage(SURVEY, Status.COMPLETED, end=TODAY), project()) == {}


def test_the_future_is_measured_from_the_given_today(app):
    proposed = stage(SURVEY, Status.IN_PROGRESS, start=TOMORROW)
    assert errors_for(proposed, project(), today=TOMORROW) == {}


# --- suspension ----------------------------------------------------------------------------

@pytest.mark.parametrize("note", ["", "   \n"])
def test_suspension_needs_a_reason(app, note):
    stages = project(survey=Status.COMPLETED)
    proposed = stage(FACADE, Status.SUSPENDED).with_changes(note=note)
    errors = errors_for(proposed, stages)
    assert set(errors) == {"note"}
    assert "reason" in english(errors)["note"]


def test_suspension_with_a_reason_is_accepted(app):
    stages = project(survey=Status.COMPLETED)
    assert errors_for(stage(FACADE, Status.SUSPENDED, note="雨季停工。"), stages) == {}


def test_several_broken_rules_are_all_reported(app):
    proposed = StageState(key=SURVEY, status=Status.SUSPENDED, percent=100,
                          actual_start=TOMORROW, note="")
    assert set(errors_for(proposed, project())) == {"percent", "actual_start", "note"}


# --- property: what the rules allow, the schedule can summarise ----------------------------

def _dates(draw, status):
    if status not in STARTED_STATUSES:
        return None, None
    start = TODAY - timedelta(days=draw(st.integers(0, 400)))
    if status != Status.COMPLETED:
        return start, None
    return start, start + timedelta(days=draw(st.integers(0, (TODAY - start).days)))


@st.composite
def project_states(draw):
    """Random stages, each consistent on its own; the order rules are left to chance."""
    stages = {}
    for key in STAGE_ORDER:
        # Completed is drawn more often so that late stages and finished projects come up.
        choices = [*Status, Status.COMPLETED, Status.COMPLETED]
        if key in (SURVEY, ACCEPTANCE):
            choices.remove(Status.NOT_APPLICABLE)
        status = draw(st.sampled_from(choices))
        if status in STARTED_STATUSES and status != Status.COMPLETED:
            percent = draw(st.integers(0, 99))
        else:
            percent = 100 if status == Status.COMPLETED else 0
        start, end = _dates(draw, status)
        planned_start = TODAY + timedelta(days=draw(st.integers(-300, 300)))
        stages[key] = StageState(
            key=key, status=status, percent=percent, actual_start=start, actual_end=end,
            note="雨季停工。" if status == Status.SUSPENDED else "",
            planned_start=planned_start,
            planned_end=planned_start + timedelta(days=draw(st.integers(0, 120))),
        )
    return stages


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
@given(stages=project_states())
def test_projects_the_rules_allow_have_a_sound_summary(app, stages):
    with force_locale("en"):
        assume(all(stage_errors(state, stages, TODAY) == {} for state in stages.values()))
    states = list(stages.values())
    progress = overall_progress(states)
    current = current_stage(states)
    applicable = [state for state in states if state.status != Status.NOT_APPLICABLE]

    assert 0 <= progress <= 100
    # 100% overall exactly when every applicable stage is completed, and then nothing is behind.
    assert (progress == 100) == (current == DONE)
    if current == DONE:
        assert next_deadline(states) is None
        assert days_behind(next_deadline(states), TODAY) == 0
    else:
        # The current stage is the first applicable stage not completed; all before it are.
        assert stages[current].status not in (Status.COMPLETED, Status.NOT_APPLICABLE)
        before = STAGE_ORDER[:STAGE_ORDER.index(StageKey(current))]
        finished = (Status.COMPLETED, Status.NOT_APPLICABLE)
        assert all(stages[key].status in finished for key in before)
    # Construction under way means the survey is done; acceptance is under way only at the end.
    if any(stages[key].status in STARTED_STATUSES for key in (PIPES, FACADE, PAVING)):
        assert stages[SURVEY].status == Status.COMPLETED
    if stages[ACCEPTANCE].status in STARTED_STATUSES:
        assert current in (ACCEPTANCE, DONE)
    if stages[PAVING].status == Status.COMPLETED:
        assert stages[PIPES].status in (Status.COMPLETED, Status.NOT_APPLICABLE)
    # The project is as far behind as its worst stage.
    assert days_behind(next_deadline(states), TODAY) == max(
        stage_days_behind(state, TODAY) for state in states
    )
    # The mean of the applicable stages, within rounding; 0% only before any work.
    mean = sum(state.percent for state in applicable) / len(applicable)
    assert abs(progress - mean) < 1
    assert (progress == 0) == (mean == 0)
