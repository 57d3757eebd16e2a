"""Flask-Login wiring: sessions carry the user's id and session epoch; the session cookie is sent
back only by requests that may change it."""
from functools import cache

from flask import request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import undefer

from renovation.extensions import db
from renovation.models import User


@cache  # built at the first request (a loader option configures every mapper), the id bound at each
def _user_statement(with_the_bell: bool) -> Select:
    """The user by id; on a page that shows the header, with its unread count in the same statement."""
    statement = select(User).where(User.id == bindparam("user_id"))
    return statement.options(undefer(User.unread_notifications)) if with_the_bell else statement


def _renders_the_header() -> bool:
    """Whether the answer is likely a whole page, whose header shows the bell: a GET that is not a
    part asked for by htmx (a boosted navigation is a whole page)."""
    return request.method == "GET" and (request.headers.get("HX-Request") != "true"
                                        or request.headers.get("HX-Boosted") == "true")


def load_user(session_id: str) -> User | None:
    """The user of a session, unless the session was ended (epoch moved) or the user disabled."""
    try:
        user_id, epoch = (int(part) for part in session_id.split(":"))
    except ValueError:
        return None
    user = db.session.scalars(_user_statement(_renders_the_header()), {"user_id": user_id}).one_or_none()
    if user is None or user.session_epoch != epoch or not user.active:
        return None
    return user


def init_login_manager(login_manager) -> None:
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


class SessionCookieInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that a request a page makes by itself (an htmx
    request that is not a boosted navigation: a part loaded once the page is shown, a poll, a
    count) sends the cookie back only when it changed the session.

    A signed-in session is permanent, so Flask would renew its cookie on every answer. A part
    that takes seconds (a bulletin's preview) then answered with the cookie as it was when it was
    asked for, after a click on the same page had put a message in the session: the message was
    lost. Full pages and navigations still renew the cookie, so an idle session expires
    ``PERMANENT_SESSION_LIFETIME`` after the last page the user opened."""

    def should_set_cookie(self, app, session) -> bool:
        if session.modified:
            return True
        if request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true":
            return False
        return super().should_set_cookie(app, session)
