"""Pages that show a secret once: a generated password, a new API token."""
from htmx_flask import make_response

from renovation.templating import render


def render_shown_once(template: str, address: str, status: int = 200, **context):
    """Render the page that answers the POST, carrying the secret in its body only.

    Never a flash message (it would travel in the signed but readable session cookie) and never
    cached; htmx shows ``address`` (a plain GET page) in the address bar, so reloading the page asks for
    the plain page again instead of resubmitting the form.
    """
    response = make_response(render(template, **context), status, push_url=address)
    response.headers["Cache-Control"] = "no-store"
    return response
