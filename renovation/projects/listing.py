"""The project list's address for a :class:`renovation.domain.project_list.ProjectFilter`."""
from flask import url_for

from renovation.domain.project_list import DEFAULT_SORT, ProjectFilter


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
