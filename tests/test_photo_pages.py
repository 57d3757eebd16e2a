"""The photo pages: upload (plain and htmx), gallery and pairs, the photo page, its files, the
city-wide page, and who may do what."""
import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from renovation.domain.clock import utcnow
from renovation.domain.photos.operations import add_photo
from renovation.extensions import db
from renovation.models import AuditEntry, Photo, User
from tests.conftest import count_statements, csrf_token_from, login, make_project, make_user
from tests.domain.photo_samples import heic, jpeg, oriented

CODE = "ZP-2026-001"
HX = {"HX-Request": "true"}
GPS = ("N", (25.0, 17.0, 30.0), "E", (117.0, 25.0, 12.0))


# --- helpers ---------------------------------------------------------------------------------

def upload(client, files, phase="during", stage="rain_sewage", caption="", headers=None, code=CODE, **fields):
    """POST the upload form; ``files`` is a list of (bytes, file name)."""
    return post_multipart(client, f"/projects/{code}/photos",
                          {"phase": phase, "stage": stage, "caption": caption, **fields}, files, headers or {})


def post_multipart(client, url, form: dict, files, headers: dict):
    """A multipart body built in memory (the test client spools a large one to a temporary file
    it never closes, which filterwarnings=error turns into a failure)."""
    values = MultiDict(form)
    for content, name in files:
        values.add("files", FileStorage(io.BytesIO(content), filename=name, name="files",
                                        content_type="application/octet-stream"))
    boundary, body = encode_multipart(values)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}", headers=headers)


def photos() -> list[Photo]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Photo).order_by(Photo.id)))


def stored_files(app) -> list[str]:
    root = Path(app.config["PHOTO_STORAGE_PATH"])
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


def flashes(client) -> str:
    return client.get(f"/projects/{CODE}").get_data(as_text=True)


@pytest.fixture(autouse=True)
def english(client):
    """Messages are asserted in English (their msgids); one test checks the Chinese default."""
    client.set_cookie("lang", "en")


@pytest.fixture
def engineer_client(client, project, engineer):
    assert login(client).status_code == 303
    return client


def engineer_user() -> User:
    return db.session.scalar(sa.select(User).where(User.username == "engineer"))


# --- upload ---------------------------------------------------------------------------------------

def test_jpeg_and_heic_saved_text_file_refused_by_name(app, engineer_client):
    response = upload(engineer_client, [(jpeg(seed=1), "东门.jpg"), (heic(seed=2), "IMG_0001.HEIC"),
                                        (b"meeting notes, not a photo", "notes.jpg")], caption="管道开挖")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/projects/{CODE}#photos")
    saved = photos()
    assert [(p.original_filename, p.content_type, p.stage_key, p.phase, p.caption) for p in saved] == [
        ("东门.jpg", "image/jpeg", "rain_sewage", "during", "管道开挖"),
        ("IMG_0001.HEIC", "image/heic", "rain_sewage", "during", "管道开挖"),
    ]
    html = flashes(engineer_client)
    assert "东门.jpg: saved." in html and "IMG_0001.HEIC: saved." in html
    assert "notes.jpg was refused: this file is not an image." in html
    for photo in saved:
        assert f"/photos/{photo.id}/thumbnail" in html


