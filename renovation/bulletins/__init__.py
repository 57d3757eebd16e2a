"""Progress bulletins: drafts and their way to issue, the archive and downloads."""
from flask import Blueprint

bp = Blueprint("bulletins", __name__)

# The routes register on this blueprint as their modules are imported (Flask's large-app pattern).
from renovation.bulletins import drafts, views  # noqa: E402,F401
