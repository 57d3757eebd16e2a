"""Demand figures kept by the database: each community's demands by status, and its open demands by
the day they were raised.

A project page shows its community's and the city's demand figures beside its own; counting them
from the demands would read every demand of the community and of the city on every view, so the
page would cost more as the city grows. These tables hold the counts instead, and the database
keeps them: triggers on ``demand`` (insert, update, delete) add and take away each demand's share
in the same transaction as the write, whoever writes (the app, the demo's bulk seeding, an
import, SQL by hand), and triggers on ``project`` and ``compound`` move the shares of a project
whose compound, or a compound whose community, changes. The triggers are in the migration that
made these tables (``5e0c7a9b3d21``); :mod:`renovation.domain.residents.demand_tallies` reads them.
A status or a day without demands has no row, so the tallies are a function of the demands alone:
whoever puts demands back (a test's world, a restore) gets the tallies back with them. (The app
never deletes a project: a demand deleted along with its project, by the foreign key's cascade,
would find no project to say which community to take it from.) The city's own tallies are the
communities' added up, kept by triggers of their own, so that the city's figures are a few rows too.
"""
import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from renovation.extensions import db


class DemandTally(db.Model):
    """How many demands of a community are in one status; for resolved ones, also the days they
    took in all (``days_to_resolve``, from raised to resolved) and how many of them have both dates
    (``days_counted``): the average time to resolve is one divided by the other."""

    __table_args__ = {"info": {"kept_by_database": True}}  # written by the triggers alone

    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    demands: Mapped[int]
    days_to_resolve: Mapped[int]
    days_counted: Mapped[int]


class OpenDemandDay(db.Model):
    """How many open demands (pending or in progress) of a community were raised on one day; a day
    without any has no row. The overdue demands are those of the days before the limit."""

    __table_args__ = {"info": {"kept_by_database": True}}  # written by the triggers alone

    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), primary_key=True)
    raised_on: Mapped[dt.date] = mapped_column(primary_key=True)
    demands: Mapped[int]


class CityDemandTally(db.Model):
    """How many demands of the whole city are in one status (the communities' tallies added up,
    kept by triggers of their own, migration ``d4a7b2e9c615``), with the days resolved ones took."""

    __table_args__ = {"info": {"kept_by_database": True}}  # written by the triggers alone

    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    demands: Mapped[int]
    days_to_resolve: Mapped[int] = mapped_column(BigInteger)
    days_counted: Mapped[int]


class CityOpenDemandDay(db.Model):
    """How many open demands of the whole city were raised on one day; a day without any has no row."""

    __table_args__ = {"info": {"kept_by_database": True}}  # written by the triggers alone

    raised_on: Mapped[dt.date] = mapped_column(primary_key=True)
    demands: Mapped[int]
