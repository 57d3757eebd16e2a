"""Difficult problems as JSON, both ways: :func:`problem_json` out (with ``overdue``), and the
readers of a new problem and of a change, which hand the domain the values the forms do."""
from datetime import date

from flask_babel import gettext as _

from renovation.api.resident_serializers import MAX_COUNT, FieldReader
from renovation.api.serializers import iso_time
from renovation.domain.problems.flow import days_overdue
from renovation.models.limits import column_limit
from renovation.models.problems import Problem, ProblemStatus

TEXT_LIMITS = {name: column_limit(getattr(Problem, name)) for name in ("title", "description", "proposal")}
STEP_TEXT_LIMITS = {"resolution": column_limit(Problem.resolution), "reason": column_limit(Problem.reason),
                    "status": column_limit(Problem.status), "leader": 64}
FACT_FIELDS = ("title", "description", "category", "departments", "proposal", "deadline", "stage", "photos")
STEP_FIELDS = ("status", "leader", "resolution", "reason", "solved_at")
DEPARTMENT_LIMIT = 64
MAX_LIST = 100


def problem_json(problem, today: date) -> dict:
    """One problem; ``overdue`` is whether it is open or in hand past its deadline on ``today``."""
    late = days_overdue(problem, today)
    return {
        "id": problem.id,
        "project": problem.project.code,
        "title": problem.title,
        "description": problem.description,
        "category": problem.category,
        "departments": list(problem.departments or []),
        "proposal": problem.proposal,
        "deadline": iso_time(problem.deadline),
        "stage": problem.stage_key,
        "status": problem.status,
        "leader": problem.leader.name if problem.leader else None,
        "resolution": problem.resolution,
        "reason": problem.reason,
        "version": problem.version,
        "overdue": late > 0,
        "days_overdue": late,
        "raised_by": problem.raised_by.name if problem.raised_by else None,
        "raised_at": iso_time(problem.raised_at),
        "solved_at": iso_time(problem.solved_on),
        "photos": [photo.id for photo in problem.photos],
        "updated_at": iso_time(problem.updated_at),
    }


def _facts(reader: FieldReader, body: dict) -> dict:
    values = {name: reader.text(name, limit) for name, limit in TEXT_LIMITS.items() if name in body}
    for name in ("category", "stage"):
        if name in body:
            values[name] = reader.text(name, 24)
    if "deadline" in body:
        values["deadline"] = reader.date("deadline")
    if "departments" in body:
        values["departments"] = _texts(reader, body, "departments")
    if "photos" in body:
        values["photos"] = _ids(reader, body, "photos")
    return values


def _texts(reader: FieldReader, body: dict, name: str) -> list[str]:
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_LIST or not all(
            isinstance(item, str) and len(item) <= DEPARTMENT_LIMIT for item in value):
        reader.refuse(name, _("Send a list of department names."))
        return []
    return [item.replace("\x00", "").strip() for item in value if item.strip()]


def _ids(reader: FieldReader, body: dict, name: str) -> list[int]:
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_LIST or not all(
            isinstance(item, int) and not isinstance(item, bool) and 0 < item <= MAX_COUNT for item in value):
        reader.refuse(name, _("Send a list of photo ids."))
        return []
    return value


def read_new_problem(body: dict) -> tuple[dict, dict[str, str]]:
    """The values :func:`~renovation.domain.problems.operations.raise_problem` wants, and type errors."""
    reader = FieldReader(body)
    reader.unknown({*FACT_FIELDS, *STEP_FIELDS})
    for name in ("leader", "resolution", "reason", "solved_at"):
        if name in body:
            reader.refuse(name, _("A new problem awaits assessment: set this with PATCH once it is recorded."))
    if body.get("status", ProblemStatus.OPEN.value) != ProblemStatus.OPEN.value:
        reader.refuse("status", _("A new problem awaits assessment: change its status with PATCH once it is "
                                  "recorded."))
    values = _facts(reader, body)
    for name in ("title", "description", "category", "deadline"):
        values.setdefault(name, None)
    return values, reader.errors


def read_changes(body: dict) -> tuple[dict, int | None, dict[str, str]]:
    """``(changes, version, errors)`` for :func:`~renovation.domain.problems.operations.change_problem`."""
    reader = FieldReader(body)
    reader.unknown({*FACT_FIELDS, *STEP_FIELDS, "version"})
    changes = _facts(reader, body)
    changes.update({name: reader.text(name, limit) for name, limit in STEP_TEXT_LIMITS.items() if name in body})
    if "solved_at" in body:
        changes["solved_at"] = reader.date("solved_at")
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        reader.refuse("version", _("Send the version of the problem you last saw."))
    return changes, version, reader.errors
