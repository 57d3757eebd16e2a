"""Acceptance with the residents (竣工验收): the project page's section, recording an acceptance, its
papers, and rectification items added and closed."""
from flask import Blueprint

bp = Blueprint("acceptance", __name__)

# The routes register on this blueprint as their modules are imported (Flask's large-app pattern).
from renovation.acceptance import sheets, views  # noqa: E402,F401
