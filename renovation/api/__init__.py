"""The JSON API for the bureau's other systems: ``/api/v1``, bearer tokens."""
from flask import Blueprint

bp = Blueprint("api", __name__)

from renovation.api import views  # noqa: E402,F401  (routes register on import)
from renovation.api import photos  # noqa: E402,F401
from renovation.api import attachments, consultations, demands  # noqa: E402,F401
from renovation.api import bulletins  # noqa: E402,F401
from renovation.api import json_bodies  # noqa: E402,F401
