"""Logging in and out."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

# The routes register on this blueprint as their modules are imported (Flask's large-app pattern).
from renovation.auth import views  # noqa: E402,F401
