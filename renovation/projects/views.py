"""The project list (the home page of everyone but leaders), the project page and the stage cards."""
from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user
from htmx_flask import make_response

from renovation import list_scope, permissions
from renovation.domain import project_list
from renovation.domain.clock import today
from renovation.domain.errors import Conflict, RuleViolation
from renovation.domain.ledger import exports as ledger_exports
from renovation.domain.stages.operations import completion_changes, update_stage
from renovation.list_downloads import FORMAT, send_table
from renovation.list_links import row_links
from renovation.projects import bp, panels
from renovation.projects.forms import COMPLETE_ACTION, ProjectFilterForm, StageForm, stage_formdata
from renovation.projects.listing import list_url, page_url, shown_url, stage_labels
from renovation.templating import fragment_or_redirect, render, wants_fragment


@bp.route("/")
@permissions.require(permissions.can_view_projects)
def home():
    """Leaders land on the bulletins archive, everyone else on the project list."""
    return redirect(list_scope.home_url(current_user))


@bp.route("/projects")
@permissions.require(permissions.can_view_projects)
def index():
    if (opening := list_scope.open_on_own_community("projects.index", current_user)) is not None:
        return opening
    form = ProjectFilterForm.read(request.args, every_street=not wants_fragment())
    criteria = form.criteria(permissions.responsible_name(current_user))
    result = project_list.list_page(criteria, form.position(), current_app.config["PROJECTS_PER_PAGE"], today(),
                                    current_app.config["PROJECTS_COUNT_LIMIT"])
    page = render(
        "projects/index.html", "results",
        form=form, criteria=criteria, result=result, today=today(), list_url=list_url,
        page_url=lambda number: page_url(criteria, result, number),
        project_url=row_links("projects.show", "code"), stage_labels=stage_labels(), fragment=wants_fragment(),
        scope_links=list_scope.scope_links("projects.index", current_user, criteria.community_id),
        my_name=permissions.responsible_name(current_user),
    )
    # For htmx, the address bar shows the clean, shareable form of the query.
    return make_response(page, push_url=shown_url(criteria, result) if wants_fragment() else None)


@bp.route(f"/exports/projects.{FORMAT}")
@permissions.require(permissions.can_view_projects)
def export(fmt):
    """The list's projects as filtered on screen (all pages), as the ledger's .xlsx or CSV."""
    criteria = ProjectFilterForm.read(request.args).criteria(permissions.responsible_name(current_user))
    return send_table(ledger_exports.project_table(criteria, today()), fmt, ledger_exports.LEDGER_TITLE)


def _project_or_404(code: str):
    project = project_list.project_by_code(code)
    if project is None:
        abort(404)
    return project


@bp.route("/projects/<code>")
@permissions.require(permissions.can_view_projects)
def show(code):
    """The project page, built section by section (projects/panels.py); htmx may ask for one of its
    parts alone (``?fragment=summary``, ``history`` or ``gallery``)."""
    project = _project_or_404(code)
    part = request.args.get("fragment")
    if part in panels.PROJECT_FRAGMENTS and wants_fragment():
        return render("projects/project.html", part, project=project, **panels.PROJECT_FRAGMENTS[part](project))
    return render("projects/project.html", **panels.project_page(project))


@bp.route("/projects/<code>/stages/<key>")
@permissions.require(permissions.can_view_projects)
def stage_card(code, key):
    project = _project_or_404(code)
    stage = _stage_or_404(project, key)
    return render("projects/_stage_card.html", project=project, card=panels.stage_card(project, stage))


@bp.route("/projects/<code>/stages/<key>/edit", methods=["GET", "POST"])
@permissions.require(permissions.can_view_projects)
def edit_stage(code, key):
    project = _project_or_404(code)
    stage = _stage_or_404(project, key)
    if not permissions.can_edit_stage(current_user, project):
        abort(403)
    completing = request.form.get(COMPLETE_ACTION[0]) == COMPLETE_ACTION[1]
    if request.method == "GET":
        form = StageForm(obj=stage)
        form.version.data = stage.version
    else:
        form = StageForm(formdata=stage_formdata(stage, request.form)) if completing else StageForm()
    status, conflict, overridable = 200, None, bool(form.override_reason.data)
    if form.validate_on_submit():
        changes = completion_changes(form.changes(), stage, today()) if completing else form.changes()
        try:
            update_stage(project, key, current_user, changes, _int(form.version.data),
                         override_reason=form.override_reason.data or "")
        except RuleViolation as violation:
            if completing:  # the form shows what was tried, completion included
                for field, value in changes.items():
                    getattr(form, field).data = value
            for field, message in violation.errors.items():
                getattr(form, field).errors = [*getattr(form, field).errors, message]
            status, overridable = 422, overridable or bool(getattr(violation, "overridable", ()))
        except Conflict as error:
            conflict, stage = changes, error.current
            form = StageForm(formdata=None, obj=stage, version=stage.version)
            status = 409
        else:
            return _saved(project, stage)
    elif request.method == "POST":
        status = 422
    page = "projects/_stage_card.html" if wants_fragment() else "projects/stage_edit.html"
    return render(page, project=project, card=panels.stage_card(project, stage), form=form, editing=True,
                  conflict=conflict, ask_override=overridable and permissions.can_override_rules(current_user)), status


def _saved(project, stage):
    return fragment_or_redirect(
        lambda: render("projects/_stage_card.html", project=project, card=panels.stage_card(project, stage),
                       saved=True),
        url_for("projects.show", code=project.code, _anchor=f"stage-{stage.key}"), trigger="stageChanged")


def _stage_or_404(project, key):
    stage = next((stage for stage in project.stages if stage.key == key), None)
    if stage is None:
        abort(404)
    return stage


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
