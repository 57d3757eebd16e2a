"""Pairing mode and stepping through photos (issue 11): beside each before thumbnail tick the after
photo of the same viewpoint, in as many rows as wanted, and save them all at once (all or nothing,
a refusal beside its row); previous/next on the photo page in the gallery's order."""
import io
import re

import pytest
import sqlalchemy as sa

from renovation.domain.photos.operations import add_photo
from renovation.domain.photos.pairing import pair_photos
from renovation.extensions import db
from renovation.models import AuditEntry, Photo, PhotoPair, User
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
    for seed, (name, phase, stage) in enumerate(
        (
            ("东门-前.jpg", "before", "facade"),
            ("北门-前.jpg", "before", "paving"),
            ("东门-后.jpg", "after", "facade"),
            ("北门-后.jpg", "after", "paving"),
            ("开挖.jpg", "during", "rain_sewage"),
        )
    ):
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


def offered(page: str) -> dict[int, list[int]]:
    """The pairing page's rows: before photo id → the after photo ids it offers, in order."""
    rows = {}
    for name, value in re.findall(r'name="after_(\d+)" value="(\d*)"', page):
        rows.setdefault(int(name), [])
        if value:
            rows[int(name)].append(int(value))
    return rows


def audit_pairs() -> list[dict]:
    return [
        entry.details
        for entry in db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "photo.pair").order_by(AuditEntry.id)
        )
    ]


def test_pairing_mode_offers_each_before_photo_the_after_photos_of_its_stage(client, shots):
    login(client, "engineer")
    page = client.get(f"/projects/{CODE}/pairing").get_data(as_text=True)
    assert offered(page) == {shots["东门-前.jpg"]: [shots["东门-后.jpg"]], shots["北门-前.jpg"]: [shots["北门-后.jpg"]]}
    for photo_id in (shots["东门-前.jpg"], shots["东门-后.jpg"]):
        assert f"/photos/{photo_id}/thumbnail" in page
    # Each row starts on "not now": saving without ticking anything pairs nothing.
    assert page.count('value="" checked') == 2 and page.count("暂不配对") == 2
    assert "保存所勾选的配对" in page


def test_a_before_photo_of_the_survey_or_without_a_stage_is_offered_every_after_photo(client, shots, project):
    engineer = db.session.scalar(sa.select(User).where(User.username == "engineer"))
    survey = add_photo(project, engineer, "全景-前.jpg", io.BytesIO(jpeg(seed=40)), "before", "survey").id
    loose = add_photo(project, engineer, "小区-后.jpg", io.BytesIO(jpeg(seed=41)), "after", None).id
    login(client, "engineer")
    rows = offered(client.get(f"/projects/{CODE}/pairing").get_data(as_text=True))
    assert sorted(rows[survey]) == sorted([shots["东门-后.jpg"], shots["北门-后.jpg"], loose])
    # An after photo without a stage goes with any before photo, after those of its own stage.
    assert rows[shots["东门-前.jpg"]] == [shots["东门-后.jpg"], loose]


