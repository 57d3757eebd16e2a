"""The WeasyPrint side of printing a bulletin: HTML in, PDF bytes out, photos from the storage.

Kept apart from :mod:`renovation.domain.bulletins.pdf` because importing WeasyPrint takes about half
a second: only a process that prints pays for it.
"""
from collections.abc import Callable

from weasyprint import HTML, URLFetcher
from weasyprint.urls import FatalURLFetchingError, URLFetcherResponse

from renovation.domain.bulletins.pdf import PHOTO_SCHEME


class MissingPhoto(FatalURLFetchingError):
    """A photo the bulletin shows is not in the storage."""


class _BulletinFetcher(URLFetcher):
    """Photos from the storage; ``data:`` URLs; nothing from the network or the file system."""

    def __init__(self, open_photo: Callable[[str], bytes]):
        super().__init__(allowed_protocols={"data"})
        self.open_photo = open_photo

    def fetch(self, url, headers=None):
        if url.startswith(PHOTO_SCHEME):
            sha256 = url.removeprefix(PHOTO_SCHEME)
            try:
                body = self.open_photo(sha256)
            except (OSError, ValueError) as error:
                raise MissingPhoto(f"photo {sha256[:12]}: {error}") from error
            return URLFetcherResponse(url, body, {"Content-Type": "image/jpeg"})
        return super().fetch(url, headers)


def print_pdf(html: str, open_photo: Callable[[str], bytes], **options) -> bytes:
    """``html`` as PDF bytes; ``bulletin-photo:<sha256>`` images read through ``open_photo``."""
    return HTML(string=html, base_url="bulletin:/", url_fetcher=_BulletinFetcher(open_photo)).write_pdf(**options)
