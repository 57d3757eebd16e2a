"""A draft's way to its issue: edited by its drafter, sent on, checked, signed, sent back with a
reason, and issued after a confirmation that names the number it takes; its preview is the PDF
issuing it now would print, shown as page images (renovation/domain/bulletins/preview.py).

Every step posts the version of the bulletin the user saw: a step taken meanwhile by someone else
answers 409 with the bulletin as it is now; a refused step answers 422 with the reason."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from renovation import permissions, tasks
from renovation.bulletins import bp
from renovation.bulletins.forms import EditDraftForm, SendBackForm, StepForm
from renovation.bulletins.pages import bulletin_for, bulletin_page
from renovation.domain.bulletins import issue as bulletins
from renovation.domain.bulletins import preview as previews
from renovation.domain.bulletins import workflow
from renovation.domain.bulletins.pdf import BulletinRenderError
from renovation.domain.bulletins.photos import pair_choices
from renovation.models import Bulletin, BulletinStep
from renovation.models.bulletins import BULLETIN_STEP_LABELS
from renovation.templating import render

# Each step: who may take it, the domain's operation, and what the user is told once it is taken.
STEPS = {
    "send-on": (lambda user, _b: permissions.can_issue_bulletins(user), workflow.send_on),
    "check": (permissions.can_check_bulletin, workflow.check),
    "sign": (lambda user, _b: permissions.can_sign_bulletins(user), workflow.sign),
}


def _draft_for(bulletin_id: int) -> Bulletin:
    bulletin = bulletin_for(bulletin_id)
    if bulletin.status == BulletinStep.ISSUED:
        abort(404)
    return bulletin


def _refused(bulletin: Bulletin, error: Exception, status: int, **context):
    """The bulletin's page as it is now, with why the step was refused."""
    if isinstance(error, bulletins.BulletinConflict):
        bulletin, message = error.current, _("Someone else moved this bulletin on meanwhile; here it is as it is now.")
    else:
        message = str(error)
    return render_template("bulletins/bulletin.html", **bulletin_page(bulletin, error=message, **context)), status


@bp.route("/bulletins/<int:bulletin_id>/edit", methods=["GET", "POST"])
@permissions.require(permissions.can_issue_bulletins)
def edit(bulletin_id):
    bulletin = _draft_for(bulletin_id)
    if request.method == "GET" and bulletin.status != BulletinStep.DRAFT:
        flash(_("Only a draft is edited; send it back to its drafter first."), "error")
        return redirect(url_for("bulletins.show", bulletin_id=bulletin.id), 303)
    if request.method == "GET":
        form = EditDraftForm(formdata=None, obj=bulletin, pairs=bulletin.photo_pair_ids)
    else:
        form = EditDraftForm()
    form.set_pairs(pair_choices(bulletin.street_id, bulletin.project_id))
    if not form.validate_on_submit():
        return render_template("bulletins/edit.html", bulletin=bulletin, form=form), 422 if form.is_submitted() else 200
    try:
        workflow.edit_draft(bulletin, current_user, form.version.data, form.notes.data, form.pairs.data,
                            form.copy_to.data)
    except (bulletins.BulletinError, bulletins.BulletinConflict) as error:
        conflict = isinstance(error, bulletins.BulletinConflict)
        message = _("Someone else saved this draft meanwhile: your changes are below, not saved; "
                    "reload the draft to see theirs.") if conflict else str(error)
        page = render_template("bulletins/edit.html", bulletin=bulletin, form=form, error=message)
        return page, 409 if conflict else 422
    flash(_("Draft saved."), "success")
    return redirect(url_for("bulletins.show", bulletin_id=bulletin.id), 303)


@bp.route("/bulletins/<int:bulletin_id>/<any('send-on', 'check', 'sign'):step>", methods=["POST"])
@permissions.require(permissions.can_follow_drafts)
def take_step(bulletin_id, step):
    bulletin = _draft_for(bulletin_id)
    allowed, operation = STEPS[step]
    if not allowed(current_user, bulletin):
        abort(403)
    form = StepForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        operation(bulletin, current_user, form.version.data)
    except bulletins.BulletinConflict as error:
        return _refused(bulletin, error, 409)
    except bulletins.BulletinError as error:
        return _refused(bulletin, error, 422)
    flash(_("%(title)s is now: %(status)s.", title=bulletin.title, status=BULLETIN_STEP_LABELS[bulletin.status]),
          "success")
    return redirect(url_for("bulletins.show", bulletin_id=bulletin.id), 303)


