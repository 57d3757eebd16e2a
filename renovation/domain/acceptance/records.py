"""Recording an acceptance with the residents (竣工验收), and reading a project's acceptances.

An acceptance is recorded whole (a project may have several attempts; the latest counts): its date,
the units present, the residents' representatives, and the project's content items checked one by
one. An item found wanting ("to rectify") becomes a rectification item (整改事项) in the same commit.
:func:`record_acceptance` saves everything or raises :class:`AcceptanceRuleViolation` having saved
nothing.
"""
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from renovation.domain import audit, clock
from renovation.domain.clock import utcnow
from renovation.domain.date_range import implausible_date_message
from renovation.domain.errors import RuleViolation
from renovation.domain.messages import with_values
from renovation.extensions import db
from renovation.models import Compound, Project, ProjectContent
from renovation.models.acceptance import (
    AcceptanceCheck,
    AcceptanceRecord,
    AcceptanceRepresentative,
    AcceptanceUnit,
    CheckResult,
    Rectification,
    RectificationStatus,
)
from renovation.models.limits import column_limit

NAME_MAX = column_limit(AcceptanceRepresentative.name)
REPRESENTS_MAX = column_limit(AcceptanceRepresentative.represents)
SUMMARY_MAX = column_limit(AcceptanceRecord.summary)
NOTE_MAX = column_limit(AcceptanceCheck.note)
DESCRIPTION_MAX = column_limit(Rectification.description)
MAX_HEADCOUNT = 999
MAX_REPRESENTATIVE_ROWS = 50
RECTIFY_DAYS = 14  # an item found wanting is to be rectified within two weeks unless told otherwise
DEFAULT_RESPONSIBLE = AcceptanceUnit.CONTRACTOR.value


class AcceptanceRuleViolation(RuleViolation):
    """The acceptance breaks a rule; ``errors`` maps fields to messages."""


def _representative_errors(rows: list[dict]) -> tuple[list[dict], str | None]:
    """The representatives as they are stored, or the first row's fault (rows numbered from 1)."""
    if len(rows) > MAX_REPRESENTATIVE_ROWS:
        return [], str(_l("Too many rows of representatives."))
    kept = []
    for number, row in enumerate(rows, start=1):
        name = (row.get("name") or "").replace("\x00", "").strip()
        represents = (row.get("represents") or "").replace("\x00", "").strip()
        headcount = row.get("headcount")
        if not name and not represents and not headcount:
            continue  # a blank row of the form
        message = None
        if len(name) > NAME_MAX or len(represents) > REPRESENTS_MAX:
            message = _l("Row %(row)d: the name or whom they represent is too long.")
        elif not represents:
            message = _l("Row %(row)d: say whom they represent, such as 3号楼居民.")
        elif name and headcount not in (None, 1):
            message = _l("Row %(row)d: a named representative counts as one; give a name or a number, not both.")
        elif not name and (not isinstance(headcount, int) or not 1 <= headcount <= MAX_HEADCOUNT):
            message = _l("Row %(row)d: give the representative's name, or how many took part (1 to 999).")
        if message is not None:
            return [], str(with_values(message, row=number))
        kept.append({"name": name, "headcount": 1 if name else headcount, "represents": represents})
    return kept, None


def _check_errors(project_id: int, rows: list[dict], accepted_on: date | None) -> tuple[list[dict], dict]:
    """The checks as stored (each with its content), or the errors."""
    contents = {content.id: content for content in db.session.scalars(
        select(ProjectContent).options(joinedload(ProjectContent.item))
        .where(ProjectContent.project_id == project_id))}
    errors, kept, seen = {}, [], set()
    for row in rows:
        content = contents.get(row.get("content_id"))
        if content is None or content.id in seen:
            errors["checks"] = str(_l("Check each content item of this project once."))
            continue
        seen.add(content.id)
        result, note = row.get("result"), (row.get("note") or "").replace("\x00", "").strip()
        if result not in set(CheckResult):
            errors[f"check_{content.id}"] = str(_l("Choose accepted or to rectify."))
        elif len(note) > NOTE_MAX:
            errors[f"check_{content.id}"] = str(_l("The note is too long."))
        elif result == CheckResult.RECTIFY and not note:
            errors[f"check_{content.id}"] = str(_l("Say what is to be rectified."))
        deadline = row.get("deadline") or ((accepted_on or clock.today()) + timedelta(days=RECTIFY_DAYS))
        unit = row.get("responsible_unit") or DEFAULT_RESPONSIBLE
        if unit not in set(AcceptanceUnit):
            errors[f"check_{content.id}"] = str(_l("Choose the unit responsible."))
        if implausible_date_message(deadline) is not None:
            errors[f"check_{content.id}"] = str(implausible_date_message(deadline))
        elif accepted_on and deadline < accepted_on:
            errors[f"check_{content.id}"] = str(_l("The deadline to rectify cannot be before the acceptance."))
        kept.append({"content": content, "result": result, "note": note, "deadline": deadline,
                     "responsible_unit": unit})
    return kept, errors


