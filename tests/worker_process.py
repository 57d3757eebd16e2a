"""A real background worker for tests: a ``flask worker`` process on the test's database,
instance folder and file storage, serving a queue the test's app enqueues into."""
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from renovation import tasks


def queue_jobs_into(app, queue_url: str):
    """Make ``app`` (an app of the tests, whose queue is immediate) enqueue into ``queue_url``."""
    queue = tasks.make_queue(queue_url, Path(app.instance_path))
    app.extensions["queue"], app.extensions["queue_jobs"] = queue, tasks.register_jobs(queue, app)
    return queue


@contextmanager
def worker_process(app, database_url: str, queue_url: str):
    """Run ``flask --app renovation worker`` on ``queue_url`` until the block ends; then stop it
    with SIGTERM (a graceful stop) and check that it served the queue."""
    env = {**os.environ, "RENOVATION_DATABASE_URL": database_url, "RENOVATION_INSTANCE_PATH": app.instance_path,
           "RENOVATION_PHOTO_PATH": app.config["PHOTO_STORAGE_PATH"], "RENOVATION_QUEUE_URL": queue_url}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "renovation", "worker"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        yield worker
    finally:
        worker.terminate()
        output = worker.communicate(timeout=60)[0]
        assert worker.returncode in (0, -15), output
        assert "Worker serving the queue" in output
