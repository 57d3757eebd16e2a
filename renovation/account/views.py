"""A user's own API tokens: create (shown once), list, revoke."""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from renovation import permissions
from renovation.account import bp
from renovation.account.forms import TokenForm
from renovation.account.shown_once import render_shown_once
from renovation.admin.forms import ConfirmForm
from renovation.domain import accounts
from renovation.domain.clock import utcnow
from renovation.extensions import db
from renovation.models import ApiToken
from renovation.templating import render


def _page(form, status=200, new_token=None):
    context = {"owner": current_user, "tokens": accounts.tokens_of(current_user), "form": form,
               "confirm": ConfirmForm(), "now": utcnow()}
    if new_token:
        return render_shown_once("account/tokens.html", url_for("account.tokens"), status=201,
                                 new_token=new_token, **context)
    return render("account/tokens.html", **context), status


@bp.route("/tokens", methods=["GET", "POST"])
@permissions.require(permissions.can_hold_api_tokens)
def tokens():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, 422 if form.is_submitted() else 200)
    try:
        token = accounts.create_token(current_user, current_user, name=form.name.data, scope=form.scope.data,
                                      expires_in_days=form.expires_in_days.data)
    except accounts.AccountError as error:
        getattr(form, error.field if error.field != "expires" else "expires_in_days").errors.append(error.message)
        return _page(form, 422)
    return _page(TokenForm(formdata=None), new_token=token)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@permissions.require(permissions.can_hold_api_tokens)
def revoke_token(token_id):
    api_token = db.session.get(ApiToken, token_id)
    if api_token is None:
        abort(404)
    if not permissions.can_revoke_token(current_user, api_token):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    accounts.revoke_token(api_token, current_user)
    flash(_("The API token %(name)s was revoked.", name=api_token.name or f"#{api_token.id}"), "success")
    if api_token.user_id == current_user.id:
        return redirect(url_for("account.tokens"), code=303)
    return redirect(url_for("admin.user_tokens", user_id=api_token.user_id), code=303)
