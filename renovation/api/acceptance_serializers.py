"""Acceptances (竣工验收) and rectification items (整改事项) as JSON, both ways: out with
:func:`acceptance_json` and :func:`rectification_json`, in with the readers of a new acceptance, a new
item and a closing, which hand the domain the values the forms do."""
from datetime import date

from flask import url_for
from flask_babel import gettext as _

from renovation.api.resident_serializers import MAX_COUNT, FieldReader
from renovation.api.serializers import iso_time
from renovation.domain.acceptance.records import MAX_REPRESENTATIVE_ROWS
from renovation.domain.acceptance.rectifications import days_overdue
from renovation.models.acceptance import AcceptanceRecord, AcceptanceRepresentative, Rectification
from renovation.models.limits import column_limit

MAX_CHECKS = 200
ACCEPTANCE_FIELDS = ("accepted_on", "units", "representatives", "checks", "summary")
RECTIFICATION_FIELDS = ("description", "deadline", "responsible_unit", "acceptance_id")
CLOSE_FIELDS = ("note", "photo_id", "version", "status")


def _attachment_json(attachment) -> dict:
    return {"id": attachment.id, "kind": attachment.kind, "filename": attachment.original_filename,
            "content_type": attachment.content_type, "byte_size": attachment.byte_size,
            "url": url_for("api.acceptance_attachment_file", paper_id=attachment.id, kind="original")}


def acceptance_json(record, attachments=(), latest: bool = False) -> dict:
    """One acceptance; ``latest``: whether it is the one that counts."""
    return {
        "id": record.id,
        "project": record.project.code,
        "accepted_on": iso_time(record.accepted_on),
        "latest": latest,
        "units": list(record.units or []),
        "representatives": [{"name": person.name or None, "headcount": person.headcount,
                             "represents": person.represents} for person in record.representatives],
        "representative_count": record.representative_count,
        "checks": [{"content_id": check.content_id, "item": check.item_name, "result": check.result,
                    "note": check.note} for check in record.checks],
        "summary": record.summary,
        "attachments": [_attachment_json(attachment) for attachment in attachments],
        "recorded_by": record.recorded_by.name if record.recorded_by else None,
        "recorded_at": iso_time(record.recorded_at),
        "version": record.version,
    }


def rectification_json(item, today: date) -> dict:
    """One rectification item; ``overdue``: open past its deadline on ``today``."""
    late = days_overdue(item, today)
    return {
        "id": item.id,
        "project": item.project.code,
        "acceptance_id": item.acceptance_id,
        "description": item.description,
        "deadline": iso_time(item.deadline),
        "responsible_unit": item.responsible_unit,
        "status": item.status,
        "overdue": late > 0,
        "days_overdue": late,
        "closed_on": iso_time(item.closed_on),
        "note": item.closing_note,
        "photo_id": item.photo_id,
        "closed_by": item.closed_by.name if item.closed_by else None,
        "created_at": iso_time(item.created_at),
        "updated_at": iso_time(item.updated_at),
        "version": item.version,
    }


def _id(reader: FieldReader, value, name: str, message: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_COUNT:
        reader.refuse(name, message)
        return None
    return value


def _representatives(reader: FieldReader, value) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_REPRESENTATIVE_ROWS or not all(
            isinstance(row, dict) for row in value):
        reader.refuse("representatives", _("Send a list of representatives: objects with name or headcount, "
                                           "and represents."))
        return []
    rows = []
    for row in value:
        row_reader = FieldReader(row, prefix="representatives.", errors=reader.errors)
        row_reader.unknown({"name", "headcount", "represents"})
        rows.append({"name": row_reader.text("name", column_limit(AcceptanceRepresentative.name)) or "",
                     "headcount": row_reader.count("headcount", _("A whole number of people, at least 1."), 1),
                     "represents": row_reader.text("represents", column_limit(AcceptanceRepresentative.represents))
                     or ""})
    return rows


def _checks(reader: FieldReader, value) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_CHECKS or not all(isinstance(row, dict) for row in value):
        reader.refuse("checks", _("Send a list of checks: objects with content_id, result and note."))
        return []
    rows = []
    for row in value:
        row_reader = FieldReader(row, prefix="checks.", errors=reader.errors)
        row_reader.unknown({"content_id", "result", "note", "deadline", "responsible_unit"})
        rows.append({"content_id": _id(row_reader, row.get("content_id"), "content_id",
                                       _("Send the id of a content of the project.")),
                     "result": row_reader.text("result", 16), "note": row_reader.text("note", 2000) or "",
                     "deadline": row_reader.date("deadline"),
                     "responsible_unit": row_reader.text("responsible_unit", 24)})
    return rows


def read_new_acceptance(body: dict) -> tuple[dict, dict[str, str]]:
    """The values :func:`~renovation.domain.acceptance.records.record_acceptance` wants, and type errors."""
    reader = FieldReader(body)
    reader.unknown(ACCEPTANCE_FIELDS)
    units = body.get("units")
    if units is not None and (not isinstance(units, list) or len(units) > 10
                              or not all(isinstance(unit, str) for unit in units)):
        reader.refuse("units", _("Send a list of unit keys."))
        units = []
    values = {"accepted_on": reader.date("accepted_on"), "units": units or [],
              "representatives": _representatives(reader, body.get("representatives")),
              "checks": _checks(reader, body.get("checks")),
              "summary": reader.text("summary", column_limit(AcceptanceRecord.summary)) or ""}
    return values, reader.errors


def read_new_rectification(body: dict) -> tuple[dict, dict[str, str]]:
    reader = FieldReader(body)
    reader.unknown(RECTIFICATION_FIELDS)
    values = {"description": reader.text("description", column_limit(Rectification.description)),
              "deadline": reader.date("deadline"), "responsible_unit": reader.text("responsible_unit", 24),
              "acceptance_id": _id(reader, body.get("acceptance_id"), "acceptance_id",
                                   _("Send the id of an acceptance of the project."))}
    return values, reader.errors


def read_closing(body: dict) -> tuple[dict, int | None, dict[str, str]]:
    """``(values, version, errors)`` of a closing: ``note`` and/or ``photo_id``; ``status`` may only
    say "closed"."""
    reader = FieldReader(body)
    reader.unknown(CLOSE_FIELDS)
    if body.get("status", "closed") != "closed":
        reader.refuse("status", _("An item can only be closed."))
    values = {"note": reader.text("note", column_limit(Rectification.closing_note)) or "",
              "photo_id": _id(reader, body.get("photo_id"), "photo_id", _("Send the id of a photo of the project."))}
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        reader.refuse("version", _("Send the version of the item you last saw."))
    return values, version, reader.errors
