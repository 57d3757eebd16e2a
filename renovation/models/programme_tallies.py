"""Programme figures kept by the database: each street's projects by current stage and whether work
has begun (with their households, budget, investment and progress), each street's projects by the
day of their next deadline, and each street's stages by key and status.

The dashboard shows every street's sums and the city's stage counts; counting them from the
projects and their stages reads 200,000 projects and a million stages on every visit at a
province's scale. These tables hold the sums instead, and the database keeps them: triggers on
``project`` (insert, update, delete) and ``stage`` add and take away each row's share in the
transaction of the write, whoever writes (the app, the demo's bulk seeding, an import, SQL by
hand). They are keyed by the project's copy of its street's name (``project.street_name``, kept by
:mod:`renovation.domain.project_search` in the same transaction as any move or rename), so a
project that changes street moves its shares, stages included, through its own row. The triggers
are in the migration that made these tables (``c8e2f4a6b913``);
:mod:`renovation.domain.programme.figures` reads them.

As with the demand tallies (:mod:`renovation.models.demand_tallies`), a key without projects or
stages has no row, so the tallies are a function of the projects and stages alone; and the app
never deletes a project (its stages, deleted along with it by the foreign key's cascade, would
find no project to say which street to take them from).
"""
import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from renovation.extensions import db

TallyMoney = Numeric(16, 2)  # 万元, summed over a street's projects


class StreetTally(db.Model):
    """A street's projects at one current stage (``done`` when completed), started or not: how
    many, and their households, planned budget (the five sources), completed investment and
    overall progress, summed."""

    __table_args__ = {"info": {"kept_by_database": True}}  # written by the triggers alone

    street_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    current_stage: Mapped[str] = mapped_column(String(16), primary_key=True)
    started: Mapped[bool] = mapped_column(primary_key=True)
    projects: Mapped[int]
    households: Mapped[int] = mapped_column(BigInteger)
    budget: Mapped[Decimal] = mapped_column(TallyMoney)
    investment_completed: Mapped[Decimal] = mapped_column(TallyMoney)
    progress_sum: Mapped[int] = mapped_column(BigInteger)


class StreetDeadlineDay(db.Model):
    """How many projects of a street have their next deadline on one day; the projects behind
    schedule are those of the days before today."""

    __table_args__ = {"info": {"kept_by_database": True}}  # written by the triggers alone

    street_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_deadline: Mapped[dt.date] = mapped_column(primary_key=True)
    projects: Mapped[int]


class StageTally(db.Model):
    """How many stages of a street's projects have one key and one status."""

    __table_args__ = {"info": {"kept_by_database": True}}  # written by the triggers alone

    street_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    stages: Mapped[int]