def test_refusal_is_in_chinese_by_default(app, engineer_client):
    engineer_client.set_cookie("lang", "zh_CN")
    response = upload(engineer_client, [(b"plain text", "说明.jpg")], headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422  # nothing of the batch was stored
    assert "说明.jpg" in html and 'class="outcome-refused"' in html and "该文件不是图片" in html


def test_htmx_upload_answers_with_the_outcomes_and_the_gallery(app, engineer_client):
    response = upload(engineer_client, [(jpeg(seed=3), "a.jpg"), (b"GIF89a....", "b.jpg")], headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "photosChanged"
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert 'class="outcome-saved"' in html and "a.jpg" in html
    assert 'class="outcome-refused"' in html and "b.jpg" in html and "not supported" in html
    assert '<div id="gallery" hx-swap-oob="true">' in html
    assert f'/photos/{photos()[0].id}/thumbnail' in html and 'loading="lazy"' in html


def test_upload_without_a_file_is_refused(app, engineer_client):
    response = upload(engineer_client, [], headers=HX)
    assert response.status_code == 422
    assert "Choose at least one photo." in response.get_data(as_text=True)
    assert upload(engineer_client, []).status_code == 303
    assert "Choose at least one photo." in flashes(engineer_client)
    assert photos() == []


def test_orientation_6_gives_a_portrait_thumbnail(app, engineer_client):
    assert upload(engineer_client, [(oriented(6), "sideways.jpg")]).status_code == 303
    photo = photos()[0]
    assert photo.height > photo.width
    response = engineer_client.get(f"/photos/{photo.id}/thumbnail")
    thumbnail = Image.open(io.BytesIO(response.data))
    response.close()
    assert thumbnail.height > thumbnail.width
    assert max(thumbnail.size) == 320


def test_duplicate_is_told_and_stored_once(app, engineer_client):
    picture = jpeg(seed=4)
    upload(engineer_client, [(picture, "first.jpg")])
    files_after_first = stored_files(app)
    response = upload(engineer_client, [(picture, "again.jpg")], headers=HX)
    html = response.get_data(as_text=True)
    existing = photos()
    assert len(existing) == 1 and existing[0].original_filename == "first.jpg"
    assert 'class="outcome-duplicate"' in html and "again.jpg" in html
    assert f'href="/photos/{existing[0].id}"' in html
    assert stored_files(app) == files_after_first and len(files_after_first) == 3
    upload(engineer_client, [(picture, "third.jpg")])
    assert "third.jpg: already uploaded." in flashes(engineer_client)


def test_a_photo_larger_than_the_form_limit_uploads_with_the_csrf_token(app, engineer_client):
    """Phone photos are 3–8 MB: over the app-wide 2 MB form limit, which must not apply here."""
    app.config["WTF_CSRF_ENABLED"] = True
    token = csrf_token_from(engineer_client.get(f"/projects/{CODE}").get_data(as_text=True))
    noise = Image.frombytes("RGB", (1400, 1100), os.urandom(1400 * 1100 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "JPEG", quality=98)
    assert buffer.tell() > app.config["MAX_CONTENT_LENGTH"]
    response = upload(engineer_client, [(buffer.getvalue(), "big.jpg")], csrf_token=token)
    assert response.status_code == 303
    assert [p.original_filename for p in photos()] == ["big.jpg"]
    response = upload(engineer_client, [(jpeg(seed=9), "forged.jpg")], csrf_token="forged")
    assert response.status_code == 400
    assert len(photos()) == 1


# --- who may upload and delete ----------------------------------------------------------------------

# Upload, edit and delete for the committee of another community and a leader (refused, nothing
# stored or changed) are in the permission matrix, tests/test_permissions.py; here the htmx side
# and what the pages offer.

def test_committee_of_another_community_is_offered_no_upload_or_delete(app, client, project, engineer):
    photo = add_photo(project, engineer, "东门.jpg", io.BytesIO(jpeg(seed=5)), "before", "survey")
    make_user("outsider", "committee", community="城中社区")
    assert login(client, "outsider").status_code == 303
    files_before, audit_before = stored_files(app), db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    assert upload(client, [(jpeg(seed=6), "x.jpg")], headers=HX).status_code == 403
    assert [(p.id, p.deleted_at, p.phase) for p in photos()] == [(photo.id, None, "before")]
    assert stored_files(app) == files_before
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == audit_before
    html = client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert 'class="photo-upload"' not in html
    assert "Delete this photo" not in client.get(f"/photos/{photo.id}").get_data(as_text=True)


def test_committee_of_the_projects_community_may_upload_and_change_its_own(app, client, project):
    make_user("neighbour", "committee", community="铁路社区")
    assert login(client, "neighbour").status_code == 303
    assert 'class="photo-upload"' in client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert upload(client, [(jpeg(seed=7), "楼道.jpg")]).status_code == 303
    photo = photos()[0]
    assert photo.uploaded_by.username == "neighbour"
    assert client.post(f"/photos/{photo.id}/edit", data={"phase": "after", "stage": "facade",
                                                         "caption": "楼道粉刷完成"}).status_code == 303
    assert (photos()[0].phase, photos()[0].stage_key) == ("after", "facade")


def test_leader_is_offered_no_upload(app, client, project):
    make_user("leader", "leader")
    assert login(client, "leader").status_code == 303
    assert 'class="photo-upload"' not in client.get(f"/projects/{CODE}").get_data(as_text=True)


# --- delete -------------------------------------------------------------------------------------------

def test_delete_is_soft_audited_and_the_photo_leaves_every_page(app, engineer_client, project):
    upload(engineer_client, [(jpeg(seed=10), "错拍.jpg")], stage="survey")
    photo = photos()[0]
    assert f"/photos/{photo.id}/thumbnail" in flashes(engineer_client)
    response = engineer_client.post(f"/photos/{photo.id}/delete", data={"reason": "拍错了项目"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/projects/{CODE}#photos")
    deleted = photos()[0]
    assert deleted.deleted_at is not None and deleted.deleted_by_id == engineer_user().id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "photo.delete"))
    assert entry.details["reason"] == "拍错了项目" and entry.details["photo"] == photo.id
    html = flashes(engineer_client)
    assert f"/photos/{photo.id}/thumbnail" not in html
    assert "错拍.jpg" in html  # named in the history, without a link
    assert f'href="/photos/{photo.id}"' not in html
    for suffix in ("", "/thumbnail", "/display", "/original"):
        assert engineer_client.get(f"/photos/{photo.id}{suffix}").status_code == 404
    assert engineer_client.post(f"/photos/{photo.id}/delete", data={}).status_code == 404
    assert stored_files(app)  # soft: the files stay


def test_the_delete_button_asks_for_confirmation(app, engineer_client, project):
    upload(engineer_client, [(jpeg(seed=11), "a.jpg")])
    html = engineer_client.get(f"/photos/{photos()[0].id}").get_data(as_text=True)
    assert "hx-confirm=" in html and 'name="reason"' in html


def test_history_links_the_added_photo(app, engineer_client, project):
    upload(engineer_client, [(jpeg(seed=12), "南墙.jpg")], stage="facade")
    photo = photos()[0]
    response = engineer_client.get(f"/projects/{CODE}?fragment=history", headers=HX)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="history"')
    assert f'Photo added: <a href="/photos/{photo.id}">南墙.jpg</a>' in html
    assert "photosChanged from:body" in html


# --- the photo page ---------------------------------------------------------------------------------

def test_photo_page_shows_what_is_known(app, engineer_client, project):
    picture = jpeg(seed=13, taken="2026:03:05 09:30:00", model="HUAWEI P60", gps=GPS)
    upload(engineer_client, [(picture, "东门.jpg"), (jpeg(seed=14), "无日期.jpg")], caption="东门改造前")
    with_date, without_date = photos()
    html = engineer_client.get(f"/photos/{with_date.id}").get_data(as_text=True)
    assert "东门改造前" in html and "HUAWEI P60" in html and "2026-03-05 09:30" in html
    assert f"/photos/{with_date.id}/display" in html and f"/photos/{with_date.id}/original" in html
    assert "Rain/sewage separation" in html and "During construction" in html
    assert "25.291667, 117.420000" in html
    assert "upload time" not in html
    assert "upload time" in engineer_client.get(f"/photos/{without_date.id}").get_data(as_text=True)


@pytest.mark.parametrize("role", ["committee", "leader"])
def test_gps_is_hidden_from_committee_and_leader(app, client, project, engineer, role):
    photo = add_photo(project, engineer, "a.jpg", io.BytesIO(jpeg(seed=15, gps=GPS)), "before", None)
    make_user(role, role, community="铁路社区" if role == "committee" else None)
    assert login(client, role).status_code == 303
    html = client.get(f"/photos/{photo.id}").get_data(as_text=True)
    assert "25.291667" not in html and "117.42" not in html
    assert photo.caption == "" and "a.jpg" in html


def test_edit_with_a_bad_value_keeps_the_input(app, engineer_client, project):
    upload(engineer_client, [(jpeg(seed=16), "a.jpg")])
    photo = photos()[0]
    response = engineer_client.post(f"/photos/{photo.id}/edit", data={"phase": "sideways", "stage": "",
                                                                      "caption": "新说明"})
    assert response.status_code == 422
    assert 'value="新说明"' in response.get_data(as_text=True)
    assert photos()[0].phase == "during"


def test_pair_before_with_after_shows_side_by_side(app, engineer_client, project):
    upload(engineer_client, [(jpeg(seed=17), "前.jpg")], phase="before", stage="facade")
    upload(engineer_client, [(jpeg(seed=18), "后.jpg")], phase="after", stage="facade")
    before, after = photos()
    page = engineer_client.get(f"/photos/{before.id}").get_data(as_text=True)
    assert f'<option value="{after.id}">' in page
    response = engineer_client.post(f"/photos/{before.id}/pair", data={"after": str(after.id)})
    assert response.status_code == 303
    html = flashes(engineer_client)
    pair = re.search(r'<figure class="pair">(.*?)</figure>', html, re.S).group(1)
    assert pair.index(f"/photos/{before.id}/thumbnail") < pair.index(f"/photos/{after.id}/thumbnail")
    assert 'id="pairs"' in html
    # The pair shows on both photo pages, with a button to remove it.
    after_page = engineer_client.get(f"/photos/{after.id}").get_data(as_text=True)
    assert "Remove the pair" in after_page
    pair_id = int(re.search(r'/photos/pairs/(\d+)/delete', after_page).group(1))
    assert engineer_client.post(f"/photos/pairs/{pair_id}/delete", data={}).status_code == 303
    assert 'id="pairs"' not in flashes(engineer_client)


def test_pairing_twice_is_refused_with_a_message(app, engineer_client, project):
    engineer = engineer_user()
    before = add_photo(project, engineer, "b.jpg", io.BytesIO(jpeg(seed=19)), "before", None)
    after = add_photo(project, engineer, "a.jpg", io.BytesIO(jpeg(seed=20)), "after", None)
    during = add_photo(project, engineer, "d.jpg", io.BytesIO(jpeg(seed=21)), "during", None)
    response = engineer_client.post(f"/photos/{before.id}/pair", data={"after": str(during.id)})
    assert response.status_code == 422
    assert engineer_client.post(f"/photos/{before.id}/pair", data={"after": str(after.id)}).status_code == 303


# --- files --------------------------------------------------------------------------------------------

def test_derivatives_have_etag_long_cache_and_304(app, engineer_client, project):
    upload(engineer_client, [(jpeg(seed=22), "a.jpg")])
    photo = photos()[0]
    for kind in ("thumbnail", "display"):
        response = engineer_client.get(f"/photos/{photo.id}/{kind}")
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert response.headers["ETag"] == f'"{photo.sha256}-{kind}"'
        cache = response.headers["Cache-Control"]
        assert cache == "private, max-age=31536000, immutable"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        response.close()
        again = engineer_client.get(f"/photos/{photo.id}/{kind}", headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
        assert "immutable" in again.headers["Cache-Control"]
        again.close()


def test_original_downloads_with_its_own_name_and_type(app, engineer_client, project):
    original = heic(seed=23)
    upload(engineer_client, [(original, "东门 改造前.HEIC")])
    photo = photos()[0]
    response = engineer_client.get(f"/photos/{photo.id}/original")
    assert response.status_code == 200
    assert response.data == original
    assert response.mimetype == "image/heic"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=UTF-8''%E4%B8%9C%E9%97%A8%20%E6%94%B9%E9%80%A0%E5%89%8D.HEIC" in disposition
    assert response.headers["ETag"] == f'"{photo.sha256}-original"'
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()
    again = engineer_client.get(f"/photos/{photo.id}/original", headers={"If-None-Match": f'"{photo.sha256}-original"'})
    assert again.status_code == 304 and again.data == b""
    again.close()


def test_files_need_a_login(app, client, project, engineer):
    photo = add_photo(project, engineer, "a.jpg", io.BytesIO(jpeg(seed=24)), "before", None)
    response = client.get(f"/photos/{photo.id}/thumbnail")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/photos/999/thumbnail").status_code == 302


# --- speed: a constant number of queries ------------------------------------------------------------

def _many_photos(project, count: int, tag: str = "") -> None:
    """Photo records without files (the page only links to them), from several uploaders."""
    uploaders = [make_user(f"uploader{tag}{n}", "engineer") for n in range(3)]
    now = utcnow()
    stages = [None, "survey", "rain_sewage", "facade"]
    db.session.add_all(Photo(
        project_id=project.id, stage_key=stages[n % 4], phase=("before", "during", "after")[n % 3],
        caption=f"照片{n}", sha256=f"{tag}{n:063x}"[:64] if tag else f"{n:064x}", content_type="image/jpeg",
        original_filename=f"{n}.jpg",
        width=4000, height=3000, byte_size=1000, taken_at=now - timedelta(minutes=n), taken_at_source="exif",
        camera_model="", uploaded_by_id=uploaders[n % 3].id, uploaded_at=now,
    ) for n in range(count))
    db.session.commit()


def _queries_for(client, url: str) -> int:
    db.session.expire_all()
    with count_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_project_page_queries_do_not_grow_with_photos(app, engineer_client, project):
    _many_photos(project, 5)
    few = _queries_for(engineer_client, f"/projects/{CODE}")
    _many_photos(make_project("ZP-2026-002", "新华新村", "城中社区"), 200, "b")
    many = _queries_for(engineer_client, "/projects/ZP-2026-002")
    assert many == few
    html = engineer_client.get("/projects/ZP-2026-002").get_data(as_text=True)
    assert html.count('loading="lazy"') == 200
    assert 'width="320" height="240"' in html


def test_city_wide_page_filters_and_pages_in_constant_queries(app, engineer_client, project):
    _many_photos(project, 5)
    few = _queries_for(engineer_client, "/photos")
    _many_photos(make_project("ZP-2026-002", "新华新村", "城中社区"), 130, "b")
    many = _queries_for(engineer_client, "/photos")
    assert many == few
    html = engineer_client.get("/photos").get_data(as_text=True)
    assert html.count('loading="lazy"') == 60 and "新华新村" in html and "page 1 of 3" in html
    community = db.session.scalar(sa.text("SELECT id FROM community WHERE name = '铁路社区'"))
    html = engineer_client.get(f"/photos?community={community}&phase=before").get_data(as_text=True)
    assert html.count('loading="lazy"') == 2 and "新华新村" not in html  # photos 0 and 3 of 5
    html = engineer_client.get("/photos?stage=none&page=2").get_data(as_text=True)  # 2 + 33: one page
    assert html.count('loading="lazy"') == 35 and "page " not in html


def test_city_wide_page_date_range_and_fragment(app, engineer_client, project):
    engineer = engineer_user()
    add_photo(project, engineer, "a.jpg", io.BytesIO(jpeg(seed=25, taken="2026:03:05 23:30:00")), "before", None)
    add_photo(project, engineer, "b.jpg", io.BytesIO(jpeg(seed=26, taken="2026:03:06 00:30:00")), "after", None)
    html = engineer_client.get("/photos?taken_from=2026-03-06&taken_to=2026-03-06").get_data(as_text=True)
    assert html.count('loading="lazy"') == 1 and "b.jpg" in html and "a.jpg" not in html
    fragment = engineer_client.get("/photos?taken_to=2026-03-05", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and "a.jpg" in fragment and "b.jpg" not in fragment
    bad = engineer_client.get("/photos?taken_from=yesterday&street=x&page=-1")
    assert bad.status_code == 200 and bad.get_data(as_text=True).count('loading="lazy"') == 2
