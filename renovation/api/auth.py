"""Bearer-token authentication. The API never looks at session cookies."""
from functools import wraps

from flask import abort, after_this_request, g, jsonify, request
from flask_babel import gettext as _

from renovation.domain.accounts import find_token, note_token_use
from renovation.models.users import TokenScope


def api_error(status: int, message: str, **extra):
    """An error in the API's shape, ``{"error": message, **extra}``, for the answers that carry more
    than the app's error handler gives (a 404 or 403 is plain ``abort``)."""
    response = jsonify(error=message, **extra)
    response.status_code = status
    return response


READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _note_use_when_answered(api_token) -> None:
    """Count a use once the request succeeded: a refused request leaves the database as it was."""

    @after_this_request
    def note(response):
        if response.status_code < 400:
            note_token_use(api_token)
        return response


def token_required(check):
    """401 without a live token, 403 when a read-only token writes or the token's user fails
    ``check``. A write is any method but GET, HEAD and OPTIONS."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _sep, secret = header.partition(" ")
            api_token = find_token(secret.strip()) if scheme.lower() == "bearer" and secret.strip() else None
            if api_token is None:
                response = api_error(401, _("A valid API token is required."))
                response.headers["WWW-Authenticate"] = 'Bearer realm="renovation"'
                return response
            _note_use_when_answered(api_token)
            if request.method not in READING_METHODS and api_token.scope != TokenScope.WRITE:
                return api_error(403, _("This API token is read-only: create a read-and-write token to make changes."),
                                 reason="read_only_token")
            if not check(api_token.user):
                abort(403)
            g.api_user = api_token.user
            return view(*args, **kwargs)

        return wrapped

    return decorator
