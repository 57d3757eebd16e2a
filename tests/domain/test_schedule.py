"""Overall progress, current stage and delay of a project (renovation.domain.stages.schedule)."""
from datetime import date, timedelta

import pytest

from renovation.domain.stages.keys import DONE, STAGE_ORDER, Status
from renovation.domain.stages.schedule import (
    current_stage,
    days_behind,
    next_deadline,
    overall_progress,
    refresh_project_summary,
    stage_days_behind,
    worst_stage,
)
from renovation.extensions import db
from renovation.models import Project, Stage
from tests.conftest import make_project

TODAY = date(2026, 6, 15)
SURVEY, PIPES, FACADE, PAVING, ACCEPTANCE = STAGE_ORDER
FIXED_PERCENT = {Status.COMPLETED: 100, Status.NOT_STARTED: 0, Status.NOT_APPLICABLE: 0}


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def stage(key, status=Status.NOT_STARTED, percent=None, planned=(-30, 30)):
    """A stage record (not saved); ``planned`` is (start, end) in days from TODAY."""
    if percent is None:
        percent = FIXED_PERCENT.get(status, 50)
    return Stage(key=key, position=STAGE_ORDER.index(key), status=status, percent=percent,
                 planned_start=day(planned[0]) if planned[0] is not None else None,
                 planned_end=day(planned[1]) if planned[1] is not None else None)


def stages(*specs):
    """Five stages; ``specs`` are (status, percent) per stage in order, the rest not started."""
    specs = list(specs) + [(Status.NOT_STARTED, 0)] * (5 - len(specs))
    return [stage(key, status, percent, planned=(300, 400))
            for key, (status, percent) in zip(STAGE_ORDER, specs, strict=True)]


# --- overall progress ----------------------------------------------------------------------

def test_progress_is_the_mean_of_the_stages():
    project = stages((Status.COMPLETED, 100), (Status.IN_PROGRESS, 50))
    assert overall_progress(project) == 30


def test_stages_that_do_not_apply_are_left_out_of_progress():
    project = stages((Status.COMPLETED, 100), (Status.NOT_APPLICABLE, 0),
                     (Status.IN_PROGRESS, 60), (Status.IN_PROGRESS, 40))
    assert overall_progress(project) == 50  # (100 + 60 + 40 + 0) / 4, not / 5


def test_progress_is_rounded_to_a_whole_percent():
    project = stages((Status.COMPLETED, 100), (Status.IN_PROGRESS, 33), (Status.IN_PROGRESS, 34))
    assert overall_progress(project) == 33  # 167 / 5 = 33.4


def test_progress_reads_100_only_when_the_project_is_finished():
    in_acceptance = stages(*[(Status.COMPLETED, 100)] * 4, (Status.IN_PROGRESS, 98))
    assert overall_progress(in_acceptance) == 99  # 99.6 would round to 100


def test_progress_reads_0_only_before_any_work():
    assert overall_progress(stages((Status.IN_PROGRESS, 2))) == 1  # 0.4 would round to 0


def test_progress_of_a_finished_project_is_100():
    done = (Status.COMPLETED, 100)
    project = stages(done, done, (Status.NOT_APPLICABLE, 0), done, done)
    assert overall_progress(project) == 100


def test_progress_of_a_project_not_started_is_0():
    assert overall_progress(stages()) == 0
    assert overall_progress([]) == 0


# --- current stage -------------------------------------------------------------------------

@pytest.mark.parametrize("specs, expected", [
    ([], SURVEY),
    ([(Status.IN_PROGRESS, 50)], SURVEY),
    ([(Status.COMPLETED, 100)], PIPES),
    ([(Status.COMPLETED, 100), (Status.NOT_APPLICABLE, 0)], FACADE),
    ([(Status.COMPLETED, 100), (Status.COMPLETED, 100), (Status.SUSPENDED, 20),
      (Status.COMPLETED, 100)], FACADE),
    ([(Status.COMPLETED, 100)] * 4, ACCEPTANCE),
    ([(Status.COMPLETED, 100)] * 5, DONE),
    ([(Status.COMPLETED, 100), (Status.NOT_APPLICABLE, 0), (Status.COMPLETED, 100),
      (Status.NOT_APPLICABLE, 0), (Status.COMPLETED, 100)], DONE),
])
def test_current_stage_is_the_first_applicable_stage_not_completed(specs, expected):
    assert current_stage(stages(*specs)) == expected


def test_current_stage_follows_the_stage_order_not_the_list_order():
    project = list(reversed(stages((Status.COMPLETED, 100), (Status.IN_PROGRESS, 10))))
    assert current_stage(project) == PIPES


