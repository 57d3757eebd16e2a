"""The API's one check of JSON request bodies, before any view reads them.

Two kinds of JSON parse but cannot be used: text with a lone surrogate (``"\\ud800"`` is valid
JSON, yet no database or UTF-8 encoder takes it) and values nested deeper than any of our
bodies is (thousands of levels exhaust Python's recursion limit while parsing). Both are
answered 422 in the API's shape here, once, instead of a 500 somewhere in a view.
"""
from flask import request
from flask_babel import gettext as _

from renovation.api.auth import api_error
from renovation.domain.errors import RuleViolation

# Our bodies are an object of fields, a vote inside it at most: 32 levels is generous.
MAX_JSON_DEPTH = 32


def json_body_problem(value) -> str | None:
    """Why ``value`` (parsed JSON) cannot be used, or None. Walks without recursion."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            return _("The JSON is nested too deeply (at most %(n)d levels).", n=MAX_JSON_DEPTH)
        if isinstance(item, str):
            if _has_lone_surrogate(item):
                return _("The JSON contains text that is not valid Unicode (a lone surrogate).")
        elif isinstance(item, dict):
            pending.extend((key, depth) for key in item)
            pending.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)
    return None


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def refuse_unusable_json():
    """422 for a JSON body that is too deep or not valid text; the views then read it safely (runs
    before every API view: registered by the package)."""
    if not request.is_json:
        return None  # a view that wants JSON says so itself
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        problem = _("The JSON is nested too deeply (at most %(n)d levels).", n=MAX_JSON_DEPTH)
    else:
        problem = json_body_problem(body)
    if problem is None:
        return None
    return api_error(422, problem, errors={"body": problem})


def json_object(optional: bool = False) -> dict:
    """The request's JSON body, which must be an object: anything else (no JSON, a list, a
    number) is refused 422 ``{"errors": {"body": ...}}``. ``optional``: a body that is not an
    object reads as ``{}`` instead (a delete's optional reason)."""
    body = request.get_json(silent=True)
    if isinstance(body, dict):
        return body
    if optional:
        return {}
    raise RuleViolation({"body": _("Send a JSON object.")})
