"""Resident consultation pages: the project page's section, the consultation page with its vote,
edit and delete, and the list across projects."""
from flask import Blueprint

bp = Blueprint("consultations", __name__)

# The routes register on this blueprint as their modules are imported (Flask's large-app pattern).
from renovation.consultations import attachments, views  # noqa: E402,F401
