"""Checking and processing one image (renovation.domain.photos.processing): what is accepted,
what is refused and why, and what is derived — all judged by the bytes, never by a name."""
import hashlib
import io
import subprocess
import sys
import textwrap
import tracemalloc
import warnings
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile, features

from renovation import storage as files
from renovation.domain.photos.operations import add_photo
from renovation.domain.photos.processing import ImageRejected, process_image
from tests.conftest import make_project, make_user
from tests.domain import photo_samples as samples

MB = 1024 * 1024
MAX_BYTES, MAX_PIXELS = 25 * MB, 50_000_000


def process(data: bytes, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS):
    return process_image(io.BytesIO(data), max_bytes, max_pixels)


def rejected(data: bytes, **limits) -> str:
    with pytest.raises(ImageRejected) as caught:
        process(data, **limits)
    assert caught.value.message  # a sentence for the user, never empty
    return caught.value.reason


def close(colour, expected, tolerance=24) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


# --- accepted formats ----------------------------------------------------------------------

@pytest.mark.parametrize("make, content_type", [
    (samples.jpeg, "image/jpeg"),
    (samples.png, "image/png"),
    (samples.webp, "image/webp"),
    (samples.heic, "image/heic"),
])
def test_each_accepted_format_gives_its_content_type_and_jpeg_derivatives(make, content_type):
    data = make(size=(400, 300))
    result = process(data)
    assert result.content_type == content_type
    assert (result.width, result.height) == (400, 300)
    assert result.byte_size == len(data)
    for derived, longest in ((result.display_jpeg, 400), (result.thumbnail_jpeg, 320)):
        image = samples.decoded(derived)
        assert image.format == "JPEG" and image.mode == "RGB"
        assert max(image.size) == longest


def test_png_with_transparency_is_laid_on_white():
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))  # transparent black
    image.paste((200, 10, 10, 255), (0, 0, 100, 100))  # an opaque red half
    result = process(samples.encode(image, "PNG"))
    display = samples.decoded(result.display_jpeg)
    assert close(display.getpixel((150, 50)), (255, 255, 255))  # white, not black
    assert close(display.getpixel((50, 50)), (200, 10, 10))


def test_palette_png_with_a_transparent_colour_is_laid_on_white():
    image = Image.new("P", (100, 100), 0)
    image.putpalette([0, 0, 0, 10, 120, 10] + [0] * 762)
    image.paste(1, (0, 0, 50, 100))
    result = process(samples.encode(image, "PNG", transparency=0))
    display = samples.decoded(result.display_jpeg)
    assert close(display.getpixel((75, 50)), (255, 255, 255))
    assert close(display.getpixel((25, 50)), (10, 120, 10))


def test_grey_and_cmyk_jpegs_become_rgb():
    for mode, colour in (("L", 128), ("CMYK", (0, 255, 255, 0))):
        result = process(samples.encode(Image.new(mode, (64, 48), colour), "JPEG"))
        assert samples.decoded(result.display_jpeg).mode == "RGB"


def test_the_format_is_judged_by_content_not_by_the_file_name(app, tmp_path):
    project, user = make_project(), make_user()
    photo = add_photo(project, user, "IMG_0001.png", io.BytesIO(samples.jpeg()), "before", None)
    assert photo.content_type == "image/jpeg"
    with pytest.raises(ImageRejected) as caught:
        add_photo(project, user, "site.jpg", io.BytesIO(b"meeting notes, not a photo\n" * 20),
                  "before", None)
    assert caught.value.reason == "not_image"


# --- refused: not an image, unsupported, corrupt --------------------------------------------

@pytest.mark.parametrize("data", [
    b"Renovation plan for building 3\n" * 10,
    b"",
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
    b"PK\x03\x04" + b"\x00" * 100,  # a zip (or .docx)
    b"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>",
])
def test_a_file_that_is_no_image_is_not_image(data):
    assert rejected(data) == "not_image"


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_gif_bmp_and_tiff_are_unsupported(fmt):
    assert rejected(samples.encode(samples.picture((60, 40)), fmt)) == "unsupported"


