"""Before/after pairs made several at once (renovation.domain.photos.pairing): every pick is checked
before any is saved, a refused batch saves nothing and says which pick and why; the stage rule;
a pair whose photos no longer fit goes. One pair at a time: test_photo_operations.py."""
import io

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from renovation.domain.photos import pairing as photo_pairing
from renovation.domain.photos.operations import add_photo, delete_photo, update_photo
from renovation.domain.photos.pairing import PairsRefused, pair_photos, pair_several, stages_fit
from renovation.extensions import db
from renovation.models import AuditEntry, Photo, PhotoPair
from tests.conftest import make_project, make_user
from tests.domain import photo_samples as samples


@pytest.fixture
def engineer(app):
    return make_user("engineer", "engineer")


@pytest.fixture
def project(app):
    return make_project()


@pytest.fixture
def photos(project, engineer):
    """Before and after photos of four viewpoints: two of the facade, one of the paving, one
    before photo without a stage and its after photo of the facade."""
    made = {}
    for seed, (name, phase, stage) in enumerate([
            ("east_before", "before", "facade"), ("east_after", "after", "facade"),
            ("north_before", "before", "facade"), ("north_after", "after", "facade"),
            ("road_before", "before", "paving"), ("road_after", "after", "paving"),
            ("west_before", "before", None), ("west_after", "after", "facade"),
            ("site_during", "during", "facade")]):
        made[name] = add_photo(project, engineer, f"{name}.jpg", io.BytesIO(samples.jpeg(seed=seed)), phase, stage).id
    return made


def saved_pairs() -> list[tuple[int, int]]:
    db.session.expire_all()
    return sorted((pair.before_id, pair.after_id) for pair in db.session.scalars(sa.select(PhotoPair)))


def pair_entries() -> list[dict]:
    return [entry.details for entry in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action.like("photo.%pair")).order_by(AuditEntry.id))]


def _photo(photo_id) -> Photo:
    return db.session.get(Photo, photo_id)


def chinese(message) -> str:
    with force_locale("zh_Hans_CN"):
        return str(message)


def test_several_pairs_are_made_at_once_each_with_its_audit_entry(project, engineer, photos):
    picks = [(photos["east_before"], photos["east_after"]), (photos["north_before"], photos["north_after"]),
             (photos["road_before"], photos["road_after"]), (photos["west_before"], photos["west_after"])]
    made = pair_several(project, engineer, picks)
    assert [(pair.before_id, pair.after_id) for pair in made] == picks
    assert saved_pairs() == sorted(picks)
    assert pair_entries() == [{"before": before, "after": after} for before, after in picks]
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "photo.pair")).all()
    assert {(entry.user_id, entry.target_id) for entry in entries} == {(engineer.id, project.code)}
    assert all(pair.created_by_id == engineer.id and pair.project_id == project.id
               for pair in db.session.scalars(sa.select(PhotoPair)))


@pytest.mark.parametrize(
    "bad_pick, reason",
    [
        (("east_after", "north_after"), "请将一张改造前照片与一张改造后照片配对。"),
        (("north_before", "site_during"), "请将一张改造前照片与一张改造后照片配对。"),
        (
            ("north_before", "road_after"),
            "两张照片属于不同的改造阶段（立面改造、道路硬化），请先在照片页修改其中一张的改造阶段。",
        ),
        (
            ("north_before", "east_after"),
            "这张改造后照片同时勾选给了另一张改造前照片；每张照片只能配成一对。",
        ),  # east_after is in the first pick
    ],
)
def test_one_bad_pick_refuses_the_whole_batch_and_says_which_and_why(project, engineer, photos, bad_pick, reason):
    picks = [
        (photos["east_before"], photos["east_after"]),
        tuple(photos[name] for name in bad_pick),
        (photos["west_before"], photos["west_after"]),
    ]
    with pytest.raises(PairsRefused) as refused:
        pair_several(project, engineer, picks)
    assert list(refused.value.errors) == [1]
    assert chinese(refused.value.errors[1]) == reason
    assert saved_pairs() == [] and pair_entries() == []


