"""Background jobs on a huey queue, so that slow work (rendering a bulletin, previewing a large
ledger) never holds a web worker: the page enqueues, a separate worker process does the job,
the page polls for the result.

``QUEUE_URL`` chooses where the queue lives:
- empty (the default): a SQLite file ``queue.db`` in the instance folder — one server, nothing
  to install;
- ``redis://host:6379/0``: Redis, when the bureau runs several servers;
- ``immediate``: each job runs at once inside the caller (the tests; the command line).

The worker is ``flask --app renovation worker``; ``./scripts/run`` starts it beside gunicorn under
:mod:`renovation.supervisor`, which restarts it when it dies. Jobs record their own outcome in the
database (a failed render is marked failed with its error), so nothing depends on huey's result
store.

A job in flight when its worker is killed is lost to the queue (huey has already taken it off).
Renders hold a lease instead (:mod:`renovation.domain.bulletins.render_lease`): the worker, when it starts
and then every half lease, queues again each bulletin whose lease ran out, and each bulletin
queued long ago that is not in the queue (:func:`recover_renders`). Rendering is idempotent (the
number was given at issue; the claim and the result are conditional), so a job queued twice
renders once.
"""
import logging
import threading
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app

if TYPE_CHECKING:
    from huey import Huey

QUEUE_NAME = "renovation"
_making_queue = threading.Lock()


def init_app(app: Flask) -> None:
    """Register the ``worker`` command. The queue itself is made when first used
    (:func:`app_queue`): huey and the Redis client cost a fifth of a second to import, which the
    command line and a server that never queues need not pay."""
    app.cli.add_command(worker)


def app_queue(app: Flask) -> "Huey":
    """The app's queue, made on first use and kept in ``app.extensions["queue"]``."""
    return _queue_and_jobs(app)[0]


def app_jobs(app: Flask) -> dict:
    """The app's jobs by name (see :func:`register_jobs`), kept in ``app.extensions["queue_jobs"]``."""
    return _queue_and_jobs(app)[1]


def _queue_and_jobs(app: Flask) -> tuple:
    with _making_queue:
        if "queue" not in app.extensions:
            queue = make_queue(app.config.get("QUEUE_URL", ""), Path(app.instance_path))
            app.extensions["queue"] = queue
            app.extensions["queue_jobs"] = register_jobs(queue, app)
        return app.extensions["queue"], app.extensions["queue_jobs"]


def make_queue(url: str, instance_path: Path) -> "Huey":
    """The huey instance ``url`` names (see the module's docstring)."""
    from huey import MemoryHuey, RedisHuey, SqliteHuey

    if url == "immediate":
        return MemoryHuey(QUEUE_NAME, immediate=True, results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(QUEUE_NAME, url=url, results=False)
    path = Path(url.removeprefix("sqlite:///")) if url else instance_path / "queue.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(path), results=False)


def register_jobs(queue: "Huey", app: Flask) -> dict:
    """The jobs, each run inside an app context of ``app`` (the worker's own app)."""

    # Retries cover a render job that raised (the database away for a moment); a render that
    # failed on its own is recorded as failed and not retried.
    @queue.task(name="render_bulletin", retries=3, retry_delay=10)
    def render_bulletin(bulletin_id: int) -> None:
        from renovation.domain.bulletins.issue import render_bulletin as render

        with app.app_context():
            render(bulletin_id)

    @queue.task(name="preview_ledger")
    def preview_ledger(sha256: str) -> None:
        from renovation.ledger.kept_previews import compute_and_keep

        with app.app_context():
            compute_and_keep(sha256)

    from renovation.notifications import jobs as notification_jobs

    return {"render_bulletin": render_bulletin, "preview_ledger": preview_ledger,
            **notification_jobs.register(queue, app)}


def enqueue(job: str, *args) -> None:
    """Queue ``job`` with ``args``; in immediate mode it has run when this returns."""
    app = current_app._get_current_object()
    app_jobs(app)[job](*args)
    if app_queue(app).immediate:
        from renovation.extensions import db

        # The job wrote through its own app context's session: what the caller loaded is stale.
        db.session.expire_all()


def queue_description(queue: "Huey") -> str:
    """Where the queue lives, for people (no password shown)."""
    storage = queue.storage
    if queue.immediate:
        return "immediate (in the caller)"
    if hasattr(storage, "filename"):
        return f"SQLite {storage.filename}"
    pool = getattr(storage, "pool", None)
    kwargs = getattr(pool, "connection_kwargs", {}) if pool else {}
    return f"Redis {kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}"


def recover_renders(queue: "Huey", jobs: dict) -> list[int]:
    """Queue again the renders a dead worker left: bulletins whose lease ran out, and bulletins
    queued over a lease ago whose job is not in the queue. The ids queued, for the log."""
    from sqlalchemy import select

    from renovation.domain.bulletins.issue import requeue_bulletin, stalled
    from renovation.domain.bulletins.render_lease import render_lease
    from renovation.domain.clock import utcnow
    from renovation.extensions import db
    from renovation.models import Bulletin, RenderStatus

    stuck = [bulletin_id for bulletin_id in db.session.scalars(select(Bulletin.id).where(stalled()))
             if requeue_bulletin(bulletin_id)]
    waiting = queue.pending() + queue.scheduled()  # scheduled: a job waiting to be retried
    in_queue = {task.args[0] for task in waiting if task.name == "render_bulletin" and task.args}
    forgotten = db.session.scalars(select(Bulletin.id).where(
        Bulletin.render_status == RenderStatus.QUEUED.value, Bulletin.render_queued_at < utcnow() - render_lease()))
    recovered = stuck + [bulletin_id for bulletin_id in forgotten if bulletin_id not in {*in_queue, *stuck}]
    db.session.commit()
    for bulletin_id in recovered:
        jobs["render_bulletin"](bulletin_id)
    return recovered


def _recover_every(app: Flask, every: timedelta, stop: threading.Event) -> None:
    """The worker's recovery loop: :func:`recover_renders` now, then every ``every``."""
    from renovation.extensions import db

    log = logging.getLogger(__name__)
    while True:
        with app.app_context():
            try:
                recovered = recover_renders(app_queue(app), app_jobs(app))
                if recovered:
                    log.warning("queued again the renders a stopped worker left: bulletins %s", recovered)
            except Exception:  # the database may be away for a moment: try again next time
                log.exception("could not look for stalled renders")
            finally:
                db.session.remove()
        if stop.wait(every.total_seconds()):
            return


@click.command("worker")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Jobs run at the same time (threads).")
def worker(workers: int) -> None:
    """Run the background jobs (bulletin rendering, large ledger previews, notifications) until stopped with Ctrl-C
    or SIGTERM."""
    queue = app_queue(current_app._get_current_object())
    if queue.immediate:
        raise click.ClickException("QUEUE_URL is 'immediate': jobs run in the caller, there is no queue to serve.")
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    click.echo(f"Worker serving the queue at {queue_description(queue)} with {workers} thread(s).")
    from renovation.domain.bulletins.render_lease import render_lease

    app, stop = current_app._get_current_object(), threading.Event()
    threading.Thread(target=_recover_every, args=(app, render_lease() / 2, stop), daemon=True,
                     name="render-recovery").start()
    try:
        queue.create_consumer(workers=workers, worker_type="thread", graceful_signal="TERM").run()
    finally:
        stop.set()
