"""Reading the stage history of a project, newest first."""
from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from renovation.extensions import db
from renovation.models import StageEvent

# Built once, with its values bound at each call: SQLAlchemy keys a statement for its cache of
# compiled SQL by walking all of it, every time for a statement built anew, once for one kept.
SHOWN = 200  # the newest events of a project, up to this many

@cache  # built at the first call: a loader option configures every mapper
def _history() -> Select:
    return (select(StageEvent)
            .where(StageEvent.project_id == bindparam("project_id"))
            .options(joinedload(StageEvent.user))
            .order_by(StageEvent.at.desc(), StageEvent.id.desc())
            .limit(SHOWN))


def stage_history(project_id: int) -> list[StageEvent]:
    """The project's :data:`SHOWN` newest stage events, each with its user: one query."""
    return list(db.session.scalars(_history(), {"project_id": project_id}))
