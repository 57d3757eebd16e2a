"""The project page's photo section, built from the project and the user: the upload forms (the
section's, preset to the stage the work is at, and each stage card's) and the gallery. Called by the
project page's view and by the upload view that answers with the gallery."""
from flask_login import current_user
from wtforms import SelectChoice

from renovation import permissions
from renovation.domain.contents.operations import contents_of
from renovation.domain.photos import gallery as photo_gallery
from renovation.domain.stages.keys import STAGE_ORDER
from renovation.list_links import row_links
from renovation.photos.forms import UploadForm


def upload_form(project, contents=None) -> UploadForm | None:
    """A blank upload form; None for a user who may not add photos here. The project page's photo
    section shows it preset to the current stage; a stage card asks for it when its 添加照片 is
    opened (``photos.new``), preset to its own stage (``upload_stage`` in photos/_upload_form.html).
    ``contents``: the project's contents, when the caller has read them already."""
    if not permissions.can_add_photo(current_user, project):
        return None
    form = UploadForm(formdata=None)
    form.set_contents(contents if contents is not None else contents_of(project.id))
    # Written out by photos/_upload_form.html from plain strings: labels and choices read once.
    for field in (form.phase, form.stage, form.caption, form.hidden_works, form.content_id):
        field.label.text = str(field.label.text)
    for field in (form.phase, form.stage, form.content_id):
        field.choices = [SelectChoice(choice.value, str(choice.label)) for choice in field.choices]
    return form


def upload_stage(project) -> str | None:
    """The stage a photo uploaded from the project page belongs to unless the user says otherwise:
    the one the work is at; none once every stage is done."""
    return project.current_stage if project.current_stage in STAGE_ORDER else None


def photo_links() -> dict:
    """Each photo's page and thumbnail addresses (``links.show(photo.id)``), the route looked up
    once for a gallery's hundreds of photos rather than by ``url_for`` twice for each."""
    return {"show": row_links("photos.show", "photo_id"), "thumbnail": row_links("photos.thumbnail", "photo_id")}


def gallery_panel(project, gallery: photo_gallery.ProjectGallery | None = None) -> dict:
    """The gallery (``gallery`` when the caller has it already), its photos' addresses, and whether
    the user may pair photos."""
    return {"gallery": gallery if gallery is not None else photo_gallery.project_gallery(project.id),
            "can_pair": permissions.can_pair_photos(current_user, project), "links": photo_links()}


def photos_panel(project, form: UploadForm | None = None, contents=None) -> dict:
    """The whole photo section: the upload form, if the user may add photos (``form`` when the
    caller has the page's already), and the gallery."""
    return {**gallery_panel(project), "upload_form": form if form is not None else upload_form(project, contents),
            "upload_stage": upload_stage(project)}
