"""Sending outside the app: a robot's post over HTTP(S) and an e-mail over SMTP. Each either
returns or raises :class:`DeliveryError` with a message for the admins' page; neither is ever
called while a page waits (the background worker sends, :mod:`.deliveries`).

HTTP: short timeouts, no proxy from the environment, and no redirect followed (a robot that
answers with one is reported, not chased to another host)."""
import json
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formataddr

from flask import current_app

ROBOT_ANSWER_LIMIT = 64 * 1024


class DeliveryError(Exception):
    """A message could not be delivered; ``str()`` says why."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise DeliveryError(f"HTTP {code}: the robot redirects to {newurl}; redirects are not followed")


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def post_json(url: str, body: dict, timeout: float) -> dict:
    """POST ``body`` as JSON to ``url``; the answer's JSON (or {}). A robot answers 200 with
    ``{"errcode": 0}``; any other errcode is a failure too (a wrong key, a rate limit)."""
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with _opener.open(request, timeout=timeout) as response:
            text = response.read(ROBOT_ANSWER_LIMIT).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryError(f"{type(error).__name__}: {getattr(error, 'reason', error)}") from None
    try:
        answer = json.loads(text) if text.strip() else {}
    except ValueError:
        answer = {}
    if isinstance(answer, dict) and answer.get("errcode", 0) not in (0, "0"):
        raise DeliveryError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")
    return answer if isinstance(answer, dict) else {}


def smtp_configured() -> bool:
    """Whether e-mail can be sent: a host and a sender address are set."""
    config = current_app.config
    return bool(config.get("SMTP_HOST") and config.get("SMTP_FROM"))


def send_email(address: str, subject: str, text: str, timeout: float) -> None:
    """Send a plain-text e-mail through the configured server (``SMTP_*``)."""
    config = current_app.config
    if not smtp_configured():
        raise DeliveryError("no mail server is configured (RENOVATION_SMTP_HOST, RENOVATION_SMTP_FROM)")
    message = EmailMessage()
    message["From"] = formataddr(("漳平市老旧小区改造进度管理", config["SMTP_FROM"]))
    message["To"] = address
    message["Subject"] = subject
    message.set_content(text)
    mode = config.get("SMTP_TLS", "starttls")
    try:
        if mode == "ssl":
            server = smtplib.SMTP_SSL(config["SMTP_HOST"], config["SMTP_PORT"], timeout=timeout,
                                      context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=timeout)
        with server:
            if mode == "starttls":
                server.starttls(context=ssl.create_default_context())
            if config.get("SMTP_USER"):
                server.login(config["SMTP_USER"], config.get("SMTP_PASSWORD", ""))
            server.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"{type(error).__name__}: {error}") from None
