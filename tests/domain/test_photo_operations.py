"""Adding, editing, deleting and pairing photos (renovation.domain.photos.operations, and one pair
at a time by renovation.domain.photos.pairing): a file is either fully stored with its record or not
at all, duplicates are recognised by content. Several pairs at once: test_photo_pairing.py."""
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from renovation import storage as files
from renovation.domain.photos.operations import DuplicatePhoto, add_photo, add_photos, delete_photo, update_photo
from renovation.domain.photos.pairing import PairsRefused, pair_photos, unpair
from renovation.domain.photos.processing import ImageRejected
from renovation.extensions import db
from renovation.models import AuditEntry, Photo, PhotoPair, StageEvent
from tests.conftest import make_project, make_user
from tests.domain import photo_samples as samples


@pytest.fixture
def engineer(app):
    return make_user("engineer", "engineer")


@pytest.fixture
def project(app):
    return make_project()


def stored_files() -> list[str]:
    """Every file in the photo storage, as keys (temporary files included)."""
    root = Path(files.get_storage().root)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def rows(model=Photo) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.action.like("photo.%")).order_by(AuditEntry.id)))


def only_entry(action) -> AuditEntry:
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).one()


def photo_events(project_id) -> list[dict]:
    return [event.changes[0] for event in db.session.scalars(
        sa.select(StageEvent).where(StageEvent.project_id == project_id).order_by(StageEvent.id))]


def upload(project, user, data=None, filename="IMG_0001.jpg", phase="before", stage="survey",
           caption=""):
    data = samples.jpeg() if data is None else data
    return add_photo(project, user, filename, io.BytesIO(data), phase, stage, caption)


def keys_of(sha256) -> list[str]:
    return sorted([files.original_key(sha256), files.derived_key(sha256, "display"),
                   files.derived_key(sha256, "thumbnail")])


# --- adding --------------------------------------------------------------------------------

def test_add_photo_stores_three_content_addressed_files_and_one_row(project, engineer):
    data = samples.jpeg(size=(2000, 1500), orientation=6, taken="2026:03:14 09:30:00",
                        model="HUAWEI P40",
                        gps=("N", (25.0, 17.0, 29.04), "E", (117.0, 25.0, 12.0)))
    photo = upload(project, engineer, data, filename="IMG_20260314_093000.jpg", phase="during",
                   stage="facade", caption="  东立面脚手架  ")
    sha = photo.sha256
    assert stored_files() == keys_of(sha)
    assert files.original_key(sha) == f"originals/{sha[:2]}/{sha[2:4]}/{sha}"
    assert files.derived_key(sha, "thumbnail") == f"thumbnail/{sha[:2]}/{sha[2:4]}/{sha}.jpg"
    with files.get_storage().open(files.derived_key(sha, "display")) as display:
        assert samples.decoded(display.read()).size == (1200, 1600)
    db.session.expire_all()
    saved = db.session.scalars(sa.select(Photo)).one()
    assert (saved.project_id, saved.phase, saved.stage_key) == (project.id, "during", "facade")
    assert saved.caption == "东立面脚手架"
    assert saved.original_filename == "IMG_20260314_093000.jpg"
    assert (saved.width, saved.height, saved.byte_size) == (1500, 2000, len(data))
    assert (saved.content_type, saved.camera_model) == ("image/jpeg", "HUAWEI P40")
    assert saved.taken_at_source == "exif"
    assert saved.gps_latitude == pytest.approx(25.2914)
    assert saved.uploaded_by_id == engineer.id and saved.deleted_at is None
    assert audit_actions() == ["photo.add"]
    assert photo_events(project.id) == [
        {"field": "photo_added", "old": None, "new": "IMG_20260314_093000.jpg", "photo": saved.id}]


def test_a_photo_without_a_stage_is_project_wide(project, engineer):
    photo = upload(project, engineer, stage=None)
    assert photo.stage_key is None
    assert db.session.scalars(sa.select(StageEvent)).one().stage_key is None