def acceptance_errors(project, values: dict, today: date) -> tuple[dict, dict]:
    """``(cleaned values, errors)`` of an acceptance as :func:`record_acceptance` would store it."""
    errors = {}
    accepted_on = values.get("accepted_on")
    if accepted_on is None:
        errors["accepted_on"] = str(_l("Enter the date of the acceptance."))
    elif implausible_date_message(accepted_on) is not None:
        errors["accepted_on"] = str(implausible_date_message(accepted_on))
    elif accepted_on > today:
        errors["accepted_on"] = str(_l("The acceptance cannot be dated in the future."))
    units = list(dict.fromkeys(values.get("units") or []))
    if any(unit not in set(AcceptanceUnit) for unit in units):
        errors["units"] = str(_l("Choose the units present from the list."))
    representatives, message = _representative_errors(list(values.get("representatives") or []))
    if message:
        errors["representatives"] = message
    summary = (values.get("summary") or "").replace("\x00", "").strip()
    if len(summary) > SUMMARY_MAX:
        errors["summary"] = str(_l("The summary is too long."))
    checks, check_errors = _check_errors(project.id, list(values.get("checks") or []), accepted_on)
    errors.update(check_errors)
    order = list(AcceptanceUnit)
    cleaned = {"accepted_on": accepted_on, "units": sorted(units, key=lambda unit: order.index(unit)
                                                          if unit in order else len(order)),
               "representatives": representatives, "summary": summary, "checks": checks}
    return cleaned, errors


def record_acceptance(project, user, values: dict, today: date | None = None) -> AcceptanceRecord:
    """Record an acceptance of ``project`` and commit; every item marked to rectify becomes an open
    rectification item. ``values``: ``accepted_on``, ``units`` (keys), ``representatives`` (rows of
    ``name``, ``headcount``, ``represents``), ``summary``, ``checks`` (rows of ``content_id``,
    ``result``, ``note`` and, for an item to rectify, optionally ``deadline`` and
    ``responsible_unit``)."""
    today = today or clock.today()
    cleaned, errors = acceptance_errors(project, values, today)
    if errors:
        raise AcceptanceRuleViolation(errors)
    now = utcnow()
    record = AcceptanceRecord(project_id=project.id, accepted_on=cleaned["accepted_on"], units=cleaned["units"],
                              summary=cleaned["summary"], recorded_by_id=user.id, recorded_at=now, updated_at=now)
    for position, row in enumerate(cleaned["representatives"]):
        record.representatives.append(AcceptanceRepresentative(position=position, **row))
    pending = []
    for position, row in enumerate(cleaned["checks"]):
        content = row["content"]
        check = AcceptanceCheck(position=position, content_id=content.id, item_name=content.item.name,
                                result=row["result"], note=row["note"])
        record.checks.append(check)
        if row["result"] == CheckResult.RECTIFY:
            pending.append((check, row))
    db.session.add(record)
    db.session.flush()
    rectifications = []
    for check, row in pending:
        item = Rectification(project_id=project.id, acceptance_id=record.id, check_id=check.id,
                             description=f"{check.item_name}：{row['note']}"[:DESCRIPTION_MAX],
                             deadline=row["deadline"],
                             responsible_unit=row["responsible_unit"], status=RectificationStatus.OPEN.value,
                             closing_note="", created_by_id=user.id, created_at=now, updated_at=now)
        db.session.add(item)
        rectifications.append(item)
    db.session.flush()
    audit.record(user, "acceptance.record", "project", project.code, acceptance=record.id,
                 accepted_on=record.accepted_on.isoformat(), units=record.units,
                 representatives=record.representative_count,
                 checks={check.item_name: check.result for check in record.checks},
                 rectifications=[item.id for item in rectifications])
    db.session.commit()
    return record


def _loaded():
    return (joinedload(AcceptanceRecord.recorded_by), selectinload(AcceptanceRecord.representatives),
            selectinload(AcceptanceRecord.checks))


def acceptances_of(project_id: int) -> list[AcceptanceRecord]:
    """The project's acceptances, the one that counts (latest) first, with representatives and checks."""
    return list(db.session.scalars(
        select(AcceptanceRecord).where(AcceptanceRecord.project_id == project_id).options(*_loaded())
        .order_by(AcceptanceRecord.accepted_on.desc(), AcceptanceRecord.id.desc())))


def acceptance_by_id(acceptance_id: int) -> AcceptanceRecord | None:
    """An acceptance with its project and place, representatives and checks."""
    return db.session.scalar(
        select(AcceptanceRecord).where(AcceptanceRecord.id == acceptance_id)
        .options(*_loaded(), joinedload(AcceptanceRecord.project).joinedload(Project.compound)
                 .joinedload(Compound.community)))
