"""The photos a bulletin prints: before/after pairs (chosen at issue, or the newest) and, in a
project brief, the latest photos. Plain data only: the files are found later by sha256, always
the display derivative, never the original."""
from sqlalchemy import select
from sqlalchemy.orm import aliased

from renovation.extensions import db
from renovation.models import Community, Compound, Photo, PhotoPair, Project

MAX_PAIRS = 6


def photo_data(photo: Photo) -> dict:
    """What the print template needs of one photo."""
    return {"id": photo.id, "sha256": photo.sha256, "caption": photo.caption or "",
            "taken_on": photo.taken_at.date().isoformat(), "width": photo.width, "height": photo.height,
            "stage": photo.stage_key}


def _pairs_query(street_id: int | None, project_id: int | None):
    before, after = aliased(Photo), aliased(Photo)
    query = (select(PhotoPair.id, before, after, Project.code, Compound.name)
             .join(before, before.id == PhotoPair.before_id).join(after, after.id == PhotoPair.after_id)
             .join(Project, Project.id == PhotoPair.project_id)
             .join(Compound, Compound.id == Project.compound_id)
             .join(Community, Community.id == Compound.community_id)
             .where(before.deleted_at.is_(None), after.deleted_at.is_(None)))
    if street_id:
        query = query.where(Community.street_id == street_id)
    if project_id:
        query = query.where(PhotoPair.project_id == project_id)
    return query


def pairs_data(pair_ids: list[int] | None, street_id: int | None = None, project_id: int | None = None,
               limit: int = MAX_PAIRS) -> list[dict]:
    """Up to ``limit`` pairs in scope: those chosen (in the order given) or, when none were
    chosen (``None``), the newest. One query."""
    query = _pairs_query(street_id, project_id)
    if pair_ids is not None:
        if not pair_ids:
            return []
        query = query.where(PhotoPair.id.in_(pair_ids))
    else:
        query = query.order_by(PhotoPair.created_at.desc(), PhotoPair.id.desc()).limit(limit)
    rows = [{"id": pair_id, "project_code": code, "compound": compound,
             "before": photo_data(before), "after": photo_data(after)}
            for pair_id, before, after, code, compound in db.session.execute(query)]
    if pair_ids is not None:
        order = {pair_id: position for position, pair_id in enumerate(pair_ids)}
        rows.sort(key=lambda row: order[row["id"]])
    return rows[:limit]


def pair_choices(street_id: int | None = None, project_id: int | None = None, limit: int = 60) -> list[dict]:
    """The pairs an engineer may choose from at issue time, newest first."""
    query = _pairs_query(street_id, project_id).order_by(PhotoPair.created_at.desc(), PhotoPair.id.desc())
    return [{"id": pair_id, "project_code": code, "compound": compound,
             "before": photo_data(before), "after": photo_data(after)}
            for pair_id, before, after, code, compound in db.session.execute(query.limit(limit))]


def recent_photos(project_id: int, exclude: set[int], limit: int = 4) -> list[dict]:
    """The project's newest photos that are not already printed in a pair."""
    query = (select(Photo).where(Photo.project_id == project_id, Photo.deleted_at.is_(None))
             .order_by(Photo.taken_at.desc(), Photo.id.desc()).limit(limit + len(exclude)))
    return [photo_data(photo) for photo in db.session.scalars(query) if photo.id not in exclude][:limit]
