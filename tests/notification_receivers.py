"""Real receivers on the loopback for the notifications' deliveries: an SMTP server (aiosmtpd)
standing in for the bureau's mail server, and an HTTP server standing in for a chat robot's
webhook (企业微信 or 钉钉), which can fail a number of times before it accepts."""
import json
import socket
import threading
from contextlib import contextmanager
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class RobotReceiver:
    """A robot's webhook: records every POST (path, query, JSON body) and answers it. The first
    ``failures`` posts get ``failure`` (an HTTP status, or "errcode" for a 200 with an error code
    as the robots send when a key is wrong); later ones ``{"errcode": 0, "errmsg": "ok"}``."""

    def __init__(self, failures: int = 0, failure: int | str = 500, redirect_to: str | None = None):
        self.failures, self.failure, self.redirect_to = failures, failure, redirect_to
        self.posts: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                parts = urlsplit(self.path)
                with receiver.lock:
                    receiver.posts.append({"path": parts.path, "query": parse_qs(parts.query),
                                           "json": json.loads(body), "content_type": self.headers["Content-Type"]})
                    failing = len(receiver.posts) <= receiver.failures
                if receiver.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", receiver.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif failing and receiver.failure == "errcode":
                    self._answer(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
                elif failing:
                    self._answer(receiver.failure, {"error": "down for maintenance"})
                else:
                    self._answer(200, {"errcode": 0, "errmsg": "ok"})

            def _answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/webhook/send?key=test-key"

    def __enter__(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                              "message": message_from_bytes(envelope.content, policy=policy.default),
                              "login": getattr(session, "login_data", None)})
        return "250 OK"


@contextmanager
def smtp_server(user: str = "notifier", password: str = "mail-secret"):
    """An SMTP server on the loopback that takes ``user``/``password`` (without TLS: it is the
    loopback) and keeps what it receives in ``.messages``; ``.port`` is where it listens."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            user.encode(), password.encode())
        return AuthResult(success=ok)

    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port(), authenticator=authenticate,
                            auth_require_tls=False)
    controller.start()
    controller.messages = collector.messages
    try:
        yield controller
    finally:
        controller.stop()
