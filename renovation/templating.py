"""Rendering helpers: whole pages or, for htmx, one named block of the same template.

The one way to ask about htmx is htmx-flask's ``request.htmx`` (true for any request htmx sent;
``.boosted``, ``.target``… for the rest); :func:`wants_fragment` says whether the answer is a part of
the page, and :func:`fragment_or_redirect` is the one answer to a successful write.
"""
from collections.abc import Callable, Iterable

from flask import flash, redirect, render_template, request
from htmx_flask import make_response as htmx_response
from jinja2_fragments.flask import render_block


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
