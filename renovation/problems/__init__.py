"""Difficult problems (困难问题): the project section, a problem's page with its steps, and the list."""
from flask import Blueprint

bp = Blueprint("problems", __name__)

# The routes register on this blueprint as their modules are imported (Flask's large-app pattern).
from renovation.problems import views  # noqa: E402,F401
