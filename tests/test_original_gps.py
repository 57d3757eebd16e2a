"""Originals and GPS: engineers and admins get the very bytes uploaded; committee members and
leaders get them without the GPS block (pixels and other EXIF intact), on the page route and
the API route alike, under an ETag of their own."""
import hashlib
import io

import pytest
from PIL import Image, PngImagePlugin

from renovation.domain import accounts
from renovation.domain.photos.operations import add_photo
from renovation.domain.residents.attachments import add_attachments
from renovation.domain.residents.consultations import add_consultation
from tests.conftest import api_token, days_ago, login, make_user
from tests.domain.photo_samples import GPS_IFD, MODEL, encode, exif, picture
from tests.domain.test_gps_removal import XMP_WITH_GPS

GPS = ("N", (25.0, 17.0, 30.0), "E", (117.0, 25.0, 12.0))
ROLES = [("engineer", True), ("admin", True), ("committee", False), ("leader", False)]


def sample(fmt: str, seed: int, **options) -> bytes:
    metadata = exif(model="HUAWEI P60", taken="2026:05:03 09:30:00", gps=GPS)
    options.setdefault("exif", metadata.tobytes() if fmt == "HEIF" else metadata)
    return encode(picture(seed=seed), fmt, **options)


def opened(data: bytes) -> Image.Image:
    import pillow_heif

    pillow_heif.register_heif_opener()
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def reader(role: str, engineer):
    if role == "engineer":
        return engineer
    return make_user(role, role, community="铁路社区" if role == "committee" else None)


def fetch(app, via: str, user, photo_id: int, **headers):
    """The original through the page (signed in, a client of its own) or the API (bearer token)."""
    client = app.test_client()
    if via == "page":
        assert login(client, user.username).status_code == 303
        response = client.get(f"/photos/{photo_id}/original", headers=headers)
    else:
        response = client.get(f"/api/v1/photos/{photo_id}/original",
                              headers={"Authorization": f"Bearer {api_token(user)}", **headers})
    response.get_data()
    response.close()
    return response


@pytest.mark.parametrize("via", ["page", "api"])
@pytest.mark.parametrize("fmt, content_type", [("JPEG", "image/jpeg"), ("HEIF", "image/heic"),
                                               ("PNG", "image/png"), ("WEBP", "image/webp")])
@pytest.mark.parametrize("role, sees_gps", ROLES)
def test_original_keeps_gps_for_staff_only(app, client, project, engineer, via, fmt, content_type, role, sees_gps):
    data = sample(fmt, seed=51)
    photo = add_photo(project, engineer, "东门.jpg", io.BytesIO(data), "before", None)
    response = fetch(app, via, reader(role, engineer), photo.id)
    assert response.status_code == 200
    assert response.mimetype == content_type
    assert response.headers["Content-Disposition"].startswith("attachment")
    if sees_gps:
        assert hashlib.sha256(response.data).hexdigest() == hashlib.sha256(data).hexdigest() == photo.sha256
        assert response.headers["ETag"] == f'"{photo.sha256}-original"'
        return
    assert response.headers["ETag"] == f'"{photo.sha256}-original-without-gps"'
    served, uploaded = opened(response.data), opened(data)
    assert uploaded.getexif().get_ifd(GPS_IFD)
    assert GPS_IFD not in served.getexif() and served.getexif().get_ifd(GPS_IFD) == {}
    assert served.getexif()[MODEL] == "HUAWEI P60"
    assert (served.format, served.size) == (uploaded.format, uploaded.size)
    assert served.tobytes() == uploaded.tobytes()
    user = accounts.find_user(role)
    assert fetch(app, via, user, photo.id, **{"If-None-Match": response.headers["ETag"]}).status_code == 304
    # The staff variant's ETag does not match: a browser shared by two roles never reuses the wrong one.
    assert fetch(app, via, user, photo.id, **{"If-None-Match": f'"{photo.sha256}-original"'}).status_code == 200


@pytest.mark.parametrize("via", ["page", "api"])
def test_what_cannot_be_stripped_safely_is_sent_as_the_display_jpeg(app, client, project, engineer, via):
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP_WITH_GPS.decode())
    data = sample("PNG", seed=52, pnginfo=info)
    photo = add_photo(project, engineer, "平面图.png", io.BytesIO(data), "before", None)
    response = fetch(app, via, reader("leader", engineer), photo.id)
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert b"GPS" not in response.data
    assert opened(response.data).getexif().get_ifd(GPS_IFD) == {}
    assert "%E5%B9%B3%E9%9D%A2%E5%9B%BE.jpg" in response.headers["Content-Disposition"]
    assert fetch(app, via, engineer, photo.id).data == data


@pytest.mark.parametrize("via", ["page", "api"])
@pytest.mark.parametrize("role, sees_gps", ROLES)
def test_a_consultation_images_original_follows_the_same_rule(app, project, engineer, via, role, sees_gps):
    data = sample("JPEG", seed=53)
    meeting = add_consultation(project, engineer, {"date": days_ago(1), "kind": "council_meeting",
                                                   "topic": "雨污分流"}, None)
    [outcome] = add_attachments(meeting, engineer, "sign_in_sheet", [("签到表.jpg", io.BytesIO(data))])
    user = reader(role, engineer)
    client = app.test_client()
    if via == "page":
        assert login(client, user.username).status_code == 303
        response = client.get(f"/consultations/attachments/{outcome.attachment.id}/file")
    else:
        response = client.get(f"/api/v1/attachments/{outcome.attachment.id}/original",
                              headers={"Authorization": f"Bearer {api_token(user)}"})
    assert response.status_code == 200
    served = response.get_data()
    response.close()
    if sees_gps:
        assert served == data
    else:
        assert opened(served).getexif().get_ifd(GPS_IFD) == {}
        assert opened(served).tobytes() == opened(data).tobytes()
