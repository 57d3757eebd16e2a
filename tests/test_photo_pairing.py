"""Pairing mode and stepping through photos (issue 11): tick a before and an after thumbnail,
配对, repeat; previous/next on the photo page in the gallery's order."""
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from renovation.domain.clock import utcnow
from renovation.domain.photo_operations import add_photo
from renovation.extensions import db
from renovation.models import Photo, PhotoPair, User
from tests.conftest import login, make_project, make_user
from tests.domain.photo_samples import jpeg

CODE = "ZP-2026-001"
HX = {"HX-Request": "true"}


@pytest.fixture
def project(app):
    return make_project(CODE)


@pytest.fixture
def shots(project):
    """Two before and two after photos of the project, and one during photo."""
    engineer = make_user("engineer", "engineer")
    made = {}
    for seed, (name, phase, stage) in enumerate((("东门-前.jpg", "before", "facade"), ("北门-前.jpg", "before", "paving"),
                                                 ("东门-后.jpg", "after", "facade"), ("北门-后.jpg", "after", "paving"),
                                                 ("开挖.jpg", "during", "rain_sewage"))):
        made[name] = add_photo(project, engineer, name, io.BytesIO(jpeg(seed=seed + 10)), phase, stage).id
    return made


def pairs() -> list[tuple[int, int]]:
    db.session.expire_all()
    return [(p.before_id, p.after_id) for p in db.session.scalars(sa.select(PhotoPair).order_by(PhotoPair.id))]


def test_the_gallery_leads_engineers_to_pairing_mode(client, shots):
    login(client, "engineer")
    page = client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert f'href="/projects/{CODE}/pairing"' in page and "配对改造前后照片" in page


def test_readers_are_not_offered_pairing_mode(client, shots):
    make_user("leader", "leader")
    login(client, "leader")
    assert f"/projects/{CODE}/pairing" not in client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert client.get(f"/projects/{CODE}/pairing").status_code == 403


def test_pairing_mode_shows_unpaired_thumbnails_to_tick(client, shots):
    login(client, "engineer")
    page = client.get(f"/projects/{CODE}/pairing").get_data(as_text=True)
    before = re.findall(r'name="before" value="(\d+)"', page)
    after = re.findall(r'name="after" value="(\d+)"', page)
    assert sorted(map(int, before)) == sorted([shots["东门-前.jpg"], shots["北门-前.jpg"]])
    assert sorted(map(int, after)) == sorted([shots["东门-后.jpg"], shots["北门-后.jpg"]])
    for photo_id in (*before, *after):
        assert f"/photos/{photo_id}/thumbnail" in page


def test_two_pairs_one_after_the_other_in_place(client, shots):
    login(client, "engineer")
    url = f"/projects/{CODE}/pairing"
    first = client.post(url, data={"before": shots["东门-前.jpg"], "after": shots["东门-后.jpg"]}, headers=HX)
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert "<html" not in html and 'id="pair-picker"' in html and "已配对" in html
    # The paired photos leave the picker; the others are ready for the next pair.
    assert f'value="{shots["东门-前.jpg"]}"' not in html and f'value="{shots["北门-前.jpg"]}"' in html
    second = client.post(url, data={"before": shots["北门-前.jpg"], "after": shots["北门-后.jpg"]})
    assert second.status_code == 303 and second.headers["Location"].endswith(url)
    assert pairs() == [(shots["东门-前.jpg"], shots["东门-后.jpg"]), (shots["北门-前.jpg"], shots["北门-后.jpg"])]


def test_a_missing_or_wrong_tick_is_explained_and_pairs_nothing(client, shots):
    login(client, "engineer")
    url = f"/projects/{CODE}/pairing"
    response = client.post(url, data={"after": shots["东门-后.jpg"]}, headers=HX)
    assert response.status_code == 422 and "请勾选一张改造前照片" in response.get_data(as_text=True)
    assert f'value="{shots["东门-后.jpg"]}" checked' in response.get_data(as_text=True)  # the tick is kept
    response = client.post(url, data={"before": shots["开挖.jpg"], "after": "x"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "请勾选一张改造前照片" in html and "请勾选一张同一角度的改造后照片" in html
    assert pairs() == []


def test_a_committee_member_may_not_pair(client, shots):
    make_user("committee", "committee", community="铁路社区")
    login(client, "committee")
    response = client.post(f"/projects/{CODE}/pairing", data={"before": shots["东门-前.jpg"], "after": shots["东门-后.jpg"]})
    assert response.status_code == 403 and pairs() == []


def test_previous_and_next_follow_the_gallery_order(client, shots):
    login(client, "engineer")
    gallery = client.get(f"/projects/{CODE}").get_data(as_text=True)
    order = [int(i) for i in re.findall(r'<li><a href="/photos/(\d+)">', gallery)]
    assert sorted(order) == sorted(shots.values())
    for at, photo_id in enumerate(order):
        page = client.get(f"/photos/{photo_id}").get_data(as_text=True)
        steps = re.search(r'<nav class="photo-steps".*?</nav>', page, re.S).group(0)
        previous = re.search(r'href="/photos/(\d+)" rel="prev"', steps)
        following = re.search(r'href="/photos/(\d+)" rel="next"', steps)
        assert (int(previous.group(1)) if previous else None) == (order[at - 1] if at else None)
        assert (int(following.group(1)) if following else None) == (order[at + 1] if at + 1 < len(order) else None)
        assert f"第 {at + 1} 张，共 {len(order)} 张" in steps


def test_previous_and_next_stay_within_the_project(client, shots):
    other = make_project("ZP-2026-002", "粮食局宿舍", "城中社区", "菁城街道")
    engineer = db.session.scalar(sa.select(User).where(User.username == "engineer"))
    add_photo(other, engineer, "别处.jpg", io.BytesIO(jpeg(seed=99)), "before", None)
    login(client, "engineer")
    ids = set(shots.values())
    for photo_id in ids:
        steps = re.findall(r'href="/photos/(\d+)" rel="(?:prev|next)"', client.get(f"/photos/{photo_id}").get_data(as_text=True))
        assert set(map(int, steps)) <= ids
