"""App servers as if on hosts of their own, for tests: the real gunicorn with the committed
``gunicorn.conf.py``, background workers, and a browser that talks to several servers with one
cookie jar (as it would through nginx, which shows it one site whatever server answers).

Hosts. When the machine allows it (root, with ``unshare``, ``nsenter`` and ``ip``), each host is
a network namespace of its own, joined to this one by a veth pair: its server listens on the
host's own address (``10.213.x.2``), and it reaches PostgreSQL and Redis only through the address
given in its environment. PostgreSQL and Redis listen on 127.0.0.1 here, so a relay in the test
(:class:`Relay`) takes their connections at one *service address* (on the first host's link) and
passes them on, as the database server's address on the bureau's network would. Otherwise each
"host" is a set of processes on 127.0.0.1 with ports of its own, and :attr:`Hosts.isolation` says
why there are no namespaces.
"""
import http.client
import json as jsonlib
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = ROOT / "gunicorn.conf.py"
READY_MESSAGE = "Worker ready to serve"  # what gunicorn.conf.py's post_worker_init logs


def free_port(address: str = "127.0.0.1") -> int:
    with closing(socket.socket()) as probe:
        probe.bind((address, 0))
        return probe.getsockname()[1]


# --- hosts ----------------------------------------------------------------------------------------

@dataclass
class Host:
    """Where one host's processes run: ``address`` is what its server listens on, ``prefix`` the
    command that runs a program in its network namespace (empty without namespaces)."""

    name: str
    address: str
    prefix: list[str] = field(default_factory=list)


class Relay:
    """Passes every TCP connection made to ``listen`` (address, port) on to ``target``."""

    def __init__(self, listen: tuple[str, int], target: tuple[str, int]):
        self.target = target
        self.server = socket.create_server(listen)
        threading.Thread(target=self._accept, daemon=True, name=f"relay-{listen[1]}").start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return  # closed
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            threading.Thread(target=_carry, args=(client, upstream), daemon=True).start()

    def close(self) -> None:
        try:
            self.server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        except OSError:
            pass
        self.server.close()


def _carry(client: socket.socket, upstream: socket.socket) -> None:
    """Bytes both ways until both sides have finished (or one fails); then both sockets are closed."""
    with client, upstream:
        other = {client: upstream, upstream: client}
        sending = [client, upstream]
        while sending:
            readable, _, _ = select.select(sending, [], [])
            for source in readable:
                try:
                    data = source.recv(65536)
                    if data:
                        other[source].sendall(data)
                        continue
                    other[source].shutdown(socket.SHUT_WR)  # this side has finished: pass that on
                except OSError:
                    return
                sending.remove(source)


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=30)


def _namespace_ready(pid: int, seconds: float = 5) -> str:
    """The network namespace file of process ``pid``, once ``unshare`` has made its own."""
    ours = os.readlink("/proc/self/ns/net")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if os.readlink(f"/proc/{pid}/ns/net") != ours:
                return f"/proc/{pid}/ns/net"
        except FileNotFoundError:
            break
        time.sleep(0.02)
    raise OSError("unshare --net did not make a network namespace")


def with_host(url: str, host: str) -> str:
    """``url`` with its host replaced by ``host`` (user, password, port and path kept)."""
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    port = f":{parts.port}" if parts.port else ""
    return parts._replace(netloc=f"{userinfo + '@' if userinfo else ''}{host}{port}").geturl()


