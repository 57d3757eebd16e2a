"""Consultation pages: thin views over :mod:`renovation.domain.residents.consultations`."""
from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from renovation import list_scope, permissions
from renovation.consultations import bp
from renovation.consultations.forms import (
    ConsultationFilterForm,
    ConsultationForm,
    DeleteConsultationForm,
    EditConsultationForm,
    VoteOutcomeForm,
)
from renovation.consultations.panels import attachments_panel, blank_form, consultations_panel, live_outcome
from renovation.demands.panels import consultation_demands_panel
from renovation.domain import project_list
from renovation.domain.errors import RuleViolation
from renovation.domain.ledger import exports as ledger_exports
from renovation.domain.residents import consultations as operations
from renovation.list_downloads import FORMAT, send_table
from renovation.list_links import page_links
from renovation.templating import fragment_or_redirect, render, wants_fragment

can_view = permissions.require(permissions.can_view_projects)


def _writable_project(code):
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_write_consultations(current_user, project):
        abort(403)
    return project


def _consultation(consultation_id, write=False):
    consultation = operations.live_consultation(consultation_id) or abort(404)
    if write and not permissions.can_write_consultations(current_user, consultation.project):
        abort(403)
    return consultation


@bp.route("/projects/<code>/consultations/new")
@can_view
def new(code):
    """A blank consultation form: the project page's section asks for it (htmx) when 添加协商 is
    opened; without a script the same address is a page of its own."""
    project = _writable_project(code)
    form = blank_form(project)
    if wants_fragment():
        return render("consultations/_form.html", project=project, form=form, vote_outcome=live_outcome(form),
                      action=url_for("consultations.add", code=code), htmx=True)
    return render("consultations/new.html", project=project, form=form, vote_outcome=live_outcome(form))


@bp.route("/projects/<code>/consultations", methods=["POST"])
@can_view
def add(code):
    project = _writable_project(code)
    form = ConsultationForm()
    if form.validate_on_submit():
        try:
            operations.add_consultation(project, current_user, form.values(), form.vote_values())
        except RuleViolation as error:
            form.add_errors(error.errors)
        else:
            return _added(project)
    if wants_fragment():
        return render("consultations/_section.html", project=project, consultations=consultations_panel(project, form),
                      open_form=True), 422
    return render("consultations/new.html", project=project, form=form, vote_outcome=live_outcome(form)), 422


@bp.route("/projects/<code>/consultations/vote-outcome", methods=["POST"])
@can_view
def vote_outcome(code):
    """The outcome fragment for the vote figures typed so far (htmx, as the user types)."""
    _writable_project(code)
    form = VoteOutcomeForm()
    if not form.validate_on_submit() and form.typing_errors():
        outcome = operations.VoteOutcome(decision=None, errors=form.typing_errors())
    else:
        outcome = operations.vote_outcome(form.vote_values())
    return render("consultations/_outcome.html", outcome=outcome, vote_form=form.vote.form, live=True)


def _added(project):
    return fragment_or_redirect(
        lambda: render("consultations/_section.html", project=project, consultations=consultations_panel(project),
                       saved=True),
        url_for("projects.show", code=project.code, _anchor="consultations"),
        trigger="consultationsChanged", flashes=[(_("Consultation saved."), "success")])


@bp.route("/consultations/<int:consultation_id>")
@can_view
def show(consultation_id):
    return _consultation_page(_consultation(consultation_id), DeleteConsultationForm(formdata=None))


def _consultation_page(consultation, delete_form, status: int = 200):
    """The consultation's page: its record and vote, the demands raised at it, its files; ``delete_form``
    with the user's input after a refused delete."""
    project = consultation.project
    return render("consultations/consultation.html", consultation=consultation, project=project,
                  decision=operations.decision_of(consultation.vote) if consultation.vote else None,
                  can_write=permissions.can_write_consultations(current_user, project),
                  demands=consultation_demands_panel(consultation), attachments=attachments_panel(consultation),
                  delete_form=delete_form), status


@bp.route("/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@can_view
def edit(consultation_id):
    consultation = _consultation(consultation_id, write=True)
    form = EditConsultationForm(formdata=None) if request.method == "GET" else EditConsultationForm()
    if request.method == "GET":
        form.fill_from(consultation)
    elif form.validate_on_submit():
        try:
            operations.update_consultation(consultation, current_user, form.values(), form.vote_values(),
                                           form.reason.data or "")
        except RuleViolation as error:
            form.add_errors(error.errors)
        else:
            flash(_("Consultation saved."), "success")
            return redirect(url_for("consultations.show", consultation_id=consultation.id), code=303)
    return render("consultations/edit.html", consultation=consultation, project=consultation.project, form=form,
                  vote_outcome=live_outcome(form), needs_reason=operations.needs_edit_reason(consultation)), \
        200 if request.method == "GET" else 422


@bp.route("/consultations/<int:consultation_id>/delete", methods=["POST"])
@can_view
def delete(consultation_id):
    consultation = _consultation(consultation_id, write=True)
    form = DeleteConsultationForm()
    if not form.validate_on_submit():
        return _consultation_page(consultation, form, 422)
    code = consultation.project.code
    operations.delete_consultation(consultation, current_user, form.reason.data)
    flash(_("Consultation deleted."), "success")
    return redirect(url_for("projects.show", code=code, _anchor="consultations"), code=303)


@bp.route("/consultations")
@can_view
def index():
    if (opening := list_scope.open_on_own_community("consultations.index", current_user)) is not None:
        return opening
    form = ConsultationFilterForm.read(request.args)
    criteria = form.criteria()
    result = operations.find_consultations(criteria, form.page_number(),
                                           current_app.config.get("CONSULTATIONS_PER_PAGE", 50))
    return render("consultations/index.html", "results", form=form, result=result,
                  scope_links=list_scope.scope_links("consultations.index", current_user, criteria.community_id),
                  page_url=page_links("consultations.index", form))


@bp.route(f"/exports/consultations.{FORMAT}")
@can_view
def export(fmt):
    """The list's consultations as filtered on screen (all pages), as .xlsx or CSV."""
    criteria = ConsultationFilterForm.read(request.args).criteria()
    return send_table(ledger_exports.consultation_table(criteria), fmt, "居民协商")

