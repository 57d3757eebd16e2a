"""Demand pages: thin views over :mod:`renovation.domain.residents.demands`."""
from flask import abort, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from renovation import list_scope, permissions
from renovation.demands import bp
from renovation.demands.forms import ChangeDemandForm, DemandFilterForm, RaiseDemandForm
from renovation.demands.panels import (
    blank_raise_form,
    change_form,
    compared_figures,
    consultation_demands_panel,
    consultation_raise_form,
    demands_panel,
)
from renovation.domain import project_list
from renovation.domain.clock import today
from renovation.domain.errors import Conflict, RuleViolation
from renovation.domain.ledger import exports as ledger_exports
from renovation.domain.residents import consultations, demand_list, demands
from renovation.list_downloads import FORMAT, send_table
from renovation.list_links import list_url, page_links
from renovation.templating import fragment_or_redirect, render, wants_fragment

can_view = permissions.require(permissions.can_view_projects)
BY_COMMUNITY_SHOWN = 50  # the comparison's rows, most overdue first; a province has hundreds of communities


@bp.route("/demands")
@can_view
def index():
    if (opening := list_scope.open_on_own_community("demands.index", current_user)) is not None:
        return opening
    form = DemandFilterForm.read(request.args, every_street=not wants_fragment())
    criteria = form.criteria()
    figures_url = list_url("demands.index", form, fragment="figures", page=None)
    only_figures = request.args.get("fragment") == "figures" and wants_fragment()  # a demand was handled here
    # the order by project pages with each project's count
    listed = demand_list.list_figures(criteria, per_project=criteria.sort == "project" and not only_figures,
                                      communities_shown=BY_COMMUNITY_SHOWN)
    figures, by_community, communities = listed.figures, listed.by_community, listed.communities
    if only_figures:
        return render("demands/index.html", "figures", figures=figures, figures_url=figures_url,
                      by_community=by_community, communities=communities)
    result = demand_list.demand_page(criteria, form.page_number(), current_app.config["DEMANDS_PER_PAGE"],
                                     total=figures.received, per_project=listed.per_project)
    return render("demands/index.html", "results", form=form, figures=figures, by_community=by_community,
                  communities=communities,
                  result=result, today=today(), figures_url=figures_url, criteria=criteria, fragment=wants_fragment(),
                  page_url=page_links("demands.index", form),
                  scope_links=list_scope.scope_links("demands.index", current_user, criteria.community_id))


@bp.route(f"/exports/demands.{FORMAT}")
@can_view
def export(fmt):
    """The list's demands as filtered on screen (all pages), as .xlsx or CSV."""
    criteria = DemandFilterForm.read(request.args).criteria()
    return send_table(ledger_exports.demand_table(criteria, today()), fmt, "居民诉求")


@bp.route("/projects/<code>/demands/new")
@can_view
def new(code):
    """A blank raise form: the project page's section asks for it (htmx) when 登记诉求 is opened;
    without a script the same address is a page of its own."""
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_write_consultations(current_user, project):
        abort(403)
    page = "demands/_raise_form.html" if wants_fragment() else "demands/raise.html"
    return render(page, project=project, raise_form=blank_raise_form(project))


@bp.route("/projects/<code>/demands", methods=["POST"])
@can_view
def raise_demand(code):
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_write_consultations(current_user, project):
        abort(403)
    form = RaiseDemandForm()
    form.set_consultations(demands.project_consultations(project.id))
    if form.validate_on_submit():
        try:
            demands.raise_demand(project, current_user, form.values())
        except RuleViolation as violation:
            _add_errors(form, violation.errors)
        else:
            return fragment_or_redirect(
                lambda: _section(project, None, demand_recorded=True),
                url_for("projects.show", code=code, _anchor="demands"),
                trigger="demandsChanged", flashes=[(_("Demand recorded."), "success")])
    if not wants_fragment():
        return render("demands/raise.html", project=project, raise_form=form), 422
    return _section(project, form), 422


