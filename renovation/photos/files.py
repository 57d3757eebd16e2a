"""Sending stored files, with one header policy for photos, their API routes and consultation
attachments.

- Derived files (display and thumbnail JPEGs) never change, their key being the original's
  sha256: ``Cache-Control: private, max-age=31536000, immutable``.
- Originals are sent as a download under their own name (RFC 5987 for Chinese names), except
  where a caller asks for them inline (a PDF to read in the browser); they are revalidated on
  every use (``private, no-cache``), so a deleted file stops being shown at once.
- The ETag names the content and the kind (``"<sha256>-thumbnail"``, ``"<sha256>-original"``):
  a matching If-None-Match gets a 304.
- Always ``X-Content-Type-Options: nosniff``: the browser takes the content type we send.
- Always ``Content-Security-Policy: sandbox``: a file opened in the browser (a PDF read inline)
  is the uploader's content, so it runs in a unique origin with no script, never as the app.
- Where a photo was taken is for roles that may see GPS (:func:`permissions.can_see_gps`): they
  get the original's own bytes; everyone else gets it without its GPS metadata
  (:mod:`renovation.domain.photos.gps_removal`), under another ETag (``"<sha256>-original-without-gps"``),
  or, when a file cannot be stripped safely, the display JPEG (no metadata) as ``<name>.jpg``.
"""
import io
from pathlib import PurePath

from flask import Response, abort, g, send_file
from flask_login import current_user

from renovation import permissions
from renovation import storage as files
from renovation.domain.photos.gps_removal import without_gps
from renovation.domain.photos.processing import ACCEPTED
from renovation.models import Photo
from renovation.security_headers import SANDBOX_POLICY
from renovation.upload_limits import clean_file_name

DERIVED_KINDS = ("display", "thumbnail")
YEAR = 365 * 24 * 3600


def storage_key(sha256: str, kind: str) -> str:
    """The key of the ``original`` or of a derived JPEG (``display``, ``thumbnail``)."""
    return files.original_key(sha256) if kind == "original" else files.derived_key(sha256, kind)


def file_etag(sha256: str, kind: str) -> str:
    """The same for every record of the same content, different for each kind."""
    return f"{sha256}-{kind}"


def send_stored_file(key: str, content_type: str, download_name: str, etag: str, *,
                     as_attachment: bool, immutable: bool) -> Response:
    """The stored file under ``key`` (404 when missing), with the headers of the policy above."""
    store = files.get_storage()
    if not store.exists(key):
        abort(404)
    # The filesystem backend gives a path (sendfile, ranges); another backend gives a stream.
    source = store.path(key) if hasattr(store, "path") else store.open(key)
    return _send(source, content_type, download_name, etag, as_attachment=as_attachment, immutable=immutable)


def _send(source, content_type: str, download_name: str, etag: str, *, as_attachment: bool,
          immutable: bool) -> Response:
    response = send_file(source, mimetype=content_type, as_attachment=as_attachment,
                         download_name=download_name, etag=etag, conditional=True, last_modified=None)
    response.cache_control.no_cache = None
    response.cache_control.public = False
    response.cache_control.private = True
    if immutable:
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    else:
        response.cache_control.no_cache = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX_POLICY
    return response


def send_content(sha256: str, kind: str, content_type: str, original_filename: str, *,
                 inline: bool = False) -> Response:
    """The ``original`` (as a download unless ``inline``) or a derived JPEG of stored content.

    An image original goes without its GPS metadata to whoever may not see GPS (the user of
    this request, signed in or by API token).
    """
    if kind == "original":
        # Cleaned again: a name stored by older code may hold characters no header can carry.
        name = clean_file_name(original_filename, "file")
        if content_type in ACCEPTED.values() and not _viewer_sees_gps():
            return _send_original_without_gps(sha256, content_type, name, inline=inline)
        return send_stored_file(storage_key(sha256, kind), content_type, name,
                                file_etag(sha256, kind), as_attachment=not inline, immutable=False)
    if kind not in DERIVED_KINDS:
        abort(404)
    return send_stored_file(storage_key(sha256, kind), "image/jpeg", f"{sha256[:16]}-{kind}.jpg",
                            file_etag(sha256, kind), as_attachment=False, immutable=True)


def send_photo_file(photo: Photo, kind: str) -> Response:
    """The photo's file of ``kind`` (``original``, ``display`` or ``thumbnail``)."""
    return send_content(photo.sha256, kind, photo.content_type, photo.original_filename)


def _viewer_sees_gps() -> bool:
    """The API's token user when there is one, else the signed-in user."""
    return permissions.can_see_gps(g.get("api_user") or current_user)


def _send_original_without_gps(sha256: str, content_type: str, name: str, *, inline: bool) -> Response:
    store = files.get_storage()
    key = storage_key(sha256, "original")
    if not store.exists(key):
        abort(404)
    with store.open(key) as handle:
        stripped = without_gps(handle.read(), content_type)
    etag = file_etag(sha256, "original-without-gps")
    if stripped is not None:
        return _send(io.BytesIO(stripped), content_type, name, etag, as_attachment=not inline, immutable=False)
    # Not safely strippable (XMP outside a JPEG, an odd EXIF block): the display JPEG instead.
    return send_stored_file(storage_key(sha256, "display"), "image/jpeg", f"{PurePath(name).stem or 'photo'}.jpg",
                            etag, as_attachment=not inline, immutable=False)
