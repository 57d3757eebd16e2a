"""Renovation content as JSON, both ways. Quantities and investment go out as decimal strings exactly as
stored ("1200.5", never a float) and come in as strings or whole numbers; the item is named by its
catalogue key, and its category and unit come from the catalogue."""
from flask_babel import gettext as _

from renovation.api.resident_serializers import FieldReader
from renovation.api.serializers import iso_time
from renovation.domain.contents.quantities import FIGURES, NOT_A_NUMBER, REASON_MAX, decimal_text, read_decimal

FROM_CATALOGUE = ("category", "unit")
NEW_FIELDS = ("item", *FIGURES, "stage", "reason", *FROM_CATALOGUE)


def content_item_json(item) -> dict:
    """One item of the catalogue."""
    return {"key": item.key, "category": item.category, "name": item.name, "unit": item.unit,
            "stage": item.stage_key, "retired": item.retired}


def content_json(content, history=None) -> dict:
    """One content of a project; ``history`` (its events, newest first) when the caller has it."""
    body = {
        "id": content.id,
        "project": content.project.code,
        "item": content.item.key,
        "name": content.item.name,
        "category": content.item.category,
        "unit": content.item.unit,
        **{name: decimal_text(getattr(content, name)) for name in FIGURES},
        "stage": content.stage_key,
        "reason": content.reason,
        "version": content.version,
        "updated_at": iso_time(content.updated_at),
    }
    if history is not None:
        body["history"] = [{"at": iso_time(event.at), "user": event.user.username if event.user else None,
                            "action": event.action, "changes": event.changes} for event in history]
    return body


def _figures(reader: FieldReader, body: dict) -> dict:
    values = {}
    for name in FIGURES:
        if name in body:
            value = read_decimal(body[name])
            if value is None:
                reader.refuse(name, str(NOT_A_NUMBER[name]))
            values[name] = value
    if "stage" in body:
        values["stage"] = reader.text("stage", 16) or None
    if "reason" in body:
        values["reason"] = reader.text("reason", REASON_MAX) or ""
    return values


def read_new_content(body: dict, catalogue_item) -> tuple[dict, dict]:
    """The values :func:`~renovation.domain.contents.operations.add_content` wants, and type errors.
    ``catalogue_item(key)`` finds the item, to check a ``category`` or ``unit`` sent along."""
    reader = FieldReader(body)
    reader.unknown(NEW_FIELDS)
    values = {"item": reader.text("item", 32) or "", **_figures(reader, body)}
    item = catalogue_item(values["item"])
    if item is None or item.retired:
        reader.refuse("item", _("Choose an item of the catalogue (GET /api/v1/content-items)."))
    for name in FROM_CATALOGUE:
        if name in body and (item is None or body[name] != getattr(item, name)):
            reader.refuse(name, _("This comes from the catalogue: leave it out, or send the item's own."))
    return values, reader.errors


def read_content_changes(body: dict, content) -> tuple[dict, int | None, dict]:
    """``(changes, version, errors)`` for :func:`~renovation.domain.contents.operations.change_content`."""
    reader = FieldReader(body)
    reader.unknown({*NEW_FIELDS, "version", "id", "history", "project", "name", "updated_at"})
    for name in ("item", *FROM_CATALOGUE):
        if name in body and body[name] != getattr(content.item, "key" if name == "item" else name):
            reader.refuse(name, _("The item of a content does not change: remove it and add another."))
    changes = _figures(reader, body)
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        reader.refuse("version", _("Send the version of the content you last saw."))
    return changes, version, reader.errors