@bp.route("/bulletins/<int:bulletin_id>/send-back", methods=["POST"])
@permissions.require(permissions.can_send_back_bulletin)
def send_back(bulletin_id):
    bulletin = _draft_for(bulletin_id)
    form = SendBackForm()
    if not form.validate_on_submit():  # the reason's error shows beside it
        return render_template("bulletins/bulletin.html", **bulletin_page(bulletin, send_back_form=form)), 422
    try:
        workflow.send_back(bulletin, current_user, form.version.data, form.reason.data)
    except bulletins.BulletinConflict as error:
        return _refused(bulletin, error, 409)
    except bulletins.BulletinError as error:
        return _refused(bulletin, error, 422, send_back_form=form)
    flash(_("Sent back to its drafter."), "success")
    return redirect(url_for("bulletins.show", bulletin_id=bulletin.id), 303)


@bp.route("/bulletins/<int:bulletin_id>/issue", methods=["GET", "POST"])
@permissions.require(permissions.can_issue_bulletins)
def issue(bulletin_id):
    """GET: the confirmation, naming the number issuing takes, above the pages it prints; POST: issue."""
    bulletin = _draft_for(bulletin_id)
    if not workflow.may_issue_now(bulletin):
        flash(_("Only a signed bulletin is issued."), "error")
        return redirect(url_for("bulletins.show", bulletin_id=bulletin.id), 303)
    form = StepForm()
    if request.method == "GET" or not form.validate_on_submit():
        return _confirmation(bulletin)
    try:
        issued = workflow.issue(bulletin.id, current_user, form.version.data, form.label.data or None)
    except bulletins.NumberChanged as error:
        return _confirmation(bulletin, error=str(error), status=409)
    except bulletins.BulletinConflict as error:
        return _refused(bulletin, error, 409)
    except (bulletins.BulletinError, BulletinRenderError) as error:
        return _confirmation(bulletin, error=str(error), status=422)
    tasks.enqueue("render_bulletin", issued.id)
    flash(_("Issued: %(title)s, %(number)s.", title=issued.title, number=issued.cited_as), "success")
    return redirect(url_for("bulletins.show", bulletin_id=issued.id), 303)


def _confirmation(bulletin: Bulletin, error: str | None = None, status: int = 200):
    """The confirmation names the number issuing would take now (issuing under another is refused);
    its pages, printed in a few seconds, are asked for once it is shown."""
    try:
        label = previews.draft_snapshot(bulletin, current_user)["document"]["label"]
    except bulletins.BulletinError as failure:
        return _refused(bulletin, failure, 422)
    form = StepForm(formdata=None, version=bulletin.version, label=label)
    return render_template("bulletins/issue.html", bulletin=bulletin, label=label, form=form, error=error), status


@bp.route("/bulletins/<int:bulletin_id>/preview")
@permissions.require(permissions.can_follow_drafts)
def preview(bulletin_id):
    """The draft's pages as they will print; ``?fragment=pages`` is the part the draft's page loads."""
    bulletin = _draft_for(bulletin_id)
    try:
        shown, error = previews.preview(bulletin, current_user), None
    except (bulletins.BulletinError, BulletinRenderError) as failure:
        shown, error = None, str(failure)
    fragment = "pages" if request.args.get("fragment") == "pages" else None
    return render("bulletins/preview.html", fragment, bulletin=bulletin, preview=shown, preview_error=error)


@bp.route("/bulletins/<int:bulletin_id>/preview/<string(length=64):sha256>.pdf")
@permissions.require(permissions.can_follow_drafts)
def preview_pdf(bulletin_id, sha256):
    bulletin = _draft_for(bulletin_id)
    data = previews.pdf(bulletin.id, sha256) or abort(404)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = "inline; filename=preview.pdf"
    return _private(response)


@bp.route("/bulletins/<int:bulletin_id>/preview/<string(length=64):sha256>/<int:page>.png")
@permissions.require(permissions.can_follow_drafts)
def preview_page(bulletin_id, sha256, page):
    bulletin = _draft_for(bulletin_id)
    image = previews.page_image(previews.pdf(bulletin.id, sha256) or abort(404), page) or abort(404)
    return _private(Response(image, mimetype="image/png"))


def _private(response: Response) -> Response:
    """A preview never changes under its sha256: the browser keeps it, nobody else does."""
    response.cache_control.private, response.cache_control.max_age = True, 24 * 3600
    return response
