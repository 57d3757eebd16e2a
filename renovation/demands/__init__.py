"""Resident demands (诉求): the project section and the cross-project list."""
from flask import Blueprint

bp = Blueprint("demands", __name__)

# The routes register on this blueprint as their modules are imported (Flask's large-app pattern).
from renovation.demands import views  # noqa: E402,F401
