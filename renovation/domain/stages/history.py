"""Reading the stage history of a project, newest first."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from renovation.extensions import db
from renovation.models import StageEvent


def stage_history(project_id: int, limit: int = 200) -> list[StageEvent]:
    return list(
        db.session.scalars(
            select(StageEvent)
            .where(StageEvent.project_id == project_id)
            .options(selectinload(StageEvent.user))
            .order_by(StageEvent.at.desc(), StageEvent.id.desc())
            .limit(limit)
        )
    )
