"""Renovation content (改造内容): the project page's section, the catalogue's admin page and the list of
stage rules overridden with a reason."""
from flask import Blueprint

bp = Blueprint("contents", __name__)

# The routes register on this blueprint as their modules are imported (Flask's large-app pattern).
from renovation.contents import items, overrides, views  # noqa: E402,F401
