"""The five stages and their statuses, as explicit data.

Everything that depends on the order or the names of stages reads them from here: the
database keys, the labels on pages, the rules in :mod:`renovation.domain.stages.rules`.
"""
from enum import StrEnum

from flask_babel import lazy_gettext as _l


class StageKey(StrEnum):
    """The stages of every project, always in this order."""

    SURVEY = "survey"
    RAIN_SEWAGE = "rain_sewage"
    FACADE = "facade"
    PAVING = "paving"
    ACCEPTANCE = "acceptance"


class Status(StrEnum):
    """The status of one stage."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    SUSPENDED = "suspended"
    NOT_APPLICABLE = "not_applicable"


STAGE_ORDER: tuple[StageKey, ...] = tuple(StageKey)
CONSTRUCTION_STAGES = (StageKey.RAIN_SEWAGE, StageKey.FACADE, StageKey.PAVING)
# Survey and acceptance are part of every project; only construction items may not apply.
MAY_BE_NOT_APPLICABLE = frozenset(CONSTRUCTION_STAGES)
# A project whose every applicable stage is completed has this as its current stage.
DONE = "done"

STAGE_LABELS = {
    StageKey.SURVEY: _l("Survey"),
    StageKey.RAIN_SEWAGE: _l("Rain/sewage separation"),
    StageKey.FACADE: _l("Facade renovation"),
    StageKey.PAVING: _l("Road paving"),
    StageKey.ACCEPTANCE: _l("Completion acceptance"),
}

STATUS_LABELS = {
    Status.NOT_STARTED: _l("Not started"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.COMPLETED: _l("Completed"),
    Status.SUSPENDED: _l("Suspended"),
    Status.NOT_APPLICABLE: _l("Not applicable"),
}

DONE_LABEL = _l("All stages completed")

# Statuses in which work has begun on site.
STARTED_STATUSES = frozenset({Status.IN_PROGRESS, Status.COMPLETED, Status.SUSPENDED})


def stage_label(key: str) -> str:
    """The label of a stage key, or of :data:`DONE`."""
    if key == DONE:
        return DONE_LABEL
    return STAGE_LABELS[StageKey(key)]


def status_label(status: str) -> str:
    """The label of a status key."""
    return STATUS_LABELS[Status(status)]


class LagReason(StrEnum):
    """Why a stage is behind schedule (asked whenever a change leaves it behind)."""

    RESIDENTS = "residents"
    UTILITIES = "utilities"
    FUNDING = "funding"
    WEATHER = "weather"
    ORGANISATION = "organisation"
    APPROVALS = "approvals"
    OTHER = "other"


LAG_REASON_LABELS = {
    LagReason.RESIDENTS: _l("Coordinating residents' opinions"),
    LagReason.UTILITIES: _l("Moving utility lines"),
    LagReason.FUNDING: _l("Funding disbursement"),
    LagReason.WEATHER: _l("Weather"),
    LagReason.ORGANISATION: _l("Construction organisation"),
    LagReason.APPROVALS: _l("Approvals"),
    LagReason.OTHER: _l("Other"),
}


def lag_reason_label(reason: str) -> str:
    """The label of a lag reason key (the key itself if unknown, as in old history)."""
    try:
        return LAG_REASON_LABELS[LagReason(reason)]
    except ValueError:
        return reason
