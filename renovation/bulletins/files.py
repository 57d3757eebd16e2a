"""A bulletin's stored PDF as an HTTP response: one function, so that the page download and the
API download answer with the same bytes, headers and ETag."""
from urllib.parse import quote

from flask import Response, request

from renovation.domain.bulletins import archive as bulletin_archive
from renovation.domain.bulletins import issue as bulletins
from renovation.models import Bulletin


def pdf_response(bulletin: Bulletin) -> Response | None:
    """The PDF as an attachment, cached privately and answering If-None-Match; None when the
    bulletin has no PDF (yet)."""
    try:
        data = bulletins.pdf_bytes(bulletin)
    except bulletins.BulletinError:
        return None
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=bulletin-{bulletin.kind}-{bulletin.year}-{bulletin.number:02d}.pdf; "
        f"filename*=UTF-8''{quote(bulletin_archive.download_name(bulletin))}")
    response.set_etag(bulletin.pdf_sha256)
    response.cache_control.private, response.cache_control.max_age = True, 365 * 24 * 3600
    return response.make_conditional(request)
