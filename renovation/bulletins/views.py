"""Bulletin pages: the archive and each bulletin's page (everyone who reads projects; drafts, those
who follow them), a new draft (engineers and admins), the stored PDF (always the same bytes), and
rendering again. A draft's way to its issue is in :mod:`renovation.bulletins.drafts`.

Issuing and rendering again only queue the render (renovation/tasks.py): the web worker answers at
once with the bulletin's page, whose status fragment polls until the background worker is done."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from renovation import permissions, tasks
from renovation.bulletins import bp, files
from renovation.bulletins.forms import ArchiveFilterForm, IssueBulletinForm
from renovation.bulletins.pages import bulletin_for, bulletin_page
from renovation.domain.area_lists import area_lists
from renovation.domain.bulletins import archive as bulletin_archive
from renovation.domain.bulletins import issue as bulletins
from renovation.domain.bulletins import workflow
from renovation.domain.bulletins.photos import pair_choices
from renovation.domain.project_list import project_suggestions, streets_and_communities
from renovation.models.bulletins import BULLETIN_KIND_LABELS, BULLETIN_STEP_LABELS
from renovation.templating import render, wants_fragment


def _pairs_in_scope(formdata) -> list[dict]:
    """The pairs the chosen kind and street or project may print; every pair while the street or
    project is not chosen yet (so that pairs ticked on the way stay ticked)."""
    formdata = formdata or {}
    try:
        scope = bulletins.scope_named(formdata.get("kind") or "city", formdata.get("street"), formdata.get("project"))
    except bulletins.BulletinError:
        return pair_choices()
    return pair_choices(scope.street.id if scope.street else None, scope.project.id if scope.project else None)


def _form(formdata, **kwargs) -> IssueBulletinForm:
    if formdata is None or "copy_to" not in formdata:  # a new bulletin: the default 抄送, to edit
        kwargs["copy_to"] = bulletins.default_copy_to()
    form = IssueBulletinForm(formdata, **kwargs)
    form.set_choices(streets_and_communities()[0], _pairs_in_scope(formdata), bulletin_archive.issued_bulletins())
    return form


def _scope_and_correction(choice: dict):
    scope = bulletins.scope_named(choice["kind"], choice["street"], choice["project"])
    corrects = bulletin_archive.bulletin_by_id(choice["corrects_id"]) if choice["corrects_id"] else None
    return scope, corrects


@bp.route("/bulletins")
@permissions.require(permissions.can_view_projects)
def archive():
    """Every issued bulletin, newest first, filtered by series, year and street; above them, for
    those who follow drafts, the bulletins on their way (those waiting on the user first)."""
    form = ArchiveFilterForm.read(request.args, bulletin_archive.archive_years(), area_lists().streets)
    criteria = form.criteria()
    if wants_fragment():
        return render("bulletins/archive.html", "results", form=form, kind_labels=BULLETIN_KIND_LABELS,
                      bulletins=bulletin_archive.issued_bulletins(criteria))
    drafts = workflow.open_drafts(current_user) if permissions.can_follow_drafts(current_user) else []
    return render("bulletins/archive.html", form=form, bulletins=bulletin_archive.issued_bulletins(criteria),
                  kind_labels=BULLETIN_KIND_LABELS, filtered=criteria != bulletin_archive.ArchiveFilter(),
                  drafts=drafts, step_labels=BULLETIN_STEP_LABELS)


@bp.route("/bulletins/new")
@permissions.require(permissions.can_issue_bulletins)
def new():
    """The new draft's form; ``?fragment=pairs`` is its pair picker for the kind and scope chosen
    so far, ``?fragment=projects&project=…`` the project field's suggestions."""
    fragment = request.args.get("fragment")
    if fragment == "projects" and wants_fragment():  # the project field's suggestions as the user types
        return render("bulletins/new.html", "projects",
                      suggestions=project_suggestions(request.args.get("project", "")[:64]))
    form = _form(request.args or None, meta={"csrf": False})
    return render("bulletins/new.html", "pairs" if fragment == "pairs" else None, form=form)


@bp.route("/bulletins", methods=["POST"])
@permissions.require(permissions.can_issue_bulletins)
def create():
    """Save the new draft; its page shows the preview and the next step."""
    form = _form(request.form)
    if not form.validate():
        return render_template("bulletins/new.html", form=form), 422
    choice = form.choice()
    try:
        scope, corrects = _scope_and_correction(choice)
        bulletin = workflow.create_draft(choice["kind"], scope, current_user, choice["notes"], choice["pair_ids"],
                                         choice["copy_to"], corrects)
    except bulletins.BulletinError as error:
        return render_template("bulletins/new.html", form=form, error=str(error)), 422
    flash(_("Draft saved: check its preview below, then send it on."), "success")
    return redirect(url_for("bulletins.show", bulletin_id=bulletin.id), 303)


@bp.route("/bulletins/<int:bulletin_id>")
@permissions.require(permissions.can_view_projects)
def show(bulletin_id):
    """The bulletin's page: its way from draft to issue, the step the user may take, a draft's
    preview; ``?fragment=status`` is the part that polls while the PDF renders."""
    bulletin = bulletin_for(bulletin_id)
    if request.args.get("fragment") == "status":
        return render("bulletins/bulletin.html", "status", bulletin=bulletin,
                      progress=bulletin_archive.render_progress(bulletin))
    return render_template("bulletins/bulletin.html", **bulletin_page(bulletin))


@bp.route("/bulletins/<int:bulletin_id>/render", methods=["POST"])
@permissions.require(permissions.can_issue_bulletins)
def render_again(bulletin_id):
    """Queue a failed bulletin's render again; its page shows the progress."""
    bulletin = bulletin_for(bulletin_id)
    if bulletins.requeue_bulletin(bulletin.id):
        tasks.enqueue("render_bulletin", bulletin.id)
    return redirect(url_for("bulletins.show", bulletin_id=bulletin.id), 303)


@bp.route("/bulletins/<int:bulletin_id>/download")
@permissions.require(permissions.can_view_projects)
def download(bulletin_id):
    bulletin = bulletin_for(bulletin_id)
    return files.pdf_response(bulletin) or abort(404)
