"""Between the list's query string and :class:`renovation.domain.project_list.ProjectFilter`."""
from flask import url_for

from renovation.domain.project_list import DEFAULT_SORT, SORT_COLUMNS, ProjectFilter


def criteria_from_form(form, my_name: str = "") -> ProjectFilter:
    """The filter the (validated) form describes; invalid parts fall back to 'all'. ``my_name``:
    the engineer's name that 我负责的 (``mine``) matches."""
    def valid(field):
        return field.data if not field.errors else None

    sort = valid(form.sort) or DEFAULT_SORT
    return ProjectFilter(
        q=(valid(form.q) or "").strip(),
        street_id=valid(form.street) or None,
        community_id=valid(form.community) or None,
        stage=valid(form.stage) or "",
        behind=bool(form.behind.data),
        started=bool(form.started.data),
        stage_status=valid(form.stage_status) or "",
        responsible_engineer=my_name if form.mine.data else "",
        sort=sort if sort in SORT_COLUMNS else DEFAULT_SORT,
        descending=valid(form.dir) == "desc",
    )


def list_url(criteria: ProjectFilter, **overrides) -> str:
    """The list's URL for these criteria, with some changed (sort, page...), omitting defaults."""
    params = {
        "q": criteria.q,
        "street": criteria.street_id,
        "community": criteria.community_id,
        "stage": criteria.stage,
        "behind": "1" if criteria.behind else None,
        "started": "1" if criteria.started else None,
        "stage_status": criteria.stage_status,
        "mine": "1" if criteria.responsible_engineer else None,
        "sort": criteria.sort if criteria.sort != DEFAULT_SORT else None,
        "dir": "desc" if criteria.descending else None,
    }
    params.update(overrides)
    return url_for("projects.index", **{key: value for key, value in params.items() if value})
