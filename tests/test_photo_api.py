"""Photos through the API: upload (every rejection path), list, one photo, and its files.

Every refused upload leaves the database exactly as it was and no file in the storage folder.
"""
import hashlib
import io
import struct
import zlib
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import pillow_heif
import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from renovation.domain.photos.operations import delete_photo
from renovation.extensions import db
from renovation.models import Photo, User
from tests.conftest import api_token, count_statements, make_project, make_user
from tests.test_permissions import database_state

pillow_heif.register_heif_opener()

CODE = "ZP-2026-001"
PHOTOS_URL = f"/api/v1/projects/{CODE}/photos"
PHOTO_FIELDS = {"id", "phase", "stage", "caption", "taken_at", "taken_at_source", "width", "height",
                "sha256", "uploaded_by", "uploaded_at", "urls", "hidden_works", "content_id"}
IMMUTABLE = "private, max-age=31536000, immutable"
GPS = {"latitude": 25.2916667, "longitude": 117.42}  # 25°17'30" N, 117°25'12" E (Zhangping)


# --- sample files --------------------------------------------------------------------------------

def exif_bytes(orientation=None, taken=None, gps=False) -> bytes:
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if taken:
        exif.get_ifd(0x8769)[36867] = taken
    if gps:
        position = exif.get_ifd(0x8825)
        position.update({1: "N", 2: (25.0, 17.0, 30.0), 3: "E", 4: (117.0, 25.0, 12.0)})
    return exif.tobytes()


def image_bytes(fmt="JPEG", size=(400, 300), colour=(200, 30, 30), orientation=None, taken=None, gps=False,
                noise=False) -> bytes:
    """An image stored landscape; orientation 6 makes it display as a portrait."""
    image = Image.effect_noise(size, 80).convert("RGB") if noise else Image.new("RGB", size, colour)
    buffer = io.BytesIO()
    options = {"exif": exif_bytes(orientation, taken, gps)} if (orientation or taken or gps) else {}
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def jpeg(**kwargs) -> bytes:
    return image_bytes("JPEG", **kwargs)


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (40, 30)).save(buffer, format="GIF")
    return buffer.getvalue()


def truncated_jpeg() -> bytes:
    whole = jpeg(size=(400, 300), noise=True)
    return whole[: len(whole) * 6 // 10]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@lru_cache
def bomb_png(side: int) -> bytes:
    """A real, complete 1-bit PNG of side × side white pixels: megabytes of pixels in kilobytes."""
    row = b"\x00" + b"\xff" * ((side + 7) // 8)  # filter byte, then the row's bits
    pixels = zlib.compress(row * side, 9)
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", pixels)
            + _png_chunk(b"IEND", b""))


# --- helpers ----------------------------------------------------------------------------------

def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def token(project, engineer):
    return api_token(engineer)


def upload(client, token, data: bytes | None = b"", filename="site.jpg", phase="before", stage="survey",
           caption="东门入口", language="en", code=CODE, **extra):
    form = {key: value for key, value in
            {"phase": phase, "stage": stage, "caption": caption, **extra}.items() if value is not None}
    files = [(filename, data)] if data is not None else []
    headers = {**(bearer(token) if token else {}), **({"Accept-Language": language} if language else {})}
    return post_multipart(client, f"/api/v1/projects/{code}/photos", form, files, headers)


def post_multipart(client, url, form: dict, files: list[tuple[str, bytes]], headers: dict):
    """POST a multipart body built in memory (the test client would spool a large one to a
    temporary file it never closes)."""
    values = MultiDict(form)
    for filename, data in files:
        values.add("file", FileStorage(io.BytesIO(data), filename=filename, name="file",
                                       content_type="application/octet-stream"))
    boundary, body = encode_multipart(values)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}",
                       headers=headers)


def get(client, token, url, language="en", **headers):
    """GET, read and closed (an original is streamed from an open file, as a server would)."""
    response = client.get(url, headers={**bearer(token), "Accept-Language": language, **headers})
    response.get_data()
    response.close()
    return response


def stored_files(app) -> list[str]:
    root = Path(app.config["PHOTO_STORAGE_PATH"])
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def photo_count() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Photo))


def local_path(url: str) -> str:
    assert url.startswith("http://localhost/"), url
    return url.removeprefix("http://localhost")


