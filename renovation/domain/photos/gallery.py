"""Reading photos for the pages: a project's gallery and pairs, one photo, the city-wide search.

Every function loads what its page shows in a constant number of queries, whatever the number
of photos (the uploader comes with each photo in the same query).
"""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.orm import joinedload

from renovation.domain.clock import china_midnight_utc
from renovation.domain.paging import Page, count_and_clamp
from renovation.domain.photos.pairing import stages_fit
from renovation.domain.photos.processing import THUMBNAIL_SIZE
from renovation.domain.stages.keys import STAGE_ORDER
from renovation.extensions import db
from renovation.models import Community, Compound, Phase, Photo, PhotoPair, Project, User
from renovation.models.photos import PHASE_LABELS

PHASE_ORDER = tuple(Phase)
NO_STAGE = "none"  # the city-wide filter's value for photos not attached to a stage

# What a project's gallery shows of each photo, as plain rows: a gallery may hold hundreds of
# photos, and ORM objects (with their uploader) cost several times the columns they carry.
GALLERY_COLUMNS = (
    Photo.id, Photo.stage_key, Photo.phase, Photo.caption, Photo.original_filename, Photo.width, Photo.height,
    Photo.taken_at, func.coalesce(func.nullif(User.display_name, ""), User.username).label("uploader"),
)


@dataclass
class PhotoGroup:
    """The photos of one stage (``None``: no stage) and one phase, newest first."""

    stage_key: str | None
    phase: str
    photos: list

    @property
    def phase_label(self) -> str:
        return PHASE_LABELS[Phase(self.phase)]


@dataclass
class GalleryPair:
    """A before/after pair of the gallery: its id and its two photos (rows of the gallery)."""

    id: int
    before: Row
    after: Row


@dataclass
class ProjectGallery:
    groups: list[PhotoGroup]
    pairs: list[GalleryPair]
    count: int
    live_ids: frozenset[int]


def thumbnail_size(photo) -> tuple[int, int]:
    """The thumbnail's width and height (longest side 320 px), for ``<img width height>``."""
    scale = min(1.0, THUMBNAIL_SIZE / max(photo.width, photo.height, 1))
    return max(1, round(photo.width * scale)), max(1, round(photo.height * scale))


def _live() -> Select:
    return select(Photo).where(Photo.deleted_at.is_(None))


# The gallery's two statements, built once with the project bound at each call: SQLAlchemy keys a
# statement for its cache of compiled SQL by walking all of it, every time for a statement built
# anew, once for one kept.
_GALLERY_PHOTOS = (
    select(*GALLERY_COLUMNS).outerjoin(User, User.id == Photo.uploaded_by_id)
    .where(Photo.deleted_at.is_(None), Photo.project_id == bindparam("project_id"))
    .order_by(Photo.taken_at.desc(), Photo.id.desc())
)
_GALLERY_PAIRS = (
    select(PhotoPair.id, PhotoPair.before_id, PhotoPair.after_id)
    .where(PhotoPair.project_id == bindparam("project_id"))
    .order_by(PhotoPair.created_at.desc(), PhotoPair.id.desc())
)


def project_gallery(project_id: int) -> ProjectGallery:
    """The project's photos (rows of :data:`GALLERY_COLUMNS`, uploader included) grouped by stage
    (in the order of the work, then no stage) and phase, and its before/after pairs: two queries at most."""
    photos = db.session.execute(_GALLERY_PHOTOS, {"project_id": project_id}).all()
    by_id = {photo.id: photo for photo in photos}
    pairs = []
    if len(photos) > 1:  # a pair needs two photos: a project with fewer is not asked for its pairs
        # A pair's photos are live ones of the gallery (deleting a photo removes its pairs).
        pairs = [GalleryPair(pair_id, by_id[before_id], by_id[after_id])
                 for pair_id, before_id, after_id in db.session.execute(_GALLERY_PAIRS, {"project_id": project_id})
                 if before_id in by_id and after_id in by_id]
    return ProjectGallery(groups=_grouped(photos), pairs=pairs, count=len(photos), live_ids=frozenset(by_id))


def _grouped(photos) -> list[PhotoGroup]:
    """Photos (newest first) grouped by stage in the order of the work, then no stage, and phase."""
    by_key: dict[tuple, list] = {}
    for photo in photos:
        by_key.setdefault((photo.stage_key, photo.phase), []).append(photo)
    return [
        PhotoGroup(stage_key, phase, by_key[(stage_key, phase)])
        for stage_key in (*(str(key) for key in STAGE_ORDER), None)
        for phase in (str(phase) for phase in PHASE_ORDER)
        if (stage_key, phase) in by_key
    ]


@dataclass
class Neighbours:
    """The photos before and after one photo in its project's gallery (None at either end)."""

    previous_id: int | None
    next_id: int | None
    position: int  # 1-based
    count: int


