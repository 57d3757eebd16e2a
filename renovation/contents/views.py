"""The project page's 改造内容 section: add an item, change its figures, remove it (htmx in place; a page
of its own without a script). Thin views over :mod:`renovation.domain.contents.operations`."""
from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from renovation import permissions
from renovation.contents import bp, panels
from renovation.contents.forms import VersionForm, add_errors, seen_version
from renovation.domain import project_list
from renovation.domain.contents import operations
from renovation.domain.errors import Conflict, RuleViolation
from renovation.templating import fragment_or_redirect, render, wants_fragment

can_view = permissions.require(permissions.can_view_projects)


def _section(project, **extra) -> str:
    return render("contents/_section.html", project=project, contents=panels.contents_panel(project, **extra))


def _editable(content_id: int):
    content = operations.content_by_id(content_id) or abort(404)
    if not permissions.can_edit_contents(current_user, content.project):
        abort(403)
    return content


def _back(project) -> str:
    return url_for("projects.show", code=project.code, _anchor="contents")


@bp.route("/projects/<code>/contents/new")
@can_view
def new(code):
    """A blank add form: the project page asks for it (htmx) when 添加改造内容 is opened (it lists the
    catalogue, which the page itself need not read); without a script the same address is a page of
    its own."""
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_edit_contents(current_user, project):
        abort(403)
    form = panels.new_content_form(project)
    if wants_fragment():
        return render("contents/_add_form.html", project=project, form=form)
    return render("contents/edit.html", project=project, form=form, adding=True)


@bp.route("/projects/<code>/contents", methods=["POST"])
@can_view
def add(code):
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_edit_contents(current_user, project):
        abort(403)
    form = panels.new_content_form(project, request.form)
    if form.validate_on_submit():
        try:
            operations.add_content(project, current_user, form.values())
        except RuleViolation as violation:
            add_errors(form, violation.errors)
        else:
            return fragment_or_redirect(lambda: _section(project, added=True), _back(project),
                                        trigger="contentsChanged", flashes=[(_("Content added."), "success")])
    if wants_fragment():
        return _section(project, add_form=form), 422
    return render("contents/edit.html", project=project, form=form, adding=True), 422


@bp.route("/contents/<int:content_id>/edit", methods=["GET", "POST"])
@can_view
def edit(content_id):
    content = _editable(content_id)
    form, status, conflict = panels.figures_form(content), 200, False
    if request.method == "POST":
        form, status = panels.figures_form(content, request.form), 422
        if form.validate_on_submit():
            try:
                operations.change_content(content, current_user, form.values(), seen_version(form))
            except RuleViolation as violation:
                add_errors(form, violation.errors)
            except Conflict as error:
                content, conflict, status = error.current, True, 409
                form = panels.figures_form(content)
            else:
                return fragment_or_redirect(
                    lambda: render("contents/_row.html", project=content.project,
                                   row=panels.content_row(operations.content_by_id(content_id), saved=True)),
                    _back(content.project), trigger="contentsChanged", flashes=[(_("Content saved."), "success")])
    row = panels.content_row(content, form=form, conflict=conflict)
    if wants_fragment():
        return render("contents/_row.html", project=content.project, row=row), status
    return render("contents/edit.html", project=content.project, form=form, row=row), status


@bp.route("/contents/<int:content_id>/delete", methods=["POST"])
@can_view
def delete(content_id):
    content = _editable(content_id)
    form, project = VersionForm(), content.project
    if not form.validate_on_submit():
        abort(400)
    try:
        operations.remove_content(content, current_user, seen_version(form))
    except (RuleViolation, Conflict) as refused:
        message = (next(iter(refused.errors.values())) if isinstance(refused, RuleViolation)
                   else _("Someone else changed this content since you loaded it. Nothing was removed."))
        return fragment_or_redirect(lambda: _section(project, refused=message), _back(project),
                                    flashes=[(str(message), "error")], status=409 if isinstance(refused, Conflict)
                                    else 422)
    return fragment_or_redirect(lambda: _section(project, removed=True), _back(project), trigger="contentsChanged",
                                flashes=[(_("Content removed."), "success")])