class Hosts:
    """``names`` hosts for the block's length (see the module's docstring). ``services`` are the
    URLs of the shared services (PostgreSQL, Redis) as this process reaches them; :meth:`url`
    gives each as the hosts reach it."""

    def __init__(self, names: list[str], services: list[str]):
        self.names, self.services = names, services
        self.hosts: dict[str, Host] = {}
        self.service_address = "127.0.0.1"
        self.isolation = ""
        self._holders: list[subprocess.Popen] = []
        self._links: list[str] = []
        self._relays: list[Relay] = []

    def __enter__(self) -> "Hosts":
        missing = [tool for tool in ("unshare", "nsenter", "ip") if shutil.which(tool) is None]
        if missing:
            self._without_namespaces(f"{', '.join(missing)} not installed")
        elif os.geteuid() != 0:
            self._without_namespaces("not root: making a network namespace and a veth pair needs "
                                     "CAP_SYS_ADMIN and CAP_NET_ADMIN")
        else:
            try:
                self._with_namespaces()
            except (OSError, subprocess.SubprocessError) as error:
                detail = getattr(error, "stderr", "") or error
                self.__exit__(None, None, None)
                self._without_namespaces(f"network namespaces failed here: {str(detail).strip()}")
        return self

    def url(self, service: str) -> str:
        """A shared service's URL as the hosts reach it."""
        return with_host(service, self.service_address)

    def _without_namespaces(self, reason: str) -> None:
        self.isolation = f"separate processes on 127.0.0.1 with ports of their own ({reason})"
        self.service_address = "127.0.0.1"
        self.hosts = {name: Host(name, "127.0.0.1") for name in self.names}

    def _with_namespaces(self) -> None:
        subnet = f"10.213.{os.getpid() % 250}"
        for index, name in enumerate(self.names):
            holder = subprocess.Popen(["unshare", "--net", "--", "sleep", "infinity"])
            self._holders.append(holder)
            namespace = _namespace_ready(holder.pid)
            link, gateway, address = f"rnv{os.getpid() % 100000}{index}", f"{subnet}.{4 * index + 1}", \
                f"{subnet}.{4 * index + 2}"
            _run("ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", str(holder.pid))
            self._links.append(link)
            _run("ip", "addr", "add", f"{gateway}/30", "dev", link)
            _run("ip", "link", "set", link, "up")
            inside = ["nsenter", f"--net={namespace}", "--"]
            _run(*inside, "ip", "link", "set", "lo", "up")
            _run(*inside, "ip", "addr", "add", f"{address}/30", "dev", "eth0")
            _run(*inside, "ip", "link", "set", "eth0", "up")
            _run(*inside, "ip", "route", "add", "default", "via", gateway)
            self.hosts[name] = Host(name, address, inside)
        # The services' address: on the first host's link, reached by every host through its gateway.
        self.service_address = f"{subnet}.254"
        _run("ip", "addr", "add", f"{self.service_address}/32", "dev", self._links[0])
        for service in self.services:
            parts = urlsplit(service)
            self._relays.append(Relay((self.service_address, parts.port), (parts.hostname, parts.port)))
        self.isolation = (f"network namespaces: {', '.join(f'{h.name} {h.address}' for h in self.hosts.values())}; "
                          f"PostgreSQL and Redis at {self.service_address}")

    def __exit__(self, *exc) -> None:
        for relay in self._relays:
            relay.close()
        for holder in self._holders:
            holder.kill()
            holder.wait()
        for link in self._links:  # gone with its namespace already; in case it is not
            subprocess.run(["ip", "link", "del", link], capture_output=True, check=False)
        self._relays, self._holders, self._links = [], [], []


# --- processes ------------------------------------------------------------------------------------

