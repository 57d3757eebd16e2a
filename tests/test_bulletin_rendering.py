"""Rendering in the background: a render whose worker died (its lease not renewed for
BULLETIN_RENDER_LEASE) is claimed again, and the bulletin's page says when a render is stalled or when no worker seems
to be running."""
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from renovation import tasks
from renovation.domain.bulletins import archive as bulletin_archive
from renovation.domain.bulletins.issue import Scope, issue_bulletin, render_bulletin, requeue_bulletin
from renovation.domain.clock import utcnow
from renovation.extensions import db
from renovation.models import Bulletin
from tests.bulletin_samples import programme
from tests.conftest import login, make_user

WORKER_COMMAND = "flask --app renovation worker"


def _bulletin(engineer, **state) -> Bulletin:
    """A queued bulletin, then put in ``state`` (as a worker would have left it)."""
    bulletin = issue_bulletin("city", Scope(), engineer, render=False)
    for name, value in state.items():
        setattr(bulletin, name, value)
    db.session.commit()
    return bulletin


def _reloaded(bulletin_id: int) -> Bulletin:
    db.session.expire_all()
    return db.session.get(Bulletin, bulletin_id)


def _status_fragment(client, bulletin: Bulletin) -> str:
    response = client.get(f"/bulletins/{bulletin.id}?fragment=status", headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def english_engineer(client, engineer):
    programme()
    login(client)
    client.set_cookie("lang", "en")
    return engineer


@pytest.mark.slow
def test_issuing_records_when_the_render_was_queued(app, engineer):
    programme()
    bulletin = issue_bulletin("city", Scope(), engineer, render=False)
    assert bulletin.render_queued_at == bulletin.issued_at and bulletin.render_started_at is None
    done = render_bulletin(bulletin.id)
    assert done.render_status == "done" and done.render_started_at >= bulletin.issued_at


def test_a_render_in_progress_is_left_alone_until_it_stalls(app, engineer):
    programme()
    busy = _bulletin(engineer, render_status="rendering", render_started_at=utcnow() - timedelta(seconds=50))
    assert render_bulletin(busy.id).render_status == "rendering"  # another worker is on it
    assert requeue_bulletin(busy.id) is False
    assert not bulletin_archive.render_progress(_reloaded(busy.id)).stalled

    busy.render_started_at = utcnow() - timedelta(seconds=70)  # its lease (a minute) not renewed
    db.session.commit()
    assert bulletin_archive.render_progress(busy).stalled
    rendered = render_bulletin(busy.id)
    assert rendered.render_status == "done" and utcnow() - rendered.render_started_at < timedelta(minutes=1)


def test_a_stalled_render_is_queued_again_and_the_lease_is_configurable(app, engineer):
    programme()
    app.config["BULLETIN_RENDER_LEASE"] = timedelta(seconds=5)
    stuck = _bulletin(engineer, render_status="rendering", render_started_at=utcnow() - timedelta(seconds=6))
    assert bulletin_archive.render_progress(stuck).stalled
    assert requeue_bulletin(stuck.id) is True
    queued = _reloaded(stuck.id)
    assert (queued.render_status, queued.render_started_at) == ("queued", None)
    assert utcnow() - queued.render_queued_at < timedelta(minutes=1)
    assert requeue_bulletin(stuck.id) is False  # queued already: nothing more to queue


@pytest.mark.slow
def test_the_page_says_a_render_stalled_and_an_engineer_renders_it_again(client, app, english_engineer):
    stuck = _bulletin(english_engineer, render_status="rendering",
                      render_started_at=utcnow() - timedelta(minutes=30))
    html = _status_fragment(client, stuck)
    assert "stopped while rendering" in html and "by itself" in html
    assert "hx-trigger" not in html, "a stalled render is not polled"
    assert f"/bulletins/{stuck.id}/render" in html
    response = client.post(f"/bulletins/{stuck.id}/render")
    assert response.status_code == 303 and response.headers["Location"] == f"/bulletins/{stuck.id}"
    assert _reloaded(stuck.id).render_status == "done"  # queued, and run at once in the tests

    make_user("leader", "leader")
    leader = app.test_client()
    login(leader, "leader")
    other = _bulletin(english_engineer, render_status="rendering", render_started_at=utcnow() - timedelta(hours=1))
    leader_html = _status_fragment(leader, other)
    assert "hx-trigger" not in leader_html and f"/bulletins/{other.id}/render" not in leader_html


def test_a_long_wait_in_the_queue_says_how_to_start_the_worker(client, english_engineer, monkeypatch):
    monkeypatch.setattr(tasks, "enqueue", lambda job, *args: None)  # no worker takes the job
    fresh = _bulletin(english_engineer)
    html = _status_fragment(client, fresh)
    assert 'hx-trigger="every 1s"' in html and WORKER_COMMAND not in html

    waiting = _bulletin(english_engineer, render_queued_at=utcnow() - timedelta(minutes=2))
    html = _status_fragment(client, waiting)
    assert "may not be running" in html and WORKER_COMMAND in html
    assert 'hx-trigger="every 1s"' in html, "the page keeps asking: the worker may start"
    assert "/render" not in html, "a queued bulletin is not queued twice"


def test_a_render_just_claimed_is_not_stalled_and_keeps_polling(client, english_engineer):
    rendering = _bulletin(english_engineer, render_status="rendering", render_started_at=utcnow())
    html = _status_fragment(client, rendering)
    assert "Rendering…" in html and 'hx-trigger="every 1s"' in html and "/render" not in html


@pytest.mark.slow
def test_a_long_render_renews_its_lease_and_is_not_claimed_twice(app, engineer, monkeypatch):
    from renovation.domain.bulletins import issue as bulletins

    programme()
    app.config["BULLETIN_RENDER_LEASE"] = timedelta(milliseconds=300)
    bulletin = _bulletin(engineer)
    real_render, seen = bulletins.render_pdf, {}

    def slow_render(snapshot):
        time.sleep(1)  # three leases long: renewed meanwhile, so nobody else may claim it
        seen["second claim"] = render_bulletin(bulletin.id).render_status
        return real_render(snapshot)

    monkeypatch.setattr(bulletins, "render_pdf", slow_render)
    issued = utcnow()
    done = render_bulletin(bulletin.id)
    assert seen["second claim"] == "rendering" and done.render_status == "done"
    assert done.render_started_at - issued > timedelta(milliseconds=500)  # the last renewal


@pytest.mark.slow
def test_a_render_that_lost_its_lease_writes_nothing(app, engineer, monkeypatch):
    from renovation.domain.bulletins import issue as bulletins

    programme()
    bulletin = _bulletin(engineer)
    real_render, other_claim = bulletins.render_pdf, utcnow() + timedelta(seconds=5)

    def render_while_another_worker_claims_it(snapshot):
        db.session.execute(sa.update(Bulletin).where(Bulletin.id == bulletin.id)
                           .values(render_started_at=other_claim))  # as if it stalled and was claimed again
        db.session.commit()
        return real_render(snapshot)

    monkeypatch.setattr(bulletins, "render_pdf", render_while_another_worker_claims_it)
    result = render_bulletin(bulletin.id)
    assert (result.render_status, result.pdf_sha256, result.render_started_at) == ("rendering", None, other_claim)


def test_the_worker_recovers_stalled_and_forgotten_renders(app, engineer, tmp_path):
    programme()
    stalled = _bulletin(engineer, render_status="rendering", render_started_at=utcnow() - timedelta(minutes=5))
    forgotten = _bulletin(engineer, render_queued_at=utcnow() - timedelta(minutes=5))
    busy = _bulletin(engineer, render_status="rendering", render_started_at=utcnow())
    waiting = _bulletin(engineer, render_queued_at=utcnow() - timedelta(minutes=5))
    queue = tasks.make_queue(f"sqlite:///{tmp_path / 'queue.db'}", tmp_path)
    jobs = tasks.register_jobs(queue, app)
    jobs["render_bulletin"](waiting.id)  # its job is in the queue: not queued twice

    assert sorted(tasks.recover_renders(queue, jobs)) == sorted([stalled.id, forgotten.id])
    assert sorted(task.args[0] for task in queue.pending()) == sorted([waiting.id, stalled.id, forgotten.id])
    assert _reloaded(stalled.id).render_status == "queued" and _reloaded(busy.id).render_status == "rendering"
    assert tasks.recover_renders(queue, jobs) == []  # all in the queue now
