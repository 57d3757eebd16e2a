"""Request size limits for the routes that take photos (every other route keeps the small
app-wide limit of ``MAX_CONTENT_LENGTH``)."""
from flask import current_app, request

MEGABYTE = 1024 * 1024


def allow_photo_upload(files: int | None = None) -> None:
    """Raise this request's limit to ``files`` photos of the largest accepted size, plus form fields.

    Call before the form is read. Werkzeug spools file parts to temporary files, so a large
    request does not sit in memory.
    """
    config = current_app.config
    count = files if files is not None else config["PHOTO_MAX_FILES_PER_UPLOAD"]
    request.max_content_length = config["PHOTO_MAX_BYTES"] * count + MEGABYTE


def accepts_photos(files: int | None = None):
    """Mark a view that takes photos: its limit is raised before anything reads the form.

    Something may read the form before the view runs (the app's NUL guard does), and the
    form is parsed once, under the limit in force then: :func:`raise_limit_for_photo_views`
    runs first thing for every request.
    """

    def decorator(view):
        view.photo_upload_files = files
        return view

    return decorator


def raise_limit_for_photo_views() -> None:
    """Before reading the form: the limit of a view marked with :func:`accepts_photos`."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if view is not None and hasattr(view, "photo_upload_files"):
        allow_photo_upload(view.photo_upload_files)
