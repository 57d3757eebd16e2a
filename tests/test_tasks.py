"""Background jobs: the queue each setting gives, and a real worker process rendering a queued
bulletin from a SQLite queue and from Redis while the test (the "web side") goes on."""
import os
import signal
import time
from pathlib import Path

import pytest
from huey import MemoryHuey, RedisHuey, SqliteHuey

from renovation import tasks
from renovation.domain.bulletins.issue import Scope, issue_bulletin, pdf_bytes
from renovation.extensions import db
from renovation.models import Bulletin
from tests.conftest import make_project
from tests.worker_process import supervised_slow_worker, worker_process

REDIS_URL = os.environ.get("RENOVATION_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_the_default_queue_is_a_sqlite_file_in_the_instance_folder(tmp_path):
    queue = tasks.make_queue("", tmp_path / "instance")
    assert isinstance(queue, SqliteHuey) and not queue.immediate
    assert Path(queue.storage.filename) == tmp_path / "instance" / "queue.db"
    assert tasks.queue_description(queue) == f"SQLite {tmp_path / 'instance' / 'queue.db'}"


def test_redis_and_immediate_queues(tmp_path):
    redis_queue = tasks.make_queue("redis://10.0.0.7:6380/2", tmp_path)
    assert isinstance(redis_queue, RedisHuey)
    assert tasks.queue_description(redis_queue) == "Redis 10.0.0.7:6380/2"
    immediate = tasks.make_queue("immediate", tmp_path)
    assert isinstance(immediate, MemoryHuey) and immediate.immediate


def test_the_worker_command_refuses_an_immediate_queue(runner):
    result = runner.invoke(args=["worker"])
    assert result.exit_code != 0 and "immediate" in result.output


def _queued_bulletin(engineer) -> Bulletin:
    make_project()
    bulletin = issue_bulletin("city", Scope(), engineer, render=False)
    assert bulletin.render_status == "queued" and bulletin.pdf_sha256 is None
    return bulletin


def _run_worker_until_rendered(app, database_url, queue_url, bulletin_id) -> Bulletin:
    with worker_process(app, database_url, queue_url) as worker:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and worker.poll() is None:
            db.session.expire_all()
            bulletin = db.session.get(Bulletin, bulletin_id)
            if bulletin.render_status in ("done", "failed"):
                return bulletin
            time.sleep(0.2)
        raise AssertionError(f"the worker did not render the bulletin: {bulletin.render_status}")


@pytest.mark.slow
def test_a_worker_process_renders_a_bulletin_queued_in_sqlite(app, engineer, database_url, tmp_path):
    bulletin = _queued_bulletin(engineer)
    queue_url = f"sqlite:///{tmp_path / 'queue.db'}"
    queue = tasks.make_queue(queue_url, tmp_path)
    tasks.register_jobs(queue, app)["render_bulletin"](bulletin.id)
    assert queue.pending_count() == 1  # queued: nothing rendered in the caller
    db.session.expire_all()
    assert db.session.get(Bulletin, bulletin.id).render_status == "queued"

    rendered = _run_worker_until_rendered(app, database_url, queue_url, bulletin.id)
    assert rendered.render_status == "done", rendered.render_error
    assert pdf_bytes(rendered).startswith(b"%PDF-")
    assert queue.pending_count() == 0


@pytest.mark.slow
def test_a_worker_process_renders_a_bulletin_queued_in_redis(app, engineer, database_url, tmp_path):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required under CI at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    bulletin = _queued_bulletin(engineer)
    queue = tasks.make_queue(REDIS_URL, tmp_path)
    queue.flush()
    tasks.register_jobs(queue, app)["render_bulletin"](bulletin.id)
    assert queue.pending_count() == 1
    rendered = _run_worker_until_rendered(app, database_url, REDIS_URL, bulletin.id)
    assert rendered.render_status == "done", rendered.render_error
    assert queue.pending_count() == 0
    queue.flush()


@pytest.mark.slow
def test_immediate_mode_renders_in_the_caller(app, engineer):
    bulletin = _queued_bulletin(engineer)
    tasks.enqueue("render_bulletin", bulletin.id)
    db.session.expire_all()
    assert db.session.get(Bulletin, bulletin.id).render_status == "done"


def _wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/stat").exists() or Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


@pytest.mark.slow
def test_a_worker_killed_mid_render_is_restarted_and_the_bulletin_rendered_once(app, engineer, database_url,
                                                                              tmp_path):
    """kill -9 of the worker while it renders: the supervisor starts it again, the render whose
    lease ran out is claimed again by itself, and the bulletin is rendered once, with its number."""
    bulletin = _queued_bulletin(engineer)
    number = bulletin.number
    queue_url = f"sqlite:///{tmp_path / 'queue.db'}"
    queue = tasks.make_queue(queue_url, tmp_path)
    tasks.register_jobs(queue, app)["render_bulletin"](bulletin.id)
    pid_file = tmp_path / "worker.pid"
    with supervised_slow_worker(app, database_url, queue_url, pid_file) as supervisor:
        _wait_for(lambda: db.session.get(Bulletin, bulletin.id).render_status == "rendering", 90, "the render to start")
        first_worker = int(pid_file.read_text())
        os.kill(first_worker, signal.SIGKILL)
        _wait_for(lambda: not _pid_alive(first_worker), 10, "the worker to die")
        killed = db.session.get(Bulletin, bulletin.id)
        assert killed.render_status == "rendering" and killed.pdf_sha256 is None  # killed mid-render

        rendered = _wait_for(lambda: (found := db.session.get(Bulletin, bulletin.id)).render_status == "done"
                             and found, 120, "the bulletin to be rendered after the restart")
        second_worker = int(pid_file.read_text())
        assert second_worker != first_worker and _pid_alive(second_worker)
        assert supervisor.poll() is None
    assert supervisor.returncode in (0, -15, 143), supervisor.output
    assert not _pid_alive(second_worker), "stopping the supervisor stops the worker"

    assert pdf_bytes(rendered).startswith(b"%PDF-")
    assert (rendered.number, db.session.query(Bulletin).count()) == (number, 1)
    assert supervisor.output.count(f"bulletin {bulletin.id}: done") == 1, supervisor.output
    stored = list(Path(app.config["PHOTO_STORAGE_PATH"], "bulletins").rglob("*.pdf"))
    assert [path.name for path in stored] == [f"{rendered.pdf_sha256}.pdf"]
    assert "starting it again" in supervisor.output
    assert queue.pending_count() == 0
