"""The dashboard: the whole programme at a glance, every figure a link to its list."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__)

# The routes register on this blueprint as their modules are imported (Flask's large-app pattern).
from renovation.dashboard import views  # noqa: E402,F401
