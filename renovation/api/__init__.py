"""The JSON API for the bureau's other systems: ``/api/v1``, bearer tokens."""
from flask import Blueprint

bp = Blueprint("api", __name__)

from renovation.api import (  # noqa: E402,F401  (routes and error handlers register on import)
    attachments,
    bulletins,
    consultations,
    demands,
    errors,
    json_bodies,
    photos,
    views,
)
