"""Headers that make every response harder to misuse: a Content-Security-Policy and friends.

Scripts come only from this origin (``static/``): no inline script, no ``eval`` (htmx runs
with ``allowEval: false``, set in ``templates/base.html``), so markup slipped into a page cannot
run. Styles may be inline (``style=""`` attributes, htmx's indicator style): CSS cannot run
script. A response that sets its own policy (an uploaded PDF, sandboxed) keeps it.
"""
from flask import Flask, Response, current_app

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# Uploaded files are the users', not the app's: shown in a sandbox (no script, a unique origin).
# Chromium's PDF viewer still shows an inline PDF under it (checked with Debian's Chromium).
SANDBOX_POLICY = "sandbox; " + CONTENT_SECURITY_POLICY
HSTS_SECONDS = 365 * 24 * 3600


def add_security_headers(response: Response) -> Response:
    """Set the policy headers on ``response`` (those it already has are kept)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        # Only behind HTTPS (the secure-cookie option says so): browsers then refuse plain HTTP.
        headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
