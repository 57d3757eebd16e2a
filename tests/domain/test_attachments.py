"""A consultation's files (renovation.domain.residents.attachments): images checked like photos, PDFs
checked for real, everything else refused; all or nothing; soft delete."""
import io
from pathlib import Path
from unittest import mock

import pytest
import sqlalchemy as sa
from pypdf import PdfWriter

from renovation import storage as files
from renovation.domain.photos.operations import add_photo
from renovation.domain.residents import attachments
from renovation.domain.residents.attachments import (
    AttachmentRejected,
    DuplicateAttachment,
    add_attachment,
    delete_attachment,
)
from renovation.domain.residents.consultations import add_consultation
from renovation.extensions import db
from renovation.models import AuditEntry, ConsultationAttachment
from tests.conftest import days_ago, make_project, make_user
from tests.domain import photo_samples as samples


def pdf(pages=1, title="") -> bytes:
    """A real PDF made by pypdf (a ``title`` varies the bytes)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if title:
        writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def engineer(app):
    return make_user("engineer", "engineer")


@pytest.fixture
def consultation(app, engineer):
    project = make_project()
    return add_consultation(project, engineer, {"date": days_ago(1), "kind": "council_meeting", "topic": "雨污分流"},
                            None)


def stored_files() -> list[str]:
    root = Path(files.get_storage().root)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


def rows() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ConsultationAttachment))


def test_a_jpeg_is_stored_with_its_display_and_thumbnail(consultation, engineer):
    data = samples.jpeg(size=(2000, 1500), seed=3)
    attachment = add_attachment(consultation, engineer, "sign_in_sheet", "签到表.jpg", io.BytesIO(data))
    assert (attachment.kind, attachment.is_pdf, attachment.content_type) == ("sign_in_sheet", False, "image/jpeg")
    assert attachment.byte_size == len(data) and attachment.original_filename == "签到表.jpg"
    sha = attachment.sha256
    assert stored_files() == sorted([files.original_key(sha), files.derived_key(sha, "display"),
                                     files.derived_key(sha, "thumbnail")])
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "attachment.add"))
    assert entry.details["consultation"] == consultation.id and entry.details["filename"] == "签到表.jpg"


def test_a_pdf_is_stored_as_its_original_only(consultation, engineer):
    data = pdf(pages=2)
    attachment = add_attachment(consultation, engineer, "minutes", "会议纪要.pdf", io.BytesIO(data))
    assert (attachment.is_pdf, attachment.content_type, attachment.byte_size) == (True, "application/pdf", len(data))
    assert stored_files() == [files.original_key(attachment.sha256)]


@pytest.mark.parametrize("data, reason", [
    (b"meeting notes, not a PDF at all", "not_image_or_pdf"),
    (b"", "not_image_or_pdf"),
    (pdf()[:-200], "pdf_damaged"),  # cut off: no %%EOF at the end
    (b"%PDF-1.7\n" + b"garbage " * 50 + b"\n%%EOF\n", "pdf_damaged"),  # the markers alone are not enough
    (samples.jpeg()[:300], "image"),  # a damaged image: the photo checks say why
])
def test_anything_else_is_refused_and_nothing_is_stored(consultation, engineer, data, reason):
    with pytest.raises(AttachmentRejected) as refused:
        add_attachment(consultation, engineer, "minutes", "会议纪要.pdf", io.BytesIO(data))
    assert refused.value.reason == reason
    assert rows() == 0 and stored_files() == []


def test_the_refusal_says_what_is_wrong(app, consultation, engineer):
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        with pytest.raises(AttachmentRejected) as refused:
            add_attachment(consultation, engineer, "minutes", "notes.pdf", io.BytesIO(b"plain text"))
        assert refused.value.message == "This file is not an image or a PDF."


def test_a_pdf_over_the_limit_is_refused(app, consultation, engineer):
    app.config["ATTACHMENT_PDF_MAX_BYTES"] = 1000
    with pytest.raises(AttachmentRejected) as refused:
        add_attachment(consultation, engineer, "minutes", "big.pdf", io.BytesIO(pdf(title="x" * 2000)))
    assert refused.value.reason == "too_large"
    assert rows() == 0 and stored_files() == []


def test_a_password_protected_pdf_is_refused(consultation, engineer):
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt("secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(AttachmentRejected) as refused:
        add_attachment(consultation, engineer, "minutes", "locked.pdf", buffer)
    assert refused.value.reason == "pdf_protected"


def test_the_same_file_twice_is_a_duplicate_until_deleted(consultation, engineer):
    data = pdf()
    first = add_attachment(consultation, engineer, "minutes", "a.pdf", io.BytesIO(data))
    with pytest.raises(DuplicateAttachment) as duplicate:
        add_attachment(consultation, engineer, "other", "b.pdf", io.BytesIO(data))
    assert duplicate.value.current.id == first.id
    delete_attachment(first, engineer)
    again = add_attachment(consultation, engineer, "minutes", "a.pdf", io.BytesIO(data))
    assert again.id != first.id and rows() == 2


def test_a_failed_commit_leaves_no_row_and_no_file(consultation, engineer):
    with mock.patch.object(db.session, "commit", side_effect=RuntimeError("database gone")):
        with pytest.raises(RuntimeError):
            add_attachment(consultation, engineer, "sign_in_sheet", "a.jpg", io.BytesIO(samples.jpeg(seed=5)))
    assert rows() == 0 and stored_files() == []


def test_a_failed_commit_keeps_files_a_photo_uses(consultation, engineer):
    data = samples.jpeg(seed=6)
    photo = add_photo(consultation.project, engineer, "a.jpg", io.BytesIO(data), "before", None)
    before = stored_files()
    with mock.patch.object(db.session, "commit", side_effect=RuntimeError("database gone")):
        with pytest.raises(RuntimeError):
            add_attachment(consultation, engineer, "sign_in_sheet", "a.jpg", io.BytesIO(data))
    assert stored_files() == before and files.original_key(photo.sha256) in before


def test_delete_is_soft_and_audited(consultation, engineer):
    attachment = add_attachment(consultation, engineer, "minutes", "a.pdf", io.BytesIO(pdf()))
    delete_attachment(attachment, engineer)
    assert attachment.deleted_at is not None and attachment.deleted_by_id == engineer.id
    assert attachments.live_attachment(attachment.id) is None
    assert attachments.consultation_attachments(consultation.id) == []
    assert stored_files() == [files.original_key(attachment.sha256)]  # kept: the audit log names it
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "attachment.delete"))


def test_listed_sign_in_sheets_first_then_minutes_then_others(consultation, engineer):
    other = add_attachment(consultation, engineer, "other", "c.pdf", io.BytesIO(pdf(title="c")))
    minutes = add_attachment(consultation, engineer, "minutes", "b.pdf", io.BytesIO(pdf(title="b")))
    sheet = add_attachment(consultation, engineer, "sign_in_sheet", "a.png", io.BytesIO(samples.png(seed=7)))
    assert [a.id for a in attachments.consultation_attachments(consultation.id)] == [sheet.id, minutes.id, other.id]
