"""The printable acceptance sheet (竣工验收单): one A4 page per acceptance, printed like the bulletins
(the same fonts, the same checks against missing glyphs) from plain data.

The sheet is always in Chinese, whatever the reader's language, as the bulletins are: it is filed
with the project's papers (the data holds keys; templates/bulletins/_names.html names them).
:func:`sheet_data` gathers the values; :func:`render_sheet` prints them.
"""
import re
from datetime import date

from flask import current_app, render_template

from renovation.domain.acceptance.rectifications import days_overdue
from renovation.domain.bulletins.fonts import typefaces
from renovation.domain.bulletins.issue import DEFAULT_ISSUER
from renovation.domain.bulletins.pdf import check_fonts, installed_font_families, keep_paragraph_ends, print_html
from renovation.extensions import db
from renovation.models.acceptance import AcceptanceRecord, AcceptanceUnit, Rectification


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def sheet_data(record: AcceptanceRecord, today: date) -> dict:
    """Everything the sheet prints of ``record`` (loaded with its project's place, representatives
    and checks: ``renovation.domain.acceptance.records.acceptance_by_id``): plain values."""
    project = record.project
    community = project.compound.community
    items = db.session.scalars(
        db.select(Rectification).where(Rectification.acceptance_id == record.id)
        .order_by(Rectification.id)).all()
    return {
        "project": {"code": project.code, "compound": project.compound.name, "community": community.name,
                    "street": community.street.name, "households": project.households,
                    "buildings": project.buildings, "contractor": project.contractor or "",
                    "supervisor": project.supervisor or ""},
        "accepted_on": _iso(record.accepted_on),
        "units": [{"key": unit.value, "present": unit.value in (record.units or [])} for unit in AcceptanceUnit],
        "representatives": [{"name": person.name, "headcount": person.headcount, "represents": person.represents}
                            for person in record.representatives],
        "representative_count": record.representative_count,
        "checks": [{"item": check.item_name, "result": check.result, "note": check.note} for check in record.checks],
        "rectifications": [{"description": item.description, "unit": item.responsible_unit,
                            "deadline": _iso(item.deadline), "closed_on": _iso(item.closed_on),
                            "open": item.is_open, "days_overdue": days_overdue(item, today) if item.is_open else 0}
                           for item in items],
        "summary": record.summary,
        "issuer": current_app.config.get("BULLETIN_ISSUER") or DEFAULT_ISSUER,
        "printed_on": today.isoformat(),
    }


def render_sheet(data: dict) -> bytes:
    """The sheet as a PDF (A4, CJK fonts embedded). Raises
    :class:`renovation.domain.bulletins.pdf.BulletinRenderError` as a bulletin's print does (fonts
    missing, a glyph no font has)."""
    families = installed_font_families()
    check_fonts(families)
    html = render_template("acceptance/sheet.html", sheet=data, fonts=typefaces(families))
    return print_html(keep_paragraph_ends(html), open_photo=_no_photos)


def _no_photos(sha256: str) -> bytes:
    raise ValueError("the acceptance sheet prints no photos")


def sheet_filename(data: dict) -> str:
    """An ASCII name for the download: the project's code (letters, digits and dashes kept) and the
    date; nothing else a user typed goes into the header."""
    code = re.sub(r"[^A-Za-z0-9-]+", "", data["project"]["code"]) or "project"
    return f"acceptance-{code}-{data['accepted_on']}.pdf"
