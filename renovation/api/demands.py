"""Resident demands through the API: a project's demands, record one, move one along.

Same permissions as the pages: every role reads; engineers and admins write everywhere,
committee members for their own community's projects, leaders never.

``POST /api/v1/projects/<code>/demands`` takes ``category``, ``text``, ``raised_on``
(YYYY-MM-DD) and optionally ``raised_by`` and ``consultation_id`` (a consultation of the same
project). A new demand is always pending: ``status`` may be sent only as "pending", and
``response``, ``reason`` and ``assignee`` are refused; set them with PATCH afterwards, so that
the demand's history shows every step.

``PATCH /api/v1/demands/<id>`` takes ``version`` (the one last seen) and any of ``status``,
``response``, ``reason``, ``assignee``. A stale version is 409 ``{"error", "demand"}`` with the
current demand. Refused input is 422 ``{"errors": {field: message}}`` with nothing saved.
The answer is :func:`~renovation.api.resident_serializers.demand_json`, with ``overdue``.
"""
from flask import abort, g, jsonify
from flask_babel import gettext as _

from renovation import permissions
from renovation.api import bp
from renovation.api.auth import token_required
from renovation.api.json_bodies import json_object
from renovation.api.resident_serializers import FieldReader, demand_json
from renovation.domain import project_list
from renovation.domain.clock import today
from renovation.domain.errors import RuleViolation
from renovation.domain.residents import demand_list
from renovation.domain.residents import demands as operations
from renovation.models.consultations import Demand, DemandStatus
from renovation.models.limits import column_limit

RAISE_TEXT_LIMITS = {name: column_limit(getattr(Demand, name)) for name in ("category", "text", "raised_by")}
CHANGE_TEXT_LIMITS = {name: column_limit(getattr(Demand, name))
                      for name in ("status", "response", "reason", "assignee")}
FIXED_FIELDS = ("category", "text", "raised_by", "raised_on", "consultation_id")


@bp.get("/projects/<code>/demands")
@token_required(permissions.can_view_projects)
def project_demands(code):
    """A project's demands, open and oldest first."""
    project = project_list.project_by_code(code) or abort(404)
    found = demand_list.find_demands(demand_list.DemandFilter(project_id=project.id))
    return jsonify(items=[demand_json(demand, today()) for demand in found])


@bp.post("/projects/<code>/demands")
@token_required(permissions.can_view_projects)
def raise_demand(code):
    """Record a pending demand: 201 with the demand, or 422."""
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_write_consultations(g.api_user, project):
        abort(403)
    values, errors = parse_new_demand(json_object())
    if errors:
        raise RuleViolation(errors)
    demand = operations.raise_demand(project, g.api_user, values)
    return jsonify(demand_json(demand, today())), 201


@bp.patch("/demands/<int:demand_id>")
@token_required(permissions.can_view_projects)
def patch_demand(demand_id):
    """Change a demand's status, response, reason or assignee; 409 on a stale ``version``."""
    demand = operations.demand_by_id(demand_id) or abort(404)
    if not permissions.can_write_consultations(g.api_user, demand.project):
        abort(403)
    changes, version, errors = parse_demand_changes(json_object())
    if errors:
        raise RuleViolation(errors)
    demand = operations.change_demand(demand, g.api_user, changes, version)
    return jsonify(demand_json(demand, today()))


def parse_new_demand(body: dict) -> tuple[dict, dict[str, str]]:
    """The values :func:`~renovation.domain.residents.demands.raise_demand` wants, and type errors."""
    reader = FieldReader(body)
    reader.unknown({*FIXED_FIELDS, *CHANGE_TEXT_LIMITS})
    for name in ("response", "reason", "assignee"):
        if name in body:
            reader.refuse(name, _("A new demand is pending: set this with PATCH once it is "
                                  "recorded."))
    if body.get("status", DemandStatus.PENDING.value) != DemandStatus.PENDING.value:
        reader.refuse("status", _("A new demand is pending: change its status with PATCH once it "
                                  "is recorded."))
    values = {name: reader.text(name, limit) for name, limit in RAISE_TEXT_LIMITS.items()}
    values["raised_on"] = reader.date("raised_on")
    values["consultation_id"] = reader.count("consultation_id",
                                             _("Choose a consultation of this project."))
    return values, reader.errors


def parse_demand_changes(body: dict) -> tuple[dict, int | None, dict[str, str]]:
    """``(changes, version, errors)`` for :func:`~renovation.domain.residents.demands.change_demand`."""
    reader = FieldReader(body)
    for name in FIXED_FIELDS:
        if name in body:
            reader.refuse(name, _("This cannot be changed once the demand is recorded."))
    reader.unknown({*FIXED_FIELDS, *CHANGE_TEXT_LIMITS, "version"})
    changes = {name: reader.text(name, limit)
               for name, limit in CHANGE_TEXT_LIMITS.items() if name in body}
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        reader.refuse("version", _("Send the version of the demand you last saw."))
    return changes, version, reader.errors