@contextmanager
def nothing_stored(app):
    """The block's requests leave no file and no row behind."""
    files, state = stored_files(app), database_state()
    yield
    assert stored_files(app) == files, "a refused upload left files in the storage"
    assert database_state() == state, "a refused upload changed the database"


def chinese(message) -> str:
    with force_locale("zh_CN"):
        return str(_l(message))


# --- accepted uploads --------------------------------------------------------------------------

def test_jpeg_is_stored_as_a_portrait_with_its_exif_time(app, client, token):
    data = jpeg(orientation=6, taken="2026:05:03 09:30:00", gps=True)
    response = upload(client, token, data, filename="东门.jpg", phase="before", stage="rain_sewage")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == PHOTO_FIELDS | {"gps"}
    assert (body["width"], body["height"]) == (300, 400)  # stored 400×300, displayed turned
    assert body["taken_at"] == "2026-05-03T01:30:00Z"  # 09:30 in China
    assert body["taken_at_source"] == "exif"
    assert (body["phase"], body["stage"], body["caption"]) == ("before", "rain_sewage", "东门入口")
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["uploaded_by"] == "engineer"
    assert body["uploaded_at"].endswith("Z")
    assert body["gps"] == GPS
    photo_id = body["id"]
    assert body["urls"] == {kind: f"http://localhost/api/v1/photos/{photo_id}/{kind}"
                            for kind in ("original", "display", "thumbnail")}
    assert response.headers["Location"] == f"http://localhost/api/v1/photos/{photo_id}"
    photo = db.session.get(Photo, photo_id)
    assert (photo.original_filename, photo.content_type, photo.byte_size) == ("东门.jpg", "image/jpeg", len(data))
    assert len(stored_files(app)) == 3
    display = Image.open(io.BytesIO(get(client, token, local_path(body["urls"]["display"])).data))
    assert display.size == (300, 400)


def test_heic_is_accepted_with_orientation_and_exif_time(app, client, token):
    data = image_bytes("HEIF", orientation=6, taken="2026:05:04 16:00:00")
    response = upload(client, token, data, filename="IMG_0001.HEIC", phase="during")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["width"], body["height"]) == (300, 400)
    assert (body["taken_at"], body["taken_at_source"]) == ("2026-05-04T08:00:00Z", "exif")
    assert "gps" not in body  # none in the file
    assert db.session.get(Photo, body["id"]).content_type == "image/heic"
    display = Image.open(io.BytesIO(get(client, token, local_path(body["urls"]["display"])).data))
    thumbnail = Image.open(io.BytesIO(get(client, token, local_path(body["urls"]["thumbnail"])).data))
    assert (display.format, display.size) == ("JPEG", (300, 400))
    assert thumbnail.format == "JPEG" and thumbnail.size[1] == 320 and thumbnail.size[0] < 320


@pytest.mark.parametrize("fmt, filename", [("PNG", "plan.png"), ("WEBP", "wall.webp"), ("JPEG", "noexif.jpg")])
def test_without_a_date_the_upload_time_is_used(client, token, fmt, filename):
    response = upload(client, token, image_bytes(fmt), filename=filename, stage=None, caption=None)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["taken_at_source"] == "upload"
    assert body["taken_at"] == body["uploaded_at"]
    assert (body["width"], body["height"], body["stage"], body["caption"]) == (400, 300, None, "")
    uploaded = datetime.fromisoformat(body["uploaded_at"].removesuffix("Z"))
    assert abs(uploaded - datetime.utcnow()) < timedelta(minutes=1)


def test_a_name_is_judged_by_content_and_kept_without_folders(client, token):
    response = upload(client, token, jpeg(), filename="DCIM/Camera/现场照片.png")
    assert response.status_code == 201
    photo = db.session.get(Photo, response.get_json()["id"])
    assert (photo.original_filename, photo.content_type) == ("现场照片.png", "image/jpeg")


def test_a_photo_over_the_form_limit_but_under_the_photo_limit_is_accepted(app, client, token):
    """The app's 2 MB request limit is raised for photo uploads before anything reads the form."""
    data = jpeg() + b"\x00" * (3 * 1024 * 1024)  # bytes after the end of the JPEG are ignored
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]
    response = upload(client, token, data)
    assert response.status_code == 201, response.get_json()
    assert db.session.get(Photo, response.get_json()["id"]).byte_size == len(data)


def test_caption_of_500_characters_is_accepted(client, token):
    response = upload(client, token, jpeg(), caption="墙" * 500)
    assert response.status_code == 201
    assert response.get_json()["caption"] == "墙" * 500


