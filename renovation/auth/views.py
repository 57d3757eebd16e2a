"""Login, logout and the language switch."""
from datetime import timedelta
from urllib.parse import urlsplit

from flask import flash, jsonify, make_response, redirect, request, session, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from renovation import list_scope, permissions
from renovation.auth import bp
from renovation.auth.forms import LoginForm
from renovation.domain import accounts, login_throttle
from renovation.i18n import LANGUAGE_COOKIE
from renovation.templating import render


def _safe_next(target: str | None) -> str:
    """Only follow redirects within this site."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return list_scope.home_url(current_user)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(list_scope.home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        result = accounts.authenticate(form.username.data, form.password.data, request.remote_addr or "unknown")
        if result.blocked_until:
            return _throttled(form, login_throttle.seconds_until(result.blocked_until))
        if result.user is None:
            form.password.errors.append(_("Wrong username or password."))
        else:
            session.clear()  # a fresh session at login
            session.permanent = True
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")), code=303)
    return render("auth/login.html", form=form)


def _throttled(form: LoginForm, seconds: int):
    """429 with the wait: the same for every username, existing or not."""
    wait = format_timedelta(timedelta(seconds=seconds), granularity="second", threshold=10)
    form.username.errors.append(_("Too many failed logins from here. Try again in %(wait)s.", wait=wait))
    response = make_response(render("auth/login.html", form=form), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.route("/login/again")
@permissions.require(permissions.can_view_projects)
def logged_in_again():
    """Where the "log in again" tab lands: back to the first tab, whose form kept its values."""
    return render("auth/logged_in_again.html")


@bp.route("/session/token")
@permissions.require(permissions.can_view_projects)
def fresh_csrf_token():
    """A form token for the current login, for a page whose own token expired with its session."""
    response = jsonify(csrf_token=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/logout", methods=["POST"])
def logout():
    # Someone whose session already ended is logged out too: no detour through the login
    # page, whose ``next`` would lead back to this POST-only address as a GET (405).
    if current_user.is_authenticated:
        accounts.end_sessions(current_user)
        logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/language", methods=["POST"])
def set_language():
    language = request.form.get("language")
    response = make_response(redirect(_safe_next(request.form.get("next")), code=303))
    if language in ("zh_CN", "en"):
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
