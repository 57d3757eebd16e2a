"""The project ledger in and out: .xlsx import with a preview, and the template to fill in."""
from flask import Blueprint

bp = Blueprint("ledger", __name__)

# The routes register on this blueprint as their modules are imported (Flask's large-app pattern).
from renovation.ledger import views  # noqa: E402,F401