# --- refused files -----------------------------------------------------------------------------

@pytest.mark.parametrize("data, filename, status, reason, message", [
    (b"Meeting notes: residents agree to the drainage plan.\n", "notes.jpg", 415, "not_image",
     "this file is not an image"),
    (b"", "empty.jpg", 415, "not_image", "this file is not an image"),
    (b"%PDF-1.7\n", "scan.heic", 415, "not_image", "this file is not an image"),
    (gif(), "animation.gif", 415, "unsupported",
     "this image type is not supported (use JPEG, PNG, WebP or HEIC)"),
    (truncated_jpeg(), "cut.jpg", 415, "corrupt", "the image is damaged and cannot be read"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "header-only.jpg", 415, "corrupt",
     "the image is damaged and cannot be read"),
], ids=["text-renamed-jpg", "empty", "pdf-renamed-heic", "gif", "truncated-jpeg", "jpeg-header-only"])
def test_what_is_not_a_supported_image_is_415(app, client, token, data, filename, status, reason, message):
    with nothing_stored(app):
        response = upload(client, token, data, filename=filename)
    assert response.status_code == status
    assert response.get_json() == {"error": f"{filename}: {message}", "reason": reason}


@pytest.mark.parametrize("side", [8_000, 10_000, 20_000],
                         ids=["over-the-setting", "over-pillow-warning", "over-pillow-error"])
def test_decompression_bomb_png_is_413(app, client, token, side):
    """64, 100 and 400 megapixels in a few kilobytes: refused before the pixels are decoded."""
    data = bomb_png(side)
    assert len(data) < 200_000
    with nothing_stored(app):
        response = upload(client, token, data, filename="bomb.png")
    assert response.status_code == 413
    assert response.get_json() == {"error": "bomb.png: the image has more than 50 megapixels",
                                   "reason": "too_many_pixels"}


def test_too_many_pixels_by_the_setting_is_413(app, client, token):
    app.config["PHOTO_MAX_PIXELS"] = 100_000
    assert upload(client, token, jpeg(size=(300, 300))).status_code == 201  # 90 000 pixels
    with nothing_stored(app):
        response = upload(client, token, jpeg(size=(400, 300)), filename="big.jpg")
    assert response.status_code == 413
    assert response.get_json()["reason"] == "too_many_pixels"


def test_file_over_the_byte_limit_is_413(app, client, token):
    app.config["PHOTO_MAX_BYTES"] = 2 * 1024 * 1024
    with nothing_stored(app):
        response = upload(client, token, jpeg() + b"\x00" * (2 * 1024 * 1024), filename="huge.jpg")
    assert response.status_code == 413
    assert response.get_json() == {"error": "huge.jpg: the file is larger than 2 MB", "reason": "too_large"}


def test_request_over_the_limit_is_a_json_413(app, client, token):
    """Past the file limit plus room for the fields, the request is refused before it is read."""
    app.config["PHOTO_MAX_BYTES"] = 1024 * 1024
    with nothing_stored(app):
        response = upload(client, token, jpeg() + b"\x00" * (3 * 1024 * 1024), filename="huge.jpg")
        chinese_response = upload(client, token, jpeg() + b"\x00" * (3 * 1024 * 1024), language=None)
    assert response.status_code == 413
    assert response.get_json() == {"error": "Photo: the file is larger than 1 MB"}
    assert chinese_response.status_code == 413
    with force_locale("zh_CN"):
        expected = str(_l("%(field)s: %(value)s", field=_l("Photo"),
                          value=_l("the file is larger than %(mb)d MB", mb=1)))
    assert chinese_response.get_json() == {"error": expected}


def test_refusal_messages_follow_accept_language(client, token):
    default = upload(client, token, b"plain text", filename="notes.jpg", language=None)
    assert default.status_code == 415
    expected = chinese("%(field)s: %(value)s") % {"field": "notes.jpg",
                                                    "value": chinese("this file is not an image")}
    assert default.get_json()["error"] == expected
    assert upload(client, token, b"plain text", filename="notes.jpg", language="zh-CN").get_json() == \
        default.get_json()
    bad_phase = upload(client, token, jpeg(), phase="later", language=None)
    assert bad_phase.get_json() == {"errors": {"phase": chinese("Choose the phase: before, during or after.")}}


