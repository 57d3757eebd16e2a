"""The real gunicorn, started with the configuration ``./scripts/run`` uses, keeps answering while
slow clients hold connections open with half a request header (the starvation of issue 10)."""
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "gunicorn.conf.py"
HALF_A_HEADER = b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow"
WORKERS = 3
READY_MESSAGE = "Worker ready to serve"  # what gunicorn.conf.py's post_worker_init logs


def _free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str = "/login", timeout: float = 5) -> tuple[int, float]:
    """``(status, seconds)`` of one ordinary request on a new connection."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        connection.close()


@contextmanager
def gunicorn(app, database_url: str):
    """gunicorn on a free loopback port with the committed configuration, on the test's database,
    once every worker has loaded the app (a worker still booting takes no connection, and the
    test would measure a machine busy starting, not one under slow clients)."""
    port = _free_port()
    env = {**os.environ, "RENOVATION_DATABASE_URL": database_url, "RENOVATION_INSTANCE_PATH": app.instance_path,
           "RENOVATION_SECRET_KEY": "test-secret", "RENOVATION_QUEUE_URL": "immediate",
           "RENOVATION_HOST": "127.0.0.1", "RENOVATION_PORT": str(port), "RENOVATION_WORKERS": str(WORKERS)}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", str(CONFIG), "wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(server.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        while sum(READY_MESSAGE in line for line in list(output)) < WORKERS:
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("gunicorn did not start:\n" + "".join(output))
            time.sleep(0.2)
        assert _get(port)[0] == 200
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        reader.join(timeout=10)
        server.stdout.close()


def test_scripts_run_serves_with_this_configuration():
    run = (ROOT / "scripts" / "run").read_text()
    assert "--config gunicorn.conf.py" in run


def test_twenty_slow_clients_do_not_starve_the_server(app, database_url):
    with gunicorn(app, database_url) as port:
        slow = []
        try:
            for _ in range(20):
                connection = socket.create_connection(("127.0.0.1", port), timeout=30)
                connection.sendall(HALF_A_HEADER)
                slow.append(connection)
            time.sleep(1)  # let the workers take them up
            for _ in range(5):
                status, seconds = _get(port, timeout=5)
                assert status == 200 and seconds < 1, seconds
            # The server gives up on a header that stops coming; the client sees the connection close.
            try:
                answer = slow[0].recv(1024)
            except ConnectionResetError:
                answer = b""
            assert answer == b"" or answer.startswith(b"HTTP/1.1 4")
        finally:
            for connection in slow:
                connection.close()
