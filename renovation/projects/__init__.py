"""The project list, the project page and its stage cards."""
from flask import Blueprint

bp = Blueprint("projects", __name__)

# The routes register on this blueprint as their modules are imported (Flask's large-app pattern).
from renovation.projects import views  # noqa: E402,F401
