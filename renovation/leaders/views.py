"""A leader's page and a project's site visits: thin views over :mod:`renovation.domain.leaders`."""
from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from renovation import permissions
from renovation.domain import project_list
from renovation.domain.errors import RuleViolation
from renovation.domain.leaders import visits
from renovation.extensions import db
from renovation.leaders import bp, panels
from renovation.models import User
from renovation.problems.panels import problems_panel
from renovation.templating import fragment_or_redirect, render, wants_fragment

can_view = permissions.require(permissions.can_view_projects)


@bp.route("/leaders/<int:user_id>")
@can_view
def show(user_id):
    user = db.session.get(User, user_id) or abort(404)
    return render("leaders/leader.html", **panels.leader_page(user))


@bp.route("/projects/<code>/visits/new")
@can_view
def new_visit(code):
    """A blank visit form: the project page asks for it (htmx) when 记录蹲点调研 is opened; without a
    script the same address is a page of its own."""
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_record_visit(current_user, project):
        abort(403)
    page = "leaders/_visit_form.html" if wants_fragment() else "leaders/record_visit.html"
    return render(page, project=project, form=panels.visit_form(project))


@bp.route("/projects/<code>/visits", methods=["POST"])
@can_view
def record_visit(code):
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_record_visit(current_user, project):
        abort(403)
    form = panels.visit_form(project, request.form)
    if form.validate_on_submit():
        try:
            visits.record_visit(project, current_user, form.values())
        except RuleViolation as violation:
            _add_errors(form, violation.errors)
        else:
            return fragment_or_redirect(lambda: _sections(project), url_for("projects.show", code=code,
                                                                            _anchor="visits"),
                                        trigger="visitsChanged", flashes=[(_("Site visit recorded."), "success")])
    if not wants_fragment():
        return render("leaders/record_visit.html", project=project, form=form), 422
    return render("leaders/_visits_section.html", project=project, visits=panels.visits_panel(project, form)), 422


def _sections(project) -> str:
    """The visits with the new one, and the problems section (the form's hx-select-oob takes it
    out of band: a problem raised on the spot shows there at once)."""
    return (render("leaders/_visits_section.html", project=project, visits=panels.visits_panel(project),
                   visit_recorded=True)
            + render("problems/_section.html", project=project, problems=problems_panel(project)))


def _add_errors(form, errors: dict) -> None:
    for name, message in errors.items():
        target = form.problem.form if name.startswith("problem-") else form
        field = getattr(target, name.removeprefix("problem-"), None)
        if field is None:
            form.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]