def test_a_duplicate_in_the_same_project_is_refused_and_stored_once(project, engineer):
    data = samples.jpeg()
    first = upload(project, engineer, data)
    with pytest.raises(DuplicatePhoto) as caught:
        upload(project, engineer, data, filename="copy-from-chat.jpg", phase="after")
    assert caught.value.current.id == first.id
    assert rows() == 1
    assert stored_files() == keys_of(first.sha256)
    assert audit_actions() == ["photo.add"]


def test_the_same_image_in_another_project_gets_its_own_row_and_shares_the_files(project, engineer):
    other = make_project("ZP-2026-002", compound="粮食局宿舍")
    data = samples.jpeg()
    first = upload(project, engineer, data)
    second = upload(other, engineer, data, phase="after")
    assert first.id != second.id and first.sha256 == second.sha256
    assert rows() == 2
    assert stored_files() == keys_of(first.sha256)


def test_a_rejected_image_leaves_nothing(project, engineer):
    with pytest.raises(ImageRejected):
        upload(project, engineer, b"not an image at all" * 10)
    assert rows() == 0 and stored_files() == [] and audit_actions() == []


# --- all or nothing ------------------------------------------------------------------------

class Failure(Exception):
    pass


def fail_commit_once(monkeypatch, error=None):
    session = db.session()
    real_commit = session.commit
    calls = []

    def commit():
        calls.append(1)
        if len(calls) == 1:
            raise error or sa.exc.OperationalError("COMMIT", {}, Failure("disk I/O error"))
        return real_commit()

    monkeypatch.setattr(session, "commit", commit)
    return calls


def test_a_database_failure_at_commit_leaves_no_files_and_no_row(project, engineer, monkeypatch):
    calls = fail_commit_once(monkeypatch)
    with pytest.raises(sa.exc.OperationalError):
        upload(project, engineer)
    assert calls == [1]
    db.session.expire_all()
    assert rows() == 0 and rows(StageEvent) == 0 and audit_actions() == []
    assert stored_files() == []
    # The next try works.
    photo = upload(project, engineer)
    assert stored_files() == keys_of(photo.sha256)


def test_a_database_failure_keeps_files_another_project_uses(project, engineer, monkeypatch):
    other = make_project("ZP-2026-002", compound="粮食局宿舍")
    data = samples.jpeg()
    kept = upload(other, engineer, data)
    fail_commit_once(monkeypatch)
    with pytest.raises(sa.exc.OperationalError):
        upload(project, engineer, data)
    db.session.expire_all()
    assert rows() == 1
    assert stored_files() == keys_of(kept.sha256)


def test_a_failure_inside_the_transaction_leaves_nothing(project, engineer, monkeypatch):
    from renovation.domain.photos import operations as photo_operations

    def broken_audit(*args, **kwargs):
        raise Failure("audit log unavailable")

    monkeypatch.setattr(photo_operations.audit, "record", broken_audit)
    with pytest.raises(Failure):
        upload(project, engineer)
    db.session.expire_all()
    assert rows() == 0 and rows(StageEvent) == 0 and stored_files() == []


def test_a_storage_failure_after_the_first_file_leaves_no_files_and_no_row(project, engineer,
                                                                           monkeypatch):
    real_put = files.FilesystemStorage.put
    calls = []

    def put(self, key, data):
        calls.append(key)
        if len(calls) > 1:
            raise OSError(28, "No space left on device")
        return real_put(self, key, data)

    monkeypatch.setattr(files.FilesystemStorage, "put", put)
    with pytest.raises(OSError):
        upload(project, engineer)
    assert len(calls) == 2
    assert stored_files() == []
    assert rows() == 0 and audit_actions() == []


