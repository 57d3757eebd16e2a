"""Acceptance with the residents (竣工验收) and rectification items (整改事项) through the API.

Same permissions as the pages: everyone who reads projects reads them; engineers and admins record
acceptances and items, and close items, everywhere, a committee for its own community's projects
(renovation/permissions.py: ``can_record_acceptance``).

``POST /api/v1/projects/<code>/acceptances`` takes ``accepted_on`` (YYYY-MM-DD), ``units`` (keys:
``construction_owner``, ``contractor``, ``supervisor``, ``designer``, ``street_community``),
``representatives`` (``[{"name"} or {"headcount"}, with "represents"]``), ``checks``
(``[{"content_id", "result": "accepted"|"rectify", "note", "deadline"?, "responsible_unit"?}]``: an item
to rectify becomes an open rectification item) and ``summary`` → 201 with the acceptance.
``POST /api/v1/projects/<code>/rectifications`` takes ``description``, ``deadline``,
``responsible_unit`` and optionally ``acceptance_id`` → 201. ``PATCH /api/v1/rectifications/<id>``
closes an item: ``version`` and ``note`` and/or ``photo_id`` (a photo of the project). 409
``{"error", "rectification"}`` when the version is stale; 422 ``{"errors": {field: message}}``.
"""
from flask import abort, g, jsonify

from renovation import permissions
from renovation.api import bp
from renovation.api.acceptance_serializers import (
    acceptance_json,
    read_closing,
    read_new_acceptance,
    read_new_rectification,
    rectification_json,
)
from renovation.api.auth import token_required
from renovation.api.json_bodies import json_object
from renovation.domain import clock, project_list
from renovation.domain.acceptance import attachments, records, rectifications
from renovation.domain.acceptance.facts import latest_acceptance_id
from renovation.domain.errors import RuleViolation
from renovation.photos.files import send_content


@bp.get("/projects/<code>/acceptances")
@token_required(permissions.can_view_projects)
def project_acceptances(code):
    """A project's acceptances, the one that counts (latest) first."""
    project = project_list.project_by_code(code) or abort(404)
    found = records.acceptances_of(project.id)
    papers = attachments.attachments_by_acceptance([record.id for record in found])
    return jsonify(items=[acceptance_json(record, papers.get(record.id, []), latest=index == 0)
                          for index, record in enumerate(found)])


@bp.post("/projects/<code>/acceptances")
@token_required(permissions.can_view_projects)
def record_acceptance(code):
    """Record an acceptance: 201 with it, or 422."""
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_record_acceptance(g.api_user, project):
        abort(403)
    values, errors = read_new_acceptance(json_object())
    if errors:
        raise RuleViolation(errors)
    record = records.record_acceptance(project, g.api_user, values)
    return jsonify(acceptance_json(records.acceptance_by_id(record.id), latest=True)), 201


@bp.get("/acceptances/<int:acceptance_id>")
@token_required(permissions.can_view_projects)
def acceptance(acceptance_id):
    found = records.acceptance_by_id(acceptance_id) or abort(404)
    papers = attachments.attachments_by_acceptance([found.id]).get(found.id, [])
    return jsonify(acceptance_json(found, papers, latest=latest_acceptance_id(found.project_id) == found.id))


@bp.get("/acceptance-attachments/<int:paper_id>/<any(original, display, thumbnail):kind>")
@token_required(permissions.can_view_projects)
def acceptance_attachment_file(paper_id, kind):
    """An acceptance's paper: the original (a PDF inline, an image as a download) or an image's JPEG."""
    attachment = attachments.live_attachment(paper_id)
    if attachment is None or (attachment.is_pdf and kind != "original"):
        abort(404)
    return send_content(attachment.sha256, kind, attachment.content_type, attachment.original_filename,
                        inline=attachment.is_pdf)


@bp.get("/projects/<code>/rectifications")
@token_required(permissions.can_view_projects)
def project_rectifications(code):
    """A project's rectification items, open first by deadline."""
    project = project_list.project_by_code(code) or abort(404)
    today = clock.today()
    return jsonify(items=[rectification_json(item, today) for item in rectifications.rectifications_of(project.id)])


@bp.post("/projects/<code>/rectifications")
@token_required(permissions.can_view_projects)
def add_rectification(code):
    """Add an open item: 201 with it, or 422."""
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_record_acceptance(g.api_user, project):
        abort(403)
    values, errors = read_new_rectification(json_object())
    if errors:
        raise RuleViolation(errors)
    item = rectifications.add_rectification(project, g.api_user, values)
    return jsonify(rectification_json(rectifications.rectification_by_id(item.id), clock.today())), 201


@bp.patch("/rectifications/<int:rectification_id>")
@token_required(permissions.can_view_projects)
def close_rectification(rectification_id):
    """Close an item with a note and/or a photo; 409 on a stale ``version``."""
    item = rectifications.rectification_by_id(rectification_id) or abort(404)
    if not permissions.can_record_acceptance(g.api_user, item.project):
        abort(403)
    values, version, errors = read_closing(json_object())
    if errors:
        raise RuleViolation(errors)
    rectifications.close_rectification(item, g.api_user, values, version)
    return jsonify(rectification_json(rectifications.rectification_by_id(rectification_id), clock.today()))
