"""Administration: users and the audit log."""
from flask import Blueprint

bp = Blueprint("admin", __name__)

# The routes register on this blueprint as their modules are imported (Flask's large-app pattern).
from renovation.admin import leader_links, views  # noqa: E402,F401
