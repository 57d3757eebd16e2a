"""The catalogue of content items (改造内容清单), for administrators: add an item, rename it or change its
category, unit or stage, retire it (or bring it back), delete one no project uses."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from renovation import permissions
from renovation.contents import bp
from renovation.contents.forms import ContentItemForm, VersionForm, add_errors, seen_version
from renovation.domain.contents import catalogue
from renovation.domain.errors import Conflict, RuleViolation
from renovation.extensions import db
from renovation.models.contents import ContentItem
from renovation.templating import render

can_manage = permissions.require(permissions.can_manage_content_items)


def _catalogue_page(form, status=200):
    items = catalogue.catalogue()
    return render("contents/items.html", items=items, uses=catalogue.uses(), form=form,
                  button_form=VersionForm(formdata=None)), status


@bp.route("/admin/content-items", methods=["GET", "POST"])
@can_manage
def items():
    form = ContentItemForm()
    if not form.validate_on_submit():
        return _catalogue_page(form, 422 if form.is_submitted() else 200)
    try:
        item = catalogue.add_item(form.values(), current_user)
    except RuleViolation as violation:
        add_errors(form, violation.errors)
        return _catalogue_page(form, 422)
    flash(_("Item %(name)s added.", name=item.name), "success")
    return redirect(url_for("contents.items"), code=303)


def _item_or_404(item_id: int) -> ContentItem:
    return db.session.get(ContentItem, item_id) or abort(404)


@bp.route("/admin/content-items/<int:item_id>", methods=["GET", "POST"])
@can_manage
def edit_item(item_id):
    item = _item_or_404(item_id)
    data = {"key": item.key, "name": item.name, "category": item.category, "unit": item.unit,
            "stage": item.stage_key or "", "version": item.version}
    form, status, conflict = ContentItemForm(data=data), 200, False
    if request.method == "POST":
        form, status = ContentItemForm(), 422
        if form.validate_on_submit():
            try:
                catalogue.change_item(item, form.values(), current_user, seen_version(form))
            except RuleViolation as violation:
                add_errors(form, violation.errors)
            except Conflict as error:
                item, conflict, status = error.current, True, 409
                form = ContentItemForm(formdata=None, data={**data, "version": item.version})
            else:
                flash(_("Item %(name)s saved.", name=item.name), "success")
                return redirect(url_for("contents.items"), code=303)
    return render("contents/item.html", item=item, form=form, conflict=conflict,
                  uses=catalogue.uses([item.id]).get(item.id, 0)), status


@bp.route("/admin/content-items/<int:item_id>/retire", methods=["POST"])
@can_manage
def retire_item(item_id):
    """Retire an item, or bring a retired one back."""
    item, form = _item_or_404(item_id), VersionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        catalogue.set_retired(item, not item.retired, current_user, seen_version(form))
    except Conflict:
        flash(_("Someone else changed this item since you loaded it. Nothing was saved."), "error")
    else:
        flash(_("Item %(name)s retired.", name=item.name) if item.retired
              else _("Item %(name)s is offered again.", name=item.name), "success")
    return redirect(url_for("contents.items"), code=303)


@bp.route("/admin/content-items/<int:item_id>/delete", methods=["POST"])
@can_manage
def delete_item(item_id):
    """Delete an item no project uses; one in use is refused (retire it instead)."""
    item, form = _item_or_404(item_id), VersionForm()
    if not form.validate_on_submit():
        abort(400)
    name = item.name
    try:
        catalogue.delete_item(item, current_user)
    except RuleViolation as refused:
        flash(str(next(iter(refused.errors.values()))), "error")
    else:
        flash(_("Item %(name)s deleted.", name=name), "success")
    return redirect(url_for("contents.items"), code=303)

