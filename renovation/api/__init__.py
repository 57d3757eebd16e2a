"""The JSON API for the bureau's other systems: ``/api/v1``, bearer tokens."""
from flask import Blueprint

bp = Blueprint("api", __name__)

from renovation.api import (  # noqa: E402,F401  (routes and error handlers register on import)
    acceptance,
    aftercare,
    attachments,
    bulletins,
    consultations,
    contents,
    demands,
    errors,
    photos,
    problems,
    views,
)
from renovation.api.json_bodies import refuse_unusable_json  # noqa: E402

bp.before_request(refuse_unusable_json)