def gallery_neighbours(photo: Photo) -> Neighbours:
    """Where ``photo`` stands in its project's gallery, in the order the gallery shows: one query
    of a few columns, whatever the number of photos."""
    rows = db.session.execute(
        select(Photo.id, Photo.stage_key, Photo.phase)
        .where(Photo.deleted_at.is_(None), Photo.project_id == photo.project_id)
        .order_by(Photo.taken_at.desc(), Photo.id.desc())
    ).all()
    order = [row.id for group in _grouped(rows) for row in group.photos]
    at = order.index(photo.id)
    return Neighbours(previous_id=order[at - 1] if at > 0 else None,
                      next_id=order[at + 1] if at + 1 < len(order) else None,
                      position=at + 1, count=len(order))


def project_pairs(project_id: int) -> list[PhotoPair]:
    """Before/after pairs of the project, newest first, both photos loaded."""
    return list(db.session.scalars(
        select(PhotoPair).where(PhotoPair.project_id == project_id)
        .options(joinedload(PhotoPair.before), joinedload(PhotoPair.after))
        .order_by(PhotoPair.created_at.desc(), PhotoPair.id.desc())
    ).unique())


def live_photo(photo_id: int) -> Photo | None:
    """A photo that is not deleted, with its project, place and uploader; None otherwise."""
    return db.session.scalar(
        _live().where(Photo.id == photo_id)
        .options(joinedload(Photo.uploaded_by),
                 joinedload(Photo.project).joinedload(Project.compound)
                 .joinedload(Compound.community).joinedload(Community.street))
    )


def pair_of(photo: Photo) -> PhotoPair | None:
    """The pair the photo is part of, with both photos loaded."""
    return db.session.scalar(
        select(PhotoPair).where((PhotoPair.before_id == photo.id) | (PhotoPair.after_id == photo.id))
        .options(joinedload(PhotoPair.before), joinedload(PhotoPair.after))
    )


def unpaired_after_photos(before: Photo) -> list[Photo]:
    """After photos of the before photo's project that are in no pair and fit its stage: the
    choices for it, those of its own stage first."""
    return _candidates(before, unpaired_photos(before.project_id, Phase.AFTER))


@dataclass
class PairingRow:
    """A before photo without a pair and the after photos it can be paired with."""

    before: Photo
    candidates: list[Photo]


def pairing_rows(project_id: int) -> list[PairingRow]:
    """The pairing page: each before photo of the project without a pair (newest first) with the
    after photos it can go with (:func:`unpaired_after_photos`). Two queries."""
    afters = unpaired_photos(project_id, Phase.AFTER)
    return [PairingRow(before, _candidates(before, afters))
            for before in unpaired_photos(project_id, Phase.BEFORE)]


def _candidates(before: Photo, afters: list[Photo]) -> list[Photo]:
    fitting = [after for after in afters if stages_fit(before.stage_key, after.stage_key)]
    return sorted(fitting, key=lambda after: after.stage_key != before.stage_key)  # stable: newest first within


def unpaired_photos(project_id: int, phase: Phase) -> list[Photo]:
    """The project's photos of one phase that are in no pair yet, newest first (the pairing page)."""
    paired_side = PhotoPair.before_id if phase == Phase.BEFORE else PhotoPair.after_id
    paired = select(paired_side).where(PhotoPair.project_id == project_id)
    return list(db.session.scalars(
        _live().where(Photo.project_id == project_id, Photo.phase == phase.value,
                      Photo.id.not_in(paired))
        .options(joinedload(Photo.uploaded_by))
        .order_by(Photo.taken_at.desc(), Photo.id.desc())
    ))


# --- the city-wide photo page -----------------------------------------------------------------

@dataclass
class PhotoFilter:
    street_id: int | None = None
    community_id: int | None = None
    stage: str = ""  # a stage key, NO_STAGE, or "" for all
    phase: str = ""
    taken_from: date | None = None
    taken_to: date | None = None


def _filtered(criteria: PhotoFilter) -> Select:
    query = (_live().join(Photo.project).join(Project.compound).join(Compound.community))
    if criteria.street_id:
        query = query.where(Community.street_id == criteria.street_id)
    if criteria.community_id:
        query = query.where(Compound.community_id == criteria.community_id)
    if criteria.stage == NO_STAGE:
        query = query.where(Photo.stage_key.is_(None))
    elif criteria.stage:
        query = query.where(Photo.stage_key == criteria.stage)
    if criteria.phase:
        query = query.where(Photo.phase == criteria.phase)
    if criteria.taken_from:
        query = query.where(Photo.taken_at >= china_midnight_utc(criteria.taken_from))
    if criteria.taken_to:
        query = query.where(Photo.taken_at < china_midnight_utc(criteria.taken_to + timedelta(days=1)))
    return query


def find_photos(criteria: PhotoFilter, page: int, per_page: int) -> Page:
    """One page of matching photos, newest first, as (photo, project code, compound name): two queries."""
    query = _filtered(criteria)
    total, page = count_and_clamp(query, page, per_page)
    rows = db.session.execute(
        query.with_only_columns(Photo, Project.code, Compound.name)
        .order_by(Photo.taken_at.desc(), Photo.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(items=[tuple(row) for row in rows], total=total, page=page, per_page=per_page)
