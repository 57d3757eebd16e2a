"""How ``./scripts/run`` serves the app with gunicorn (``gunicorn --config gunicorn.conf.py wsgi:app``);
tests/test_serving.py starts the real server with this file.

Slow or hostile clients must not starve the server. With gunicorn's default sync workers, four
connections that send half a request header held all three workers for 38 seconds. Here:

- threaded workers (``gthread``): a connection that has sent nothing waits in the worker's
  event loop, not on a thread; 3 workers × 16 threads = 48 requests served at once, and a worker
  whose threads are all busy leaves new connections to the others;
- a thread that has started reading a request header waits at most ``HEADER_READ_TIMEOUT``
  (10 s) for each further piece of it, then the connection is closed (gunicorn itself puts no
  bound on this: a half-sent header would hold its thread for as long as the client likes);
- reading a request body and writing the response: at most ``timeout`` (60 s) without progress;
- idle kept-alive connections close after 5 s; request line and header fields are limited in size
  and number.

In production put nginx in front (see the README's deployment section): it buffers whole
requests and responses, so slow phones on site never hold a gunicorn thread at all.

Environment: ``RENOVATION_HOST`` / ``RENOVATION_PORT`` (127.0.0.1:5000), ``RENOVATION_WORKERS`` (3),
``RENOVATION_THREADS`` (16).
"""
import gc
import logging
import os

from gunicorn.workers.gthread import TConn, ThreadWorker

HEADER_READ_TIMEOUT = 10  # seconds a started request header may pause between pieces

bind = f"{os.environ.get('RENOVATION_HOST', '127.0.0.1')}:{os.environ.get('RENOVATION_PORT', '5000')}"
workers = int(os.environ.get("RENOVATION_WORKERS", "3"))
threads = int(os.environ.get("RENOVATION_THREADS", "16"))
worker_connections = 1000  # open connections per worker, most of them idle or waiting in the event loop
timeout = 60  # a worker silent this long is restarted; also the body/response bound below
graceful_timeout = 30  # on stop or reload, requests in flight get this long to finish
keepalive = 5
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
control_socket_disable = True


class BoundedReadConnection(TConn):
    """A connection whose every read of a request header is bounded by ``HEADER_READ_TIMEOUT``."""

    def init(self):
        super().init()  # runs before each request on the connection, after the socket is made blocking
        self.sock.settimeout(HEADER_READ_TIMEOUT)


class SlowClientSafeWorker(ThreadWorker):
    """gunicorn's threaded worker, with the header bound above and a longer one afterwards, that
    accepts a connection only while it has a free thread.

    Plain gthread workers accept up to ``worker_connections`` and queue them behind busy threads:
    one worker would take all twenty slow clients and the next ordinary request with them. Here
    a worker whose threads are all taken stops accepting, so another worker (or, when every one
    is busy, the listen backlog until a thread is free) takes the request.
    """

    in_pool = 0  # connections handed to the thread pool and not yet finished (main thread only)

    def enqueue_req(self, conn):
        self.in_pool += 1
        super().enqueue_req(conn)
        if self.in_pool >= self.cfg.threads:
            self.set_accept_enabled(False)

    def finish_request(self, *args):
        self.in_pool -= 1
        super().finish_request(*args)

    def set_accept_enabled(self, enabled):
        super().set_accept_enabled(enabled and self.in_pool < self.cfg.threads)

    def handle(self, conn):
        conn.__class__ = BoundedReadConnection  # gunicorn builds plain TConns; only init() changes
        return super().handle(conn)

    def handle_request(self, req, conn):
        # The header is in; the body (a 50 MB upload from a phone) and the response get longer.
        conn.sock.settimeout(self.cfg.timeout)
        return super().handle_request(req, conn)


worker_class = SlowClientSafeWorker


class SlowClientTimeoutsInOneLine(logging.Filter):
    """gunicorn logs a dropped slow client as a 'Socket error' with a traceback; under a slowloris
    that would flood the log. Say it in one line instead."""

    def filter(self, record):
        if record.exc_info and isinstance(record.exc_info[1], TimeoutError):
            record.msg, record.args = "Closed a connection whose request stopped arriving (read timeout).", ()
            record.exc_info, record.exc_text, record.levelno, record.levelname = None, None, logging.INFO, "INFO"
        return True


READY_MESSAGE = "Worker ready to serve"


def post_worker_init(worker):
    """After the worker has loaded the app: the app's own objects are set aside from the garbage
    collector, and one log line says so, so that tests and operators know when every worker takes
    requests (until then the others queue behind the booted ones).

    ``gc.freeze()``: the 140,000 objects of the loaded app (modules, templates, SQLAlchemy's
    mappings) live as long as the worker; left in the collector's oldest generation, every full
    collection walks them all, some 60 ms during which the worker's threads all wait, about once
    in 300 requests. Frozen, they are never walked; what requests make is collected as before."""
    gc.freeze()
    worker.log.error_log.addFilter(SlowClientTimeoutsInOneLine())
    worker.log.info("%s (pid %s)", READY_MESSAGE, worker.pid)