@bp.route("/consultations/<int:consultation_id>/demands", methods=["POST"])
@can_view
def raise_at_consultation(consultation_id):
    """Raise a demand from a consultation's page: it is linked to that consultation."""
    consultation = consultations.live_consultation(consultation_id) or abort(404)
    project = consultation.project
    if not permissions.can_write_consultations(current_user, project):
        abort(403)
    form = consultation_raise_form(consultation, formdata=request.form)
    if form.validate_on_submit():
        try:
            demands.raise_demand(project, current_user, {**form.values(), "consultation_id": consultation.id})
        except RuleViolation as violation:
            _add_errors(form, violation.errors)
        else:
            return fragment_or_redirect(
                lambda: _consultation_section(consultation, demand_recorded=True),
                url_for("consultations.show", consultation_id=consultation.id, _anchor="consultation-demands"),
                trigger="demandsChanged", flashes=[(_("Demand recorded."), "success")])
    return _consultation_section(consultation, form), 422


def _consultation_section(consultation, raise_form=None, **context) -> str:
    return render("demands/_consultation_demands.html", consultation=consultation, project=consultation.project,
                  demands=consultation_demands_panel(consultation, raise_form), **context)


def _section(project, raise_form, **context) -> str:
    return render("demands/_section.html", project=project, demands=demands_panel(project, raise_form), **context)


@bp.route("/demands/<int:demand_id>")
@can_view
def show(demand_id):
    demand = demands.demand_by_id(demand_id) or abort(404)
    # A row of the list asks for the whole row (form and history) in its place; a row of a project's
    # page for its fold alone when opened (saving it there brings the project's figures back).
    fragment = request.args.get("fragment") if wants_fragment() else None
    page = {"row": "demands/_row.html", "more": "demands/_row_more.html"}.get(fragment, "demands/demand.html")
    return render(page, demand=demand, project=demand.project, change_form=change_form(demand),
                  today=today(), editing=True, show_project=True,
                  with_figures=fragment == "more" and request.args.get("figures") == "project")


@bp.route("/demands/<int:demand_id>/status", methods=["POST"])
@can_view
def change(demand_id):
    demand = demands.demand_by_id(demand_id) or abort(404)
    if not permissions.can_write_consultations(current_user, demand.project):
        abort(403)
    form, status, conflict = ChangeDemandForm(), 422, None
    if form.validate_on_submit():
        try:
            demands.change_demand(demand, current_user, form.changes(), _int(form.version.data))
        except RuleViolation as violation:
            _add_errors(form, violation.errors)
        except Conflict as error:
            conflict, status = form.changes(), 409
            form = ChangeDemandForm(formdata=None, obj=error.current, version=error.current.version)
        else:
            return _changed(demand)
    page = "demands/_row.html" if wants_fragment() else "demands/demand.html"
    return render(page, demand=demand, project=demand.project, change_form=form, conflict=conflict, editing=True,
                  today=today(), with_figures=_page_shows_figures()), status


def _page_shows_figures() -> bool:
    """Whether the saving page shows the project's demand figures: only the project page's rows say so
    (hx-vals), and only there may they come back out of band; elsewhere htmx finds no target for them."""
    return wants_fragment() and request.form.get("figures") == "project"


def _changed(demand):
    return fragment_or_redirect(
        lambda: _saved_row(demands.demand_by_id(demand.id)),
        url_for("projects.show", code=demand.project.code, _anchor=f"demand-{demand.id}"),
        trigger="demandsChanged", flashes=[(_("Demand updated."), "success")])


def _saved_row(demand) -> str:
    figures = {}
    if _page_shows_figures():  # the figures and their comparison, out of band: they stand above the rows
        project_figures = demand_list.figures(demand_list.DemandFilter(project_id=demand.project_id))
        figures = {"with_figures": True, "project_figures": project_figures,
                   "project_compared": compared_figures(demand.project, project_figures)}
    return render("demands/_row.html", demand=demand, project=demand.project, change_form=change_form(demand),
                  saved=True, today=today(), **figures)


def _add_errors(form, errors: dict) -> None:
    for name, message in errors.items():
        field = getattr(form, name, None) or form.status
        field.errors = [*field.errors, message]


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
