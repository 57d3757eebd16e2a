"""Linked leaders (挂钩联系点), administered: a user's links to communities and projects, added with
a start date and ended with a last day (never deleted)."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from renovation import permissions
from renovation.admin import bp
from renovation.admin.forms import EndLinkForm, LeaderLinkForm
from renovation.domain import clock, project_list
from renovation.domain.errors import RuleViolation
from renovation.domain.leaders import links
from renovation.extensions import db
from renovation.models import Community, User
from renovation.templating import render

can_manage = permissions.require(permissions.can_manage_leader_links)


def _link_form(formdata=None) -> LeaderLinkForm:
    form = LeaderLinkForm(formdata=formdata, started_on=clock.today())
    form.set_communities(db.session.scalars(select(Community).order_by(Community.name)))
    return form


def _links_page(user, form, status=200, end_forms=None):
    """The user's links, current ones first, each still running with the form that ends it."""
    today, end_forms = clock.today(), end_forms or {}
    rows = [(link, None if link.ended_on else end_forms.get(link.id) or EndLinkForm(formdata=None, ended_on=today))
            for link in links.links_of(user.id, today)]
    return render("admin/leader_links.html", owner=user, form=form, rows=rows), status


@bp.route("/users/<int:user_id>/links", methods=["GET", "POST"])
@can_manage
def leader_links(user_id):
    user = db.session.get(User, user_id) or abort(404)
    form = _link_form(request.form if request.method == "POST" else None)
    if not form.validate_on_submit():
        return _links_page(user, form, 422 if form.is_submitted() else 200)
    code = (form.project.data or "").strip()
    project = project_list.project_by_code(code) if code else None
    if code and project is None:
        form.project.errors = [_("No project has this code.")]
        return _links_page(user, form, 422)
    try:
        links.link_user(user, current_user, community=db.session.get(Community, form.community.data or 0),
                        project=project, started_on=form.started_on.data, note=form.note.data)
    except RuleViolation as violation:
        for name, message in violation.errors.items():
            getattr(form, "community" if name == "place" else name).errors = [message]
        return _links_page(user, form, 422)
    flash(_("Link added."), "success")
    return redirect(url_for("admin.leader_links", user_id=user.id), code=303)


@bp.route("/links/<int:link_id>/end", methods=["POST"])
@can_manage
def end_leader_link(link_id):
    link = links.link_by_id(link_id) or abort(404)
    form = EndLinkForm()
    if form.validate_on_submit():
        try:
            links.end_link(link, current_user, form.ended_on.data)
        except RuleViolation as violation:
            form.ended_on.errors = list(violation.errors.values())
        else:
            flash(_("Link ended."), "success")
            return redirect(url_for("admin.leader_links", user_id=link.user_id), code=303)
    return _links_page(link.user, _link_form(), 422, end_forms={link.id: form})
