"""Photo pages: thin views over :mod:`renovation.domain.photos.operations` and
:mod:`renovation.domain.photos.gallery`."""
from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup

from renovation import list_scope, permissions
from renovation.domain import project_list
from renovation.domain.contents.operations import contents_of
from renovation.domain.errors import RuleViolation
from renovation.domain.photos import gallery as photo_gallery
from renovation.domain.photos.operations import add_photos, delete_photo, update_photo
from renovation.domain.photos.pairing import pair_photos, pair_several, unpair
from renovation.domain.stages.keys import STAGE_ORDER
from renovation.extensions import csrf, db
from renovation.list_links import page_links
from renovation.models import Photo, PhotoPair
from renovation.photos import bp
from renovation.photos.files import send_photo_file
from renovation.photos.forms import (
    ConfirmForm,
    DeletePhotoForm,
    EditPhotoForm,
    PairForm,
    PhotoFilterForm,
    UploadForm,
    pair_rows_form,
)
from renovation.photos.panels import gallery_panel, upload_form, upload_stage
from renovation.templating import fragment_or_redirect, render, wants_fragment
from renovation.upload_limits import accepts_photos, read_photo_upload, uploaded_file_name

PHOTOS_PER_PAGE = 60
can_view = permissions.require(permissions.can_view_projects)


# --- upload -------------------------------------------------------------------------------------

@bp.route("/projects/<code>/photos/new")
@can_view
def new(code):
    """A blank upload form preset to the stage ``?stage=`` (none: the stage the work is at): a stage
    card asks for it (htmx) when its 添加照片 is opened; without a script the same address is a
    page of its own."""
    project = project_list.project_by_code(code) or abort(404)
    form = upload_form(project) or abort(403)
    stage = request.args.get("stage")
    if stage not in STAGE_ORDER:
        stage = upload_stage(project)
    template = "photos/_upload_form.html" if wants_fragment() else "photos/new.html"
    return render(template, project=project, upload_form=form, upload_stage=stage,
                  upload_place=stage if wants_fragment() else "page")


@bp.route("/projects/<code>/photos", methods=["POST"])
@accepts_photos()
@csrf.exempt  # the body is read only after the permission check; the form checks the token
@can_view
def upload(code):
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_add_photo(current_user, project):
        abort(403)
    read_photo_upload()
    form = UploadForm(max_files=current_app.config["PHOTO_MAX_FILES_PER_UPLOAD"])
    if not form.validate_on_submit():
        if form.errors.get("csrf_token"):
            raise CSRFError(form.errors["csrf_token"][0])
        return _upload_refused(project, form)
    uploads = [(uploaded_file_name(upload.filename, "photo"), upload.stream) for upload in form.uploads()]
    try:
        outcomes = add_photos(project, current_user, uploads, form.phase.data, form.stage.data or None,
                              form.caption.data or "", form.hidden_works.data, form.content_id.data)
    except RuleViolation as refused:
        form.content_id.errors = list(refused.errors.values())
        return _upload_refused(project, form)
    stored = any(outcome.photo or outcome.duplicate_of for outcome in outcomes)
    return fragment_or_redirect(
        lambda: render("photos/_upload_result.html", project=project, outcomes=outcomes,
                       photos=gallery_panel(project)),
        url_for("projects.show", code=code, _anchor="photos"), trigger="photosChanged",
        flashes=[_outcome_message(outcome) for outcome in outcomes], status=200 if stored else 422)


def _upload_refused(project, form):
    messages = [message for errors in form.errors.values() for message in errors]
    return fragment_or_redirect(
        lambda: render("photos/_upload_result.html", project=project, outcomes=[], form_errors=messages),
        url_for("projects.show", code=project.code, _anchor="photos"),
        flashes=[(message, "error") for message in messages], status=422)


def _outcome_message(outcome) -> tuple[str, str]:
    if outcome.photo is not None:
        return _("%(file)s: saved.", file=outcome.filename), "success"
    if outcome.duplicate_of is not None:
        link = url_for("photos.show", photo_id=outcome.duplicate_of.id)
        return Markup('{} <a href="{}">{}</a>').format(
            _("%(file)s: already uploaded.", file=outcome.filename), link, _("See the photo")), "info"
    return _("%(file)s was refused: %(reason)s.", file=outcome.filename, reason=outcome.error), "error"


# --- the photo page and its forms ----------------------------------------------------------------

def _photo_or_404(photo_id: int) -> Photo:
    photo = photo_gallery.live_photo(photo_id)
    if photo is None:
        abort(404)
    return photo


def _photo_page(photo, status=200, **forms):
    """The photo page; ``forms`` are forms with the user's input and errors to show again."""
    pair = photo_gallery.pair_of(photo)
    edit_form = forms.get("edit_form") or EditPhotoForm(
        formdata=None, phase=photo.phase, stage=photo.stage_key or "", caption=photo.caption,
        hidden_works=photo.hidden_works, content_id=photo.content_id)
    edit_form.set_contents(contents_of(photo.project_id))
    pair_form = forms.get("pair_form")
    if pair_form is None and pair is None and photo.phase == "before":
        pair_form = _pair_form(photo, formdata=None)
    return render("photos/photo.html", photo=photo, project=photo.project, pair=pair, edit_form=edit_form,
                  neighbours=photo_gallery.gallery_neighbours(photo), can_see_gps=permissions.can_see_gps(current_user),
                  can_pair=permissions.can_pair_photos(current_user, photo.project),
                  can_change=permissions.can_change_photo(current_user, photo),
                  delete_form=forms.get("delete_form") or DeletePhotoForm(formdata=None), pair_form=pair_form,
                  unpair_form=ConfirmForm(formdata=None)), status


