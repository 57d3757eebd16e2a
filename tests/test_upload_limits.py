"""Upload pages refuse an oversized body from its declared length, before reading a byte of it:
photos on the project page and the stage cards, and a consultation's files. (The API's photo
upload already did: see tests/test_photo_api.py.)"""
import pytest

from renovation.domain.residents.consultations import add_consultation
from tests.conftest import days_ago, login, make_project, make_user

CODE = "ZP-2026-001"
MEGABYTE = 1024 * 1024


class UnreadBody:
    """A request body of ``length`` bytes that records whether anyone read it (it seeks, so the
    test client declares its length as a browser would)."""

    def __init__(self, length: int):
        self.length, self.position, self.read_bytes = length, 0, 0

    def seek(self, offset, whence=0):
        self.position = self.length + offset if whence == 2 else offset

    def tell(self):
        return self.position

    def read(self, size=-1):
        chunk = b"-" * (8192 if size is None or size < 0 else min(size, 8192))
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size=-1):
        return self.read(size)


def _post_declaring(client, url, length: int, headers=None):
    body = UnreadBody(length)
    response = client.post(url, input_stream=body,
                           content_type="multipart/form-data; boundary=xyz", headers=headers or {})
    return response, body


@pytest.fixture
def engineer_client(client, app):
    make_project(CODE)
    make_user("engineer", "engineer")
    assert login(client, "engineer").status_code == 303
    return client


def _consultation_url(app) -> str:
    from renovation.extensions import db
    from renovation.models import Project, User

    project = db.session.query(Project).one()
    consultation = add_consultation(project, db.session.query(User).one(),
                                    {"date": days_ago(1), "kind": "council_meeting", "topic": "雨污分流"}, None)
    return f"/consultations/{consultation.id}/attachments"


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}], ids=["page", "htmx"])
def test_an_oversized_photo_upload_is_refused_before_its_body_is_read(app, engineer_client, headers):
    for declared in (60 * MEGABYTE, 501 * MEGABYTE):
        response, body = _post_declaring(engineer_client, f"/projects/{CODE}/photos", declared, headers)
        assert response.status_code == 413
        assert body.read_bytes == 0
        assert "50 MB" in response.get_data(as_text=True)  # says what the limit is


def test_an_oversized_consultation_upload_is_refused_before_its_body_is_read(app, engineer_client):
    url = _consultation_url(app)
    response, body = _post_declaring(engineer_client, url, 60 * MEGABYTE)
    assert response.status_code == 413 and body.read_bytes == 0
    assert "50 MB" in response.get_data(as_text=True)


def test_the_limit_is_a_setting_and_a_body_under_it_is_read(app, engineer_client):
    app.config["UPLOAD_MAX_BYTES"] = 5 * MEGABYTE
    response, body = _post_declaring(engineer_client, f"/projects/{CODE}/photos", 6 * MEGABYTE)
    assert response.status_code == 413 and body.read_bytes == 0
    assert "5 MB" in response.get_data(as_text=True)
    response, body = _post_declaring(engineer_client, f"/projects/{CODE}/photos", 4 * MEGABYTE)
    assert body.read_bytes > 0  # under the limit: read, then judged (this junk is refused too)


def test_someone_who_may_not_upload_is_refused_without_reading_either(app, client):
    make_project(CODE)
    make_user("outsider", "committee", community="城中社区")
    assert login(client, "outsider").status_code == 303
    response, body = _post_declaring(client, f"/projects/{CODE}/photos", 4 * MEGABYTE)
    assert response.status_code == 403 and body.read_bytes == 0
