"""Request size limits for the routes that take photos (every other route keeps the small
app-wide limit of ``MAX_CONTENT_LENGTH``).

A route taking several files may receive at most ``UPLOAD_MAX_BYTES`` in one request. Werkzeug
compares the declared ``Content-Length`` with the limit before it reads a byte of the body, so
an oversized upload is refused (413) at once instead of being spooled to disk first.
"""
import unicodedata

from flask import abort, current_app, request
from flask_babel import gettext as _

MEGABYTE = 1024 * 1024


def upload_limit(files: int | None = None) -> int:
    """The most one request may send: ``files`` files of the largest accepted size plus form
    fields, and never more than ``UPLOAD_MAX_BYTES`` (many files at once)."""
    config = current_app.config
    count = files if files is not None else config["PHOTO_MAX_FILES_PER_UPLOAD"]
    return min(config["PHOTO_MAX_BYTES"] * count + MEGABYTE, config["UPLOAD_MAX_BYTES"])


def allow_photo_upload(files: int | None = None) -> None:
    """Raise this request's limit to :func:`upload_limit`. Call before the form is read.

    Werkzeug spools file parts to temporary files, so a large request does not sit in memory.
    """
    request.max_content_length = upload_limit(files)


def too_large_message() -> str:
    """What a person is told when a request is over its limit (the upload's, on upload routes)."""
    if not takes_photos():
        return _("What you sent is too large.")
    view = current_app.view_functions[request.endpoint]
    mb = upload_limit(view.photo_upload_files) // MEGABYTE
    return _("You can send at most %(mb)d MB at a time: send fewer or smaller files.", mb=mb)


def accepts_photos(files: int | None = None):
    """Mark a view that takes photos. The app's NUL guard then leaves its body unread, so
    nothing is parsed before the view has checked who is asking; the view calls
    :func:`read_photo_upload` once it has."""

    def decorator(view):
        view.photo_upload_files = files
        return view

    return decorator


def takes_photos() -> bool:
    """Whether this request goes to a view marked with :func:`accepts_photos`."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return view is not None and hasattr(view, "photo_upload_files")


def read_photo_upload(files: int | None = None) -> None:
    """After the permission check: raise the limit, parse the body, refuse NUL in its fields."""
    allow_photo_upload(files)
    if any("\x00" in value for value in request.form.values()):
        abort(400)


# Control characters (NUL, CR/LF, C1), format characters (bidi overrides that make "gpj.exe"
# read as "exe.jpg"), line/paragraph separators and lone surrogates: none belongs in a file
# name, and any of them would make the Content-Disposition header of its download invalid.
_STRIPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def clean_file_name(name: str | None, fallback: str) -> str:
    """A file name safe to store and to send back: without control characters, or ``fallback``."""
    kept = "".join(char for char in (name or "") if unicodedata.category(char) not in _STRIPPED_CATEGORIES)
    return kept.strip() or fallback


def uploaded_file_name(name: str | None, fallback: str) -> str:
    """An uploaded file's own name: no folders (old browsers send a path), no NUL or other
    control characters (see :func:`clean_file_name`). Every upload path, page or API, uses it."""
    return clean_file_name((name or "").replace("\\", "/").rsplit("/", 1)[-1], fallback)
