"""Consultation pages: thin views over :mod:`renovation.domain.residents.consultations`."""
from decimal import Decimal
from fractions import Fraction

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from renovation import list_scope, permissions
from renovation.consultations.forms import (
    ConsultationFilterForm,
    ConsultationForm,
    DeleteConsultationForm,
    EditConsultationForm,
    VoteOutcomeForm,
)
from renovation.domain import project_list
from renovation.domain.clock import today
from renovation.domain.ledger import exports as ledger_exports
from renovation.domain.residents import consultations as operations
from renovation.domain.residents.votes import Basis, CheckKey
from renovation.list_downloads import FORMAT, send_table
from renovation.list_links import page_links
from renovation.models.consultations import KIND_LABELS
from renovation.templating import fragment_or_redirect, render, wants_fragment

bp = Blueprint("consultations", __name__)
can_view = permissions.require(permissions.can_view_projects)


@bp.app_context_processor
def consultation_template_helpers():
    return {"project_consultations": operations.project_consultations, "kind_label": _kind_label,
            "blank_consultation_form": _blank_form,
            "vote_decision": operations.decision_of, "percent": _percent, "figure": _figure,
            "check_label": _check_label, "live_outcome": _live_outcome}


CHECK_LABELS = {
    CheckKey.QUORUM_AREA: _l("Quorum by area"),
    CheckKey.QUORUM_OWNERS: _l("Quorum by owners"),
    CheckKey.AGREE_AREA: _l("Agreement by area"),
    CheckKey.AGREE_OWNERS: _l("Agreement by owners"),
    CheckKey.EXTRA: _l("Stricter local rule"),
}


def _check_label(check, extra_label: str = "") -> str:
    if check.key == CheckKey.EXTRA and extra_label:
        return extra_label
    return CHECK_LABELS[check.key]


def _live_outcome(form) -> operations.VoteOutcome | None:
    """The outcome of the vote figures a consultation form holds (shown beside them)."""
    return operations.vote_outcome(form.vote_values())


def _percent(fraction: Fraction) -> str:
    """A fraction as a percentage with two decimals, rounded exactly (no binary floats)."""
    value = (Decimal(fraction.numerator) * 100 / Decimal(fraction.denominator)).quantize(Decimal("0.01"))
    return f"{value}%"


def _figure(value: Fraction, basis: str) -> str:
    """An owner count or an area (m², two decimals) for people: 80, 6,400.50."""
    if basis == Basis.OWNERS:
        return f"{value.numerator // value.denominator:,}"
    return f"{Decimal(value.numerator) / Decimal(value.denominator):,.2f}"


def _blank_form(project) -> ConsultationForm:
    """A new consultation of today; the voting scope defaults to the project's compound."""
    form = ConsultationForm(formdata=None, date=today())
    form.vote.total_owners.data = project.households
    form.vote.total_area.data = project.floor_area
    return form


def _kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


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


@bp.route("/projects/<code>/consultations", methods=["POST"])
@can_view
def add(code):
    project = _writable_project(code)
    form = ConsultationForm()
    if form.validate_on_submit():
        try:
            operations.add_consultation(project, current_user, form.values(), form.vote_values())
        except operations.ConsultationError as error:
            form.add_errors(error.errors)
        else:
            return _added(project)
    if wants_fragment():
        return render("consultations/_section.html", project=project, form=form, open_form=True), 422
    return render("consultations/new.html", project=project, form=form), 422


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
        lambda: render("consultations/_section.html", project=project, saved=True),
        url_for("projects.show", code=project.code, _anchor="consultations"),
        trigger="consultationsChanged", flashes=[(_("Consultation saved."), "success")])


@bp.route("/consultations/<int:consultation_id>")
@can_view
def show(consultation_id):
    consultation = _consultation(consultation_id)
    decision = operations.decision_of(consultation.vote) if consultation.vote else None
    return render("consultations/consultation.html", consultation=consultation, project=consultation.project,
                  decision=decision, delete_form=DeleteConsultationForm(formdata=None))


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
        except operations.ConsultationError as error:
            form.add_errors(error.errors)
        else:
            flash(_("Consultation saved."), "success")
            return redirect(url_for("consultations.show", consultation_id=consultation.id), code=303)
    return render("consultations/edit.html", consultation=consultation, project=consultation.project, form=form,
                  needs_reason=operations.needs_edit_reason(consultation)), 200 if request.method == "GET" else 422


@bp.route("/consultations/<int:consultation_id>/delete", methods=["POST"])
@can_view
def delete(consultation_id):
    consultation = _consultation(consultation_id, write=True)
    form = DeleteConsultationForm()
    if not form.validate_on_submit():
        decision = operations.decision_of(consultation.vote) if consultation.vote else None
        return render("consultations/consultation.html", consultation=consultation, project=consultation.project,
                      decision=decision, delete_form=form), 422
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


# The consultation's files have their own module, with routes on this blueprint.
from renovation.consultations import attachments  # noqa: E402,F401