def test_a_write_that_fails_half_way_leaves_no_temporary_file(project, engineer, monkeypatch):
    import renovation.storage

    real_fsync = renovation.storage.os.fsync
    calls = []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 3:  # the thumbnail
            raise OSError(5, "Input/output error")
        return real_fsync(fd)

    monkeypatch.setattr(renovation.storage.os, "fsync", fsync)
    with pytest.raises(OSError):
        upload(project, engineer)
    monkeypatch.undo()
    assert stored_files() == []
    assert rows() == 0


def test_a_storage_failure_keeps_files_that_were_already_there(project, engineer, monkeypatch):
    other = make_project("ZP-2026-002", compound="粮食局宿舍")
    data = samples.jpeg()
    kept = upload(other, engineer, data)
    files.get_storage().delete(files.derived_key(kept.sha256, "thumbnail"))

    def put(self, key, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.FilesystemStorage, "put", put)
    with pytest.raises(OSError):
        upload(project, engineer, data)
    assert stored_files() == sorted([files.original_key(kept.sha256),
                                     files.derived_key(kept.sha256, "display")])
    assert rows() == 1


def test_a_concurrent_upload_of_the_same_image_ends_as_a_duplicate(project, engineer, monkeypatch):
    """Another request saves the same image between our duplicate check and our insert: the
    unique constraint catches it, the user is told it is a duplicate, the files stay (the
    winner's row uses them)."""
    data = samples.jpeg()
    real_put = files.FilesystemStorage.put
    state = {"done": False}

    def put(self, key, payload):
        real_put(self, key, payload)
        if not state["done"]:
            state["done"] = True
            sha = key.rsplit("/", 1)[-1]
            with db.engine.begin() as connection:
                connection.execute(sa.insert(Photo.__table__).values(
                    project_id=project.id, phase="before", caption="", sha256=sha,
                    content_type="image/jpeg", original_filename="other.jpg", width=400,
                    height=300, byte_size=len(data), taken_at=sa.func.now(),
                    taken_at_source="upload", camera_model="", uploaded_at=sa.func.now()))

    monkeypatch.setattr(files.FilesystemStorage, "put", put)
    with pytest.raises(DuplicatePhoto) as caught:
        upload(project, engineer, data)
    assert caught.value.current.original_filename == "other.jpg"
    db.session.expire_all()
    assert rows() == 1 and audit_actions() == []
    assert stored_files() == keys_of(caught.value.current.sha256)


# --- batches -------------------------------------------------------------------------------

