"""An acceptance's papers (the minutes, the sign-in sheet, others): add and delete.

Checked and stored exactly as a consultation's files (:mod:`renovation.domain.residents.attachments`:
an image as a photo is, with display and thumbnail JPEGs; a PDF checked for real), in the same
content-addressed storage. Adding is all or nothing.
"""
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from renovation.domain import audit
from renovation.domain.clock import utcnow
from renovation.domain.residents.attachments import (
    AttachmentOutcome,
    DuplicateAttachment,
    add_each,
    attachment_columns,
    check_file,
    save_attachment,
)
from renovation.extensions import db
from renovation.models import AttachmentKind
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
    attachment = AcceptanceAttachment(acceptance_id=acceptance_id, **attachment_columns(checked, kind, filename, user))
    return save_attachment(attachment, checked, data, lambda saved: audit.record(
        user, "acceptance_attachment.add", "project", project_code, acceptance=acceptance_id, attachment=saved.id,
        kind=kind, filename=saved.original_filename, sha256=saved.sha256))


def add_attachments(acceptance: AcceptanceRecord, user, kind: str, uploads) -> list[AttachmentOutcome]:
    """Each file of a batch on its own: good files are saved whatever happens to the others."""
    return add_each(uploads, lambda filename, stream: add_attachment(acceptance, user, kind, filename, stream))


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
