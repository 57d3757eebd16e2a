"""After the works (长效管理) through the API: who looks after a project's compound afterwards.

``GET /api/v1/projects/<code>/aftercare`` → the record (``version`` 0 and ``recorded`` false while
nothing is recorded). ``PUT`` takes ``version`` (the one last seen; 0 for the first save) and any of
``party_branch`` (bool), ``party_branch_name``, ``building_party_groups`` (whole number ≥ 0),
``owners_committee``, ``red_owners_committee`` (bools), ``property_management`` (``professional``,
``self``, ``community``, ``none``), ``property_company`` (named for ``professional`` only) and
``red_property`` (bool); fields left out keep their values → 200 with the record. 409
``{"error", "aftercare"}`` when stale; 422 ``{"errors"}`` by field.

Same permissions as the page: everyone who reads projects reads it; engineers and admins write any
project's, a committee its own community's (renovation/permissions.py: ``can_edit_aftercare``).
"""
from flask import abort, g, jsonify

from renovation import permissions
from renovation.api import bp
from renovation.api.aftercare_serializers import aftercare_json, read_aftercare
from renovation.api.auth import token_required
from renovation.api.json_bodies import json_object
from renovation.domain import project_list
from renovation.domain.aftercare.records import aftercare_of, save_aftercare
from renovation.domain.errors import RuleViolation


@bp.get("/projects/<code>/aftercare")
@token_required(permissions.can_view_projects)
def project_aftercare(code):
    project = project_list.project_by_code(code) or abort(404)
    return jsonify(aftercare_json(aftercare_of(project.id), project.code))


@bp.put("/projects/<code>/aftercare")
@token_required(permissions.can_view_projects)
def put_aftercare(code):
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_edit_aftercare(g.api_user, project):
        abort(403)
    values, version, errors = read_aftercare(json_object(), project.code)
    if errors:
        raise RuleViolation(errors)
    save_aftercare(project, g.api_user, values, version)
    return jsonify(aftercare_json(aftercare_of(project.id), project.code))
