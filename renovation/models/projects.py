"""A renovation project and its five stage records."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import DDL, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, event, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from renovation.domain.stages.keys import STARTED_STATUSES, StageKey
from renovation.extensions import db
from renovation.models.areas import Compound
from renovation.models.limits import limit
from renovation.models.list_order import (
    GRAMS_FUNCTION,
    STAGE_POSITION_FUNCTION,
    WORD_GRAMS_FUNCTION,
    deadline_or_never,
    stage_position,
)

Money = Numeric(12, 2)  # 万元
# A stage after the survey that is under way, done or suspended: work on site has begun.
STARTED_WHERE = (f"key <> '{StageKey.SURVEY.value}' AND status IN "
                 f"({', '.join(repr(str(status)) for status in sorted(STARTED_STATUSES))})")


class Project(db.Model):
    """The renovation of one compound.

    ``progress``, ``current_stage``, ``started`` and ``next_deadline`` are derived from the stages by
    :func:`renovation.domain.stages.schedule.refresh_project_summary` on every stage write, so that
    the list can filter and sort 200,000 projects in SQL. ``search_text`` and the place names are
    copies kept by :mod:`renovation.domain.project_search`, for the list's search, filters and
    orders on this table alone.

    Each order of the list has an index ending on the code (its tie-breaker), which also serves
    the list's next page (``(key, code) > (last key, last code)``); the two on expressions, and
    the search's, exist on PostgreSQL only.
    """

    __table_args__ = (
        Index("ix_project_next_deadline", "next_deadline"),
        Index("ix_project_current_stage_code", "current_stage", "code"),
        Index("ix_project_progress_code", "progress", "code"),
        Index("ix_project_updated_at_code", "updated_at", "code"),
        Index("ix_project_households_code", "households", "code"),
        Index("ix_project_compound_name_code", "compound_name", "code"),
        Index("ix_project_community_name_code", "community_name", "code"),
        Index("ix_project_street_name_code", "street_name", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    batch: Mapped[str] = mapped_column(String(32), default="")
    year_built: Mapped[int | None]
    buildings: Mapped[int | None]
    households: Mapped[int] = mapped_column(default=0)
    floor_area: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    budget_central: Mapped[Decimal] = mapped_column(Money, default=0)
    budget_provincial: Mapped[Decimal] = mapped_column(Money, default=0)
    budget_city: Mapped[Decimal] = mapped_column(Money, default=0)
    budget_residents: Mapped[Decimal] = mapped_column(Money, default=0)
    budget_social: Mapped[Decimal] = mapped_column(Money, default=0)
    investment_completed: Mapped[Decimal] = mapped_column(Money, default=0)
    contractor: Mapped[str] = mapped_column(String(128), default="")
    supervisor: Mapped[str] = mapped_column(String(128), default="")
    responsible_engineer: Mapped[str] = mapped_column(String(64), default="")
    planned_start: Mapped[date | None]
    planned_end: Mapped[date | None]

    progress: Mapped[int] = mapped_column(default=0)
    current_stage: Mapped[str] = mapped_column(String(16), default=StageKey.SURVEY.value)
    # work on site has begun (a stage after the survey under way, done or suspended)
    started: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    next_deadline: Mapped[date | None]
    updated_at: Mapped[datetime]

    # Copies for the list (see renovation.domain.project_search): the searched fields lower-cased
    # and joined by line breaks, and the names of the project's place.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)
    compound_name: Mapped[str] = mapped_column(String(128), default="", server_default="")
    community_name: Mapped[str] = mapped_column(String(64), default="", server_default="")
    street_name: Mapped[str] = mapped_column(String(64), default="", server_default="")

    compound: Mapped[Compound] = relationship()
    stages: Mapped[list["Stage"]] = relationship(
        back_populates="project", order_by="Stage.position", cascade="all, delete-orphan"
    )

    @property
    def budget_total(self) -> Decimal:
        """Planned investment from every source, in 万元."""
        return sum(
            (
                self.budget_central or 0,
                self.budget_provincial or 0,
                self.budget_city or 0,
                self.budget_residents or 0,
                self.budget_social or 0,
            ),
            Decimal(0),
        )

    def stage(self, key: str) -> "Stage":
        """The stage record with this key."""
        return next(stage for stage in self.stages if stage.key == key)


# PostgreSQL only: the orders by stage and by schedule are expressions, and the search's GIN index
# is built on the characters and pairs of ``search_text`` (see renovation.models.list_order).
Index("ix_project_stage_order", stage_position(Project.current_stage), Project.code).ddl_if(dialect="postgresql")
Index("ix_project_schedule_order", deadline_or_never(Project.next_deadline), Project.code).ddl_if(dialect="postgresql")
Index("ix_project_search_grams", func.project_search_grams(Project.search_text),
      postgresql_using="gin").ddl_if(dialect="postgresql")
# Their functions, for a database made without the migrations (``create_all``).
for _function in (GRAMS_FUNCTION, WORD_GRAMS_FUNCTION, STAGE_POSITION_FUNCTION):
    event.listen(Project.__table__, "before_create", DDL(_function).execute_if(dialect="postgresql"))


class Stage(db.Model):
    """One of the five stages of a project. ``version`` guards against lost updates."""

    __table_args__ = (
        UniqueConstraint("project_id", "key"),
        # The projects where work has begun (renovation.domain.project_list.started_project_ids),
        # read from this small index rather than from every stage.
        Index("ix_stage_started_project", "project_id", postgresql_where=text(STARTED_WHERE),
              sqlite_where=text(STARTED_WHERE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(16))
    position: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    percent: Mapped[int] = mapped_column(default=0)
    planned_start: Mapped[date | None]
    planned_end: Mapped[date | None]
    actual_start: Mapped[date | None]
    actual_end: Mapped[date | None]
    note: Mapped[str] = mapped_column(Text, default="", info=limit(2000))
    # Why the stage is behind schedule and when it should be back on track (asked by the
    # stage form whenever the stage is behind; see stage_rules.lag_errors).
    lag_reason: Mapped[str] = mapped_column(String(16), default="", server_default="")
    lag_note: Mapped[str] = mapped_column(Text, default="", server_default="", info=limit(2000))
    catch_up_date: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    project: Mapped[Project] = relationship(back_populates="stages")
    updated_by = relationship("User")

    # UPDATE ... WHERE version = :seen — a concurrent write raises StaleDataError.
    __mapper_args__ = {"version_id_col": version}