def _pair_form(photo, **kwargs) -> PairForm:
    form = PairForm(**kwargs)
    form.after.choices = [
        (after.id, f"{after.caption or after.original_filename} · {after.taken_at:%Y-%m-%d}")
        for after in photo_gallery.unpaired_after_photos(photo)
    ]
    return form


@bp.route("/photos/<int:photo_id>")
@can_view
def show(photo_id):
    return _photo_page(_photo_or_404(photo_id))


@bp.route("/photos/<int:photo_id>/edit", methods=["POST"])
@can_view
def edit(photo_id):
    photo = _photo_or_404(photo_id)
    if not permissions.can_change_photo(current_user, photo):
        abort(403)
    form = EditPhotoForm()
    if not form.validate_on_submit():
        return _photo_page(photo, 422, edit_form=form)
    try:
        update_photo(photo, current_user, form.phase.data, form.stage.data or None, form.caption.data or "",
                     form.hidden_works.data, form.content_id.data)
    except RuleViolation as refused:
        form.content_id.errors = list(refused.errors.values())
        return _photo_page(photo, 422, edit_form=form)
    flash(_("Photo saved."), "success")
    return redirect(url_for("photos.show", photo_id=photo.id), code=303)


@bp.route("/photos/<int:photo_id>/delete", methods=["POST"])
@can_view
def delete(photo_id):
    photo = _photo_or_404(photo_id)
    if not permissions.can_change_photo(current_user, photo):
        abort(403)
    form = DeletePhotoForm()
    if not form.validate_on_submit():
        return _photo_page(photo, 422, delete_form=form)
    code, name = photo.project.code, photo.original_filename
    delete_photo(photo, current_user, (form.reason.data or "").strip())
    flash(_("Photo %(file)s deleted.", file=name), "success")
    return redirect(url_for("projects.show", code=code, _anchor="photos"), code=303)


@bp.route("/photos/<int:photo_id>/pair", methods=["POST"])
@can_view
def pair(photo_id):
    photo = _photo_or_404(photo_id)
    if not permissions.can_pair_photos(current_user, photo.project):
        abort(403)
    form = _pair_form(photo)
    if form.validate_on_submit():
        try:
            pair_photos(photo.project, current_user, photo, db.session.get(Photo, form.after.data))
        except RuleViolation as refused:
            form.after.errors = list(refused.errors.values())
        else:
            flash(_("Before/after pair saved."), "success")
            return redirect(url_for("photos.show", photo_id=photo.id), code=303)
    return _photo_page(photo, 422, pair_form=form)


@bp.route("/projects/<code>/pairing", methods=["GET", "POST"])
@can_view
def pairing(code):
    """Pairing mode: beside each before thumbnail tick its after photo, in as many rows as wanted,
    and save them all at once; with htmx the page stays, ready for the next ones."""
    project = project_list.project_by_code(code) or abort(404)
    if not permissions.can_pair_photos(current_user, project):
        abort(403)
    rows = photo_gallery.pairing_rows(project.id)
    form = pair_rows_form(rows, formdata=request.form if request.method == "POST" else None)
    status, saved = 200, []
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            picks = form.picks()
            try:
                pair_several(project, current_user, picks)
            except RuleViolation as refused:
                form.show_problems(refused.errors)
            else:
                if not wants_fragment():
                    flash(ngettext("%(num)d before/after pair saved.", "%(num)d before/after pairs saved.",
                                   len(picks)), "success")
                    return redirect(url_for("photos.pairing", code=code), code=303)
                rows, saved = photo_gallery.pairing_rows(project.id), picks
                form, status = pair_rows_form(rows, formdata=None), 200
    pairs = photo_gallery.project_pairs(project.id)
    return render("photos/pairing.html", "picker", project=project, form=form, pairs=pairs,
                  saved=[pair for pair in pairs if (pair.before_id, pair.after_id) in saved],
                  without_candidates=[row.before for row in rows if row not in form.rows]), status


@bp.route("/photos/pairs/<int:pair_id>/delete", methods=["POST"])
@can_view
def unpair_photos(pair_id):
    photo_pair = db.session.get(PhotoPair, pair_id) or abort(404)
    if not permissions.can_pair_photos(current_user, photo_pair.before.project):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    before_id, code = photo_pair.before_id, photo_pair.before.project.code
    unpair(photo_pair, current_user)
    flash(_("The pair was removed; both photos stay."), "success")
    if request.form.get("back") == "project":
        return redirect(url_for("projects.show", code=code, _anchor="pairs"), code=303)
    return redirect(url_for("photos.show", photo_id=before_id), code=303)


# --- files ------------------------------------------------------------------------------------------

def _file_of(photo_id: int, kind: str):
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.deleted_at is not None:
        abort(404)
    return send_photo_file(photo, kind)


@bp.route("/photos/<int:photo_id>/thumbnail")
@can_view
def thumbnail(photo_id):
    return _file_of(photo_id, "thumbnail")


@bp.route("/photos/<int:photo_id>/display")
@can_view
def display(photo_id):
    return _file_of(photo_id, "display")


@bp.route("/photos/<int:photo_id>/original")
@can_view
def original(photo_id):
    return _file_of(photo_id, "original")


# --- the city-wide page --------------------------------------------------------------------------

@bp.route("/photos")
@can_view
def index():
    if (opening := list_scope.open_on_own_community("photos.index", current_user)) is not None:
        return opening
    form = PhotoFilterForm.read(request.args)
    criteria = form.criteria()
    result = photo_gallery.find_photos(criteria, form.page_number(), PHOTOS_PER_PAGE)
    return render("photos/index.html", "results", form=form, result=result,
                  scope_links=list_scope.scope_links("photos.index", current_user, criteria.community_id),
                  page_url=page_links("photos.index", form))
