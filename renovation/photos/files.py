"""Sending a photo's files: derivatives cached for a year (they never change), originals as a
download under their own name and content type."""
from flask import Response, abort, send_file

from renovation import storage as files
from renovation.models import Photo

DERIVED_KINDS = ("display", "thumbnail")
YEAR = 365 * 24 * 3600


def storage_key(photo: Photo, kind: str) -> str:
    return files.original_key(photo.sha256) if kind == "original" else files.derived_key(photo.sha256, kind)


def send_photo_file(photo: Photo, kind: str) -> Response:
    """The file of ``kind`` (``original``, ``display`` or ``thumbnail``); 304 on a matching
    If-None-Match. The ETag names the content and the kind, so it is the same for every
    photo record of the same image."""
    store = files.get_storage()
    key = storage_key(photo, kind)
    if not store.exists(key):
        abort(404)
    # The filesystem backend gives a path (sendfile, ranges); another backend gives a stream.
    source = store.path(key) if hasattr(store, "path") else store.open(key)
    original = kind == "original"
    response = send_file(
        source,
        mimetype=photo.content_type if original else "image/jpeg",
        as_attachment=original,
        download_name=photo.original_filename if original else f"{photo.sha256[:16]}-{kind}.jpg",
        etag=f"{photo.sha256}-{kind}",
        conditional=True,
        last_modified=None,
    )
    # Content-addressed, so a stored file never changes: the browser may keep it (privately).
    response.cache_control.no_cache = None
    response.cache_control.public = False
    response.cache_control.private = True
    response.cache_control.max_age = YEAR
    response.cache_control.immutable = True
    return response
