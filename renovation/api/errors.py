"""The API's answers to the domain's two refusals, registered once for the whole blueprint.

A view calls the domain and lets :class:`~renovation.domain.errors.RuleViolation` and
:class:`~renovation.domain.errors.Conflict` propagate; so do the views' own checks of a request's
values (they raise :class:`RuleViolation` too, see :func:`renovation.api.json_bodies.json_object`).

- a rule violation is 422 ``{"errors": {field: message}}``;
- a conflict is 409 ``{"error": message, <record>: ...}`` with the record as it is now, in the
  shape its GET answers (a duplicate photo gives its ``id``).

An unknown record is ``abort(404)`` and a refused one ``abort(403)``: the app's error handler
(:mod:`renovation.errors`) answers ``/api/`` paths with ``{"error": message}``.
"""
from flask import jsonify
from flask_babel import lazy_gettext as _l

from renovation.api import bp
from renovation.api.acceptance_serializers import rectification_json
from renovation.api.aftercare_serializers import aftercare_json
from renovation.api.auth import api_error
from renovation.api.content_serializers import content_json
from renovation.api.problem_serializers import problem_json
from renovation.api.resident_serializers import demand_json
from renovation.api.serializers import stage_json
from renovation.domain.acceptance.rectifications import RectificationConflict
from renovation.domain.aftercare.records import AftercareConflict
from renovation.domain.clock import today
from renovation.domain.contents.operations import ContentConflict
from renovation.domain.errors import Conflict, RuleViolation
from renovation.domain.photos.operations import DuplicatePhoto
from renovation.domain.problems.operations import ProblemConflict
from renovation.domain.residents.demands import DemandConflict
from renovation.domain.stages.operations import StageConflict

# What a conflict says, and the current record as the API shows it. A Conflict raised under the
# API needs its row here (an unknown one is a 500 and fails the API's tests).
CONFLICT_ANSWERS = {
    StageConflict: (_l("Someone else changed this stage since you loaded it."),
                    lambda stage: {"stage": stage_json(stage)}),
    DemandConflict: (_l("Someone else changed this demand since you loaded it."),
                     lambda demand: {"demand": demand_json(demand, today())}),
    ProblemConflict: (_l("Someone else changed this problem since you loaded it."),
                      lambda problem: {"problem": problem_json(problem, today())}),
    ContentConflict: (_l("Someone else changed this content since you loaded it."),
                      lambda content: {"content": content_json(content)}),
    RectificationConflict: (_l("Someone else changed this rectification item since you loaded it."),
                            lambda item: {"rectification": rectification_json(item, today())}),
    AftercareConflict: (_l("Someone else changed the after-care since you loaded it."),
                        lambda record: {"aftercare": aftercare_json(record)}),
    DuplicatePhoto: (_l("This photo has already been uploaded to this project."),
                     lambda photo: {"id": photo.id}),
}


@bp.errorhandler(RuleViolation)
def rule_violation(violation: RuleViolation):
    """422 with every refused field and why; nothing was saved."""
    return jsonify(errors={str(field): str(message) for field, message in violation.errors.items()}), 422


@bp.errorhandler(Conflict)
def conflict(error: Conflict):
    """409 with the record as it is now, for the client to show or merge; nothing was saved."""
    message, current_json = CONFLICT_ANSWERS[type(error)]
    return api_error(409, str(message), **current_json(error.current))
