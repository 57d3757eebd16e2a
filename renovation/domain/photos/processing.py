"""Checking and processing one uploaded image, judged by its content, never its name.

Memory stays bounded: the size is checked before reading, the pixel count before decoding
(decompression bombs are refused, the warning made an error), JPEGs are decoded at reduced
size with draft mode before anything loads the pixels, and the thumbnail is made from the
display image, so at most one full-size image is held at a time.
"""
import hashlib
import io
import math
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from typing import TYPE_CHECKING, BinaryIO

from flask_babel import lazy_gettext as _l

from renovation.domain.clock import CHINA
from renovation.domain.refusals import Refusal

if TYPE_CHECKING:
    from PIL import Image

DISPLAY_SIZE = 1600
THUMBNAIL_SIZE = 320
# Format as Pillow names it → content type. Nothing else is ever opened.
ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heic"}
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
AVIF_BRANDS = {b"avif", b"avis"}
# Images we recognise but do not accept, so the message can say "unsupported" not "not an image".
OTHER_IMAGE_SIGNATURES = (b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*", b"\x00\x00\x01\x00")

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
TAG_MODEL, TAG_DATETIME, TAG_DATETIME_ORIGINAL, TAG_OFFSET_ORIGINAL = 272, 306, 36867, 36881

REASONS = {
    "not_image": _l("this file is not an image"),
    "unsupported": _l("this image type is not supported (use JPEG, PNG, WebP or HEIC)"),
    "corrupt": _l("the image is damaged and cannot be read"),
    "too_large": _l("the file is larger than %(mb)d MB"),
    "too_many_pixels": _l("the image has more than %(mp)d megapixels"),
}


class ImageRejected(Refusal):
    """The file cannot be accepted; ``reason`` is a key of :data:`REASONS`."""

    REASONS = REASONS


@dataclass
class ProcessedImage:
    sha256: str
    content_type: str
    width: int  # as displayed, orientation applied
    height: int
    byte_size: int
    taken_at: datetime | None  # UTC, naive; None when the photo carries no date
    gps_latitude: float | None
    gps_longitude: float | None
    camera_model: str
    display_jpeg: bytes
    thumbnail_jpeg: bytes


def sniff_format(head: bytes) -> str | None:
    """The accepted format these first bytes announce, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    brands = [head[i:i + 4] for i in (8, *range(16, min(len(head), 48), 4))]
    # AVIF is HEIF-structured (its brands include mif1) but pillow-heif does not read it:
    # "unsupported", not "damaged".
    if head[4:8] == b"ftyp" and not AVIF_BRANDS.intersection(brands) and any(
            brand in HEIF_BRANDS for brand in brands):
        return "HEIF"
    return None


@cache
def pillow_with_heif():
    """Pillow's ``Image`` module, with pillow-heif's opener registered: loaded on the first image,
    not when the app starts (a tenth of a second that the command line and most requests need
    not pay)."""
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    return Image


def process_image(stream: BinaryIO, max_bytes: int, max_pixels: int) -> ProcessedImage:
    """Check the image and make its display and thumbnail JPEGs; raises :class:`ImageRejected`."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    if size > max_bytes:
        raise ImageRejected("too_large", mb=max_bytes // (1024 * 1024))
    stream.seek(0)
    head = stream.read(64)
    image_format = sniff_format(head)
    if image_format is None:
        if head.startswith(OTHER_IMAGE_SIGNATURES) or head[4:8] == b"ftyp":
            raise ImageRejected("unsupported")
        raise ImageRejected("not_image")
    digest = _sha256(stream)
    stream.seek(0)
    pillow_with_heif()
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _decode(stream, image_format, digest, size, max_pixels)
        except ImageRejected:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ImageRejected("too_many_pixels", mp=max_pixels // 1_000_000) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
                IndexError, TypeError, KeyError, RuntimeError):
            raise ImageRejected("corrupt") from None


def _sha256(stream: BinaryIO) -> str:
    stream.seek(0)
    digest = hashlib.sha256()
    while chunk := stream.read(1 << 20):
        digest.update(chunk)
    return digest.hexdigest()


def _decode(stream, image_format, digest, size, max_pixels) -> ProcessedImage:
    from PIL import Image, ImageFile, ImageOps

    # WeasyPrint (the bulletins) turns on Pillow's "load truncated images" for the whole process
    # when it is imported; an upload cut short must still be refused as corrupt.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    image = Image.open(stream, formats=[image_format])
    width, height = image.size
    if width * height > max_pixels:
        raise ImageRejected("too_many_pixels", mp=max_pixels // 1_000_000)
    exif = image.getexif()
    orientation = exif.get(0x0112, 1)
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    taken_at = _taken_at(exif)
    latitude, longitude = _gps(exif)
    model = str(exif.get(TAG_MODEL, "") or "").strip("\x00 ")[:128]
    icc_profile = image.info.get("icc_profile")
    if image_format == "JPEG":
        # Before anything loads the pixels: decode at 1/2, 1/4 or 1/8 scale when that still
        # leaves the display size (draft keeps both sides at least as large as asked).
        ratio = min(1.0, DISPLAY_SIZE / max(image.size))
        image.draft("RGB", (math.ceil(image.size[0] * ratio), math.ceil(image.size[1] * ratio)))
    image = ImageOps.exif_transpose(image)
    image = _as_rgb(image)
    image.thumbnail((DISPLAY_SIZE, DISPLAY_SIZE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    display = _jpeg(image, icc_profile, quality=85)
    image.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
    thumbnail = _jpeg(image, icc_profile, quality=80)
    return ProcessedImage(
        sha256=digest, content_type=ACCEPTED[image_format], width=width, height=height,
        byte_size=size, taken_at=taken_at, gps_latitude=latitude, gps_longitude=longitude,
        camera_model=model, display_jpeg=display, thumbnail_jpeg=thumbnail,
    )


def _as_rgb(image: "Image.Image") -> "Image.Image":
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")


def _jpeg(image: "Image.Image", icc_profile: bytes | None, quality: int) -> bytes:
    buffer = io.BytesIO()
    # The ICC profile goes with the pixels, so colours stay as the camera saw them.
    image.save(buffer, "JPEG", quality=quality, progressive=True, icc_profile=icc_profile)
    return buffer.getvalue()


def _taken_at(exif) -> datetime | None:
    """DateTimeOriginal (camera local time, China unless an offset is recorded) as UTC."""
    details = exif.get_ifd(EXIF_IFD)
    text = details.get(TAG_DATETIME_ORIGINAL) or exif.get(TAG_DATETIME)
    if not text:
        return None
    try:
        local = datetime.strptime(str(text).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = details.get(TAG_OFFSET_ORIGINAL)
    zone = CHINA
    if offset:
        try:
            sign = -1 if str(offset).startswith("-") else 1
            hours, minutes = str(offset).strip("+-\x00 ").split(":")
            zone = timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
        except ValueError:
            zone = CHINA
    return local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def _gps(exif) -> tuple[float | None, float | None]:
    gps = exif.get_ifd(GPS_IFD)
    try:
        latitude = _degrees(gps[2], gps.get(1, "N"), "S")
        longitude = _degrees(gps[4], gps.get(3, "E"), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None, None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None, None
    return latitude, longitude


def _degrees(dms, ref, negative_ref) -> float:
    degrees, minutes, seconds = (float(part) for part in dms)
    value = degrees + minutes / 60 + seconds / 3600
    return round(-value if str(ref).strip("\x00 ").upper() == negative_ref else value, 7)