# --- behind schedule -----------------------------------------------------------------------

@pytest.mark.parametrize("status", [Status.IN_PROGRESS, Status.SUSPENDED, Status.NOT_STARTED])
def test_past_planned_end_and_not_completed_is_behind(status):
    assert stage_days_behind(stage(SURVEY, status, planned=(-60, -5)), TODAY) >= 5
    assert stage_days_behind(stage(SURVEY, status, planned=(None, -5)), TODAY) == 5


def test_planned_end_today_is_not_yet_behind():
    assert stage_days_behind(stage(SURVEY, Status.IN_PROGRESS, planned=(-60, 0)), TODAY) == 0
    assert stage_days_behind(stage(SURVEY, Status.IN_PROGRESS, planned=(-60, -1)), TODAY) == 1


def test_past_planned_start_and_not_started_is_behind():
    assert stage_days_behind(stage(SURVEY, Status.NOT_STARTED, planned=(-3, 30)), TODAY) == 3


def test_work_under_way_before_its_planned_end_is_on_track():
    assert stage_days_behind(stage(SURVEY, Status.IN_PROGRESS, planned=(-30, 30)), TODAY) == 0
    assert stage_days_behind(stage(SURVEY, Status.SUSPENDED, planned=(-30, 30)), TODAY) == 0


def test_work_not_due_to_start_is_on_track():
    assert stage_days_behind(stage(SURVEY, Status.NOT_STARTED, planned=(1, 30)), TODAY) == 0


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.NOT_APPLICABLE])
def test_completed_or_not_applicable_is_never_behind(status):
    assert stage_days_behind(stage(FACADE, status, planned=(-400, -300)), TODAY) == 0


def test_a_stage_without_a_plan_is_never_behind():
    assert stage_days_behind(stage(FACADE, Status.IN_PROGRESS, planned=(None, None)), TODAY) == 0


def test_the_project_is_as_far_behind_as_its_worst_stage():
    project = [
        stage(SURVEY, Status.COMPLETED, planned=(-200, -150)),
        stage(PIPES, Status.IN_PROGRESS, planned=(-100, -5)),   # 5 days past its end
        stage(FACADE, Status.NOT_STARTED, planned=(-12, 60)),   # 12 days past its start
        stage(PAVING, Status.NOT_STARTED, planned=(10, 90)),
        stage(ACCEPTANCE, Status.NOT_STARTED, planned=(90, 120)),
    ]
    assert days_behind(next_deadline(project), TODAY) == 12
    assert worst_stage(project, TODAY).key == FACADE


def test_a_project_on_track_has_no_worst_stage():
    project = [stage(key, Status.NOT_STARTED, planned=(10, 90)) for key in STAGE_ORDER]
    assert days_behind(next_deadline(project), TODAY) == 0
    assert worst_stage(project, TODAY) is None


def test_equally_late_stages_report_the_earlier_one():
    project = [stage(PIPES, Status.IN_PROGRESS, planned=(-90, -7)),
               stage(FACADE, Status.IN_PROGRESS, planned=(-90, -7))]
    assert worst_stage(list(reversed(project)), TODAY).key == PIPES


def test_a_finished_project_has_no_deadline():
    project = [stage(key, Status.COMPLETED, planned=(-400, -300)) for key in STAGE_ORDER]
    assert next_deadline(project) is None
    assert days_behind(None, TODAY) == 0


# --- the derived columns the list sorts and filters on -------------------------------------

def test_refresh_writes_progress_current_stage_and_deadline(app):
    start = TODAY - timedelta(days=100)
    made = make_project(start=start, stages={
        "survey": {"status": "completed", "percent": 100,
                   "actual_start": start, "actual_end": start + timedelta(days=50)},
        "rain_sewage": {"status": "in_progress", "percent": 60,
                        "actual_start": start + timedelta(days=60)},
        "facade": {"status": "not_applicable"},
    })
    project = db.session.get(Project, made.id)
    # (100 + 60 + 0 + 0) / 4: the facade does not count.
    assert (project.progress, project.current_stage) == (40, "rain_sewage")
    # rain/sewage is due at start+150, paving at start+180 (planned start): the earliest wins.
    assert project.next_deadline == start + timedelta(days=150)

    project.stage("rain_sewage").status = "completed"
    project.stage("rain_sewage").percent = 100
    refresh_project_summary(project)
    assert (project.progress, project.current_stage) == (50, "paving")
    assert project.next_deadline == start + timedelta(days=180)
