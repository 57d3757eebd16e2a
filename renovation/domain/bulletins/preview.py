"""A draft's preview: the very PDF issuing it now would print (numbered with the next number, marked
预览稿 in its margins only, so its pages break where the issued bulletin's will), and its pages as
images for the browser.

The preview PDF is kept in the storage under the sha256 of the HTML it was printed from
(``bulletin-previews/<bulletin id>/<sha256>.pdf``): asked again while nothing it prints changed, it
is read back instead of printed again (printing takes seconds), and any server sharing the storage
finds it. ``kept`` beside them names the newest few, newest first: a newer preview removes the
oldest beyond :data:`KEPT` (not the one just before, whose pages someone may still be scrolling
through), and issuing removes them all (the issued PDF takes their place).

PDFium, which turns pages into images, is not thread-safe: one page at a time per process.
"""
import hashlib
import io
import re
import threading
from dataclasses import dataclass

from renovation.domain.bulletins import issue as issuing
from renovation.domain.bulletins.pdf import check_fonts, installed_font_families, print_html, render_html
from renovation.domain.clock import china_midnight_utc
from renovation.domain.clock import today as china_today
from renovation.extensions import db
from renovation.models import Bulletin
from renovation.storage import get_storage

FOLDER = "bulletin-previews"
SHA256 = re.compile(r"[0-9a-f]{64}")
KEPT = 4  # previews kept per bulletin
PAGE_SCALE = 1.5  # 108 dpi: an A4 page 893 px wide, sharp on a phone's screen
_pdfium = threading.Lock()


@dataclass(frozen=True)
class Preview:
    """A stored preview: its bulletin, the sha256 naming it and how many pages it has."""

    bulletin_id: int
    sha256: str
    pages: int
    label: str  # the number it would be issued under now


def draft_snapshot(bulletin: Bulletin, user) -> dict:
    """What issuing ``bulletin`` now would print: its frozen data (or its data as they are now, for
    a draft), under the next number of its series, marked as a draft."""
    frozen = bulletin.snapshot if bulletin.snapshot and "previous_id" in bulletin.snapshot else (
        issuing.frozen_data(bulletin))
    previous = db.session.get(Bulletin, frozen["previous_id"]) if frozen.get("previous_id") else None
    scope = issuing.Scope(bulletin.street, bulletin.project)
    number = issuing.next_number(bulletin.kind, scope, china_today().year)
    # Stamped with the day's start, not the second: the preview of an unchanged draft reads the same
    # all day, so it is printed once (its HTML names it).
    header = issuing.printed_header(bulletin, number, china_midnight_utc(china_today()), user, previous)
    return {"document": header | {"draft": True}, "data": frozen["data"]}


def _key(bulletin_id: int, sha256: str) -> str:
    return f"{FOLDER}/{bulletin_id}/{sha256}.pdf"


def preview(bulletin: Bulletin, user) -> Preview:
    """The bulletin's preview as issuing it now would print it, printed unless already stored.
    Raises :class:`~renovation.domain.bulletins.pdf.BulletinRenderError` (or
    :class:`~renovation.domain.bulletins.issue.BulletinError`) when it cannot be printed."""
    snapshot = draft_snapshot(bulletin, user)
    families = installed_font_families()
    check_fonts(families)
    html = render_html(snapshot, families=families)
    sha256 = hashlib.sha256(html.encode()).hexdigest()
    storage, key = get_storage(), _key(bulletin.id, sha256)
    if not storage.exists(key):
        storage.put(key, print_html(html))
        _keep(bulletin.id, sha256)
    return Preview(bulletin.id, sha256, page_count(pdf(bulletin.id, sha256)), snapshot["document"]["label"])


def _kept_key(bulletin_id: int) -> str:
    return f"{FOLDER}/{bulletin_id}/kept"


def _kept(bulletin_id: int) -> list[str]:
    """The sha256 of the bulletin's stored previews, newest first."""
    storage = get_storage()
    if not storage.exists(_kept_key(bulletin_id)):
        return []
    with storage.open(_kept_key(bulletin_id)) as handle:
        return [sha256 for sha256 in handle.read().decode("ascii", "replace").split() if SHA256.fullmatch(sha256)]


def _keep(bulletin_id: int, sha256: str) -> None:
    """Name ``sha256`` the newest preview; remove those past the newest :data:`KEPT`."""
    storage, kept = get_storage(), [sha256] + [each for each in _kept(bulletin_id) if each != sha256]
    storage.put(_kept_key(bulletin_id), "\n".join(kept[:KEPT]).encode())
    for old in kept[KEPT:]:
        if storage.exists(_key(bulletin_id, old)):
            storage.delete(_key(bulletin_id, old))


def forget(bulletin_id: int) -> None:
    """Remove the bulletin's stored previews (it was issued: its own PDF takes their place)."""
    storage = get_storage()
    for sha256 in _kept(bulletin_id):
        if storage.exists(_key(bulletin_id, sha256)):
            storage.delete(_key(bulletin_id, sha256))
    if storage.exists(_kept_key(bulletin_id)):
        storage.delete(_kept_key(bulletin_id))


def pdf(bulletin_id: int, sha256: str) -> bytes | None:
    """A stored preview's PDF; None when there is none by that sha256 (a newer one replaced it)."""
    storage, key = get_storage(), _key(bulletin_id, sha256)
    if not SHA256.fullmatch(sha256) or not storage.exists(key):
        return None
    with storage.open(key) as handle:
        return handle.read()


def page_count(data: bytes) -> int:
    import pypdfium2

    with _pdfium:
        document = pypdfium2.PdfDocument(data)
        try:
            return len(document)
        finally:
            document.close()


def page_image(data: bytes, page: int) -> bytes | None:
    """Page ``page`` (from 1) of a PDF as a PNG image; None when it has no such page."""
    import pypdfium2

    with _pdfium:
        document = pypdfium2.PdfDocument(data)
        try:
            if not 1 <= page <= len(document):
                return None
            image = document[page - 1].render(scale=PAGE_SCALE).to_pil()
        finally:
            document.close()
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
