"""An original image without where it was taken: the EXIF GPS block removed, every other byte kept.

For roles that may not see GPS (see :func:`renovation.permissions.can_see_gps`) an original is
sent through :func:`without_gps`. The EXIF block (TIFF structure) is edited in place, at the
same length, so nothing around it moves: JPEG segments, PNG chunks (whose CRC is recomputed),
WebP's RIFF chunks and HEIC's item locations all stay valid, and the compressed pixels are
the very same bytes. In the TIFF block the GPSInfo entry leaves IFD0 (the later entries move
up, the count drops by one) and the GPS directory and its values are overwritten with zeros.

XMP can repeat the position (``exif:GPSLatitude``): a JPEG's XMP segment that mentions GPS is
dropped, and so is a second EXIF segment (readers take the first); in another format such XMP
cannot be removed without rebuilding the container, so
:func:`without_gps` answers None and the caller sends the display JPEG instead (it carries no
metadata). It answers None too whenever the EXIF block cannot be found exactly once or is
malformed: never a best guess.
"""
import io
import struct
import zlib

from renovation.domain.photos.processing import ACCEPTED, GPS_IFD, pillow_with_heif

EXIF_PREFIX = b"Exif\x00\x00"
# TIFF field types → bytes per value (BYTE, ASCII, SHORT, LONG, RATIONAL, SBYTE, UNDEFINED,
# SSHORT, SLONG, SRATIONAL, FLOAT, DOUBLE, IFD).
TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
FORMATS_BY_TYPE = {content_type: image_format for image_format, content_type in ACCEPTED.items()}
XMP_KEYS = ("xmp", "XML:com.adobe.xmp")
JPEG_XMP_HEADERS = (b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00")


class _Malformed(Exception):
    """The EXIF block is not what it claims to be."""


def without_gps(data: bytes, content_type: str) -> bytes | None:
    """``data`` without its GPS metadata (``data`` itself when it has none), or None when that
    cannot be done safely for this file."""
    image_format = FORMATS_BY_TYPE.get(content_type)
    if image_format is None:
        return None
    try:
        if image_format == "JPEG":  # segments can simply go: first those that need no editing
            data = _jpeg_without_other_positions(data)
        exif, xmp = _metadata(data, image_format)
        result = data
        if exif:
            tiff = exif.removeprefix(EXIF_PREFIX)
            start = result.find(tiff)
            if start < 0 or result.find(tiff, start + 1) >= 0:
                return None
            cleaned = _tiff_without_gps(tiff)
            if cleaned != tiff:
                result = result[:start] + cleaned + result[start + len(tiff):]
                if image_format == "PNG":
                    result = _png_with_fresh_crcs(result)
        if xmp and b"GPS" in xmp:
            return None  # not a JPEG's: it cannot go without rebuilding the container
        if _still_has_gps(result, image_format):
            return None
        return result
    except (_Malformed, struct.error, OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError):
        return None


def _metadata(data: bytes, image_format: str) -> tuple[bytes | None, bytes | None]:
    """The raw EXIF and XMP blocks, as Pillow finds them (no pixels are decoded)."""
    Image = pillow_with_heif()
    with Image.open(io.BytesIO(data), formats=[image_format]) as image:
        xmp = next((image.info[key] for key in XMP_KEYS if image.info.get(key)), None)
        if isinstance(xmp, str):
            xmp = xmp.encode()
        return image.info.get("exif"), xmp


def _still_has_gps(data: bytes, image_format: str) -> bool:
    Image = pillow_with_heif()
    with Image.open(io.BytesIO(data), formats=[image_format]) as image:
        xmp = next((image.info[key] for key in XMP_KEYS if image.info.get(key)), None)
        xmp_gps = bool(xmp) and b"GPS" in (xmp.encode() if isinstance(xmp, str) else xmp)
        return GPS_IFD in image.getexif() or bool(image.getexif().get_ifd(GPS_IFD)) or xmp_gps


def _tiff_without_gps(tiff: bytes) -> bytes:
    """The TIFF block with the GPSInfo entry out of IFD0 and the GPS directory zeroed."""
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None or struct.unpack_from(order + "H", tiff, 2)[0] != 42:
        raise _Malformed("not a TIFF header")
    block = bytearray(tiff)
    ifd0 = struct.unpack_from(order + "I", block, 4)[0]
    count = struct.unpack_from(order + "H", block, ifd0)[0]
    entries_end = ifd0 + 2 + 12 * count
    if entries_end + 4 > len(block):
        raise _Malformed("IFD0 runs past the block")
    for index in range(count):
        entry = ifd0 + 2 + 12 * index
        tag, = struct.unpack_from(order + "H", block, entry)
        if tag != GPS_IFD:
            continue
        gps_offset = struct.unpack_from(order + "I", block, entry + 8)[0]
        _zero_directory(block, order, gps_offset)
        # Later entries and the next-IFD offset move up by one entry; the freed bytes are zeros.
        block[entry:entries_end + 4 - 12] = block[entry + 12:entries_end + 4]
        block[entries_end + 4 - 12:entries_end + 4] = bytes(12)
        struct.pack_into(order + "H", block, ifd0, count - 1)
        return bytes(block)
    return tiff


def _zero_directory(block: bytearray, order: str, offset: int) -> None:
    """Overwrite the IFD at ``offset`` and every value it points to with zeros."""
    count = struct.unpack_from(order + "H", block, offset)[0]
    end = offset + 2 + 12 * count + 4
    if end > len(block):
        raise _Malformed("GPS directory runs past the block")
    for index in range(count):
        entry = offset + 2 + 12 * index
        kind, values = struct.unpack_from(order + "HI", block, entry + 2)
        size = TYPE_SIZES.get(kind, 1) * values
        if size > 4:
            start = struct.unpack_from(order + "I", block, entry + 8)[0]
            if start + size > len(block):
                raise _Malformed("GPS value runs past the block")
            block[start:start + size] = bytes(size)
    block[offset:end] = bytes(end - offset)


def _png_with_fresh_crcs(data: bytes) -> bytes:
    """Every chunk's CRC recomputed (only the eXIf chunk's changes)."""
    out = bytearray(data)
    position = 8
    while position + 12 <= len(out):
        length, = struct.unpack_from(">I", out, position)
        body_end = position + 8 + length
        if body_end + 4 > len(out):
            raise _Malformed("PNG chunk runs past the file")
        struct.pack_into(">I", out, body_end, zlib.crc32(out[position + 4:body_end]))
        position = body_end + 4
    return bytes(out)


def _jpeg_without_other_positions(data: bytes) -> bytes:
    """The JPEG without the APP1 XMP segments that mention GPS, nor any EXIF segment after the
    first (the one :func:`without_gps` then edits): segments before the scan only."""
    out, position, seen_exif = bytearray(data[:2]), 2, False
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker == 0xDA:  # start of scan: the rest is pixels
            break
        if marker == 0xFF:  # a fill byte before a marker
            out.append(0xFF)
            position += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            out += data[position:position + 2]
            position += 2
            continue
        length, = struct.unpack_from(">H", data, position + 2)
        segment = data[position:position + 2 + length]
        body = segment[4:]
        is_exif = marker == 0xE1 and body.startswith(EXIF_PREFIX)
        gps_xmp = marker == 0xE1 and body.startswith(JPEG_XMP_HEADERS) and b"GPS" in body
        if not (gps_xmp or (is_exif and seen_exif)):
            out += segment
        seen_exif = seen_exif or is_exif
        position += 2 + length
    return bytes(out + data[position:])