class Process:
    """A program run in a host, its output collected as it comes."""

    def __init__(self, command: list[str], env: dict, host: Host | None = None):
        self.popen = subprocess.Popen([*(host.prefix if host else []), *command], cwd=ROOT, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=lambda: self.lines.extend(self.popen.stdout), daemon=True)
        self._reader.start()

    @property
    def output(self) -> str:
        return "".join(list(self.lines))

    def stop_when_done(self, seconds: float = 120) -> int:
        """Wait for the program to end by itself; its exit status."""
        try:
            self.popen.wait(timeout=seconds)
        finally:
            self.stop()
        return self.popen.returncode

    def terminate(self) -> None:
        """Ask for a graceful stop (SIGTERM), without waiting for it."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)

    def stop(self) -> int:
        """SIGTERM (a graceful stop), then SIGKILL after a minute; the exit status."""
        self.terminate()
        try:
            self.popen.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
        self._reader.join(timeout=10)
        self.popen.stdout.close()
        return self.popen.returncode


def stop_all(processes: list[Process]) -> None:
    """Stop several processes at once (each gunicorn takes a moment to stop gracefully)."""
    for process in processes:
        process.terminate()
    for process in processes:
        process.stop()


def start_gunicorn(env: dict, host: Host | None = None) -> Process:
    """``gunicorn --config gunicorn.conf.py wsgi:app`` as ``./scripts/run`` starts it; its address
    and workers come from ``env`` (``RENOVATION_HOST``, ``RENOVATION_PORT``, ``RENOVATION_WORKERS``)."""
    return Process([sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG), "wsgi:app"], env, host)


def wait_until_serving(server: Process, workers: int, seconds: float = 90) -> None:
    """Until every worker has loaded the app (a worker still booting takes no connection)."""
    deadline = time.monotonic() + seconds
    while sum(READY_MESSAGE in line for line in list(server.lines)) < workers:
        if server.popen.poll() is not None or time.monotonic() > deadline:
            raise AssertionError("gunicorn did not start:\n" + server.output)
        time.sleep(0.1)


@contextmanager
def gunicorn(env: dict, host: Host | None = None):
    """A started gunicorn (see :func:`start_gunicorn`), serving until the block ends."""
    server = start_gunicorn(env, host)
    try:
        wait_until_serving(server, int(env.get("RENOVATION_WORKERS", "3")))
        yield server
    finally:
        server.stop()


def start_flask(env: dict, host: Host | None, *arguments: str) -> Process:
    """``flask --app renovation ARGUMENTS...`` (``worker``, ``db upgrade``, …)."""
    return Process([sys.executable, "-m", "flask", "--app", "renovation", *arguments], env, host)


def start_worker(env: dict, host: Host | None = None) -> Process:
    """``flask --app renovation worker``, as the README runs the background worker."""
    return start_flask(env, host, "worker")


# --- a browser ------------------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return jsonlib.loads(self.body)

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class _Forms(HTMLParser):
    """The fields of a page's forms, by the form's ``action``: {action: {name: value}}."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._current = self.forms.setdefault(attributes.get("action") or "", {})
        elif self._current is None or not attributes.get("name"):
            if tag == "option" and self._current is not None and self._select and "selected" in attributes:
                self._current[self._select] = attributes.get("value", "")
        elif tag == "input" and attributes.get("type") not in ("submit", "button", "file", "checkbox", "radio"):
            self._current[attributes["name"]] = attributes.get("value") or ""
        elif tag == "input" and attributes.get("type") in ("checkbox", "radio") and "checked" in attributes:
            self._current[attributes["name"]] = attributes.get("value") or "on"
        elif tag == "select":
            self._select = attributes["name"]
            self._current.setdefault(self._select, "")
        elif tag == "textarea":
            self._current[attributes["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


def form_fields(html: str, action: str) -> dict[str, str]:
    """The fields a browser would send with the form whose ``action`` is ``action`` (values as
    the page filled them; a textarea's text is left out)."""
    parser = _Forms()
    parser.feed(html)
    if action not in parser.forms:
        raise AssertionError(f"no form with action {action!r} on the page; forms: {list(parser.forms)}")
    return dict(parser.forms[action])


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', html) or \
        re.search(r'name="csrf-token" content="([^"]+)"', html)
    if not found:
        raise AssertionError("no CSRF token on the page")
    return next(group for group in found.groups() if group)


class Browser:
    """One person's browser in front of several app servers: each request names the server (its
    base URL, such as ``http://10.213.3.2:5000``) and every one sends the same cookies."""

    def __init__(self, headers: dict | None = None):
        self.cookies: dict[str, str] = {}
        self.headers = dict(headers or {})

    def copy(self) -> "Browser":
        """Another tab of the same browser, from now on with cookies of its own."""
        other = Browser(self.headers)
        other.cookies = dict(self.cookies)
        return other

    def request(self, server: str, method: str, path: str, *, form: dict | None = None,
                files: dict | None = None, json=None, headers: dict | None = None, timeout: float = 60) -> Response:
        """One request; redirects are not followed. ``files``: {field: (filename, bytes, type)}."""
        body, sent = None, {**self.headers, **(headers or {})}
        if files is not None:
            body, sent["Content-Type"] = _multipart(form or {}, files)
        elif form is not None:
            from urllib.parse import urlencode

            body, sent["Content-Type"] = urlencode(form).encode(), "application/x-www-form-urlencoded"
        elif json is not None:
            body, sent["Content-Type"] = jsonlib.dumps(json).encode(), "application/json"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        parts = urlsplit(server)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            answer = connection.getresponse()
            response = Response(answer.status, answer.headers, answer.read())
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0" and "1970" not in morsel["expires"]:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response

    def get(self, server: str, path: str, **kwargs) -> Response:
        return self.request(server, "GET", path, **kwargs)

    def post(self, server: str, path: str, **kwargs) -> Response:
        return self.request(server, "POST", path, **kwargs)


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    chunks = []
    for name, value in fields.items():
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data, content_type) in files.items():
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                      f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"
