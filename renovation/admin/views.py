"""User administration and the audit log (admins only)."""
from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from renovation import permissions
from renovation.account.shown_once import render_shown_once
from renovation.admin import bp
from renovation.admin.forms import AuditFilterForm, ConfirmForm, PasswordResetForm, UserForm
from renovation.domain import accounts, audit
from renovation.domain import audit_log as audit_reading
from renovation.domain.clock import utcnow
from renovation.extensions import db
from renovation.list_links import page_links
from renovation.models import Community, User
from renovation.templating import render


def _communities():
    return db.session.scalars(select(Community).order_by(Community.name)).all()


def _users_context(form) -> dict:
    users = db.session.scalars(select(User).options(selectinload(User.community)).order_by(User.username)).all()
    return {"users": users, "form": form, "confirm": ConfirmForm(), "reset_form": PasswordResetForm()}


def _users_page(form, status=200):
    return render("admin/users.html", **_users_context(form)), status


def _show_password_once(form, username: str, password: str, created: bool = False):
    """The users page with a generated password, on the answer to the POST only."""
    return render_shown_once("admin/users.html", url_for("admin.users"), status=201 if created else 200,
                             shown_password={"username": username, "password": password, "created": created},
                             **_users_context(form))


def _new_user_form(**kwargs) -> UserForm:
    form = UserForm(**kwargs)
    form.community.choices = [SelectChoice(0, "—")] + [SelectChoice(c.id, c.name) for c in _communities()]
    return form


@bp.route("/users", methods=["GET", "POST"])
@permissions.require(permissions.can_manage_users)
def users():
    form = _new_user_form()
    if not form.validate_on_submit():
        return _users_page(form, 422 if form.is_submitted() else 200)
    generated = not form.password.data
    password = form.password.data or accounts.generate_password()
    try:
        accounts.create_user(
            form.username.data, password, form.role.data,
            community=db.session.get(Community, form.community.data) if form.community.data else None,
            display_name=form.display_name.data or "", actor=current_user, email=form.email.data or "",
        )
    except accounts.AccountError as error:
        getattr(form, error.field).errors.append(error.message)
        return _users_page(form, 422)
    if generated:
        return _show_password_once(_new_user_form(formdata=None), form.username.data, password, created=True)
    flash(_("User %(name)s created.", name=form.username.data), "success")
    return redirect(url_for("admin.users"), code=303)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@permissions.require(permissions.can_manage_users)
def toggle_active(user_id):
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        accounts.set_active(user, not user.active, current_user)
    except accounts.AccountError as error:
        flash(str(error.message), "error")
        return redirect(url_for("admin.users"), code=303)
    done = _("%(name)s enabled.", name=user.username) if user.active else _("%(name)s disabled.", name=user.username)
    flash(done, "success")
    return redirect(url_for("admin.users"), code=303)


@bp.route("/users/<int:user_id>/signing", methods=["POST"])
@permissions.require(permissions.can_manage_users)
def toggle_signing(user_id):
    """Grant or withdraw the right to sign bulletins (签发)."""
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    accounts.set_may_sign_bulletins(user, not user.may_sign_bulletins, current_user)
    done = (_("%(name)s may now sign bulletins.", name=user.username) if user.may_sign_bulletins
            else _("%(name)s may no longer sign bulletins.", name=user.username))
    flash(done, "success")
    return redirect(url_for("admin.users"), code=303)


@bp.route("/users/<int:user_id>/overriding", methods=["POST"])
@permissions.require(permissions.can_manage_users)
def toggle_overriding(user_id):
    """Grant or withdraw the right to override a stage rule with a written reason."""
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    accounts.set_may_override_rules(user, not user.may_override_rules, current_user)
    done = (_("%(name)s may now override stage rules with a written reason.", name=user.username)
            if user.may_override_rules else _("%(name)s may no longer override stage rules.", name=user.username))
    flash(done, "success")
    return redirect(url_for("admin.users"), code=303)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@permissions.require(permissions.can_manage_users)
def reset_password(user_id):
    user = _user_or_404(user_id)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        abort(400)
    generated = not form.password.data
    password = form.password.data or accounts.generate_password()
    try:
        accounts.set_password(user, password, current_user)
    except accounts.AccountError as error:
        flash(error.message, "error")
        return redirect(url_for("admin.users"), code=303)
    if generated:
        return _show_password_once(_new_user_form(formdata=None), user.username, password)
    flash(_("The password of %(name)s was changed.", name=user.username), "success")
    return redirect(url_for("admin.users"), code=303)


@bp.route("/users/<int:user_id>/tokens")
@permissions.require(permissions.can_manage_users)
def user_tokens(user_id):
    user = _user_or_404(user_id)
    return render("account/tokens.html", owner=user, tokens=accounts.tokens_of(user), confirm=ConfirmForm(),
                  now=utcnow())




@bp.route("/audit")
@permissions.require(permissions.can_view_audit_log)
def audit_log():
    form = AuditFilterForm(request.args)
    form.set_choices(db.session.scalars(select(User).order_by(User.username)).all(), audit_reading.action_choices())
    form.validate()
    result = audit_reading.find_entries(form.criteria(), form.page_number(),
                                        current_app.config.get("AUDIT_PER_PAGE", 50))
    return render("admin/audit.html", "results", form=form, result=result, action_label=audit.action_label,
                  target_label=audit.target_label, describe=audit_reading.describe,
                  page_url=page_links("admin.audit_log", form))
