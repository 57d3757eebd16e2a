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
