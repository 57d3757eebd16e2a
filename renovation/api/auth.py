"""Bearer-token authentication. The API never looks at session cookies."""
from functools import wraps

from flask import g, jsonify, request
from flask_babel import gettext as _

from renovation.domain.accounts import user_for_token


def api_error(status: int, message: str, **extra):
    response = jsonify(error=message, **extra)
    response.status_code = status
    return response


def not_found():
    """404 in the API's shape: an unknown (or deleted) record."""
    return api_error(404, _("The page or record does not exist."))


def forbidden():
    """403 in the API's shape: the caller may not do this to this record."""
    return api_error(403, _("You do not have permission to do this."))


def token_required(check):
    """401 without a valid token, 403 when the token's user fails ``check``."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _sep, token = header.partition(" ")
            user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token else None
            if user is None:
                response = api_error(401, _("A valid API token is required."))
                response.headers["WWW-Authenticate"] = 'Bearer realm="renovation"'
                return response
            if not check(user):
                return forbidden()
            g.api_user = user
            return view(*args, **kwargs)

        return wrapped

    return decorator
