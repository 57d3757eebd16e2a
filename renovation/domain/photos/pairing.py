"""Before/after pairs: which two photos make one, and making and removing them, one pair or several
at once (all or nothing).

A pair is a photo taken before renovation and one taken after, of the same project and the same
renovation stage, each in no other pair. A photo without a stage fits any stage, and so does a
before photo of the survey: the survey is where the compound is photographed before any work, so
its photos are the "before" of every later stage.
"""
from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from renovation.domain import audit
from renovation.domain.clock import utcnow
from renovation.domain.errors import RuleViolation
from renovation.domain.messages import with_values
from renovation.domain.stages.keys import STAGE_LABELS, StageKey
from renovation.extensions import db
from renovation.models import Photo, PhotoPair
from renovation.models.photos import Phase


class PairsRefused(RuleViolation):
    """Some pairs cannot be made, so none was: ``errors`` maps the position of each refused pick
    (in the order given, 0 for a single pair) to why."""


def stages_fit(before_stage: str | None, after_stage: str | None) -> bool:
    """Whether an after photo of ``after_stage`` can show the same work as a before photo of
    ``before_stage`` (see the module's docstring)."""
    return (before_stage is None or after_stage is None or before_stage == after_stage
            or before_stage == StageKey.SURVEY)


def pair_problem(project, before: Photo | None, after: Photo | None, paired_ids: set[int]):
    """Why ``before`` and ``after`` cannot be a pair of the project, or None when they can;
    ``paired_ids`` are the photos already in a pair."""
    for photo in (before, after):
        if photo is None or photo.project_id != project.id or photo.deleted_at is not None:
            return _l("Both photos must belong to this project.")
    if before.phase != Phase.BEFORE or after.phase != Phase.AFTER:
        return _l("Pair a photo taken before renovation with one taken after.")
    if not stages_fit(before.stage_key, after.stage_key):
        return with_values(_l("The two photos are of different renovation stages (%(before)s, %(after)s): "
                              "correct the stage of one of them on its photo page first."),
                           before=STAGE_LABELS[StageKey(before.stage_key)],
                           after=STAGE_LABELS[StageKey(after.stage_key)])
    if before.id in paired_ids or after.id in paired_ids:
        return _l("One of these photos is already in a pair; remove that pair first.")
    return None


def pair_photos(project, user, before: Photo, after: Photo) -> PhotoPair:
    """Mark a before photo and an after photo of the project as the same viewpoint, and commit.

    Raises :class:`PairsRefused` (nothing saved; its one error, at 0, says why) when they cannot
    be a pair."""
    return pair_several(project, user, [(before.id, after.id)])[0]


def pair_several(project, user, picks: Sequence[tuple[int, int]]) -> list[PhotoPair]:
    """Make a pair of each (before photo id, after photo id), with an audit entry each, in one
    commit: every pick is checked first, and if any cannot be a pair none is made
    (:class:`PairsRefused` says which and why)."""
    ids = {photo_id for pick in picks for photo_id in pick}
    photos, paired_ids = _photos(ids), _paired(ids)
    problems = {}
    for at, (before_id, after_id) in enumerate(picks):
        problem = pair_problem(project, photos.get(before_id), photos.get(after_id), paired_ids)
        if problem is None and any(after_id == other[1] for other in picks[:at]):
            problem = _l("This after photo is also ticked for another before photo; a photo goes in one pair only.")
        elif problem is None and any(before_id == other[0] for other in picks[:at]):
            problem = _l("This before photo is picked twice; a photo goes in one pair only.")
        if problem is not None:
            problems[at] = problem
    if problems:
        raise PairsRefused(problems)
    made = []
    for before_id, after_id in picks:
        made.append(PhotoPair(project_id=project.id, before_id=before_id, after_id=after_id,
                              created_by_id=user.id, created_at=utcnow()))
        audit.record(user, "photo.pair", "project", project.code, before=before_id, after=after_id)
    db.session.add_all(made)
    try:
        db.session.commit()
    except IntegrityError:  # someone paired one of these photos in the meantime
        db.session.rollback()
        raise PairsRefused({at: _l("One of these photos is already in a pair; remove that pair first.")
                            for at in range(len(picks))}) from None
    return made


def unpair(pair: PhotoPair, user) -> None:
    """Remove a pair (both photos stay), with an audit entry, and commit."""
    audit.record(user, "photo.unpair", "project", pair.before.project.code,
                 before=pair.before_id, after=pair.after_id)
    db.session.delete(pair)
    db.session.commit()


def drop_pairs_that_no_longer_fit(photo, user) -> None:
    """After a photo's phase or stage changed: remove its pair if the two no longer make one
    (an audit entry each; the caller commits)."""
    for pair in pairs_of(photo):
        before, after = pair.before, pair.after
        if before.phase != Phase.BEFORE or after.phase != Phase.AFTER or not stages_fit(
                before.stage_key, after.stage_key):
            audit.record(user, "photo.unpair", "project", photo.project.code,
                         before=pair.before_id, after=pair.after_id)
            db.session.delete(pair)


def pairs_of(photo) -> list[PhotoPair]:
    """The pairs the photo is in (at most one)."""
    return list(db.session.scalars(
        select(PhotoPair).where((PhotoPair.before_id == photo.id) | (PhotoPair.after_id == photo.id))
    ))


def _photos(ids: set[int]) -> dict[int, Photo]:
    """The photos with these ids (of any project: the checks say which are not this one's)."""
    if not ids:
        return {}
    return {photo.id: photo for photo in db.session.scalars(select(Photo).where(Photo.id.in_(ids)))}


def _paired(ids: set[int]) -> set[int]:
    """Those of these photos that are already in a pair."""
    if not ids:
        return set()
    rows = db.session.execute(select(PhotoPair.before_id, PhotoPair.after_id).where(
        PhotoPair.before_id.in_(ids) | PhotoPair.after_id.in_(ids))).all()
    return {photo_id for row in rows for photo_id in row} & ids
