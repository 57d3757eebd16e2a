"""The project list's addresses for a :class:`renovation.domain.project_list.ProjectFilter`, and
what its rows show that is worked out once per page rather than once per row."""
from flask import url_for

from renovation.domain.project_list import DEFAULT_SORT, ListPage, ProjectFilter
from renovation.domain.stages.keys import DONE, DONE_LABEL, STAGE_LABELS


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


def page_url(criteria: ProjectFilter, result: ListPage, number: int) -> str:
    """Page ``number`` of the list: the next one starts after this page's last project, the one
    before ends before its first (both stay right however deep the page); the first is plain."""
    if number <= 1:
        return list_url(criteria)
    if number == result.page + 1 and result.last_code:
        return list_url(criteria, page=number, after=result.last_code)
    if number == result.page - 1 and result.first_code:
        return list_url(criteria, page=number, before=result.first_code)
    return list_url(criteria, page=number)


def shown_url(criteria: ProjectFilter, result: ListPage) -> str:
    """The address of the page shown, as the address bar keeps it: its number, and the project it
    was read after or before, so that reloading it shows it again."""
    return list_url(criteria, page=result.page if result.page > 1 else None, after=result.after or None,
                    before=result.before or None)


def stage_labels() -> dict[str, str]:
    """Each current stage's label, translated once for the page's rows."""
    return {**{str(key): str(label) for key, label in STAGE_LABELS.items()}, DONE: str(DONE_LABEL)}
