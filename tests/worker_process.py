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


@contextmanager
def supervised_slow_worker(app, database_url: str, queue_url: str, pid_file: Path, lease_seconds: int = 3):
    """``python -m renovation.supervisor`` (as ``./scripts/run`` starts the worker) running a worker
    whose renders are slow (:mod:`tests.slow_render_worker`), with a short render lease. Yields
    the supervisor; on leaving, stops it with SIGTERM and yields nothing more. Its output is
    ``supervisor.output`` afterwards."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "RENOVATION_DATABASE_URL": database_url, "RENOVATION_INSTANCE_PATH": app.instance_path,
           "RENOVATION_PHOTO_PATH": app.config["PHOTO_STORAGE_PATH"], "RENOVATION_QUEUE_URL": queue_url,
           "RENOVATION_BULLETIN_RENDER_LEASE_SECONDS": str(lease_seconds), "WORKER_PID_FILE": str(pid_file),
           "SLOW_RENDER_SECONDS": "3"}
    supervisor = subprocess.Popen([sys.executable, "-m", "renovation.supervisor",
                                   sys.executable, "-m", "tests.slow_render_worker"],
                                  cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        yield supervisor
    finally:
        supervisor.terminate()
        try:
            supervisor.output = supervisor.communicate(timeout=60)[0]
        except subprocess.TimeoutExpired:
            supervisor.kill()
            supervisor.output = supervisor.communicate()[0]
