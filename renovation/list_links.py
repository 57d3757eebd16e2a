"""Links between the pages of a filtered list (next page, the same filter as a fragment...)."""
from collections.abc import Callable
from urllib.parse import quote

from flask import request, url_for


def list_url(endpoint: str, form, **changes) -> str:
    """``endpoint``'s URL with this request's filter, ``changes`` applied (a ``None`` drops a key).

    Only the filter form's own fields are carried over: any other key of the query string
    (``_method``, ``_external``, ``_anchor``...) would otherwise reach ``url_for`` as one of its
    own arguments and break the page.
    """
    params = {name: value for name, value in request.args.items() if name in form and value}
    params.update(changes)
    return url_for(endpoint, **{name: value for name, value in params.items() if value is not None})


def page_links(endpoint: str, form):
    """``page_url(n)`` for the pager: page ``n`` of the list with this request's filter (the first
    page without a number, as the list's own address)."""
    return lambda page: list_url(endpoint, form, page=page if page > 1 else None)


# Stands in for one argument while Flask builds an address once (see :func:`row_links`): digits,
# so that an ``int`` converter takes it as well as the default string one.
_MARK = "918273645546372819"
# What werkzeug's default converter leaves unquoted in a path segment (BaseConverter.to_url).
_PATH_SAFE = "!$&'()*+,/:;=@"


def row_links(endpoint: str, argument: str, **values) -> Callable[[object], str]:
    """``link(value)``: the address of ``endpoint`` with ``argument=value``, for each row of a list.

    ``url_for`` costs some ten microseconds (the rule's lookup, each converter, the query
    string); three links on each of fifty rows add up. Here it runs once, with a mark in place of
    ``argument``, and each row's address is the two halves around the mark with the row's value
    quoted as werkzeug quotes a path segment: the same address ``url_for`` gives for a string
    or an integer argument in the path (not in the query string)."""
    address = url_for(endpoint, **{argument: int(_MARK)}, **values)
    before, mark, after = address.partition(_MARK)
    if not mark or "?" in before:
        raise ValueError(f"{argument} is not a path argument of {endpoint}")
    return lambda value: f"{before}{quote(str(value), safe=_PATH_SAFE)}{after}"
