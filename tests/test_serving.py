"""The real gunicorn, started with the configuration ``./scripts/run`` uses, keeps answering while
slow clients hold connections open with half a request header (the starvation of issue 10)."""
import http.client
import os
import socket
import time
from contextlib import contextmanager

import pytest

from tests import app_hosts
from tests.app_hosts import ROOT, free_port

pytestmark = pytest.mark.slow

HALF_A_HEADER = b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow"
WORKERS = 3


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
    port = free_port()
    env = {**os.environ, "RENOVATION_DATABASE_URL": database_url, "RENOVATION_INSTANCE_PATH": app.instance_path,
           "RENOVATION_SECRET_KEY": "test-secret", "RENOVATION_QUEUE_URL": "immediate",
           "RENOVATION_HOST": "127.0.0.1", "RENOVATION_PORT": str(port), "RENOVATION_WORKERS": str(WORKERS)}
    with app_hosts.gunicorn(env):
        assert _get(port)[0] == 200
        yield port


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
