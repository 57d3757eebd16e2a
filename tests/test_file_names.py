"""Uploaded file names: NUL and control characters are stripped on every upload path (one
function), so the original always downloads with a valid Content-Disposition."""
import io
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from werkzeug.http import parse_options_header

from renovation.domain.photos.operations import add_photo
from renovation.extensions import db
from renovation.models import Photo
from renovation.upload_limits import uploaded_file_name
from tests.conftest import login
from tests.domain.photo_samples import jpeg
from tests.test_photo_api import get, local_path, token, upload  # noqa: F401 (token is a fixture)
from tests.test_photo_pages import upload as page_upload

BAD_NAMES = [
    ("现场\x00照片.jpg", "现场照片.jpg"),
    ("east\tgate\x1b.jpg", "eastgate.jpg"),
    ("tab\tand\x1fbell\x07.jpg", "tabandbell.jpg"),
    ("del\x7fc1\x85.jpg", "delc1.jpg"),
    ("rlo\u202egpj.exe", "rlogpj.exe"),
    ("line\u2028sep.jpg", "linesep.jpg"),
    ("C:\\Users\\lin\\东门.jpg", "东门.jpg"),
    ("\x00\x01", "photo"),
]


@pytest.mark.parametrize("name, kept", BAD_NAMES)
def test_uploaded_file_name_strips_folders_nul_and_control_characters(name, kept):
    assert uploaded_file_name(name, "photo") == kept


def _disposition_name(response) -> str:
    """The file name a browser takes from Content-Disposition (filename* wins)."""
    value, options = parse_options_header(response.headers["Content-Disposition"])
    assert value == "attachment"
    return options["filename"]


@pytest.mark.parametrize("name, kept", [("现场\x00照片.jpg", "现场照片.jpg"), ("east\tgate\x1b.jpg", "eastgate.jpg"),
                                        ("a\x00b.jpg", "ab.jpg")])
def test_api_upload_strips_control_characters_and_the_original_downloads(client, token, name, kept):  # noqa: F811
    created = upload(client, token, jpeg(seed=41), filename=name)
    assert created.status_code == 201, created.get_json()
    assert db.session.get(Photo, created.get_json()["id"]).original_filename == kept
    response = get(client, token, local_path(created.get_json()["urls"]["original"]))
    assert response.status_code == 200
    assert _disposition_name(response) == kept


def test_page_upload_strips_control_characters_and_the_original_downloads(app, client, project, engineer):
    assert login(client).status_code == 303
    page_upload(client, [(jpeg(seed=42), "东门\x00\x1b改造前.jpg")])
    photo = db.session.scalar(sa.select(Photo))
    assert photo.original_filename == "东门改造前.jpg"
    response = client.get(f"/photos/{photo.id}/original")
    assert response.status_code == 200
    assert f"filename*=UTF-8''{quote('东门改造前.jpg')}" in response.headers["Content-Disposition"]
    assert _disposition_name(response) == "东门改造前.jpg"
    response.close()


def test_a_name_stored_before_the_fix_still_downloads(app, client, project, engineer):
    """A name saved by older code with control characters in it is cleaned when it is sent."""
    photo = add_photo(project, engineer, "old.jpg", io.BytesIO(jpeg(seed=43)), "before", None)
    photo.original_filename = "old\x01name\n.jpg"  # PostgreSQL text cannot hold NUL
    db.session.commit()
    assert login(client).status_code == 303
    response = client.get(f"/photos/{photo.id}/original")
    assert response.status_code == 200
    assert _disposition_name(response) == "oldname.jpg"
    response.close()


def test_non_ascii_names_download_with_rfc_5987(client, token):  # noqa: F811
    created = upload(client, token, jpeg(seed=44), filename="漳平 东门 «改造前».jpg").get_json()
    response = get(client, token, local_path(created["urls"]["original"]))
    disposition = response.headers["Content-Disposition"]
    assert f"filename*=UTF-8''{quote('漳平 东门 «改造前».jpg')}" in disposition
    assert disposition.isascii()
    assert _disposition_name(response) == "漳平 东门 «改造前».jpg"