def test_big_endian_tiff_and_an_icon_are_unsupported():
    assert rejected(b"MM\x00*\x00\x00\x00\x08" + b"\x00" * 64) == "unsupported"
    assert rejected(samples.encode(samples.picture((32, 32)), "ICO")) == "unsupported"


def test_avif_is_unsupported_not_damaged():
    # AVIF shares HEIF's box structure (its brands include mif1), but is not accepted.
    crafted = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 64
    assert rejected(crafted) == "unsupported"
    if features.check("avif"):
        assert rejected(samples.encode(samples.picture((64, 48)), "AVIF")) == "unsupported"


def test_a_jpeg_named_gif_inside_a_gif_signature_is_not_read_as_jpeg():
    # The signature decides: GIF bytes stay unsupported even if a JPEG follows them.
    assert rejected(b"GIF89a" + samples.jpeg()) == "unsupported"


@pytest.mark.parametrize("make", [samples.jpeg, samples.png, samples.webp, samples.heic])
@pytest.mark.parametrize("keep", [0.5, 0.1])
def test_a_truncated_image_is_corrupt(make, keep):
    data = make(size=(300, 200))
    assert rejected(data[: max(64, int(len(data) * keep))]) == "corrupt"


def test_a_jpeg_with_only_its_signature_is_corrupt():
    assert rejected(b"\xff\xd8\xff\xe0" + b"\x00" * 80) == "corrupt"


def test_a_png_with_damaged_pixel_data_is_corrupt():
    data = bytearray(samples.png(size=(300, 200)))
    start = data.index(b"IDAT") + 4
    data[start + 10: start + 200] = bytes(190)  # zlib stream broken, CRC wrong
    assert rejected(bytes(data)) == "corrupt"


def test_a_png_with_a_broken_header_is_corrupt():
    data = bytearray(samples.png())
    data[16:24] = b"\xff" * 8  # width and height nonsense, IHDR CRC wrong
    assert rejected(bytes(data)) == "corrupt"


# --- refused: too large, too many pixels, decompression bombs ------------------------------

