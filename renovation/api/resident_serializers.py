"""Consultations, votes and demands as JSON, both ways.

Out: :func:`consultation_json` (with the vote and its computed ``outcome``) and
:func:`demand_json` (with ``overdue``). Areas go out as strings with two decimals ("6400.50")
so that no client ever sees a binary float; fractions (thresholds, shares) as "2/3".

In: :class:`FieldReader` turns one JSON object into typed values (dates, ints, Decimal areas,
stripped text) and collects ``{field: message}`` for values of the wrong type, so that the
views hand the domain the same values the forms do.
"""
import re
from datetime import date
from decimal import Decimal
from fractions import Fraction

from flask import url_for
from flask_babel import gettext as _

from renovation.api.serializers import iso_time
from renovation.domain.residents.consultations import VOTE_FIGURES, decision_of
from renovation.domain.residents.demands import days_overdue

# The database's limits: Integer columns and Numeric(12, 2) areas.
MAX_COUNT = 2**31 - 1
MAX_AREA = Decimal("9999999999.99")
_PLAIN_DECIMAL = re.compile(r"-?\d+(?:\.(\d+))?")


def _area(value) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def _fraction(value: Fraction | None) -> str | None:
    return None if value is None else str(value)  # "2/3", or "1" for a whole number


# --- out -------------------------------------------------------------------------------------

def outcome_json(vote) -> dict:
    """The decision recomputed from the stored figures: passed, quorum_met, reasons, checks."""
    decision = decision_of(vote)
    return {
        "passed": decision.passed,
        "quorum_met": decision.quorum_met,
        "reasons": [str(reason) for reason in decision.reasons],
        "checks": [{"key": check.key.value, "basis": check.basis.value,
                    "comparison": check.comparison.value, "required": _fraction(check.required),
                    "actual": _fraction(check.actual), "met": check.met}
                   for check in decision.checks],
    }


def vote_json(vote) -> dict:
    """A vote's figures (owners as ints, areas as "85.37") and its ``outcome``."""
    figures = {name: _area(getattr(vote, name)) if name.endswith("_area") else getattr(vote, name)
               for name in VOTE_FIGURES}
    return {"matter": vote.matter, "matter_class": vote.matter_class, **figures,
            "extra_threshold": vote.extra_threshold, "extra_label": vote.extra_label,
            "outcome": outcome_json(vote)}


def consultation_json(consultation) -> dict:
    """One consultation with its vote (``null`` when none was taken)."""
    return {
        "id": consultation.id,
        "project": consultation.project.code,
        "date": iso_time(consultation.date),
        "kind": consultation.kind,
        **{name: getattr(consultation, name) for name in (
            "place", "organiser", "topic", "attendees", "households", "opinions", "decisions",
            "follow_up")},
        "vote": vote_json(consultation.vote) if consultation.vote else None,
        "created_at": iso_time(consultation.created_at),
        "updated_at": iso_time(consultation.updated_at),
    }


def attachment_json(attachment) -> dict:
    """One attached file, with the API addresses of its files (an image also has its JPEGs)."""
    def url(kind):
        return url_for("api.attachment_file", attachment_id=attachment.id, kind=kind)

    urls = {"original": url("original")}
    if not attachment.is_pdf:
        urls.update(display=url("display"), thumbnail=url("thumbnail"))
    return {"id": attachment.id, "kind": attachment.kind, "original_filename": attachment.original_filename,
            "content_type": attachment.content_type, "byte_size": attachment.byte_size,
            "sha256": attachment.sha256, "uploaded_at": iso_time(attachment.uploaded_at), "urls": urls}


def demand_json(demand, today: date) -> dict:
    """One demand; ``overdue`` is whether it is open past DEMAND_OVERDUE_DAYS on ``today``."""
    late = days_overdue(demand, today)
    return {
        "id": demand.id,
        "project": demand.project.code,
        **{name: getattr(demand, name) for name in (
            "category", "text", "raised_by", "consultation_id", "status", "response", "reason",
            "assignee", "version")},
        "raised_on": iso_time(demand.raised_on),
        "resolved_on": iso_time(demand.resolved_on),
        "overdue": late > 0,
        "days_overdue": late,
        "updated_at": iso_time(demand.updated_at),
    }


# --- in --------------------------------------------------------------------------------------

class FieldReader:
    """Typed values out of one JSON object; every bad value leaves a message in ``errors``.

    Each ``read_*`` returns the value (``None`` when absent, null or refused). ``prefix`` is put
    before the field name in ``errors`` (``"vote."`` for the vote's fields)."""

    def __init__(self, body: dict, prefix: str = "", errors: dict | None = None):
        self.body = body
        self.prefix = prefix
        self.errors = {} if errors is None else errors

    def refuse(self, name: str, message: str) -> None:
        self.errors.setdefault(self.prefix + name, message)

    def unknown(self, allowed) -> None:
        """Refuse every field of the body that is not in ``allowed``."""
        for name in sorted(set(self.body) - set(allowed)):
            self.refuse(name, _("Unknown field."))

    def text(self, name: str, max_length: int) -> str | None:
        value = self.body.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.refuse(name, _("Must be text."))
            return None
        value = value.replace("\x00", "").strip()  # PostgreSQL refuses NUL characters in text
        if len(value) > max_length:
            self.refuse(name, _("At most %(n)d characters.", n=max_length))
            return None
        return value

    def date(self, name: str) -> date | None:
        value = self.body.get(name)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            self.refuse(name, _("Not a date: use YYYY-MM-DD."))
            return None

    def count(self, name: str, message: str, minimum: int | None = 0) -> int | None:
        """A whole number from ``minimum`` (``None``: any sign, for the domain to judge) to the
        database's limit; ``message`` when it is not one."""
        value = self.body.get(name)
        if value is None:
            return None
        low = -MAX_COUNT if minimum is None else minimum
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_COUNT:
            self.refuse(name, message)
            return None
        return value

    def area(self, name: str) -> Decimal | None:
        """m² as a JSON number or a numeric string, at most two decimals; exact Decimal."""
        value = self.body.get(name)
        if value is None:
            return None
        text = value.strip() if isinstance(value, str) else (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else "")
        found = _PLAIN_DECIMAL.fullmatch(text)
        if found is None or abs(Decimal(text)) > MAX_AREA:
            self.refuse(name, _("Enter the area in m² as a number, such as 85.37."))
            return None
        if found.group(1) and len(found.group(1).rstrip("0")) > 2:
            self.refuse(name, _("Enter the area with at most two decimals."))
            return None
        return Decimal(text)
