"""Links between the pages of a filtered list (next page, the same filter as a fragment...)."""
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
