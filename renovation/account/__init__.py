"""The signed-in user's own account: the API tokens they hold."""
from flask import Blueprint

bp = Blueprint("account", __name__)

# The routes register on this blueprint as their modules are imported (Flask's large-app pattern).
from renovation.account import views  # noqa: E402,F401
