"""Rendering helpers: whole pages or, for htmx, one named block of the same template.

The one way to ask about htmx is htmx-flask's ``request.htmx`` (true for any request htmx sent;
``.boosted``, ``.target``… for the rest); :func:`wants_fragment` says whether the answer is a part of
the page, and :func:`fragment_or_redirect` is the one answer to a successful write.
"""
from collections.abc import Callable, Iterable

from flask import Flask, flash, redirect, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from htmx_flask import make_response as htmx_response
from jinja2_fragments.flask import render_block

from renovation import permissions
from renovation.domain.stages.keys import (
    STAGE_LABELS,
    STATUS_LABELS,
    Status,
    lag_reason_label,
    stage_label,
    status_label,
)
from renovation.domain.stages.schedule import days_behind, lag_may_be_asked, stage_days_behind

FIELD_LABELS = {
    "status": _l("Status"),
    "percent": _l("Percent complete"),
    "actual_start": _l("Actual start"),
    "actual_end": _l("Actual end"),
    "note": _l("Note"),
    "lag_reason": _l("Reason for the delay"),
    "lag_note": _l("About the delay"),
    "catch_up_date": _l("Back on track by"),
    "photo_added": _l("Photo added"),
    "photo_deleted": _l("Photo deleted"),
}


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, field)


def change_value(field: str, value) -> str:
    """A value from the stage history as people read it."""
    if value in (None, ""):
        return "—"
    if field == "status" and value in Status.__members__.values():
        return status_label(value)
    if field == "lag_reason":
        return lag_reason_label(value)
    if field == "percent":
        return f"{value}%"
    return str(value)


def wants_fragment() -> bool:
    """An htmx request for part of a page (not a boosted navigation, not a history restore)."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def fragment_or_redirect(fragment: Callable[[], str], redirect_to: str, *, trigger: str | None = None,
                         flashes: Iterable[tuple[str, str]] = (), status: int = 200):
    """The answer to a write. htmx gets the updated part of the page (``fragment`` is called only
    then) with ``trigger``, the event other panels listen to; a full-page post gets ``flashes``
    (message, category) and a 303 to ``redirect_to``, so reloading the page does not post again."""
    if not wants_fragment():
        for message, category in flashes:
            flash(message, category)
        return redirect(redirect_to, code=303)
    return htmx_response(fragment(), status, trigger=trigger)


def render(template: str, block: str | None = None, **context) -> str:
    """The page, or only ``block`` of it when htmx asks for a part of the page."""
    if block and wants_fragment():
        return render_block(template, block, **context)
    return render_template(template, **context)


def init_app(app: Flask) -> None:
    @app.context_processor
    def globals_for_templates():
        return {
            "permissions": permissions,
            "stage_label": stage_label,
            "status_label": status_label,
            "STAGE_LABELS": STAGE_LABELS,
            "STATUS_LABELS": STATUS_LABELS,
            "days_behind": days_behind,
            "stage_days_behind": stage_days_behind,
            "lag_may_be_asked": lag_may_be_asked,
            "lag_reason_label": lag_reason_label,
            "field_label": field_label,
            "change_value": change_value,
            "current_locale": str(get_locale()),
        }
