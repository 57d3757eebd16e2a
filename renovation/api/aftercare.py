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
from flask_babel import gettext as _

from renovation import permissions
from renovation.api import bp
from renovation.api.auth import api_error, token_required
from renovation.api.json_bodies import json_object
from renovation.api.resident_serializers import FieldReader
from renovation.api.serializers import iso_time
from renovation.domain import project_list
from renovation.domain.aftercare.records import (
    COMPANY_MAX,
    FIELDS,
    FLAGS,
    GROUPS_MESSAGE,
    MAX_PARTY_GROUPS,
    NAME_MAX,
    AftercareConflict,
    aftercare_of,
    save_aftercare,
)
from renovation.domain.errors import RuleViolation

SHOWN_ONLY = ("project", "recorded", "updated_at", "updated_by")


def aftercare_json(record, code: str) -> dict:
    """A project's after-care as the API shows it."""
    return {"project": code, **{name: getattr(record, name) for name in FIELDS},
            "recorded": record.recorded, "version": record.version, "updated_at": iso_time(record.updated_at),
            "updated_by": record.updated_by.username if record.updated_by else None}


def read_aftercare(body: dict, code: str) -> tuple[dict, int | None, dict]:
    """``(values, version, errors)`` of a PUT body: the values' types checked, their rules left to
    the domain."""
    reader = FieldReader(body)
    reader.unknown({*FIELDS, "version", *SHOWN_ONLY})
    if "project" in body and body["project"] != code:
        reader.refuse("project", _("The project is the one in the address: leave it out."))
    values = {}
    for name in FLAGS:
        if name in body:
            if isinstance(body[name], bool):
                values[name] = body[name]
            else:
                reader.refuse(name, _("Send true or false."))
    for name, longest in (("party_branch_name", NAME_MAX), ("property_company", COMPANY_MAX)):
        if name in body:
            values[name] = reader.text(name, longest) or ""
    if "building_party_groups" in body:
        values["building_party_groups"] = reader.count("building_party_groups", str(GROUPS_MESSAGE))
        if values["building_party_groups"] is not None and values["building_party_groups"] > MAX_PARTY_GROUPS:
            reader.refuse("building_party_groups", str(GROUPS_MESSAGE))
    if "property_management" in body:
        values["property_management"] = reader.text("property_management", 16) or ""
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        reader.refuse("version", _("Send the version of the after-care you last saw (0 when none was recorded)."))
        version = None
    return values, version, reader.errors


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
    try:
        save_aftercare(project, g.api_user, values, version)
    except AftercareConflict as conflict:  # answered here: the record as now needs the project's code
        return api_error(409, _("Someone else changed the after-care since you loaded it."),
                         aftercare=aftercare_json(conflict.current, project.code))
    return jsonify(aftercare_json(aftercare_of(project.id), project.code))
