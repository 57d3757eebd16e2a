"""Removing where a photo was taken from its original, keeping everything else."""
import io

import pytest
from PIL import Image

from renovation.domain.photos.gps_removal import without_gps
from tests.domain.photo_samples import EXIF_IFD, GPS_IFD, MODEL, encode, exif, picture

GPS = ("N", (25.0, 17.0, 30.0), "E", (117.0, 25.0, 12.0))
TAKEN = "2026:05:03 09:30:00"
XMP_WITH_GPS = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="25,17.5N"/>'
                b'</rdf:RDF></x:xmpmeta>')


def sample(fmt: str, with_gps=True, **options) -> bytes:
    metadata = exif(model="HUAWEI P60", taken=TAKEN, gps=GPS if with_gps else None)
    options.setdefault("exif", metadata.tobytes() if fmt == "HEIF" else metadata)
    return encode(picture(seed=7), fmt, **({"quality": 95} if fmt != "PNG" else {}), **options)


def opened(data: bytes) -> Image.Image:
    import pillow_heif

    pillow_heif.register_heif_opener()
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("fmt, content_type", [("JPEG", "image/jpeg"), ("PNG", "image/png"),
                                               ("WEBP", "image/webp"), ("HEIF", "image/heic")])
def test_gps_goes_and_the_rest_of_the_image_stays(fmt, content_type):
    original = sample(fmt)
    assert opened(original).getexif().get_ifd(GPS_IFD)  # the sample has a position
    stripped = without_gps(original, content_type)
    assert stripped is not None and stripped != original
    assert len(stripped) == len(original)  # edited in place: nothing around the EXIF block moved
    before, after = opened(original), opened(stripped)
    metadata = after.getexif()
    assert GPS_IFD not in metadata and metadata.get_ifd(GPS_IFD) == {}
    assert metadata[MODEL] == "HUAWEI P60"
    assert metadata.get_ifd(EXIF_IFD)[36867] == TAKEN
    assert (after.format, after.size, after.mode) == (before.format, before.size, before.mode)
    assert after.tobytes() == before.tobytes()
    # The position's numbers are gone from the bytes, not only unreachable: 117°/1 as a rational.
    longitude = bytes.fromhex("0000007500000001")
    assert longitude in before.info["exif"] and longitude not in after.info["exif"]


def test_the_jpeg_scan_is_the_same_bytes():
    original = sample("JPEG")
    stripped = without_gps(original, "image/jpeg")
    scan = original.index(b"\xff\xda")
    assert stripped[scan:] == original[scan:]


def test_an_image_without_gps_is_returned_unchanged():
    original = sample("JPEG", with_gps=False)
    assert without_gps(original, "image/jpeg") == original


def test_jpeg_xmp_with_a_position_is_dropped():
    original = sample("JPEG", xmp=XMP_WITH_GPS)
    assert b"GPSLatitude" in original
    stripped = without_gps(original, "image/jpeg")
    assert b"GPS" not in stripped
    assert opened(stripped).tobytes() == opened(original).tobytes()


def test_png_xmp_with_a_position_cannot_be_stripped_safely():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP_WITH_GPS.decode())
    assert without_gps(sample("PNG", pnginfo=info), "image/png") is None


@pytest.mark.parametrize("data, content_type", [(b"not an image", "image/jpeg"), (b"%PDF-1.7", "application/pdf")])
def test_what_cannot_be_read_is_none(data, content_type):
    assert without_gps(data, content_type) is None


def test_a_second_exif_segment_in_a_jpeg_is_dropped():
    original = sample("JPEG")
    hidden = b"Exif\x00\x00" + exif(gps=GPS).tobytes()
    segment = b"\xff\xe1" + (len(hidden) + 2).to_bytes(2, "big") + hidden
    scan = original.index(b"\xff\xda")
    doubled = original[:scan] + segment + original[scan:]
    stripped = without_gps(doubled, "image/jpeg")
    assert stripped.count(b"Exif\x00\x00") == 1
    assert bytes.fromhex("0000007500000001") not in stripped
    assert opened(stripped).tobytes() == opened(original).tobytes()


def test_fill_bytes_between_jpeg_segments_are_kept():
    original = sample("JPEG")
    scan = original.index(b"\xff\xda")
    padded = original[:scan] + b"\xff\xff" + original[scan:]
    stripped = without_gps(padded, "image/jpeg")
    assert stripped is not None and opened(stripped).tobytes() == opened(original).tobytes()
    assert opened(stripped).getexif().get_ifd(GPS_IFD) == {}
