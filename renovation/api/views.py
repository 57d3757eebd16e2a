"""API routes: the same domain functions and permissions as the pages."""
from datetime import date

from flask import abort, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _

from renovation import permissions
from renovation.api import bp
from renovation.api.auth import token_required
from renovation.api.json_bodies import json_object
from renovation.api.serializers import project_detail, project_list_item, stage_event_json, stage_json
from renovation.domain import project_list
from renovation.domain.clock import today
from renovation.domain.errors import RuleViolation
from renovation.domain.project_list import Position, ProjectFilter
from renovation.domain.stages.history import stage_history
from renovation.domain.stages.keys import STAGE_ORDER
from renovation.domain.stages.operations import EDITABLE_FIELDS, update_stage
from renovation.models import Stage
from renovation.models.limits import column_limit


def _positive_int(name: str, default: int, maximum: int | None = None) -> int:
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        value = default
    value = max(value, 1)
    return min(value, maximum) if maximum else value


@bp.get("/projects")
@token_required(permissions.can_view_projects)
def projects():
    """One page of projects, filtered. ``next`` is the address of the following page (it starts
    after this page's last project: follow it to read every page, however many); ``total`` is
    exact when ``total_is_exact``, else more than ``total`` match."""
    per_page = _positive_int("per_page", 50, current_app.config["API_MAX_PER_PAGE"])
    street, community = request.args.get("street"), request.args.get("community")
    criteria = ProjectFilter(
        q=request.args.get("q", ""),
        # A name that matches no street or community matches no project; an empty one means all.
        street_id=(project_list.street_id_named(street) or -1) if street else None,
        community_id=(project_list.community_id_named(community) or -1) if community else None,
        stage=request.args.get("stage", ""),
        behind=request.args.get("behind") in ("1", "true"),
    )
    position = Position(page=_positive_int("page", 1), after=request.args.get("after", ""))
    result = project_list.list_page(criteria, position, per_page, today(), current_app.config["PROJECTS_COUNT_LIMIT"])
    following = None
    if result.has_next:
        asked = {key: value for key, value in request.args.items() if key not in ("page", "after", "before")}
        following = url_for("api.projects", **asked, page=result.page + 1, after=result.last_code)
    return jsonify(
        items=[project_list_item(row, today()) for row in result.items],
        total=result.total, total_is_exact=result.total_is_exact, page=result.page, per_page=result.per_page,
        next=following,
    )


def _project(code):
    return project_list.project_by_code(code)


@bp.get("/projects/<code>")
@token_required(permissions.can_view_projects)
def project(code):
    found = _project(code) or abort(404)
    return jsonify(project_detail(found, today()))


@bp.get("/projects/<code>/history")
@token_required(permissions.can_view_projects)
def history(code):
    found = _project(code) or abort(404)
    return jsonify(items=[stage_event_json(event) for event in stage_history(found.id)])


@bp.patch("/projects/<code>/stages/<key>")
@token_required(permissions.can_view_projects)
def patch_stage(code, key):
    found = _project(code)
    if found is None or key not in STAGE_ORDER:
        abort(404)
    if not permissions.can_edit_stage(g.api_user, found):
        abort(403)
    body = json_object()
    changes, errors = parse_stage_changes(body)
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        errors["version"] = _("Send the version of the stage you last saw.")
    override_reason = body.get("override_reason") or ""
    if not isinstance(override_reason, str):
        errors["override_reason"] = _("Must be text.")
    if errors:
        raise RuleViolation(errors)
    return jsonify(stage_json(update_stage(found, key, g.api_user, changes, version, override_reason=override_reason)))


def parse_stage_changes(body: dict) -> tuple[dict, dict]:
    """Typed values of the editable fields present in ``body``, and errors for bad ones."""
    changes, errors = {}, {}
    unknown = set(body) - set(EDITABLE_FIELDS) - {"version", "override_reason"}
    for field in sorted(unknown):
        errors[field] = _("Unknown field.")
    for field in EDITABLE_FIELDS:
        if field not in body:
            continue
        value = body[field]
        if field == "percent":
            if not isinstance(value, int) or isinstance(value, bool):
                errors[field] = _("Percent complete must be a whole number from 0 to 100.")
                continue
        elif field == "lag_reason" and value is None:
            value = ""  # null clears the reason, as it clears a date
        elif field in ("actual_start", "actual_end", "catch_up_date"):
            if value is not None:
                try:
                    value = date.fromisoformat(value)
                except (TypeError, ValueError):
                    errors[field] = _("Not a date: use YYYY-MM-DD.")
                    continue
        elif not isinstance(value, str):
            errors[field] = _("Must be text.")
            continue
        if field in ("note", "lag_note"):
            value = value.replace("\x00", "").strip()  # PostgreSQL refuses NUL characters in text
            if len(value) > column_limit(getattr(Stage, field)):
                errors[field] = _("At most %(n)d characters.", n=column_limit(getattr(Stage, field)))
                continue
        changes[field] = value
    return changes, errors
