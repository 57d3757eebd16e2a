"""Printing a bulletin: its snapshot through the print template to a PDF, with WeasyPrint.

The PDF is made from the snapshot alone (plain data, see :mod:`renovation.domain.bulletins.area_data`),
with the same template as the browser preview. It fails loudly rather than print a bad document:
before rendering, when the CJK fonts are not installed (with no fonts at all WeasyPrint can take
its process down); during rendering, when WeasyPrint reports a glyph no font has (a .notdef box),
falls back to the slow fontTools subsetter (HarfBuzz-Subset missing), or cannot read a photo.
Photos are always the display derivatives from the storage, never the originals.
"""
import logging
import re
import shutil
import subprocess
import threading
from collections.abc import Callable

from flask import render_template
from flask_babel import gettext as _

from renovation.domain.bulletins.fonts import SANS, SERIF, stand_ins, typefaces
from renovation.domain.programme.charts import sparkline
from renovation.storage import derived_key, get_storage

REQUIRED_FONTS = (SERIF, SANS)
PHOTO_SCHEME = "bulletin-photo:"
PDF_VARIANT = "pdf/ua-1"  # tagged for screen readers: ~14% larger, no slower
# Photos print about 75 mm wide: 200 dpi is as sharp as paper shows and keeps the file small.
PHOTO_DPI, PHOTO_JPEG_QUALITY = 200, 85
# What WeasyPrint logs when a document would print wrong or slowly.
FATAL_LOG_MESSAGES = (".notdef", "instead of HarfBuzz-Subset", "Unable to subset", "Font-face")


class BulletinRenderError(RuntimeError):
    """The bulletin could not be printed as it should be; the message says why."""


class CJKFontsMissing(BulletinRenderError):
    """The Chinese fonts the bulletin names are not installed."""


def installed_font_families() -> set[str]:
    """The font families fontconfig knows, as ``fc-list`` lists them."""
    if shutil.which("fc-list") is None:
        return set()
    listing = subprocess.run(["fc-list", "--format", "%{family}\n"], capture_output=True, text=True,
                             check=False, timeout=30).stdout
    return {name.strip() for line in listing.splitlines() for name in line.split(",")}


def check_fonts(families: set[str] | None = None) -> None:
    """Raise :class:`CJKFontsMissing` unless both Noto CJK SC families are installed."""
    families = installed_font_families() if families is None else families
    missing = [family for family in REQUIRED_FONTS if family not in families]
    if missing:
        raise CJKFontsMissing(_(
            "The Chinese fonts %(fonts)s are not installed, so the bulletin cannot be printed. "
            "Install Debian's fonts-noto-cjk (./scripts/setup does) and try again.", fonts="、".join(missing)))


def photo_url(sha256: str) -> str:
    """The address of a photo's display derivative inside the PDF renderer."""
    return PHOTO_SCHEME + sha256


def storage_photo(sha256: str) -> bytes:
    """The bytes of a photo's display derivative (never the original)."""
    with get_storage().open(derived_key(sha256, "display")) as handle:
        return handle.read()


class _FatalLog(BaseException):
    """Stops a render the moment WeasyPrint reports it would print wrong or slowly (a
    BaseException, so that WeasyPrint's own ``except Exception`` does not swallow it)."""


class _LogWatch(logging.Handler):
    """WeasyPrint's warnings and errors during this thread's render; stops it at a fatal one."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record):
        if record.thread != self.thread:
            return
        message = record.getMessage()
        self.messages.append(message)
        if any(token in message for token in FATAL_LOG_MESSAGES):
            raise _FatalLog(message)


def render_html(snapshot: dict, photo_src: Callable[[str], str] = photo_url,
                families: set[str] | None = None) -> str:
    """The bulletin as HTML: the print template filled with the snapshot, in the installed fonts
    (``families``, when the caller has listed them already; a draft's preview says which stand in
    for the ones GB/T 9704 asks for)."""
    fonts = typefaces(installed_font_families() if families is None else families)
    return render_template("bulletins/print.html", doc=snapshot["document"], data=snapshot["data"],
                           photo_src=photo_src, sparkline=sparkline, fonts=fonts, stand_ins=stand_ins(fonts))


def render_pdf(snapshot: dict, open_photo: Callable[[str], bytes] = storage_photo) -> bytes:
    """Print the snapshot as a tagged PDF (A4, Noto CJK, metadata title/author/subject/zh-CN).

    Raises :class:`CJKFontsMissing` before rendering and :class:`BulletinRenderError` when the
    render reports a missing glyph, the slow subsetter, a font it cannot load or a missing photo.
    """
    families = installed_font_families()  # fontconfig asked once (a subprocess) for the check and the fonts
    check_fonts(families)
    return print_html(render_html(snapshot, families=families), open_photo)


def print_html(html: str, open_photo: Callable[[str], bytes] = storage_photo) -> bytes:
    """The PDF of a bulletin's HTML (from :func:`render_html`); raises :class:`BulletinRenderError`
    as :func:`render_pdf` says."""
    logger = logging.getLogger("weasyprint")
    watch, level = _LogWatch(), logger.level
    logger.addHandler(watch)
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)
    # WeasyPrint costs half a second to import: paid by the first PDF, not by every command.
    from renovation.domain.bulletins import weasyprint_printer as printer

    try:
        return printer.print_pdf(keep_paragraph_ends(html), open_photo, pdf_variant=PDF_VARIANT, dpi=PHOTO_DPI,
                                 jpeg_quality=PHOTO_JPEG_QUALITY)
    except printer.MissingPhoto as error:
        raise BulletinRenderError(f"A photo of the bulletin is missing from the storage ({error}).") from None
    except _FatalLog as error:
        raise BulletinRenderError(f"The PDF would not print correctly: {error}") from None
    finally:
        logger.removeHandler(watch)
        logger.setLevel(level)


# A paragraph's last two characters (Chinese, letters or digits) and the punctuation closing it.
PARAGRAPH_END = re.compile(r"([\u3400-\u9fff\w]{2}[，。、；：？！）》」』”’%]*)</p>")


def keep_paragraph_ends(html: str) -> str:
    """Keep every paragraph's last two characters on one line, so that no paragraph ends on a
    line holding one lone character (GB/T 9704 practice). Only plain text is wrapped: a paragraph
    ending in markup or an entity is left as it is."""
    return PARAGRAPH_END.sub(r'<span class="keep-together">\1</span></p>', html)
