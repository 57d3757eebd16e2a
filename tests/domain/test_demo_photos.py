"""Demo photo evidence: drawn before/during/after pictures through the real upload path, paired."""
from datetime import date

import sqlalchemy as sa

from renovation.demo import data as demo_data
from renovation.demo import photos as demo_photos
from renovation.extensions import db
from renovation.models import Photo, PhotoPair
from renovation.storage import derived_key, get_storage, original_key
from tests.conftest import make_user


def test_six_compounds_get_a_before_after_pair_with_dates_and_files(app):
    demo_data.seed(141, today=date(2026, 11, 27))
    db.session.commit()
    engineer = make_user("engineer", "engineer")

    assert demo_photos.seed(engineer) == 6
    pairs = db.session.scalars(sa.select(PhotoPair)).all()
    assert len(pairs) == 6
    assert len({pair.before.project.compound.community_id for pair in pairs}) == 6  # spread over communities
    store = get_storage()
    for pair in pairs:
        assert (pair.before.phase, pair.after.phase) == ("before", "after")
        assert pair.before.taken_at < pair.after.taken_at  # dates read from the pictures' EXIF
        assert pair.before.caption.endswith("改造前") and pair.after.caption.endswith("改造后")
        facade = next(stage for stage in pair.before.project.stages if stage.key == "facade")
        assert facade.status == "completed"
        for photo in (pair.before, pair.after):
            assert store.exists(original_key(photo.sha256)) and store.exists(derived_key(photo.sha256, "display"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Photo)) == 18  # and one "during" each