def test_several_pairs_saved_at_once_in_place(client, shots):
    login(client, "engineer")
    response = client.post(
        f"/projects/{CODE}/pairing",
        headers=HX,
        data={
            f"after_{shots['东门-前.jpg']}": shots["东门-后.jpg"],
            f"after_{shots['北门-前.jpg']}": shots["北门-后.jpg"],
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="pair-picker"' in html
    assert "已保存 2 对改造前后照片。" in html
    assert "东门-前.jpg → 东门-后.jpg" in html and "北门-前.jpg → 北门-后.jpg" in html
    assert "data-focus-after-swap" in html  # the result gets the focus
    assert offered(html) == {} and "没有可配对的照片" in html  # nothing left to pair
    made = [(shots["东门-前.jpg"], shots["东门-后.jpg"]), (shots["北门-前.jpg"], shots["北门-后.jpg"])]
    assert sorted(pairs()) == made
    assert sorted((entry["before"], entry["after"]) for entry in audit_pairs()) == made  # one entry a pair


def test_the_rows_left_stay_ready_for_the_next_pair(client, shots):
    login(client, "engineer")
    url = f"/projects/{CODE}/pairing"
    html = client.post(url, headers=HX, data={f"after_{shots['东门-前.jpg']}": shots["东门-后.jpg"]}).get_data(
        as_text=True
    )
    assert "已保存 1 对改造前后照片。" in html
    assert offered(html) == {shots["北门-前.jpg"]: [shots["北门-后.jpg"]]}
    # Without JavaScript: the same form, answered with a redirect to the page and its message.
    response = client.post(url, data={f"after_{shots['北门-前.jpg']}": shots["北门-后.jpg"]})
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    assert "已保存 1 对改造前后照片。" in client.get(url).get_data(as_text=True)
    assert pairs() == [(shots["东门-前.jpg"], shots["东门-后.jpg"]), (shots["北门-前.jpg"], shots["北门-后.jpg"])]


def test_nothing_ticked_is_explained_and_pairs_nothing(client, shots):
    login(client, "engineer")
    response = client.post(f"/projects/{CODE}/pairing", headers=HX, data={f"after_{shots['东门-前.jpg']}": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "请至少在一张改造前照片旁勾选一张改造后照片。" in html
    assert re.search(r'<p class="field-error[^"]*" id="pair-picker-error" tabindex="-1" data-focus-after-swap>', html)
    assert pairs() == []


def test_one_bad_pick_is_explained_beside_its_row_and_none_is_saved(client, shots, project):
    """Two rows ticking the same after photo: the second is refused beside it, the first is not
    saved either, and both ticks are kept for the engineer to correct."""
    engineer = db.session.scalar(sa.select(User).where(User.username == "engineer"))
    second = add_photo(project, engineer, "东门-前2.jpg", io.BytesIO(jpeg(seed=42)), "before", "facade").id
    first = shots["东门-前.jpg"]
    login(client, "engineer")
    response = client.post(
        f"/projects/{CODE}/pairing",
        headers=HX,
        data={
            f"after_{first}": shots["东门-后.jpg"],
            f"after_{second}": shots["东门-后.jpg"],
            f"after_{shots['北门-前.jpg']}": shots["北门-后.jpg"],
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and pairs() == [] and audit_pairs() == []
    rows = {int(at): body for at, body in re.findall(r'<fieldset id="pair-(\d+)"(.*?)</fieldset>', html, re.S)}
    # The newest before photo comes first: it keeps the after photo, the older row is refused.
    assert list(rows).index(second) < list(rows).index(first)
    assert (
        "这张改造后照片同时勾选给了另一张改造前照片；每张照片只能配成一对。" in rows[first]
        and 'aria-describedby="pair-%d-error"' % first in rows[first]
    )
    assert "field-error" not in rows[second] and "field-error" not in rows[shots["北门-前.jpg"]]
    for before in (first, second):
        assert f'value="{shots["东门-后.jpg"]}" checked' in rows[before]
    assert f'value="{shots["北门-后.jpg"]}" checked' in rows[shots["北门-前.jpg"]]


def test_an_after_photo_paired_meanwhile_is_refused_beside_its_row(client, shots, project):
    """The page was opened before a colleague paired the after photo (and its row went): the
    engineer is told why, nothing of the batch is saved."""
    engineer = db.session.scalar(sa.select(User).where(User.username == "engineer"))
    other_before = add_photo(project, engineer, "东门-前2.jpg", io.BytesIO(jpeg(seed=43)), "before", "facade")
    pair_photos(project, engineer, other_before, db.session.get(Photo, shots["东门-后.jpg"]))
    login(client, "engineer")
    response = client.post(
        f"/projects/{CODE}/pairing",
        headers=HX,
        data={
            f"after_{shots['东门-前.jpg']}": shots["东门-后.jpg"],
            f"after_{shots['北门-前.jpg']}": shots["北门-后.jpg"],
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and pairs() == [(other_before.id, shots["东门-后.jpg"])]
    row = re.search(r'<fieldset id="pair-%d"(.*?)</fieldset>' % shots["东门-前.jpg"], html, re.S).group(1)
    assert "其中一张照片已在其他对比组中" in row  # its row stays, with the reason, though nothing is left to tick


def test_a_before_photo_paired_meanwhile_is_refused_above_the_rows(client, shots, project):
    engineer = db.session.scalar(sa.select(User).where(User.username == "engineer"))
    other_after = add_photo(project, engineer, "东门-后2.jpg", io.BytesIO(jpeg(seed=45)), "after", "facade")
    pair_photos(project, engineer, db.session.get(Photo, shots["东门-前.jpg"]), other_after)
    login(client, "engineer")
    response = client.post(
        f"/projects/{CODE}/pairing",
        headers=HX,
        data={
            f"after_{shots['东门-前.jpg']}": shots["东门-后.jpg"],
            f"after_{shots['北门-前.jpg']}": shots["北门-后.jpg"],
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and pairs() == [(shots["东门-前.jpg"], other_after.id)]
    message = re.search(r'id="pair-picker-error"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert message == "本页勾选的一张照片已无法配对：其中一张照片已在其他对比组中，请先解除该对比。"
    assert f'value="{shots["北门-后.jpg"]}" checked' in html  # the good row's tick is kept


def test_before_photos_that_nothing_fits_are_listed_with_the_rule(client, shots, project):
    engineer = db.session.scalar(sa.select(User).where(User.username == "engineer"))
    lonely = add_photo(project, engineer, "路面-前.jpg", io.BytesIO(jpeg(seed=44)), "before", "acceptance").id
    login(client, "engineer")
    page = client.get(f"/projects/{CODE}/pairing").get_data(as_text=True)
    assert lonely not in offered(page)
    orphans = re.search(r'<details class="pair-orphans">(.*?)</details>', page, re.S).group(1)
    assert "1 张改造前照片暂无可配对的改造后照片" in orphans and f'href="/photos/{lonely}"' in orphans
    assert "须属于同一改造阶段" in orphans


def test_a_committee_member_may_not_pair(client, shots):
    make_user("committee", "committee", community="铁路社区")
    login(client, "committee")
    response = client.post(f"/projects/{CODE}/pairing", data={f"after_{shots['东门-前.jpg']}": shots["东门-后.jpg"]})
    assert response.status_code == 403 and pairs() == []


def test_the_photo_page_offers_only_after_photos_that_fit(client, shots):
    login(client, "engineer")
    page = client.get(f"/photos/{shots['东门-前.jpg']}").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="after".*?</select>', page, re.S).group(0)
    assert sorted(map(int, re.findall(r'value="(\d+)"', select))) == [shots["东门-后.jpg"]]
    response = client.post(f"/photos/{shots['东门-前.jpg']}/pair", data={"after": shots["北门-后.jpg"]})
    assert response.status_code == 422 and pairs() == []


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
        steps = re.findall(
            r'href="/photos/(\d+)" rel="(?:prev|next)"', client.get(f"/photos/{photo_id}").get_data(as_text=True)
        )
        assert set(map(int, steps)) <= ids
