"""A consultation's files on its page: a committee member attaches the sign-in sheet and the
minutes, everyone signed in reads them, nothing is stored when a file or a user is refused."""
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from renovation.domain.residents.attachments import add_attachment
from renovation.domain.residents.consultations import add_consultation
from renovation.extensions import db
from renovation.models import AuditEntry, ConsultationAttachment
from tests.conftest import csrf_token_from, days_ago, login, make_project, make_user
from tests.domain.photo_samples import jpeg
from tests.domain.test_attachments import pdf

HX = {"HX-Request": "true"}


def post_files(client, consultation_id, files, kind="sign_in_sheet", headers=None, **fields):
    """POST the upload form; ``files`` is a list of (bytes, file name)."""
    values = MultiDict({"kind": kind, **fields})
    for content, name in files:
        values.add("files", FileStorage(io.BytesIO(content), filename=name, name="files",
                                        content_type="application/octet-stream"))
    boundary, body = encode_multipart(values)
    return client.post(f"/consultations/{consultation_id}/attachments", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}", headers=headers or {})


def attachments() -> list[ConsultationAttachment]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ConsultationAttachment).order_by(ConsultationAttachment.id)))


def stored_files(app) -> list[str]:
    root = Path(app.config["PHOTO_STORAGE_PATH"])
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


def get(client, url):
    response = client.get(url)
    response.get_data()
    response.close()
    return response


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


@pytest.fixture
def consultation(app):
    project = make_project()
    author = make_user("engineer", "engineer")
    return add_consultation(project, author, {"date": days_ago(1), "kind": "council_meeting",
                                              "topic": "雨污分流"}, None)


@pytest.fixture
def committee(client, consultation):
    make_user("committee", "committee", community="铁路社区")
    assert login(client, "committee").status_code == 303
    return client


def test_committee_attaches_a_jpeg_sign_in_sheet_and_pdf_minutes(app, committee, consultation):
    sheet, minutes = jpeg(size=(1200, 900), seed=11), pdf(pages=2)
    response = post_files(committee, consultation.id, [(sheet, "签到表.jpg")], headers=HX)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "attachmentsChanged"
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="attachments"' in html and 'class="outcome-saved"' in html
    assert post_files(committee, consultation.id, [(minutes, "会议纪要.pdf")], kind="minutes").status_code == 303

    saved = attachments()
    assert [(a.kind, a.original_filename, a.content_type, a.is_pdf) for a in saved] == [
        ("sign_in_sheet", "签到表.jpg", "image/jpeg", False),
        ("minutes", "会议纪要.pdf", "application/pdf", True),
    ]
    page = committee.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    image, document = saved
    assert f"/consultations/attachments/{image.id}/thumbnail" in page and "签到表.jpg" in page
    assert f"/consultations/attachments/{document.id}/file" in page and "会议纪要.pdf" in page
    assert "Sign-in sheet" in page and "Minutes" in page

    thumbnail = get(committee, f"/consultations/attachments/{image.id}/thumbnail")
    assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumbnail.data)).size) == 320
    assert thumbnail.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    original = get(committee, f"/consultations/attachments/{image.id}/file")
    assert original.status_code == 200 and original.data == sheet and original.mimetype == "image/jpeg"
    assert original.headers["Content-Disposition"].startswith("attachment")

    served = get(committee, f"/consultations/attachments/{document.id}/file")
    assert served.status_code == 200 and served.data == minutes
    assert served.headers["Content-Type"] == "application/pdf"
    disposition = served.headers["Content-Disposition"]
    assert disposition.startswith("inline")
    assert "filename*=UTF-8''%E4%BC%9A%E8%AE%AE%E7%BA%AA%E8%A6%81.pdf" in disposition
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    # Read inline, the uploaded PDF is sandboxed: no script, not the app's origin.
    assert served.headers["Content-Security-Policy"].startswith("sandbox;")
    assert original.headers["Content-Security-Policy"].startswith("sandbox;")
    assert served.headers["ETag"] == f'"{document.sha256}-original"'
    again = committee.get(f"/consultations/attachments/{document.id}/file",
                          headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    again.close()
    assert get(committee, f"/consultations/attachments/{document.id}/thumbnail").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "attachment.add")) == 2


def test_a_text_file_named_pdf_is_refused_and_nothing_is_stored(app, committee, consultation):
    response = post_files(committee, consultation.id, [(b"minutes typed in a text editor", "会议纪要.pdf")],
                          kind="minutes", headers=HX)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="outcome-refused"' in html and "会议纪要.pdf" in html
    assert "This file is not an image or a PDF." in html
    assert attachments() == [] and stored_files(app) == []


def test_the_refusal_is_in_chinese_by_default(app, committee, consultation):
    committee.set_cookie("lang", "zh_CN")
    response = post_files(committee, consultation.id, [(b"plain text", "纪要.pdf")], headers=HX)
    assert response.status_code == 422 and "纪要.pdf" in response.get_data(as_text=True)


