"""How a problem's history reads: the names of its fields and their values as people read them."""
from flask_babel import lazy_gettext as _l

from renovation.domain.problems.flow import STEP_LABELS, Step
from renovation.domain.stages.keys import STAGE_LABELS, StageKey
from renovation.models.problems import PROBLEM_CATEGORY_LABELS, PROBLEM_STATUS_LABELS, ProblemCategory, ProblemStatus

FIELD_LABELS = {
    "status": _l("Status"), "leader": _l("Leader"), "resolution": _l("Resolution"), "solved_on": _l("Solved on"),
    "reason": _l("Reason"), "title": _l("Title"), "description": _l("Description"), "category": _l("Category"),
    "departments": _l("Departments concerned"), "proposal": _l("Proposed solution"), "deadline": _l("Deadline"),
    "stage": _l("Stage it blocks"), "photos": _l("Photos"),
}


def step_label(step: str) -> str:
    try:
        return STEP_LABELS[Step(step)]
    except ValueError:
        return step


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, field)


def change_value(value, field: str) -> str:
    """A value of the history: statuses, categories and stages by their labels, lists joined."""
    if value in (None, "", []):
        return "—"
    if field == "status" and value in set(ProblemStatus):
        return str(PROBLEM_STATUS_LABELS[ProblemStatus(value)])
    if field == "category" and value in set(ProblemCategory):
        return str(PROBLEM_CATEGORY_LABELS[ProblemCategory(value)])
    if field == "stage" and value in set(StageKey):
        return str(STAGE_LABELS[StageKey(value)])
    if field == "photos":
        return ", ".join(f"#{photo_id}" for photo_id in value)
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    return str(value)
