"""Overall progress, current stage and delay of a project, derived from its stages.

A stage is behind when today is past its planned end and it is not completed, or past its
planned start and it has not started. The project's delay is its worst stage's, so it is
enough to keep the earliest such deadline (``next_deadline``): the project is behind by
``today - next_deadline`` days when that is positive.
"""
from collections.abc import Iterable
from datetime import date

from renovation.domain.stages.keys import DONE, STAGE_ORDER, STARTED_STATUSES, StageKey, Status


def applicable(stages: Iterable) -> list:
    """The stages that are part of the work (not marked not applicable)."""
    return [stage for stage in stages if stage.status != Status.NOT_APPLICABLE]


def overall_progress(stages: Iterable) -> int:
    """The mean of the applicable stages' percents, rounded to a whole number.

    Rounding never reaches 100 before every applicable stage is completed (a project in
    acceptance at 98% is not finished), nor 0 once work has begun.
    """
    counted = applicable(stages)
    if not counted:
        return 0
    mean = sum(stage.percent for stage in counted) / len(counted)
    return min(max(round(mean), 1 if mean > 0 else 0), 100 if mean >= 100 else 99)


def current_stage(stages: Iterable) -> str:
    """The first applicable stage, in order, that is not completed; ``done`` if none."""
    by_key = {stage.key: stage for stage in stages}
    for key in STAGE_ORDER:
        stage = by_key.get(key)
        if stage is not None and stage.status not in (Status.COMPLETED, Status.NOT_APPLICABLE):
            return key.value
    return DONE


def stage_deadline(stage) -> date | None:
    """The date after which this stage counts as behind, or None if it cannot be behind."""
    if stage.status in (Status.COMPLETED, Status.NOT_APPLICABLE):
        return None
    candidates = [stage.planned_end]
    if stage.status == Status.NOT_STARTED:
        candidates.append(stage.planned_start)
    known = [day for day in candidates if day is not None]
    return min(known) if known else None


def next_deadline(stages: Iterable) -> date | None:
    """The earliest deadline among the stages: the worst stage's."""
    deadlines = [day for day in map(stage_deadline, stages) if day is not None]
    return min(deadlines) if deadlines else None


def days_behind(deadline: date | None, today: date) -> int:
    """Days past the deadline (0 when on track)."""
    if deadline is None or deadline >= today:
        return 0
    return (today - deadline).days


def stage_days_behind(stage, today: date) -> int:
    """How many days this one stage is behind schedule."""
    return days_behind(stage_deadline(stage), today)


def worst_stage(stages: Iterable, today: date):
    """The stage that is furthest behind, or None when every stage is on track."""
    behind = [(stage_days_behind(stage, today), stage.position, stage) for stage in stages]
    behind = [item for item in behind if item[0] > 0]
    if not behind:
        return None
    return max(behind, key=lambda item: (item[0], -item[1]))[2]


def work_begun(stages: Iterable) -> bool:
    """Work on site has begun: a stage after the survey is under way, done or suspended."""
    return any(stage.key != StageKey.SURVEY and stage.status in STARTED_STATUSES for stage in stages)


def refresh_project_summary(project) -> None:
    """Recompute the derived columns of a project from its stages."""
    project.progress = overall_progress(project.stages)
    project.current_stage = current_stage(project.stages)
    project.started = work_begun(project.stages)
    project.next_deadline = next_deadline(project.stages)


def lag_may_be_asked(stage, today: date) -> bool:
    """Whether a change of this stage could leave it behind schedule (a planned date has passed).

    The stage form shows the delay fields then; whether they are required depends on the
    status chosen, which :func:`renovation.domain.stages.rules.lag_errors` checks on saving.
    """
    return any(day is not None and day < today for day in (stage.planned_start, stage.planned_end))
