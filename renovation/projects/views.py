"""The project list (the home page of everyone but leaders), the project page and the stage cards."""
from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_login import current_user
from htmx_flask import make_response

from renovation import list_scope, permissions
from renovation.domain import project_list
from renovation.domain.clock import today
from renovation.domain.ledger import exports as ledger_exports
from renovation.domain.photos import gallery as photo_gallery
from renovation.domain.stages.history import stage_history
from renovation.domain.stages.keys import STAGE_ORDER
from renovation.domain.stages.operations import StageConflict, StageRuleViolation, completion_changes, update_stage
from renovation.list_downloads import FORMAT, send_table
from renovation.projects.forms import COMPLETE_ACTION, ProjectFilterForm, StageForm, stage_formdata
from renovation.projects.listing import list_url
from renovation.templating import fragment_or_redirect, render, wants_fragment

bp = Blueprint("projects", __name__)

# The parts of the project page that htmx refreshes on its own (blocks of project.html).
PROJECT_FRAGMENTS = ("summary", "history", "gallery")


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
    form = ProjectFilterForm.read(request.args)
    criteria = form.criteria(permissions.responsible_name(current_user))
    result = project_list.find_projects(criteria, form.page_number(), current_app.config["PROJECTS_PER_PAGE"], today())
    page = render(
        "projects/index.html", "results",
        form=form, criteria=criteria, result=result, today=today(), list_url=list_url,
        page_url=lambda number: list_url(criteria, page=number),
        scope_links=list_scope.scope_links("projects.index", current_user, criteria.community_id),
        my_name=permissions.responsible_name(current_user),
    )
    # For htmx, the address bar shows the clean, shareable form of the query.
    shareable = list_url(criteria, page=result.page if result.page > 1 else None) if wants_fragment() else None
    return make_response(page, push_url=shareable)


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
    project = _project_or_404(code)
    fragment = request.args.get("fragment")
    return render(
        "projects/project.html", fragment if fragment in PROJECT_FRAGMENTS else None,
        project=project, history=stage_history(project.id), today=today(),
        gallery=photo_gallery.project_gallery(project.id) if fragment != "summary" else None,
        default_upload_stage=_upload_stage(project),
    )


def _upload_stage(project) -> str | None:
    """The stage a photo uploaded from the project page belongs to unless the user says otherwise:
    the one the work is at; none once every stage is done."""
    return project.current_stage if project.current_stage in STAGE_ORDER else None


@bp.route("/projects/<code>/stages/<key>")
@permissions.require(permissions.can_view_projects)
def stage_card(code, key):
    project = _project_or_404(code)
    stage = _stage_or_404(project, key)
    return render("projects/_stage_card.html", project=project, stage=stage, today=today())


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
    status, conflict = 200, None
    if form.validate_on_submit():
        changes = completion_changes(form.changes(), stage, today()) if completing else form.changes()
        try:
            update_stage(project, key, current_user, changes, _int(form.version.data))
        except StageRuleViolation as violation:
            if completing:  # the form shows what was tried, completion included
                for field, value in changes.items():
                    getattr(form, field).data = value
            for field, message in violation.errors.items():
                getattr(form, field).errors = [*getattr(form, field).errors, message]
            status = 422
        except StageConflict as error:
            conflict, stage = changes, error.stage
            form = StageForm(formdata=None, obj=stage, version=stage.version)
            status = 409
        else:
            return _saved(project, stage)
    elif request.method == "POST":
        status = 422
    page = "projects/_stage_card.html" if wants_fragment() else "projects/stage_edit.html"
    return render(page, project=project, stage=stage, form=form, editing=True, conflict=conflict,
                  today=today()), status


def _saved(project, stage):
    return fragment_or_redirect(
        lambda: render("projects/_stage_card.html", project=project, stage=stage, today=today(), saved=True),
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