class CountingStream(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_a_file_over_the_byte_limit_is_too_large_before_it_is_read():
    data = samples.jpeg(size=(800, 600))
    stream = CountingStream(data)
    with pytest.raises(ImageRejected) as caught:
        process_image(stream, len(data) - 1, MAX_PIXELS)
    assert caught.value.reason == "too_large"
    assert stream.bytes_read == 0
    assert "MB" in caught.value.message
    # Exactly at the limit is accepted.
    assert process_image(io.BytesIO(data), len(data), MAX_PIXELS).byte_size == len(data)


def test_the_too_large_message_names_the_limit():
    with pytest.raises(ImageRejected) as caught:
        process_image(io.BytesIO(b"x" * (3 * MB + 1)), 3 * MB, MAX_PIXELS)
    assert "3" in caught.value.message


@pytest.mark.parametrize("make", [samples.jpeg, samples.png, samples.webp, samples.heic])
def test_an_image_over_the_pixel_limit_is_too_many_pixels(make):
    data = make(size=(400, 300))
    assert rejected(data, max_pixels=400 * 300 - 1) == "too_many_pixels"
    assert process(data, max_pixels=400 * 300).width == 400


def test_a_sideways_image_is_counted_by_its_pixels_whatever_its_orientation():
    data = samples.oriented(6, size=(200, 400))
    assert rejected(data, max_pixels=200 * 400 - 1) == "too_many_pixels"


def test_the_too_many_pixels_message_names_the_limit():
    with pytest.raises(ImageRejected) as caught:
        process(samples.png(size=(400, 300)), max_pixels=100_000)
    assert caught.value.reason == "too_many_pixels"


def _refuse_to_decode(monkeypatch):
    def no_decoding(self, *args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    monkeypatch.setattr(Image.Image, "load", no_decoding)


@pytest.mark.parametrize("side", [30000, 10000])  # beyond Pillow's own limit, and below it
def test_a_decompression_bomb_is_refused_without_decoding(monkeypatch, side):
    bomb = samples.bomb_png(side, side)
    assert len(bomb) < 200_000  # ~110 KB on disk; 900 megapixels once decoded
    _refuse_to_decode(monkeypatch)
    tracemalloc.start()
    try:
        assert rejected(bomb) == "too_many_pixels"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * MB


def test_a_bomb_between_the_limit_and_pillows_warning_is_still_refused(monkeypatch):
    # 60 megapixels: over the app's 50 MP limit, under Pillow's own bomb warning (89 MP).
    _refuse_to_decode(monkeypatch)
    assert rejected(samples.bomb_png(10000, 6000)) == "too_many_pixels"


def test_pillows_bomb_warning_is_an_error_even_with_a_generous_limit(monkeypatch):
    # An administrator raising the limit does not switch Pillow's own guard off.
    _refuse_to_decode(monkeypatch)
    bomb = samples.bomb_png(30000, 30000)
    assert rejected(bomb, max_pixels=10**10) == "too_many_pixels"
    assert rejected(samples.bomb_png(10000, 10000), max_pixels=10**10) == "too_many_pixels"


def test_a_decompression_bomb_stays_within_memory_in_a_fresh_process():
    """tracemalloc does not see Pillow's pixel buffers, so measure the process's resident
    high-water mark too: decoding this bomb would take ~900 MB (1 byte per pixel)."""
    script = textwrap.dedent("""
        import io, resource, sys
        from renovation.domain.photos.processing import ImageRejected, process_image
        from tests.domain.photo_samples import bomb_png
        bomb = bomb_png(30000, 30000)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            process_image(io.BytesIO(bomb), 25 * 1024 * 1024, 50_000_000)
        except ImageRejected as error:
            print(error.reason)
        print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
    """)
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, timeout=60).stdout.split()
    assert output[0] == "too_many_pixels"
    assert int(output[1]) < 20  # MB


# --- orientation and sizes -----------------------------------------------------------------

@pytest.mark.parametrize("orientation", [6, 8])
@pytest.mark.parametrize("fmt", ["JPEG", "HEIF"])
def test_exif_orientation_is_applied_marker_on_top(orientation, fmt):
    data = samples.oriented(orientation, size=(200, 400), fmt=fmt)
    if fmt == "JPEG":
        assert Image.open(io.BytesIO(data)).size == (400, 200)  # stored sideways
    # (pillow-heif turns a HEIC upright as it opens it; it must not be turned a second time)
    result = process(data)
    assert (result.width, result.height) == (200, 400)  # as displayed
    for derived in (result.display_jpeg, result.thumbnail_jpeg):
        image = samples.decoded(derived)
        width, height = image.size
        assert height > width
        assert close(image.getpixel((width // 2, height // 32)), samples.RED, 40)
        assert close(image.getpixel((width // 2, height - 1 - height // 32)), samples.BLUE, 40)
        assert close(image.getpixel((width // 2, height // 2)), samples.BLUE, 40)


def test_the_display_jpeg_carries_no_orientation_to_turn_it_twice():
    result = process(samples.oriented(6))
    assert samples.decoded(result.display_jpeg).getexif().get(samples.ORIENTATION, 1) == 1


def test_a_large_sideways_phone_jpeg_is_turned_and_reduced():
    # Draft mode reduces the decode; the orientation must still be applied afterwards.
    upright = Image.new("RGB", (3024, 4032), samples.BLUE)
    upright.paste(samples.RED, (1000, 0, 2000, 400))
    data = samples.encode(upright.transpose(Image.Transpose.ROTATE_90), "JPEG", quality=90,
                          exif=samples.exif(orientation=6))
    result = process(data)
    assert (result.width, result.height) == (3024, 4032)
    display = samples.decoded(result.display_jpeg)
    assert display.size == (1200, 1600)
    assert close(display.getpixel((600, 40)), samples.RED, 40)
    assert close(display.getpixel((600, 1500)), samples.BLUE, 40)
    assert samples.decoded(result.thumbnail_jpeg).size == (240, 320)


@pytest.mark.parametrize("make", [samples.jpeg, samples.png, samples.webp, samples.heic])
def test_display_is_1600_and_thumbnail_320_on_the_longest_side(make):
    result = process(make(size=(2400, 1800)))
    assert (result.width, result.height) == (2400, 1800)
    assert samples.decoded(result.display_jpeg).size == (1600, 1200)
    assert samples.decoded(result.thumbnail_jpeg).size == (320, 240)


def test_a_small_image_is_never_enlarged():
    result = process(samples.jpeg(size=(200, 150)))
    assert samples.decoded(result.display_jpeg).size == (200, 150)
    assert samples.decoded(result.thumbnail_jpeg).size == (200, 150)


def test_a_panorama_keeps_its_proportions():
    result = process(samples.jpeg(size=(4000, 500)))
    assert samples.decoded(result.display_jpeg).size == (1600, 200)
    assert samples.decoded(result.thumbnail_jpeg).size == (320, 40)


# --- what is recorded ----------------------------------------------------------------------

def test_sha256_is_of_the_original_bytes():
    data = samples.heic()
    assert process(data).sha256 == hashlib.sha256(data).hexdigest()


def test_the_original_is_stored_byte_for_byte(app):
    project, user = make_project(), make_user()
    data = samples.jpeg(size=(2000, 1500), orientation=6, taken="2026:03:14 09:30:00",
                        model="HUAWEI P40")
    photo = add_photo(project, user, "IMG_20260314.jpg", io.BytesIO(data), "during", "facade")
    with files.get_storage().open(files.original_key(photo.sha256)) as stored:
        assert stored.read() == data
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert photo.byte_size == len(data)


@pytest.mark.parametrize("make", [samples.jpeg, samples.heic])
@pytest.mark.parametrize("offset, expected", [
    (None, datetime(2026, 3, 14, 1, 30)),  # camera time is China time (UTC+8)
    ("+08:00", datetime(2026, 3, 14, 1, 30)),
    ("+09:00", datetime(2026, 3, 14, 0, 30)),  # taken in Tokyo
    ("-05:00", datetime(2026, 3, 14, 14, 30)),
    ("+05:30", datetime(2026, 3, 14, 4, 0)),
])
def test_taken_at_is_date_time_original_in_utc(make, offset, expected):
    result = process(make(taken="2026:03:14 09:30:00", offset=offset))
    assert result.taken_at == expected
    assert result.taken_at.tzinfo is None


def test_taken_at_around_midnight_moves_to_the_previous_utc_day():
    assert process(samples.jpeg(taken="2026:01:01 03:00:00")).taken_at == datetime(2025, 12, 31, 19)


@pytest.mark.parametrize("taken", [
    None, "", "0000:00:00 00:00:00", "yesterday", "2026:13:45 99:00:00"])
def test_no_usable_exif_date_gives_no_taken_at(taken):
    data = samples.jpeg(taken=taken) if taken is not None else samples.jpeg()
    assert process(data).taken_at is None


def test_a_bad_offset_falls_back_to_china_time():
    assert process(samples.jpeg(taken="2026:03:14 09:30:00", offset="nonsense")).taken_at == \
        datetime(2026, 3, 14, 1, 30)


def test_without_an_exif_date_the_upload_time_is_used_and_marked(app):
    project, user = make_project(), make_user()
    photo = add_photo(project, user, "scan.png", io.BytesIO(samples.png()), "before", None)
    assert photo.taken_at_source == "upload"
    assert photo.taken_at == photo.uploaded_at
    dated = add_photo(project, user, "a.jpg", io.BytesIO(samples.jpeg(taken="2026:03:14 09:30:00")),
                      "before", None)
    assert dated.taken_at_source == "exif"
    assert dated.taken_at == datetime(2026, 3, 14, 1, 30)


@pytest.mark.parametrize("refs, expected", [
    (("N", "E"), (25.2914, 117.42)),
    (("S", "W"), (-25.2914, -117.42)),
    (("N", "W"), (25.2914, -117.42)),
    (("S", "E"), (-25.2914, 117.42)),
])
def test_gps_position_in_decimal_degrees(refs, expected):
    gps = (refs[0], (25.0, 17.0, 29.04), refs[1], (117.0, 25.0, 12.0))
    result = process(samples.jpeg(gps=gps))
    assert result.gps_latitude == pytest.approx(expected[0], abs=1e-6)
    assert result.gps_longitude == pytest.approx(expected[1], abs=1e-6)


def test_gps_from_a_heic():
    gps = ("N", (25.0, 17.0, 29.04), "E", (117.0, 25.0, 12.0))
    result = process(samples.heic(gps=gps))
    assert (result.gps_latitude, result.gps_longitude) == pytest.approx((25.2914, 117.42))


def test_no_or_impossible_gps_gives_no_position():
    plain = process(samples.jpeg())
    assert (plain.gps_latitude, plain.gps_longitude) == (None, None)
    impossible = ("N", (95.0, 0.0, 0.0), "E", (117.0, 0.0, 0.0))
    assert process(samples.jpeg(gps=impossible)).gps_latitude is None


def test_camera_model():
    assert process(samples.jpeg(model="HUAWEI P40 Pro")).camera_model == "HUAWEI P40 Pro"
    assert process(samples.heic(model="iPhone 15")).camera_model == "iPhone 15"
    assert process(samples.jpeg()).camera_model == ""


def test_the_icc_profile_goes_into_the_display_and_thumbnail():
    profile = samples.icc_profile()
    source = samples.picture((800, 600), colour=(200, 120, 40))
    for fmt in ("JPEG", "PNG"):
        result = process(samples.encode(source, fmt, icc_profile=profile))
        for derived in (result.display_jpeg, result.thumbnail_jpeg):
            image = samples.decoded(derived)
            assert image.info.get("icc_profile") == profile
            # The pixel values are not converted, so with the same profile colours match.
            assert close(image.getpixel((image.width - 2, image.height - 2)), (200, 120, 40), 12)


def test_without_a_profile_the_display_has_none():
    image = samples.decoded(process(samples.jpeg()).display_jpeg)
    assert not image.info.get("icc_profile")


# --- anything at all -----------------------------------------------------------------------

SIGNATURES = [b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBPVP8 ",
              b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", b"GIF89a", b"BM"]
VALID = [samples.jpeg(size=(40, 30), taken="2026:03:14 09:30:00", gps=(
    "N", (25.0, 17.0, 29.04), "E", (117.0, 25.0, 12.0))), samples.png(size=(40, 30)),
    samples.webp(size=(40, 30)), samples.heic(size=(40, 30))]


def _never_anything_but_rejected(data: bytes) -> None:
    try:
        with warnings.catch_warnings():
            # Pillow warns about damaged metadata ("Tag data larger than file") and carries
            # on; outside pytest's warnings-as-errors that is a line in the log, not a failure.
            warnings.filterwarnings("ignore", category=UserWarning, module="PIL")
            result = process(data, max_pixels=4_000_000)
    except ImageRejected as error:
        assert error.message
    else:
        assert result.display_jpeg and result.thumbnail_jpeg


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(SIGNATURES), body=st.binary(max_size=2048))
def test_random_bytes_raise_nothing_but_image_rejected(prefix, body):
    _never_anything_but_rejected(prefix + body)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.integers(0, len(VALID) - 1), data=st.data())
def test_damaged_real_images_raise_nothing_but_image_rejected(which, data):
    image = bytearray(VALID[which])
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(image) - 1))
        image[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(image)))
    _never_anything_but_rejected(bytes(image[:cut]))


@pytest.mark.parametrize("make", [samples.jpeg, samples.png])
def test_a_truncated_image_stays_corrupt_once_weasyprint_is_loaded(make):
    """WeasyPrint switches on Pillow's LOAD_TRUNCATED_IMAGES for the whole process on import."""
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as WeasyPrint leaves it
    data = make(size=(300, 200))
    assert rejected(data[: len(data) // 2]) == "corrupt"
