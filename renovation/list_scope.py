"""Where each role starts: a committee member's home and lists open on their own community,
one click away from the whole city (全市). Everyone else starts on the whole city."""
from flask import redirect, request, url_for
from flask_babel import gettext as _

from renovation import permissions

CITY = 0  # the lists' "all communities" choice, explicit so that it is not taken for "nothing asked"


def home_url(user) -> str:
    """The user's landing page (see :func:`renovation.permissions.home_endpoint`)."""
    return url_for(permissions.home_endpoint(user), **permissions.home_arguments(user))


def open_on_own_community(endpoint: str, user):
    """A redirect to the list filtered to the user's community when they opened it without any
    filter (from the menu); None otherwise. A redirect, not a silent default, so that the address,
    the export links and the filter form all say which community is shown."""
    community_id = permissions.home_community_id(user)
    if community_id is None or request.args:
        return None
    return redirect(url_for(endpoint, community=community_id))


def scope_links(endpoint: str, user, community_id: int | None) -> list[dict]:
    """The "本社区 · 全市" switch above a list, for users with a community of their own: each link
    with its label, address and whether it is the one shown."""
    home = permissions.home_community_id(user)
    if home is None or user.community is None:
        return []
    return [{"label": user.community.name, "url": url_for(endpoint, community=home), "current": community_id == home},
            {"label": _("City-wide"), "url": url_for(endpoint, community=CITY), "current": not community_id}]
