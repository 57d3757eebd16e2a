"""A consultation's files (sign-in sheet, minutes, other papers): add and delete.

An image goes through the same checks as a photo (:func:`process_image`) and gets the same
display and thumbnail JPEGs; a PDF is checked for real (header, end marker, pypdf can read
its pages). Files live in the photo storage under content-addressed keys, so an image that is
also a photo is stored once. Adding is all or nothing: on any failure no row is left and no
file this call wrote stays behind.
"""
import hashlib
import io
import logging
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from renovation import storage as files
from renovation.domain import audit
from renovation.domain.clock import utcnow
from renovation.domain.errors import Conflict
from renovation.domain.photos.processing import ImageRejected, process_image
from renovation.domain.refusals import Refusal
from renovation.extensions import db
from renovation.models import AttachmentKind, Consultation, ConsultationAttachment, Photo

PDF_CONTENT_TYPE = "application/pdf"
PDF_END_WINDOW = 2048  # "%%EOF" must appear in the last bytes (some writers add a newline or padding)
MEGABYTE = 1024 * 1024

REASONS = {
    "not_image_or_pdf": _l("This file is not an image or a PDF."),
    "too_large": _l("The file is larger than %(mb)d MB."),
    "pdf_damaged": _l("The PDF is damaged or incomplete and cannot be read."),
    "pdf_protected": _l("The PDF is protected by a password; upload a copy without one."),
    "image": _l("The image was refused: %(detail)s."),
}


class AttachmentRejected(Refusal):
    """The file cannot be attached; ``reason`` is a key of :data:`REASONS`."""

    REASONS = REASONS


class DuplicateAttachment(Conflict):
    """The same file (by content) is already attached to this consultation: ``current`` is that
    attachment."""


@dataclass
class AttachmentOutcome:
    """What happened to one file of an upload batch."""

    filename: str
    attachment: ConsultationAttachment | None = None
    duplicate_of: ConsultationAttachment | None = None
    error: str | None = None


@dataclass
class _Checked:
    sha256: str
    content_type: str
    byte_size: int
    is_pdf: bool
    derived: dict[str, bytes]  # derivative kind → JPEG bytes (images only)


def max_pdf_bytes() -> int:
    """PDFs are limited like photos unless ``ATTACHMENT_PDF_MAX_BYTES`` says otherwise."""
    config = current_app.config
    return config.get("ATTACHMENT_PDF_MAX_BYTES") or config["PHOTO_MAX_BYTES"]


