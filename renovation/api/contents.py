"""Renovation content (改造内容) through the API: the catalogue, a project's contents, and adding,
changing and removing one.

Same permissions as the pages: everyone who reads projects reads contents and the catalogue; engineers
and admins write them (renovation/permissions.py: ``can_edit_contents``).

``POST /api/v1/projects/<code>/contents`` takes ``item`` (a catalogue key), ``planned_quantity``,
``completed_quantity``, ``investment`` (万元) as decimal strings, optionally ``stage`` (the item's own
when absent) and ``reason`` (needed when more is done than planned) → 201 with the content.
``PATCH /api/v1/contents/<id>`` takes ``version`` and any of those but ``item``; ``DELETE`` takes an
optional ``{"version"}`` → 204. 409 ``{"error", "content"}`` when stale; 422 ``{"errors"}`` by field.
"""
from flask import abort, g, jsonify
from flask_babel import gettext as _

from renovation import permissions
from renovation.api import bp
from renovation.api.auth import token_required
from renovation.api.content_serializers import (
    content_item_json,
    content_json,
    read_content_changes,
    read_new_content,
)
from renovation.api.json_bodies import json_object
from renovation.domain import project_list
from renovation.domain.contents import catalogue, operations
from renovation.domain.errors import RuleViolation


@bp.get("/content-items")
@token_required(permissions.can_view_projects)
def content_items():
    """The catalogue, by category (retired items included, marked)."""
    return jsonify(items=[content_item_json(item) for item in catalogue.catalogue()])


def _with_history(contents) -> list[dict]:
    history = operations.histories(content.id for content in contents)
    return [content_json(content, history.get(content.id, [])) for content in contents]


@bp.get("/projects/<code>/contents")
@token_required(permissions.can_view_projects)
def project_contents(code):
    project = project_list.project_by_code(code) or abort(404)
    return jsonify(items=_with_history(operations.contents_of(project.id)))


@bp.post("/projects/<code>/contents")
@token_required(permissions.can_view_projects)
def add_content(code):
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_edit_contents(g.api_user, project):
        abort(403)
    values, errors = read_new_content(json_object(), catalogue.item_by_key)
    if errors:
        raise RuleViolation(errors)
    content = operations.add_content(project, g.api_user, values)
    return jsonify(_with_history([operations.content_by_id(content.id)])[0]), 201


@bp.patch("/contents/<int:content_id>")
@token_required(permissions.can_view_projects)
def patch_content(content_id):
    content = operations.content_by_id(content_id) or abort(404)
    if not permissions.can_edit_contents(g.api_user, content.project):
        abort(403)
    changes, version, errors = read_content_changes(json_object(), content)
    if errors:
        raise RuleViolation(errors)
    operations.change_content(content, g.api_user, changes, version)
    return jsonify(_with_history([operations.content_by_id(content_id)])[0])


@bp.delete("/contents/<int:content_id>")
@token_required(permissions.can_view_projects)
def delete_content(content_id):
    content = operations.content_by_id(content_id) or abort(404)
    if not permissions.can_edit_contents(g.api_user, content.project):
        abort(403)
    version = json_object(optional=True).get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise RuleViolation({"version": _("Send the version of the content you last saw.")})
    operations.remove_content(content, g.api_user, version)
    return "", 204
