"""Flask-Login wiring: sessions carry the user's id and session epoch."""
from flask_babel import lazy_gettext as _l

from renovation.extensions import db
from renovation.models import User


def load_user(session_id: str) -> User | None:
    """The user of a session, unless the session was ended (epoch moved) or the user disabled."""
    try:
        user_id, epoch = (int(part) for part in session_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, user_id)
    if user is None or user.session_epoch != epoch or not user.active:
        return None
    return user


def init_login_manager(login_manager) -> None:
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