def check_file(stream: BinaryIO) -> _Checked:
    """Judge a file by its content: a PDF, an accepted image, or :class:`AttachmentRejected`."""
    stream.seek(0)
    if stream.read(5) == b"%PDF-":
        return _check_pdf(stream)
    config = current_app.config
    try:
        image = process_image(stream, config["PHOTO_MAX_BYTES"], config["PHOTO_MAX_PIXELS"])
    except ImageRejected as rejected:
        if rejected.reason == "not_image":
            raise AttachmentRejected("not_image_or_pdf") from None
        if rejected.reason == "too_large":
            raise AttachmentRejected("too_large", mb=config["PHOTO_MAX_BYTES"] // MEGABYTE) from None
        raise AttachmentRejected("image", detail=rejected.message) from None
    return _Checked(image.sha256, image.content_type, image.byte_size, False,
                    {"display": image.display_jpeg, "thumbnail": image.thumbnail_jpeg})


def _check_pdf(stream: BinaryIO) -> _Checked:
    limit = max_pdf_bytes()
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    if size > limit:
        raise AttachmentRejected("too_large", mb=limit // MEGABYTE)
    stream.seek(max(0, size - PDF_END_WINDOW))
    if b"%%EOF" not in stream.read():
        raise AttachmentRejected("pdf_damaged")  # cut off: an interrupted upload or copy
    _open_pdf(stream)
    stream.seek(0)
    digest = _sha256(stream)
    return _Checked(digest, PDF_CONTENT_TYPE, size, True, {})


def _open_pdf(stream: BinaryIO) -> None:
    """pypdf must read the page tree and at least one page; it logs and warns about the many
    small faults real scanners produce, which are not our concern."""
    from pypdf import PdfReader  # loaded with the first PDF checked, not with the app and every command

    stream.seek(0)
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(stream)
            if reader.is_encrypted and not reader.decrypt(""):
                raise AttachmentRejected("pdf_protected")
            if len(reader.pages) < 1:
                raise AttachmentRejected("pdf_damaged")
            reader.pages[0].mediabox  # noqa: B018 (reading the first page proves the tree holds)
    except AttachmentRejected:
        raise
    except Exception:  # pypdf raises many types for broken files; any of them means "damaged"
        raise AttachmentRejected("pdf_damaged") from None
    finally:
        pypdf_log.setLevel(level)


def _sha256(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(MEGABYTE):
        digest.update(chunk)
    return digest.hexdigest()


def add_attachment(consultation: Consultation, user, kind: str, filename: str,
                   data: BinaryIO) -> ConsultationAttachment:
    """Check and store one file as an attachment of the consultation, and commit.

    Raises :class:`AttachmentRejected` or :class:`DuplicateAttachment`; then nothing is stored.
    """
    kind = AttachmentKind(kind).value
    checked = check_file(data)
    existing = db.session.scalar(select(ConsultationAttachment).where(
        ConsultationAttachment.consultation_id == consultation.id,
        ConsultationAttachment.sha256 == checked.sha256, ConsultationAttachment.deleted_at.is_(None)))
    if existing is not None:
        raise DuplicateAttachment(existing)
    consultation_id, project_code = consultation.id, consultation.project.code
    attachment = ConsultationAttachment(consultation_id=consultation_id,
                                        **attachment_columns(checked, kind, filename, user))
    return save_attachment(attachment, checked, data, lambda saved: audit.record(
        user, "attachment.add", "project", project_code, consultation=consultation_id, attachment=saved.id,
        kind=kind, filename=saved.original_filename, sha256=saved.sha256))


def add_attachments(consultation: Consultation, user, kind: str, uploads) -> list[AttachmentOutcome]:
    """Each file of a batch on its own: good files are saved whatever happens to the others."""
    return add_each(uploads, lambda filename, stream: add_attachment(consultation, user, kind, filename, stream))


def attachment_columns(checked: "_Checked", kind: str, filename: str, user) -> dict:
    """The columns every stored file's row has (a consultation's, an acceptance's): what the check found."""
    return {"kind": kind, "original_filename": (filename or "file")[-255:], "content_type": checked.content_type,
            "byte_size": checked.byte_size, "sha256": checked.sha256, "is_pdf": checked.is_pdf,
            "uploaded_by_id": user.id, "uploaded_at": utcnow()}


def save_attachment(attachment, checked: "_Checked", data: BinaryIO, audit_entry):
    """Write a checked file to the storage and its row (``attachment``) to the database, with
    ``audit_entry(attachment)`` once it has its id, and commit: all or nothing (the files this call
    wrote are taken away again unless another record now uses the same content)."""
    store = files.get_storage()
    written = _store_files(store, checked, data)
    try:
        db.session.add(attachment)
        db.session.flush()
        audit_entry(attachment)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        _remove_unreferenced(store, written, checked.sha256)
        raise
    return attachment


def add_each(uploads, add_one) -> list[AttachmentOutcome]:
    """``add_one(filename, stream)`` for each file of a batch on its own: a refused or duplicate file
    is reported, the good ones are saved whatever happens to the others."""
    outcomes = []
    for filename, stream in uploads:
        outcome = AttachmentOutcome(filename=filename)
        try:
            outcome.attachment = add_one(filename, stream)
        except AttachmentRejected as rejected:
            outcome.error = rejected.message
        except DuplicateAttachment as duplicate:
            outcome.duplicate_of = duplicate.current
        outcomes.append(outcome)
    return outcomes


def _store_files(store, checked: _Checked, stream: BinaryIO) -> list[str]:
    """Write what is missing; return the keys this call wrote (to undo on failure)."""
    wanted = [(files.original_key(checked.sha256), stream)]
    wanted += [(files.derived_key(checked.sha256, kind), data) for kind, data in checked.derived.items()]
    written = []
    for key, data in wanted:
        if store.exists(key):
            continue
        try:
            store.put(key, data)
        except BaseException:
            for done in written:
                store.delete(done)
            raise
        written.append(key)
    return written


def _remove_unreferenced(store, keys: list[str], sha256: str) -> None:
    """Undo written files unless a record (a photo, a consultation's or an acceptance's file) now
    uses the same content."""
    from renovation.models.acceptance import AcceptanceAttachment

    for model in (Photo, ConsultationAttachment, AcceptanceAttachment):
        if db.session.scalar(select(func.count()).select_from(model).where(model.sha256 == sha256)):
            return
    for key in keys:
        store.delete(key)


def delete_attachment(attachment: ConsultationAttachment, user) -> None:
    """Soft delete: the row and the files stay (the audit log names them); the file leaves the pages."""
    attachment.deleted_at = utcnow()
    attachment.deleted_by_id = user.id
    audit.record(user, "attachment.delete", "project", attachment.consultation.project.code,
                 consultation=attachment.consultation_id, attachment=attachment.id,
                 filename=attachment.original_filename)
    db.session.commit()


def live_attachment(attachment_id: int) -> ConsultationAttachment | None:
    """The attachment, unless it or its consultation was deleted."""
    attachment = db.session.get(ConsultationAttachment, attachment_id)
    if attachment is None or attachment.deleted_at is not None or attachment.consultation.deleted_at is not None:
        return None
    return attachment


def consultation_attachments(consultation_id: int) -> list[ConsultationAttachment]:
    """The consultation's live files: sign-in sheets, then minutes, then the rest, oldest first."""
    order = {kind.value: position for position, kind in enumerate(AttachmentKind)}
    found = db.session.scalars(
        select(ConsultationAttachment)
        .options(joinedload(ConsultationAttachment.uploaded_by))
        .where(ConsultationAttachment.consultation_id == consultation_id,
               ConsultationAttachment.deleted_at.is_(None))
        .order_by(ConsultationAttachment.uploaded_at, ConsultationAttachment.id))
    return sorted(found, key=lambda attachment: order.get(attachment.kind, len(order)))
