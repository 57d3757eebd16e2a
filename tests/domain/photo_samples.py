"""Images made on the spot for the photo tests: every format, EXIF, ICC profiles, a bomb."""
import io
import struct
import zlib

from PIL import Image, ImageCms, ImageDraw

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
ORIENTATION, MODEL = 0x0112, 272
DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 36867, 36881
RED, BLUE = (220, 20, 20), (20, 40, 200)


def exif(orientation=None, taken=None, offset=None, model=None, gps=None) -> Image.Exif:
    """EXIF as a phone writes it; ``gps`` is ``(lat_ref, (d, m, s), lon_ref, (d, m, s))``."""
    data = Image.Exif()
    if orientation is not None:
        data[ORIENTATION] = orientation
    if model is not None:
        data[MODEL] = model
    if taken is not None or offset is not None:
        details = data.get_ifd(EXIF_IFD)
        if taken is not None:
            details[DATETIME_ORIGINAL] = taken
        if offset is not None:
            details[OFFSET_TIME_ORIGINAL] = offset
    if gps is not None:
        position = data.get_ifd(GPS_IFD)
        position[1], position[2], position[3], position[4] = gps
    return data


def picture(size=(400, 300), colour=BLUE, mode="RGB", seed=0) -> Image.Image:
    """A picture with some detail: a background, a few shapes, distinct per ``seed``."""
    image = Image.new(mode, size, colour)
    draw = ImageDraw.Draw(image)
    width, height = size
    for index in range(4):
        x = (seed * 37 + index * 53) % max(1, width - 20)
        y = (seed * 61 + index * 29) % max(1, height - 20)
        fill = ((seed * 50 + index * 60) % 256, (index * 90) % 256, (seed * 20) % 256)
        draw.rectangle((x, y, x + width // 8, y + height // 8),
                       fill=fill if mode == "RGB" else None)
    return image


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def jpeg(size=(400, 300), seed=0, **exif_fields) -> bytes:
    options = {"quality": 90}
    if exif_fields:
        options["exif"] = exif(**exif_fields)
    return encode(picture(size, seed=seed), "JPEG", **options)


def png(size=(400, 300), seed=0) -> bytes:
    return encode(picture(size, seed=seed), "PNG")


def webp(size=(400, 300), seed=0) -> bytes:
    return encode(picture(size, seed=seed), "WEBP", quality=90)


def heic(size=(400, 300), seed=0, **exif_fields) -> bytes:
    options = {"quality": 90}
    if exif_fields:
        options["exif"] = exif(**exif_fields).tobytes()
    return encode(picture(size, seed=seed), "HEIF", **options)


def oriented(orientation: int, size=(200, 400), fmt="JPEG") -> bytes:
    """A portrait picture with a red marker at its top, stored sideways with the EXIF
    orientation that tells a viewer how to turn it upright."""
    upright = Image.new("RGB", size, BLUE)
    width, height = size
    ImageDraw.Draw(upright).rectangle((width // 4, 0, 3 * width // 4, height // 8), fill=RED)
    # exif_transpose turns orientation 6 by ROTATE_270 and 8 by ROTATE_90: store the inverse.
    turn = {6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}[orientation]
    data = exif(orientation=orientation)
    return encode(upright.transpose(turn), fmt, quality=95,
                  exif=data.tobytes() if fmt == "HEIF" else data)


def icc_profile() -> bytes:
    """An RGB ICC profile (little CMS's sRGB), as a camera embeds it."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def bomb_png(width=30000, height=30000) -> bytes:
    """A 1-bit PNG of ``width``×``height`` zero pixels, written by hand with zlib: a few
    hundred KB on disk, gigabytes once decoded."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row) for _ in range(height)]
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(parts))
            + chunk(b"IEND", b""))


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
