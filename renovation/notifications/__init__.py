"""Notifications: the user's list and choices, the admins' chat robots and failed deliveries; the
background jobs and ``flask notify`` that find what time brings and send what waits."""
from flask import Blueprint

bp = Blueprint("notifications", __name__)

# The routes register on this blueprint as their modules are imported (Flask's large-app pattern).
from renovation.notifications import robot_views, sending, views  # noqa: E402,F401

bp.record_once(lambda state: sending.init_app(state.app))
