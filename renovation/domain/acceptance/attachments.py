"""An acceptance's papers (the minutes, the sign-in sheet, others): add and delete.

Checked and stored exactly as a consultation's files (:mod:`renovation.domain.residents.attachments`:
an image as a photo is, with display and thumbnail JPEGs; a PDF checked for real), in the same
content-addressed storage. Adding is all or nothing.
"""
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from renovation import storage as files
from renovation.domain import audit
from renovation.domain.clock import utcnow
from renovation.domain.residents.attachments import (
    AttachmentOutcome,
    AttachmentRejected,
    DuplicateAttachment,
    _store_files,
    check_file,
)
from renovation.extensions import db
from renovation.models import AttachmentKind, ConsultationAttachment, Photo
from renovation.models.acceptance import AcceptanceAttachment, AcceptanceRecord


def add_attachment(acceptance: AcceptanceRecord, user, kind: str, filename: str,
                   data: BinaryIO) -> AcceptanceAttachment:
    """Check and store one file as a paper of the acceptance, and commit. Raises
    :class:`AttachmentRejected` or :class:`DuplicateAttachment`; then nothing is stored."""
    kind = AttachmentKind(kind).value
    checked = check_file(data)
    existing = db.session.scalar(select(AcceptanceAttachment).where(
        AcceptanceAttachment.acceptance_id == acceptance.id, AcceptanceAttachment.sha256 == checked.sha256,
        AcceptanceAttachment.deleted_at.is_(None)))
    if existing is not None:
        raise DuplicateAttachment(existing)
    acceptance_id, project_code = acceptance.id, acceptance.project.code
    store = files.get_storage()
    written = _store_files(store, checked, data)
    try:
        attachment = AcceptanceAttachment(
            acceptance_id=acceptance_id, kind=kind, original_filename=(filename or "file")[-255:],
            content_type=checked.content_type, byte_size=checked.byte_size, sha256=checked.sha256,
            is_pdf=checked.is_pdf, uploaded_by_id=user.id, uploaded_at=utcnow())
        db.session.add(attachment)
        db.session.flush()
        audit.record(user, "acceptance_attachment.add", "project", project_code, acceptance=acceptance_id,
                     attachment=attachment.id, kind=kind, filename=attachment.original_filename,
                     sha256=attachment.sha256)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        _remove_unreferenced(store, written, checked.sha256)
        raise
    return attachment


def add_attachments(acceptance: AcceptanceRecord, user, kind: str, uploads) -> list[AttachmentOutcome]:
    """Each file of a batch on its own: good files are saved whatever happens to the others."""
    outcomes = []
    for filename, stream in uploads:
        outcome = AttachmentOutcome(filename=filename)
        try:
            outcome.attachment = add_attachment(acceptance, user, kind, filename, stream)
        except AttachmentRejected as rejected:
            outcome.error = rejected.message
        except DuplicateAttachment as duplicate:
            outcome.duplicate_of = duplicate.current
        outcomes.append(outcome)
    return outcomes


def _remove_unreferenced(store, keys: list[str], sha256: str) -> None:
    """Undo written files unless a record (a photo or any attachment) now uses the same content."""
    for model in (Photo, ConsultationAttachment, AcceptanceAttachment):
        if db.session.scalar(select(func.count()).select_from(model).where(model.sha256 == sha256)):
            return
    for key in keys:
        store.delete(key)


def delete_attachment(attachment: AcceptanceAttachment, user) -> None:
    """Soft delete: the row and the files stay (the audit log names them); the file leaves the pages."""
    attachment.deleted_at = utcnow()
    attachment.deleted_by_id = user.id
    audit.record(user, "acceptance_attachment.delete", "project", attachment.acceptance.project.code,
                 acceptance=attachment.acceptance_id, attachment=attachment.id,
                 filename=attachment.original_filename)
    db.session.commit()


def live_attachment(attachment_id: int) -> AcceptanceAttachment | None:
    """The attachment, with its acceptance and project, unless it was deleted."""
    attachment = db.session.scalar(
        select(AcceptanceAttachment).where(AcceptanceAttachment.id == attachment_id)
        .options(joinedload(AcceptanceAttachment.acceptance).joinedload(AcceptanceRecord.project)))
    return attachment if attachment is not None and attachment.deleted_at is None else None


def attachments_by_acceptance(acceptance_ids) -> dict[int, list[AcceptanceAttachment]]:
    """The live files of each acceptance: sign-in sheets, then minutes, then the rest, oldest first."""
    if not acceptance_ids:
        return {}
    order = {kind.value: position for position, kind in enumerate(AttachmentKind)}
    found = db.session.scalars(
        select(AcceptanceAttachment).where(AcceptanceAttachment.acceptance_id.in_(list(acceptance_ids)),
                                           AcceptanceAttachment.deleted_at.is_(None))
        .order_by(AcceptanceAttachment.uploaded_at, AcceptanceAttachment.id))
    grouped: dict[int, list[AcceptanceAttachment]] = {}
    for attachment in sorted(found, key=lambda item: order.get(item.kind, len(order))):
        grouped.setdefault(attachment.acceptance_id, []).append(attachment)
    return grouped