def test_a_batch_saves_the_good_files_and_names_each_bad_one(project, engineer):
    good_jpeg, good_heic = samples.jpeg(seed=1), samples.heic(seed=2)
    png = samples.png(seed=3)
    already = upload(project, engineer, samples.jpeg(seed=4))
    batch = [
        ("IMG_1.jpg", good_jpeg),
        ("notes.jpg", b"this is a text file renamed .jpg\n" * 5),
        ("IMG_2.HEIC", good_heic),
        ("broken.png", png[: len(png) // 2]),
        ("anim.gif", samples.encode(samples.picture((40, 30)), "GIF")),
        ("again.jpg", samples.jpeg(seed=4)),
        ("IMG_1 (1).jpg", good_jpeg),
    ]
    outcomes = add_photos(project, engineer, [(name, io.BytesIO(data)) for name, data in batch],
                          "during", "rain_sewage", "管网开挖")
    assert [outcome.filename for outcome in outcomes] == [name for name, _ in batch]
    by_name = {outcome.filename: outcome for outcome in outcomes}
    assert by_name["IMG_1.jpg"].photo is not None and by_name["IMG_1.jpg"].error is None
    assert by_name["IMG_2.HEIC"].photo.content_type == "image/heic"
    assert by_name["notes.jpg"].error_reason == "not_image" and by_name["notes.jpg"].error
    assert by_name["broken.png"].error_reason == "corrupt"
    assert by_name["anim.gif"].error_reason == "unsupported"
    assert by_name["again.jpg"].duplicate_of.id == already.id
    assert by_name["IMG_1 (1).jpg"].duplicate_of.id == by_name["IMG_1.jpg"].photo.id
    for name in ("notes.jpg", "broken.png", "anim.gif", "again.jpg", "IMG_1 (1).jpg"):
        assert by_name[name].photo is None
    assert rows() == 3
    assert len(stored_files()) == 9
    saved = db.session.scalars(sa.select(Photo).where(Photo.id != already.id)).all()
    assert {(p.phase, p.stage_key, p.caption) for p in saved} == {("during", "rain_sewage", "管网开挖")}


# --- editing and deleting ------------------------------------------------------------------

def test_update_photo_changes_phase_stage_and_caption_with_an_audit_entry(project, engineer):
    photo = upload(project, engineer)
    update_photo(photo, engineer, "during", "facade", "  西侧外墙  ")
    db.session.expire_all()
    saved = db.session.get(Photo, photo.id)
    assert (saved.phase, saved.stage_key, saved.caption) == ("during", "facade", "西侧外墙")
    entry = only_entry("photo.update")
    assert entry.details["old"] == {"phase": "before", "stage": "survey", "caption": ""}
    assert entry.details["new"] == {"phase": "during", "stage": "facade", "caption": "西侧外墙"}
    assert entry.target_id == project.code


def test_update_photo_without_a_change_records_nothing(project, engineer):
    photo = upload(project, engineer, caption="北门")
    update_photo(photo, engineer, "before", "survey", "北门 ")
    assert audit_actions() == ["photo.add"]


def test_delete_photo_is_a_soft_delete_with_history_and_audit(project, engineer):
    before = upload(project, engineer, samples.jpeg(seed=1), phase="before")
    after = upload(project, engineer, samples.jpeg(seed=2), phase="after", filename="after.jpg")
    pair_photos(project, engineer, before, after)
    delete_photo(after, engineer, reason="拍错了小区")
    db.session.expire_all()
    saved = db.session.get(Photo, after.id)
    assert saved is not None and saved.deleted_at is not None
    assert saved.deleted_by_id == engineer.id
    assert rows(PhotoPair) == 0
    assert len(stored_files()) == 6  # the files stay
    entry = only_entry("photo.delete")
    assert entry.details == {"photo": after.id, "filename": "after.jpg", "reason": "拍错了小区"}
    assert photo_events(project.id)[-1] == {
        "field": "photo_deleted", "old": None, "new": "after.jpg", "photo": after.id}


def test_uploading_a_deleted_photo_again_brings_it_back(project, engineer):
    data = samples.jpeg()
    photo = upload(project, engineer, data, caption="旧")
    photo_id = photo.id
    delete_photo(photo, engineer)
    back = upload(project, engineer, data, filename="again.jpg", phase="after", stage="paving",
                  caption="新")
    assert back.id == photo_id
    db.session.expire_all()
    saved = db.session.get(Photo, photo_id)
    assert saved.deleted_at is None and saved.deleted_by_id is None
    assert (saved.phase, saved.stage_key, saved.caption, saved.original_filename) == (
        "after", "paving", "新", "again.jpg")
    assert rows() == 1
    assert stored_files() == keys_of(saved.sha256)
    assert audit_actions() == ["photo.add", "photo.delete", "photo.add"]


def test_a_deleted_photo_in_one_project_does_not_hide_it_in_another(project, engineer):
    other = make_project("ZP-2026-002", compound="粮食局宿舍")
    data = samples.jpeg()
    delete_photo(upload(other, engineer, data), engineer)
    photo = upload(project, engineer, data)
    assert photo.project_id == project.id and rows() == 2


# --- before/after pairs --------------------------------------------------------------------

@pytest.fixture
def photos(project, engineer):
    made = {}
    for seed, (name, phase) in enumerate([("before", "before"), ("before2", "before"),
                                          ("during", "during"), ("after", "after"),
                                          ("after2", "after")]):
        made[name] = upload(project, engineer, samples.jpeg(seed=seed), phase=phase,
                            filename=f"{name}.jpg")
    return made


def test_a_before_and_an_after_photo_make_a_pair(project, engineer, photos):
    pair = pair_photos(project, engineer, photos["before"], photos["after"])
    db.session.expire_all()
    saved = db.session.scalars(sa.select(PhotoPair)).one()
    assert (saved.id, saved.before_id, saved.after_id, saved.project_id) == (
        pair.id, photos["before"].id, photos["after"].id, project.id)
    assert saved.created_by_id == engineer.id
    entry = only_entry("photo.pair")
    assert entry.details == {"before": photos["before"].id, "after": photos["after"].id}


@pytest.mark.parametrize("before, after", [
    ("after", "before"),  # reversed
    ("before", "before2"),
    ("during", "after"),
    ("before", "during"),
    ("after", "after2"),
])
def test_a_pair_needs_a_before_and_an_after_photo(project, engineer, photos, before, after):
    with pytest.raises(PairsRefused) as caught:
        pair_photos(project, engineer, photos[before], photos[after])
    assert list(caught.value.errors) == [0] and str(caught.value.errors[0])
    assert rows(PhotoPair) == 0


def test_a_pair_stays_within_one_project(project, engineer, photos):
    other = make_project("ZP-2026-002", compound="粮食局宿舍")
    elsewhere = upload(other, engineer, samples.jpeg(seed=9), phase="after")
    with pytest.raises(PairsRefused):
        pair_photos(project, engineer, photos["before"], elsewhere)
    with pytest.raises(PairsRefused):
        pair_photos(other, engineer, photos["before"], elsewhere)
    assert rows(PhotoPair) == 0


def test_a_deleted_photo_cannot_be_paired(project, engineer, photos):
    delete_photo(photos["after"], engineer)
    with pytest.raises(PairsRefused):
        pair_photos(project, engineer, photos["before"], photos["after"])


def test_a_photo_is_in_at_most_one_pair(project, engineer, photos):
    pair_photos(project, engineer, photos["before"], photos["after"])
    for before, after in (("before", "after2"), ("before2", "after"), ("before", "after")):
        with pytest.raises(PairsRefused):
            pair_photos(project, engineer, photos[before], photos[after])
    assert rows(PhotoPair) == 1
    pair_photos(project, engineer, photos["before2"], photos["after2"])
    assert rows(PhotoPair) == 2


def test_unpair_removes_the_pair_with_an_audit_entry(project, engineer, photos):
    pair = pair_photos(project, engineer, photos["before"], photos["after"])
    unpair(pair, engineer)
    assert rows(PhotoPair) == 0 and rows() == 5
    entry = only_entry("photo.unpair")
    assert entry.details == {"before": photos["before"].id, "after": photos["after"].id}
    assert entry.target_id == project.code
    pair_photos(project, engineer, photos["before"], photos["after2"])  # free again


def test_changing_a_paired_photos_phase_drops_the_pair(project, engineer, photos):
    pair_photos(project, engineer, photos["before"], photos["after"])
    update_photo(photos["after"], engineer, "after", "paving", "changed caption only")
    assert rows(PhotoPair) == 1
    update_photo(photos["before"], engineer, "during", None, "")
    assert rows(PhotoPair) == 0
    assert audit_actions()[-2:] == ["photo.unpair", "photo.update"]


def test_every_operation_leaves_its_audit_entry(project, engineer, photos):
    pair = pair_photos(project, engineer, photos["before"], photos["after"])
    unpair(pair, engineer)
    update_photo(photos["during"], engineer, "during", "facade", "")
    delete_photo(photos["during"], engineer)
    assert audit_actions() == ["photo.add"] * 5 + [
        "photo.pair", "photo.unpair", "photo.update", "photo.delete"]
    users = set(db.session.scalars(sa.select(AuditEntry.user_id).where(
        AuditEntry.action.like("photo.%"))))
    assert users == {engineer.id}
