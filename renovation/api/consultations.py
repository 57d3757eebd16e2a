"""Resident consultations through the API: a project's log, one consultation, log a new one.

Same permissions as the pages: every role reads; engineers and admins write everywhere,
committee members for their own community's projects, leaders never. Deleted consultations
are 404.

``POST /api/v1/projects/<code>/consultations`` takes ``date`` (YYYY-MM-DD), ``kind``,
``topic`` and optionally ``place``, ``organiser``, ``attendees``, ``households``, ``opinions``,
``decisions``, ``follow_up`` and ``vote`` (an object, or null for no vote): ``matter``,
``matter_class`` ("special" or "ordinary"), ``<group>_owners`` (whole numbers) and
``<group>_area`` (m², a JSON number or a numeric string, at most two decimals) for the groups
total, participating, agree, oppose and abstain (oppose and abstain may be left out), and
optionally ``extra_threshold`` (e.g. "9/10" of the total owners must agree) and ``extra_label``.

Refused input is 422 ``{"errors": {field: message}}`` with nothing saved. **Errors of the
vote's fields are flat keys prefixed "vote."**, e.g. ``{"errors": {"vote.participating_area":
"…"}}``; ``"vote"`` itself when the vote is not an object. Unknown fields, at the top or in
the vote, are refused with "Unknown field.". The answer (201, and GET) is
:func:`~renovation.api.resident_serializers.consultation_json`; a vote carries its computed
``outcome``: ``{"passed", "quorum_met", "reasons": [...], "checks": [...]}``.
"""
from flask import abort, g, jsonify, url_for
from flask_babel import gettext as _

from renovation import permissions
from renovation.api import bp
from renovation.api.auth import token_required
from renovation.api.json_bodies import json_object
from renovation.api.resident_serializers import FieldReader, attachment_json, consultation_json
from renovation.domain import project_list
from renovation.domain.errors import RuleViolation
from renovation.domain.residents import consultations as operations
from renovation.domain.residents import votes
from renovation.domain.residents.attachments import consultation_attachments
from renovation.domain.residents.consultations import CONSULTATION_FIELDS, TEXT_FIELDS, VOTE_FIGURES, figures_of
from renovation.models.consultations import Consultation, ConsultationKind, Vote
from renovation.models.limits import column_limit

TEXT_LIMITS = {name: column_limit(getattr(Consultation, name)) for name in TEXT_FIELDS}
VOTE_TEXT_LIMITS = {name: column_limit(getattr(Vote, name))
                    for name in ("matter", "matter_class", "extra_threshold", "extra_label")}
VOTE_PREFIX = "vote."



@bp.get("/projects/<code>/consultations")
@token_required(permissions.can_view_projects)
def project_consultations(code):
    """A project's consultations, newest first, each with its vote and outcome."""
    project = project_list.project_by_code(code) or abort(404)
    found = operations.project_consultations(project.id)
    return jsonify(items=[consultation_json(item) for item in found])


@bp.get("/consultations/<int:consultation_id>")
@token_required(permissions.can_view_projects)
def consultation(consultation_id):
    """One consultation (404 once deleted)."""
    found = operations.live_consultation(consultation_id) or abort(404)
    attachments = [attachment_json(attachment) for attachment in consultation_attachments(found.id)]
    return jsonify({**consultation_json(found), "attachments": attachments})


@bp.post("/projects/<code>/consultations")
@token_required(permissions.can_view_projects)
def add_consultation(code):
    """Log a consultation and its optional vote: 201 with the consultation, or 422."""
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_write_consultations(g.api_user, project):
        abort(403)
    values, vote_values, errors = parse_consultation(json_object())
    if errors:
        raise RuleViolation(errors)
    saved = operations.add_consultation(project, g.api_user, values, vote_values)
    response = jsonify(consultation_json(saved))
    response.headers["Location"] = url_for("api.consultation", consultation_id=saved.id)
    return response, 201


def parse_consultation(body: dict) -> tuple[dict, dict | None, dict[str, str]]:
    """``(values, vote_values, errors)`` typed as the domain wants them (dates, ints, Decimal
    areas). When a field is refused, the vote's figures are still checked so that every
    mistake is reported at once."""
    reader = FieldReader(body)
    reader.unknown({*CONSULTATION_FIELDS, "vote"})
    values = {name: reader.text(name, limit) for name, limit in TEXT_LIMITS.items()}
    values["date"] = reader.date("date")
    values["households"] = reader.count(
        "households", _("Enter the number of households represented as a whole number, 0 or more."))
    kind = body.get("kind")
    if not isinstance(kind, str) or kind not in set(ConsultationKind):
        reader.refuse("kind", _("Choose a kind: council_meeting, door_to_door, questionnaire, "
                                "public_notice or hearing."))
    values["kind"] = kind
    if values["date"] is None:
        reader.refuse("date", _("Enter the date of the consultation."))
    if not values["topic"]:
        reader.refuse("topic", _("Enter the topic."))
    vote_values = _parse_vote(body.get("vote"), reader)
    if reader.errors and vote_values is not None:
        figure_errors = votes.figure_errors(figures_of(vote_values))
        for name, message in figure_errors.items():
            reader.errors.setdefault(VOTE_PREFIX + name, str(message))
    return values, vote_values, reader.errors


def _parse_vote(vote, parent: FieldReader) -> dict | None:
    if vote is None:
        return None
    if not isinstance(vote, dict):
        parent.refuse("vote", _("Send the vote as a JSON object, or null when no vote was taken."))
        return None
    reader = FieldReader(vote, prefix=VOTE_PREFIX, errors=parent.errors)
    reader.unknown({*VOTE_FIGURES, *VOTE_TEXT_LIMITS})
    values = {name: reader.text(name, limit) for name, limit in VOTE_TEXT_LIMITS.items()}
    for name in VOTE_FIGURES:
        if name.endswith("_owners"):
            # Negative counts go through: the vote rules say why they are refused.
            values[name] = reader.count(
                name, _("Enter the number of owners as a whole number."), minimum=None)
        else:
            values[name] = reader.area(name)
    return values
