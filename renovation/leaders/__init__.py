"""Linked leaders (挂钩联系点): a leader's page, and the site visits (蹲点调研) of a project."""
from flask import Blueprint

bp = Blueprint("leaders", __name__)

# The routes register on this blueprint as their modules are imported (Flask's large-app pattern).
from renovation.leaders import views  # noqa: E402,F401
