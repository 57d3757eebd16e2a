"""Problem pages: thin views over :mod:`renovation.domain.problems`."""
from flask import abort, current_app, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from renovation import permissions
from renovation.domain import clock, project_list
from renovation.domain.errors import Conflict, RuleViolation
from renovation.domain.problems import listing, operations
from renovation.domain.problems.flow import Step
from renovation.list_links import page_links
from renovation.problems import bp, panels
from renovation.problems.forms import ProblemFilterForm
from renovation.projects import panels as project_panels
from renovation.templating import fragment_or_redirect, render, wants_fragment

can_view = permissions.require(permissions.can_view_projects)
STEPS = "any(assign, take_on, solve, suspend, reopen, edit)"
STEP_MESSAGES = {"assign": _l("Problem given to the leader."), "take_on": _l("You have taken the problem on."),
                 "solve": _l("Problem marked solved."), "suspend": _l("Problem suspended."),
                 "reopen": _l("Problem reopened."), "edit": _l("Problem saved.")}


@bp.route("/problems")
@can_view
def index():
    form = ProblemFilterForm.read(request.args, every_street=not wants_fragment())
    criteria, today = form.criteria(), clock.today()
    result = listing.problem_page(criteria, today, form.page_number(), current_app.config["PROBLEMS_PER_PAGE"])
    return render("problems/index.html", "results", form=form, criteria=criteria, result=result, today=today,
                  figures=listing.figures(criteria, today), page_url=page_links("problems.index", form),
                  fragment=wants_fragment())


@bp.route("/projects/<code>/problems/new")
@can_view
def new(code):
    """A blank raise form: the project page asks for it (htmx) when 反映困难问题 is opened; without a
    script the same address is a page of its own."""
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_raise_problem(current_user, project):
        abort(403)
    page = "problems/_raise_form.html" if wants_fragment() else "problems/raise.html"
    return render(page, project=project, raise_form=panels.problem_form(project))


@bp.route("/projects/<code>/problems", methods=["POST"])
@can_view
def raise_problem(code):
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_raise_problem(current_user, project):
        abort(403)
    form = panels.problem_form(project, request.form)
    if form.validate_on_submit():
        try:
            problem = operations.raise_problem(project, current_user, form.values())
        except RuleViolation as violation:
            _add_errors(form, violation.errors)
        else:
            return fragment_or_redirect(
                lambda: _section_and_card(project, problem.stage_key),
                url_for("problems.show", problem_id=problem.id), trigger="problemsChanged",
                flashes=[(_("Problem recorded."), "success")])
    if not wants_fragment():
        return render("problems/raise.html", project=project, raise_form=form), 422
    return render("problems/_section.html", project=project,
                  problems=panels.problems_panel(project, raise_form=form)), 422


def _section_and_card(project, stage_key) -> str:
    """The section with the new problem, and (out of band) the card of the stage it blocks."""
    section = render("problems/_section.html", project=project, problems=panels.problems_panel(project),
                     problem_recorded=True)
    if not stage_key:
        return section
    stage = next(stage for stage in project.stages if stage.key == stage_key)
    return section + render("projects/_stage_card.html", project=project, oob=True,
                            card=project_panels.stage_card(project, stage))


@bp.route("/problems/<int:problem_id>")
@can_view
def show(problem_id):
    problem = operations.problem_by_id(problem_id) or abort(404)
    return render("problems/problem.html", **panels.problem_page(problem))


@bp.route(f"/problems/<int:problem_id>/<{STEPS}:step>", methods=["POST"])
@can_view
def take_step(problem_id, step):
    problem = operations.problem_by_id(problem_id) or abort(404)
    if not permissions.can_take_problem_step(current_user, problem, step):
        abort(403)
    form, status, conflict = panels.step_form(problem, Step(step), request.form), 422, False
    if form.validate_on_submit():
        try:
            operations.take_step(problem, current_user, Step(step), form.values(), _int(form.version.data))
        except RuleViolation as violation:
            _add_errors(form, violation.errors)
        except Conflict as error:
            problem, form, status, conflict = error.current, None, 409, True
        else:
            return fragment_or_redirect(
                lambda: render("problems/problem.html", "problem",
                               **panels.problem_page(operations.problem_by_id(problem_id), saved=step)),
                url_for("problems.show", problem_id=problem_id), trigger="problemsChanged",
                flashes=[(str(STEP_MESSAGES[step]), "success")])
    sent = {step: form} if form is not None else {}
    return render("problems/problem.html", "problem", **panels.problem_page(problem, sent, conflict=conflict)), status


def _add_errors(form, errors: dict) -> None:
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is None or name == "version":
            form.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
