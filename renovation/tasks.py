"""Background jobs on a huey queue, so that slow work (rendering a bulletin, previewing a large
ledger) never holds a web worker: the page enqueues, a separate worker process does the job,
the page polls for the result.

``QUEUE_URL`` chooses where the queue lives:
- empty (the default): a SQLite file ``queue.db`` in the instance folder — one server, nothing
  to install;
- ``redis://host:6379/0``: Redis, when the bureau runs several servers;
- ``immediate``: each job runs at once inside the caller (the tests; the command line).

The worker is ``flask --app renovation worker``; ``./scripts/run`` starts it beside gunicorn.
Jobs record their own outcome in the database (a failed render is marked failed with its error),
so nothing depends on huey's result store.
"""
import logging
from pathlib import Path

import click
from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

QUEUE_NAME = "renovation"


def init_app(app: Flask) -> None:
    """Create the app's queue, register its jobs and the ``worker`` command."""
    queue = make_queue(app.config.get("QUEUE_URL", ""), Path(app.instance_path))
    app.extensions["queue"] = queue
    app.extensions["queue_jobs"] = register_jobs(queue, app)
    app.cli.add_command(worker)


def make_queue(url: str, instance_path: Path) -> Huey:
    """The huey instance ``url`` names (see the module's docstring)."""
    if url == "immediate":
        return MemoryHuey(QUEUE_NAME, immediate=True, results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(QUEUE_NAME, url=url, results=False)
    path = Path(url.removeprefix("sqlite:///")) if url else instance_path / "queue.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(path), results=False)


def register_jobs(queue: Huey, app: Flask) -> dict:
    """The jobs, each run inside an app context of ``app`` (the worker's own app)."""

    @queue.task(name="render_bulletin")
    def render_bulletin(bulletin_id: int) -> None:
        from renovation.domain.bulletins import render_bulletin as render

        with app.app_context():
            render(bulletin_id)

    @queue.task(name="preview_ledger")
    def preview_ledger(sha256: str) -> None:
        from renovation.ledger.kept_previews import compute_and_keep

        with app.app_context():
            compute_and_keep(sha256)

    return {"render_bulletin": render_bulletin, "preview_ledger": preview_ledger}


def enqueue(job: str, *args) -> None:
    """Queue ``job`` with ``args``; in immediate mode it has run when this returns."""
    current_app.extensions["queue_jobs"][job](*args)
    if current_app.extensions["queue"].immediate:
        from renovation.extensions import db

        # The job wrote through its own app context's session: what the caller loaded is stale.
        db.session.expire_all()


def queue_description(queue: Huey) -> str:
    """Where the queue lives, for people (no password shown)."""
    storage = queue.storage
    if queue.immediate:
        return "immediate (in the caller)"
    if hasattr(storage, "filename"):
        return f"SQLite {storage.filename}"
    pool = getattr(storage, "pool", None)
    kwargs = getattr(pool, "connection_kwargs", {}) if pool else {}
    return f"Redis {kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}"


@click.command("worker")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Jobs run at the same time (threads).")
def worker(workers: int) -> None:
    """Run the background jobs (bulletin rendering, large ledger previews) until stopped with Ctrl-C or SIGTERM."""
    queue = current_app.extensions["queue"]
    if queue.immediate:
        raise click.ClickException("QUEUE_URL is 'immediate': jobs run in the caller, there is no queue to serve.")
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    click.echo(f"Worker serving the queue at {queue_description(queue)} with {workers} thread(s).")
    queue.create_consumer(workers=workers, worker_type="thread", graceful_signal="TERM").run()