# --- refused fields ----------------------------------------------------------------------------

@pytest.mark.parametrize("fields, errors", [
    ({"phase": "later"}, {"phase"}),
    ({"phase": "BEFORE"}, {"phase"}),
    ({"phase": None}, {"phase"}),
    ({"phase": ""}, {"phase"}),
    ({"stage": "drainage"}, {"stage"}),
    ({"stage": "Survey"}, {"stage"}),
    ({"caption": "墙" * 501}, {"caption"}),
    ({"data": None}, {"file"}),
    ({"data": b"", "filename": ""}, {"file"}),  # an empty file input
    ({"phase": "later", "stage": "drainage", "data": None}, {"phase", "stage", "file"}),
])
def test_bad_fields_are_422(app, client, token, fields, errors):
    arguments = {"data": jpeg(), **fields}
    with nothing_stored(app):
        response = upload(client, token, **arguments)
    assert response.status_code == 422
    body = response.get_json()
    assert set(body) == {"errors"} and set(body["errors"]) == errors
    assert all(body["errors"].values())


def test_messages_of_bad_fields(client, token):
    body = upload(client, token, None, phase="x", stage="drainage", caption="长" * 501).get_json()
    assert body == {"errors": {
        "phase": "Choose the phase: before, during or after.",
        "stage": "Choose a stage from the list.",
        "caption": "A caption has at most 500 characters.",
        "file": "Choose a photo to upload.",
    }}


def test_two_files_in_one_request_are_422(app, client, token):
    with nothing_stored(app):
        response = post_multipart(client, PHOTOS_URL, {"phase": "after"},
                                  [("a.jpg", jpeg()), ("b.jpg", jpeg(colour=(0, 0, 200)))],
                                  {**bearer(token), "Accept-Language": "en"})
    assert response.status_code == 422
    assert response.get_json() == {"errors": {"file": "Send one photo per request."}}


def test_nul_in_a_field_is_400(app, client, token):
    with nothing_stored(app):
        assert upload(client, token, jpeg(), caption="东门\x00").status_code == 400


# --- duplicates --------------------------------------------------------------------------------

def test_the_same_image_again_is_409_with_the_existing_id(app, client, token):
    data = jpeg(taken="2026:05:03 09:30:00")
    first = upload(client, token, data, filename="a.jpg")
    assert first.status_code == 201
    with nothing_stored(app):
        again = upload(client, token, data, filename="same-picture-other-name.jpg", phase="after", caption="")
    assert again.status_code == 409
    assert again.get_json() == {"error": "This photo has already been uploaded to this project.",
                                "id": first.get_json()["id"]}


def test_the_same_image_in_another_project_is_a_new_photo_sharing_the_files(app, client, token):
    make_project("ZP-2026-002", "新华新村", "城中社区", "菁城街道")
    data = jpeg()
    assert upload(client, token, data).status_code == 201
    files = stored_files(app)
    other = upload(client, token, data, code="ZP-2026-002")
    assert other.status_code == 201
    assert stored_files(app) == files
    assert photo_count() == 2


def test_a_deleted_photo_uploaded_again_comes_back(client, token, engineer):
    data = jpeg()
    first = upload(client, token, data).get_json()
    delete_photo(db.session.get(Photo, first["id"]), engineer)
    again = upload(client, token, data, phase="after")
    assert again.status_code == 201
    assert again.get_json()["id"] == first["id"] and again.get_json()["phase"] == "after"
    assert photo_count() == 1


# --- who may upload ----------------------------------------------------------------------------

# The committee of another community and a leader are refused (403, the message in English,
# nothing stored): the permission matrix, tests/test_permissions.py.

def test_committee_of_the_projects_community_may_upload(client, project):
    own = api_token(make_user("铁路居委会", "committee", community="铁路社区"))
    response = upload(client, own, jpeg(gps=True))
    assert response.status_code == 201
    assert response.get_json()["uploaded_by"] == "铁路居委会"
    assert "gps" not in response.get_json()  # where it was taken is for bureau staff only


def test_admin_may_upload(client, project):
    assert upload(client, api_token(make_user("admin", "admin")), jpeg()).status_code == 201


