"""Difficult problems through the API: a project's problems, raise one, take it through its steps,
and the problems of every project.

Same permissions as the pages: everyone who reads projects reads problems; engineers and admins
raise them everywhere, a committee for its own community's projects; engineers and admins give a
problem to a leader, a leader takes an open one on; the problem's leader, engineers and admins
solve or suspend it (renovation/permissions.py: ``can_take_problem_step``).

``POST /api/v1/projects/<code>/problems`` takes ``title``, ``description``, ``category``,
``departments`` (names from the configured list), ``proposal``, ``deadline`` (YYYY-MM-DD), and
optionally ``stage`` (the stage the problem blocks) and ``photos`` (ids of the project's photos).
A new problem is open (待研判): ``status`` may only be "open"; ``leader``, ``resolution`` and
``reason`` are set with PATCH, so that the history shows every step.

``PATCH /api/v1/problems/<id>`` takes ``version`` and any of the facts above, ``status`` (``in_hand``
with ``leader``, or a leader alone taking it on; ``solved`` with ``resolution`` and optionally
``solved_at``; ``suspended`` with ``reason``; ``open``/``in_hand`` from solved or suspended reopens it
with ``reason``) and ``leader`` (a leader's username or name). 409 ``{"error", "problem"}`` when the
version is stale; 422 ``{"errors": {field: message}}`` with nothing saved.
"""
from flask import abort, current_app, g, jsonify, request
from flask_babel import gettext as _

from renovation import permissions
from renovation.api import bp
from renovation.api.auth import token_required
from renovation.api.json_bodies import json_object
from renovation.api.problem_serializers import problem_json, read_changes, read_new_problem
from renovation.domain import clock, project_list
from renovation.domain.errors import RuleViolation
from renovation.domain.problems import listing
from renovation.domain.problems import operations as problems
from renovation.domain.problems.facts import find_leader
from renovation.models.problems import ProblemStatus


@bp.get("/projects/<code>/problems")
@token_required(permissions.can_view_projects)
def project_problems(code):
    """A project's problems, unsolved first."""
    project = project_list.project_by_code(code) or abort(404)
    today = clock.today()
    return jsonify(items=[problem_json(problem, today) for problem in listing.project_problems(project.id)])


@bp.post("/projects/<code>/problems")
@token_required(permissions.can_view_projects)
def raise_problem(code):
    """Record an open problem: 201 with the problem, or 422."""
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_raise_problem(g.api_user, project):
        abort(403)
    values, errors = read_new_problem(json_object())
    if errors:
        raise RuleViolation(errors)
    problem = problems.raise_problem(project, g.api_user, values)
    return jsonify(problem_json(problems.problem_by_id(problem.id), clock.today())), 201


@bp.get("/problems/<int:problem_id>")
@token_required(permissions.can_view_projects)
def problem(problem_id):
    found = problems.problem_by_id(problem_id) or abort(404)
    return jsonify(problem_json(found, clock.today()))


@bp.patch("/problems/<int:problem_id>")
@token_required(permissions.can_view_projects)
def patch_problem(problem_id):
    """Change a problem's facts, status or leader; 409 on a stale ``version``."""
    found = problems.problem_by_id(problem_id) or abort(404)
    if not permissions.can_handle_problems(g.api_user, found.project):
        abort(403)
    changes, version, errors = read_changes(json_object())
    if errors:
        raise RuleViolation(errors)
    steps = problems.steps_of(found, g.api_user, changes)
    if not all(permissions.can_take_problem_step(g.api_user, found, step) for step in steps):
        abort(403)
    changed = problems.change_problem(found, g.api_user, changes, version)
    return jsonify(problem_json(problems.problem_by_id(changed.id), clock.today()))


@bp.get("/problems")
@token_required(permissions.can_view_projects)
def all_problems():
    """Every project's problems: ``?status=&leader=&overdue=1&page=&per_page=``, overdue first."""
    status, leader_name = request.args.get("status", ""), request.args.get("leader", "").strip()
    if status and status not in set(ProblemStatus):
        raise RuleViolation({"status": _("Choose a status.")})
    criteria = listing.ProblemFilter(status=status, overdue=request.args.get("overdue") in ("1", "true"))
    if leader_name:
        leader, _message = find_leader(leader_name)
        criteria.leader_id = leader.id if leader else -2  # nobody of that name: nothing matches
    per_page = min(max(request.args.get("per_page", 50, type=int), 1), current_app.config["API_MAX_PER_PAGE"])
    today = clock.today()
    page = listing.problem_page(criteria, today, request.args.get("page", 1, type=int), per_page)
    return jsonify(items=[problem_json(item, today) for item in page.items], total=page.total, page=page.page,
                   per_page=page.per_page)