def test_a_truncated_pdf_is_refused(app, committee, consultation):
    cut = pdf(pages=3)[:-120]
    response = post_files(committee, consultation.id, [(cut, "纪要.pdf"), (jpeg(seed=12), "签到表.jpg")])
    assert response.status_code == 303
    page = committee.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "纪要.pdf was refused: The PDF is damaged or incomplete and cannot be read." in page
    assert "签到表.jpg: saved." in page  # the good file of the batch is kept
    assert [a.original_filename for a in attachments()] == ["签到表.jpg"]


# Uploads and deletions by the committee of another community and a leader are refused, nothing
# stored or changed, reading allowed: the permission matrix, tests/test_permissions.py. Here what
# the page offers them.

def test_committee_of_another_community_is_offered_no_upload_form(app, client, consultation):
    make_user("outsider", "committee", community="九龙社区")
    login(client, "outsider")
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert 'id="attachments"' in page and "attachment-files" not in page  # no upload form


def test_leader_reads_the_files_and_is_offered_no_delete(app, client, consultation):
    author = consultation.created_by
    add_attachment(consultation, author, "minutes", "纪要.pdf", io.BytesIO(pdf()))
    make_user("leader", "leader")
    login(client, "leader")
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "纪要.pdf" in page and "attachment-delete" not in page


def test_files_need_a_login(app, client, consultation):
    attachment = add_attachment(consultation, consultation.created_by, "minutes", "纪要.pdf", io.BytesIO(pdf()))
    response = client.get(f"/consultations/attachments/{attachment.id}/file")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_deleted_attachment_is_no_longer_listed_or_served(app, committee, consultation):
    post_files(committee, consultation.id, [(jpeg(seed=15), "签到表.jpg")])
    attachment = attachments()[0]
    response = committee.post(f"/consultations/attachments/{attachment.id}/delete", headers=HX)
    assert response.status_code == 200 and "签到表.jpg" not in response.get_data(as_text=True)
    for kind in ("thumbnail", "display", "file"):
        assert get(committee, f"/consultations/attachments/{attachment.id}/{kind}").status_code == 404
    assert "签到表.jpg" not in committee.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert attachments()[0].deleted_at is not None


def test_only_the_uploader_or_engineers_delete(app, client, consultation):
    theirs = add_attachment(consultation, consultation.created_by, "minutes", "纪要.pdf", io.BytesIO(pdf()))
    make_user("committee", "committee", community="铁路社区")
    login(client, "committee")
    post_files(client, consultation.id, [(jpeg(seed=18), "签到表.jpg")])
    mine = attachments()[1]
    assert client.post(f"/consultations/attachments/{theirs.id}/delete").status_code == 403
    response = client.post(f"/consultations/attachments/{mine.id}/delete")
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/consultations/{consultation.id}#attachments")
    client.post("/logout")
    login(client, "engineer")
    assert client.post(f"/consultations/attachments/{theirs.id}/delete").status_code == 303
    assert [a.deleted_at is not None for a in attachments()] == [True, True]


def test_files_of_a_deleted_consultation_are_404(app, committee, consultation):
    from renovation.domain.residents.consultations import delete_consultation

    post_files(committee, consultation.id, [(jpeg(seed=16), "签到表.jpg")])
    attachment = attachments()[0]
    delete_consultation(consultation, consultation.created_by, "重复录入")
    assert get(committee, f"/consultations/attachments/{attachment.id}/thumbnail").status_code == 404
    assert post_files(committee, consultation.id, [(jpeg(seed=17), "b.jpg")]).status_code == 404


def test_upload_without_a_file_is_refused(app, committee, consultation):
    response = post_files(committee, consultation.id, [], headers=HX)
    assert response.status_code == 422 and "Choose at least one file." in response.get_data(as_text=True)
    assert attachments() == []


def test_the_kind_just_used_stays_chosen(app, committee, consultation):
    response = post_files(committee, consultation.id, [(pdf(), "纪要.pdf")], kind="minutes", headers=HX)
    assert '<option selected value="minutes">' in response.get_data(as_text=True)


def test_a_large_file_passes_with_the_csrf_token_and_a_forged_token_is_refused(app, committee, consultation):
    app.config["WTF_CSRF_ENABLED"] = True
    token = csrf_token_from(committee.get(f"/consultations/{consultation.id}").get_data(as_text=True))
    large = pdf(title="签到" * 700_000)
    assert len(large) > app.config["MAX_CONTENT_LENGTH"]  # over the app-wide limit, under the upload's
    assert post_files(committee, consultation.id, [(large, "纪要.pdf")], csrf_token=token).status_code == 303
    assert [a.original_filename for a in attachments()] == ["纪要.pdf"]
    forged = post_files(committee, consultation.id, [(jpeg(seed=20), "forged.jpg")], csrf_token="forged")
    assert forged.status_code == 400
    assert len(attachments()) == 1