@pytest.mark.parametrize("header", [None, "Bearer rnv_not-a-real-token", "Basic ZW5naW5lZXI6eA=="])
def test_without_a_valid_token_is_401(app, client, project, header):
    with nothing_stored(app):
        response = post_multipart(client, PHOTOS_URL, {"phase": "before"}, [("a.jpg", jpeg())],
                                  {"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"]


def test_unknown_project_is_404(app, client, token):
    with nothing_stored(app):
        response = upload(client, token, jpeg(), code="ZP-9999-999")
    assert response.status_code == 404
    assert response.get_json() == {"error": "The page or record does not exist."}
    assert get(client, token, "/api/v1/projects/ZP-9999-999/photos").status_code == 404


# --- the list and one photo ---------------------------------------------------------------------

def test_list_newest_first_without_deleted_photos(client, token, engineer):
    assert get(client, token, PHOTOS_URL).get_json() == {"items": []}
    ids = [upload(client, token, jpeg(colour=(10 * n, 0, 0))).get_json()["id"] for n in range(3)]
    delete_photo(db.session.get(Photo, ids[1]), engineer)
    response = get(client, token, PHOTOS_URL)
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [item["id"] for item in items] == [ids[2], ids[0]]
    assert all(set(item) == PHOTO_FIELDS for item in items)


def test_list_is_a_constant_number_of_queries(client, token):
    def statements_for_list() -> int:
        with count_statements() as statements:
            assert get(client, token, PHOTOS_URL).status_code == 200
        return len(statements)

    upload(client, token, jpeg(colour=(1, 2, 3)))
    one = statements_for_list()
    for n in range(4):
        uploader = api_token(make_user(f"engineer{n}", "engineer"))
        assert upload(client, uploader, jpeg(colour=(50 * n, 100, 0))).status_code == 201
    assert len(get(client, token, PHOTOS_URL).get_json()["items"]) == 5
    assert statements_for_list() == one


def test_one_photo(client, token, engineer):
    created = upload(client, token, jpeg(gps=True)).get_json()
    response = get(client, token, f"/api/v1/photos/{created['id']}")
    assert response.status_code == 200
    assert response.get_json() == created
    assert get(client, token, "/api/v1/photos/999").status_code == 404
    delete_photo(db.session.get(Photo, created["id"]), engineer)
    response = get(client, token, f"/api/v1/photos/{created['id']}")
    assert response.status_code == 404
    assert response.get_json() == {"error": "The page or record does not exist."}


@pytest.mark.parametrize("role, sees_gps", [("engineer", True), ("admin", True), ("committee", False),
                                            ("leader", False)])
def test_gps_is_shown_to_bureau_staff_only(client, token, role, sees_gps):
    created = upload(client, token, jpeg(gps=True)).get_json()
    reader = (db.session.scalar(sa.select(User).where(User.username == "engineer")) if role == "engineer"
              else make_user(role, role, community="铁路社区" if role == "committee" else None))
    reader_token = api_token(reader)
    one = get(client, reader_token, f"/api/v1/photos/{created['id']}").get_json()
    [listed] = get(client, reader_token, PHOTOS_URL).get_json()["items"]
    for body in (one, listed):
        assert (body.get("gps") == GPS) if sees_gps else ("gps" not in body)


def test_every_role_reads_photos(client, token):
    created = upload(client, token, jpeg()).get_json()
    for role in ("admin", "committee", "leader"):
        reader = api_token(make_user(role, role, community="九龙社区" if role == "committee" else None))
        assert get(client, reader, PHOTOS_URL).status_code == 200
        for url in [f"/api/v1/photos/{created['id']}", *map(local_path, created["urls"].values())]:
            assert get(client, reader, url).status_code == 200, (role, url)


# --- the files ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, longest", [("display", 1600), ("thumbnail", 320)])
def test_derived_images_are_cached_jpegs_with_an_etag(client, token, kind, longest):
    created = upload(client, token, jpeg(size=(2000, 1500), noise=True)).get_json()
    url = local_path(created["urls"][kind])
    response = get(client, token, url)
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    etag = response.headers["ETag"]
    assert etag == f'"{created["sha256"]}-{kind}"'
    image = Image.open(io.BytesIO(response.data))
    assert image.format == "JPEG" and max(image.size) == longest
    again = get(client, token, url, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag and again.headers["Cache-Control"] == IMMUTABLE
    other = get(client, token, url, **{"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == response.data


def test_original_downloads_byte_for_byte_under_its_chinese_name(client, token):
    data = jpeg(orientation=6, taken="2026:05:03 09:30:00")
    created = upload(client, token, data, filename="改造前 东门.jpg").get_json()
    response = get(client, token, local_path(created["urls"]["original"]))
    assert response.status_code == 200
    assert response.data == data
    assert response.mimetype == "image/jpeg"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('改造前 东门.jpg')}" in disposition
    assert response.headers["ETag"] == f'"{created["sha256"]}-original"'
    assert response.headers["Cache-Control"] == "private, no-cache"  # revalidated: a deleted photo goes at once
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = get(client, token, local_path(created["urls"]["original"]),
                **{"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_original_keeps_an_ascii_name(client, token):
    created = upload(client, token, image_bytes("PNG"), filename="plan.png").get_json()
    response = get(client, token, local_path(created["urls"]["original"]))
    assert response.headers["Content-Disposition"] == "attachment; filename=plan.png"
    assert response.mimetype == "image/png"


def test_files_of_a_deleted_photo_are_404(client, token, engineer):
    created = upload(client, token, jpeg()).get_json()
    delete_photo(db.session.get(Photo, created["id"]), engineer)
    for url in created["urls"].values():
        response = get(client, token, local_path(url))
        assert response.status_code == 404 and response.get_json()["error"]


def test_files_need_a_token(client, token):
    created = upload(client, token, jpeg()).get_json()
    for url in created["urls"].values():
        response = client.get(local_path(url))
        assert response.status_code == 401 and response.get_json()["error"]


@pytest.mark.parametrize("url", ["/api/v1/photos/999/original", "/api/v1/photos/999/display",
                                 "/api/v1/photos/999/thumbnail", "/api/v1/photos/1/exif",
                                 "/api/v1/photos/abc/display"])
def test_unknown_photo_files_are_404(client, token, url):
    response = get(client, token, url)
    assert response.status_code == 404 and response.get_json()["error"]


@pytest.mark.parametrize("who", ["nobody", "leader"])
def test_an_upload_body_is_not_read_before_the_caller_is_allowed(app, client, monkeypatch, who):
    """Only someone allowed to add photos can make the server take in a large upload."""
    from flask import Request

    make_project(code=CODE)
    headers = {} if who == "nobody" else {"Authorization": f"Bearer {api_token(make_user('boss', 'leader'))}"}
    parsed = []
    original = Request._load_form_data
    monkeypatch.setattr(Request, "_load_form_data", lambda self: (parsed.append(1), original(self))[1])
    body = {"phase": "before", "file": (io.BytesIO(jpeg()), "a.jpg")}
    response = client.post(f"/api/v1/projects/{CODE}/photos", data=body, headers=headers)
    assert response.status_code == (401 if who == "nobody" else 403)
    assert parsed == []


def test_delete_through_the_api_is_soft_audited_and_refused_to_another_community(app, client):
    """A committee member of another community can neither upload to nor delete from a project."""
    from renovation.models import AuditEntry

    make_project(code=CODE)  # 铁路社区
    engineer_token = api_token(make_user("engineer", "engineer"))
    outsider_token = api_token(make_user("jiulong", "committee", community="九龙社区"))
    created = client.post(f"/api/v1/projects/{CODE}/photos", headers={"Authorization": f"Bearer {engineer_token}"},
                          data={"phase": "before", "file": (io.BytesIO(jpeg()), "a.jpg")})
    assert created.status_code == 201
    photo_id = created.get_json()["id"]
    outsider = {"Authorization": f"Bearer {outsider_token}"}
    assert client.delete(f"/api/v1/photos/{photo_id}", headers=outsider).status_code == 403
    assert client.post(f"/api/v1/projects/{CODE}/photos", headers=outsider,
                       data={"phase": "after", "file": (io.BytesIO(jpeg(colour=(1, 2, 3))), "b.jpg")},
                       ).status_code == 403
    assert db.session.get(Photo, photo_id).deleted_at is None

    response = client.delete(f"/api/v1/photos/{photo_id}", json={"reason": "拍错了"},
                             headers={"Authorization": f"Bearer {engineer_token}"})
    assert response.status_code == 204
    db.session.expire_all()
    assert db.session.get(Photo, photo_id).deleted_at is not None
    deletion = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "photo.delete"))
    assert deletion.details["reason"] == "拍错了"
    engineer_headers = {"Authorization": f"Bearer {engineer_token}"}
    assert client.get(f"/api/v1/photos/{photo_id}", headers=engineer_headers).status_code == 404
