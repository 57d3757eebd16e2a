"""Adding, editing and deleting photos: store files and records together or not at all.

Pairs are :mod:`renovation.domain.photos.pairing`'s."""
from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from renovation import storage as files
from renovation.domain import audit
from renovation.domain.clock import utcnow
from renovation.domain.errors import Conflict, RuleViolation
from renovation.domain.photos.pairing import drop_pairs_that_no_longer_fit, pairs_of
from renovation.domain.photos.processing import ImageRejected, process_image
from renovation.extensions import db
from renovation.models import Photo, ProjectContent, StageEvent


class DuplicatePhoto(Conflict):
    """The same image (by content) is already a photo of this project: ``current`` is that photo."""


@dataclass
class UploadOutcome:
    """What happened to one file of an upload batch."""

    filename: str
    photo: Photo | None = None
    duplicate_of: Photo | None = None
    error: str | None = None
    error_reason: str | None = None


def check_hidden_works(project_id: int, hidden_works: bool, content_id: int | None) -> None:
    """A photo's 隐蔽工程 content must be a content of the photo's own project (RuleViolation)."""
    if content_id is None:
        return
    found = db.session.scalar(select(ProjectContent.id).where(ProjectContent.id == content_id,
                                                              ProjectContent.project_id == project_id))
    if found is None:
        raise RuleViolation({"content_id": _l("Choose a content item of this project.")})


def add_photo(project, user, filename: str, stream: BinaryIO, phase: str, stage_key: str | None,
              caption: str = "", hidden_works: bool = False, content_id: int | None = None) -> Photo:
    """Check, process and store one image as a photo of the project, and commit. ``hidden_works``:
    the photo is evidence of buried work (隐蔽工程), of the project's content ``content_id`` if given.

    Raises :class:`ImageRejected`, :class:`DuplicatePhoto` or :class:`RuleViolation` (a content of
    another project); in any case nothing is stored.
    """
    check_hidden_works(project.id, hidden_works, content_id)
    config = current_app.config
    processed = process_image(stream, config["PHOTO_MAX_BYTES"], config["PHOTO_MAX_PIXELS"])
    existing = db.session.scalar(
        select(Photo).where(Photo.project_id == project.id, Photo.sha256 == processed.sha256)
    )
    if existing is not None and existing.deleted_at is None:
        raise DuplicatePhoto(existing)
    user_id, project_id, project_code = user.id, project.id, project.code
    store = files.get_storage()
    written = _store_files(store, processed, stream)
    now = utcnow()
    values = dict(
        stage_key=stage_key or None, phase=phase, caption=caption.strip(),
        content_type=processed.content_type, original_filename=(filename or "photo")[-255:],
        width=processed.width, height=processed.height, byte_size=processed.byte_size,
        taken_at=processed.taken_at or now, taken_at_source="exif" if processed.taken_at else "upload",
        gps_latitude=processed.gps_latitude, gps_longitude=processed.gps_longitude,
        camera_model=processed.camera_model, uploaded_by_id=user_id, uploaded_at=now,
        deleted_at=None, deleted_by_id=None, hidden_works=bool(hidden_works), content_id=content_id,
    )
    try:
        if existing is not None:  # uploaded again after a delete: bring it back
            photo = existing
            for name, value in values.items():
                setattr(photo, name, value)
        else:
            photo = Photo(project_id=project_id, sha256=processed.sha256, **values)
            db.session.add(photo)
        db.session.flush()
        _history(project_id, user_id, photo, "photo_added", photo.original_filename)
        audit.record(user, "photo.add", "project", project_code, photo=photo.id, sha256=photo.sha256,
                     filename=photo.original_filename, **({"hidden_works": True, "content": content_id}
                                                          if hidden_works else {}))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        _remove_unreferenced(store, written, processed.sha256)
        winner = db.session.scalar(
            select(Photo).where(Photo.project_id == project_id, Photo.sha256 == processed.sha256))
        if winner is None:
            raise
        raise DuplicatePhoto(winner) from None
    except BaseException:
        db.session.rollback()
        _remove_unreferenced(store, written, processed.sha256)
        raise
    return photo


def add_photos(project, user, uploads, phase: str, stage_key: str | None, caption: str,
               hidden_works: bool = False, content_id: int | None = None) -> list[UploadOutcome]:
    """Each file of a batch on its own: good files are saved whatever happens to the others."""
    check_hidden_works(project.id, hidden_works, content_id)
    outcomes = []
    for filename, stream in uploads:
        outcome = UploadOutcome(filename=filename)
        try:
            outcome.photo = add_photo(project, user, filename, stream, phase, stage_key, caption,
                                      hidden_works, content_id)
        except ImageRejected as rejected:
            outcome.error, outcome.error_reason = rejected.message, rejected.reason
        except DuplicatePhoto as duplicate:
            outcome.duplicate_of = duplicate.current
        outcomes.append(outcome)
    return outcomes


def _store_files(store, processed, stream) -> list[str]:
    """Write what is missing; return the keys this call wrote (to undo on failure)."""
    written = []
    for key, data in (
        (files.original_key(processed.sha256), stream),
        (files.derived_key(processed.sha256, "display"), processed.display_jpeg),
        (files.derived_key(processed.sha256, "thumbnail"), processed.thumbnail_jpeg),
    ):
        if not store.exists(key):
            try:
                store.put(key, data)
            except BaseException:
                for done in written:
                    store.delete(done)
                raise
            written.append(key)
    return written


def _remove_unreferenced(store, keys: list[str], sha256: str) -> None:
    """Undo written files unless another record (of any project) uses the same content."""
    if db.session.scalar(select(func.count()).select_from(Photo).where(Photo.sha256 == sha256)):
        return
    for key in keys:
        store.delete(key)


def _history(project_id: int, user_id: int, photo, field: str, value) -> None:
    db.session.add(StageEvent(
        project_id=project_id, stage_key=photo.stage_key, at=utcnow(), user_id=user_id,
        changes=[{"field": field, "old": None, "new": value, "photo": photo.id}],
    ))


def update_photo(photo, user, phase: str, stage_key: str | None, caption: str,
                 hidden_works: bool | None = None, content_id: int | None = None) -> None:
    """Change the phase, stage and caption of a photo (and whether it is hidden-works evidence, of
    which content, when ``hidden_works`` is given), and commit."""
    if hidden_works is not None:
        check_hidden_works(photo.project_id, hidden_works, content_id)
    def facts() -> dict:
        said = {"phase": photo.phase, "stage": photo.stage_key, "caption": photo.caption}
        return said if hidden_works is None else {**said, "hidden_works": photo.hidden_works,
                                                  "content": photo.content_id}

    before = facts()
    photo.phase, photo.stage_key, photo.caption = phase, stage_key or None, caption.strip()
    if hidden_works is not None:
        photo.hidden_works, photo.content_id = bool(hidden_works), content_id
    after = facts()
    if before == after:
        return
    drop_pairs_that_no_longer_fit(photo, user)
    audit.record(user, "photo.update", "project", photo.project.code, photo=photo.id, old=before, new=after)
    db.session.commit()


def delete_photo(photo, user, reason: str = "") -> None:
    """Soft delete: the record and files stay, the photo leaves every page; pairs go."""
    photo.deleted_at = utcnow()
    photo.deleted_by_id = user.id
    for pair in pairs_of(photo):
        db.session.delete(pair)
    _history(photo.project_id, user.id, photo, "photo_deleted", photo.original_filename)
    audit.record(user, "photo.delete", "project", photo.project.code, photo=photo.id,
                 filename=photo.original_filename, reason=reason)
    db.session.commit()
