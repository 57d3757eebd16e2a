"""Error pages for people and JSON errors for the API."""
from flask import Flask, abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup

from renovation.extensions import db
from renovation.templating import render
from renovation.upload_limits import takes_photos, too_large_message

# The answer to an htmx request that failed: the message escaped into a fixed piece of markup.
HTMX_ERROR = Markup('<p class="flash flash-error" role="alert">{}</p>')

MESSAGES = {
    400: lambda: _("The request could not be understood."),
    401: lambda: _("Please log in."),
    403: lambda: _("You do not have permission to do this."),
    404: lambda: _("The page or record does not exist."),
    405: lambda: _("This action is not allowed here."),
    413: too_large_message,
    500: lambda: _("Something went wrong on the server. The error has been logged."),
}


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values)


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        """No text in this app contains NUL; PostgreSQL refuses it, so refuse it at the door."""
        # A view taking photos reads (and checks) its large body itself, after its
        # permission check: reading it here would make anyone able to upload 500 MB.
        if "\x00" in request.path or _has_nul(request.args.values()) or (
            request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
            and not takes_photos()
            and _has_nul(request.form.values())
        ):
            abort(400)

    def handle(error):
        code = getattr(error, "code", 500) or 500
        if code >= 500:
            # A failed flush leaves the session unusable, and the page may still need it
            # (base.html shows the user's community): start a clean transaction first.
            db.session.rollback()
        message = MESSAGES.get(code, MESSAGES[500])()
        if request.path.startswith("/api/"):
            return jsonify(error=message), code
        if request.htmx:
            return HTMX_ERROR.format(message), code
        return render("errors/error.html", code=code, message=message), code

    for code in MESSAGES:
        app.register_error_handler(code, handle)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        # The token is missing or stale because the session ended (or was renewed at a login in
        # another tab): nothing the user typed is wrong, so nothing they typed is thrown away.
        if request.blueprint != "auth":
            return session_expired(400)
        # Logging in, out or switching the language: nothing worth keeping (never a password).
        message = _("This form has expired or was sent twice. Open it again and try again.")
        if request.htmx:
            return HTMX_ERROR.format(message), 400
        return render("errors/error.html", code=400, message=message), 400


def kept_form_values() -> list[tuple[str, str]]:
    """What a refused full-page post carried, to send again unchanged: without its old token, and
    never a password (the page would show it in its source). A multipart body (files) is not
    read: files cannot be kept in a page, and an anonymous caller must not make us parse uploads."""
    if request.mimetype != "application/x-www-form-urlencoded":
        return []
    return [(name, value) for name, values in request.form.lists()
            if name != "csrf_token" and "password" not in name for value in values]


def session_expired(status: int):
    """The answer to a write whose login or form token expired, that keeps what was typed.

    htmx gets a fragment the page shows beside the form (which stays as it is), with a link to log
    in again in a new tab and a button that sends the same values again with a fresh token; a
    full-page post gets a page holding the values, with the same link and button.
    """
    logged_in = current_user.is_authenticated
    if logged_in:
        message = _("This form has expired. What you typed is kept: press Resubmit to send it again.")
    else:
        status = 401
        message = _("Your login has expired. Please log in again.")
    if request.htmx:
        return render_template("errors/_session_expired.html", message=message, logged_in=logged_in), status
    return render("errors/session_expired.html", message=message, logged_in=logged_in,
                  values=kept_form_values()), status
