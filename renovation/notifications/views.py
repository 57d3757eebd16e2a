"""A user's notifications: the list (opening it marks what it shows read) and their choices."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from renovation import permissions
from renovation.domain.errors import RuleViolation
from renovation.domain.notifications import choices, inbox
from renovation.domain.notifications.outbound import smtp_configured
from renovation.notifications import bp
from renovation.notifications.forms import ChoicesForm
from renovation.templating import render

can_read = permissions.require(permissions.can_read_notifications)


@bp.route("/notifications")
@can_read
def index():
    before = request.args.get("before", type=int)
    items, more = inbox.open_list(current_user, before)
    return render("notifications/index.html", items=items, more=more,
                  older_url=url_for("notifications.index", before=items[-1].id) if more else None)


def _choices_page(form, status=200):
    return render("notifications/choices.html", form=form, mail_configured=smtp_configured()), status


@bp.route("/notifications/choices", methods=["GET", "POST"])
@can_read
def choose():
    if request.method == "GET":
        setting = choices.setting_of(current_user.id)
        form = ChoicesForm(formdata=None, kinds=sorted(choices.kinds_of(current_user, setting)),
                           digest=setting.digest if setting else True, email=current_user.email)
        return _choices_page(form)
    form = ChoicesForm()
    if not form.validate_on_submit():
        return _choices_page(form, 422)
    try:
        choices.save_choices(current_user, **form.values())
    except RuleViolation as violation:
        for name, message in violation.errors.items():
            getattr(form, name).errors.append(message)
        return _choices_page(form, 422)
    flash(_("Your choices are saved."), "success")
    return redirect(url_for("notifications.choose"), code=303)