def test_every_bad_pick_of_a_batch_is_reported(project, engineer, photos):
    other = make_project("ZP-2026-002", compound="粮食局宿舍")
    elsewhere = add_photo(other, engineer, "别处.jpg", io.BytesIO(samples.jpeg(seed=50)), "after", "facade").id
    delete_photo(_photo(photos["north_after"]), engineer)
    picks = [
        (photos["east_before"], elsewhere),
        (photos["north_before"], photos["north_after"]),
        (photos["road_before"], photos["road_after"]),
        (photos["road_before"], 999_999),
    ]
    with pytest.raises(PairsRefused) as refused:
        pair_several(project, engineer, picks)
    problems = {at: chinese(message) for at, message in refused.value.errors.items()}
    assert problems == {0: "两张照片必须属于本项目。", 1: "两张照片必须属于本项目。", 3: "两张照片必须属于本项目。"}
    assert saved_pairs() == []


def test_a_photo_already_in_a_pair_is_refused(project, engineer, photos):
    pair_photos(project, engineer, _photo(photos["east_before"]), _photo(photos["east_after"]))
    with pytest.raises(PairsRefused) as refused:
        pair_several(
            project,
            engineer,
            [
                (photos["road_before"], photos["road_after"]),
                (photos["east_before"], photos["north_after"]),
                (photos["north_before"], photos["east_after"]),
            ],
        )
    assert {at: chinese(message) for at, message in refused.value.errors.items()} == {
        1: "其中一张照片已在其他对比组中，请先解除该对比。",
        2: "其中一张照片已在其他对比组中，请先解除该对比。",
    }
    assert saved_pairs() == [(photos["east_before"], photos["east_after"])]


def test_the_same_before_photo_twice_in_a_batch_is_refused(project, engineer, photos):
    with pytest.raises(PairsRefused) as refused:
        pair_several(
            project,
            engineer,
            [(photos["east_before"], photos["east_after"]), (photos["east_before"], photos["north_after"])],
        )
    assert {at: chinese(message) for at, message in refused.value.errors.items()} == {
        1: "这张改造前照片被选了两次；每张照片只能配成一对。"
    }
    assert saved_pairs() == []


def test_a_pair_made_by_someone_else_meanwhile_refuses_the_batch(project, engineer, photos, monkeypatch):
    """Between the checks and the commit a colleague paired one of the photos: the database's
    unique constraint refuses the batch, nothing of it is saved, and the session goes on."""
    pair_photos(project, engineer, _photo(photos["east_before"]), _photo(photos["east_after"]))
    monkeypatch.setattr(photo_pairing, "_paired", lambda ids: set())  # the checks ran before the colleague's save
    with pytest.raises(PairsRefused) as refused:
        pair_several(
            project,
            engineer,
            [(photos["road_before"], photos["road_after"]), (photos["north_before"], photos["east_after"])],
        )
    assert chinese(refused.value.errors[1]) == "其中一张照片已在其他对比组中，请先解除该对比。"
    assert saved_pairs() == [(photos["east_before"], photos["east_after"])]
    assert [entry["before"] for entry in pair_entries()] == [photos["east_before"]]


@pytest.mark.parametrize(
    "before_stage, after_stage, fits",
    [
        ("facade", "facade", True),
        ("facade", "paving", False),
        ("paving", "facade", False),
        ("rain_sewage", "paving", False),
        (None, "paving", True),  # a photo without a stage claims none
        ("facade", None, True),
        (None, None, True),
        ("survey", "paving", True),  # the survey photographs the compound before every stage's work
        ("paving", "survey", False),
    ],
)
def test_the_stage_rule(before_stage, after_stage, fits):
    assert stages_fit(before_stage, after_stage) is fits


def test_one_pair_at_a_time_follows_the_same_rules(project, engineer, photos):
    with pytest.raises(PairsRefused) as refused:
        pair_photos(project, engineer, _photo(photos["north_before"]), _photo(photos["road_after"]))
    assert "不同的改造阶段" in chinese(refused.value.errors[0])
    assert saved_pairs() == []


def test_changing_a_paired_photos_stage_to_another_drops_the_pair(project, engineer, photos):
    pair_photos(project, engineer, _photo(photos["east_before"]), _photo(photos["east_after"]))
    update_photo(_photo(photos["east_after"]), engineer, "after", None, "不指定阶段")  # still fits
    assert saved_pairs() == [(photos["east_before"], photos["east_after"])]
    update_photo(_photo(photos["east_after"]), engineer, "after", "paving", "")
    assert saved_pairs() == []
    assert pair_entries()[-1] == {"before": photos["east_before"], "after": photos["east_after"]}
    actions = list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-2:] == ["photo.unpair", "photo.update"]
