"""The JSON API for the bureau's other systems: ``/api/v1``, bearer tokens."""
from flask import Blueprint

bp = Blueprint("api", __name__)

from renovation.api import (  # noqa: E402,F401
    attachments,
    bulletins,  # noqa: E402,F401
    consultations,
    demands,
    json_bodies,  # noqa: E402,F401
    photos,  # noqa: E402,F401
    views,  # noqa: E402,F401  (routes register on import)
)
