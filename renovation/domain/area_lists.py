"""Every street, and every community of a city, as the lists' filters offer them: read once per
process and kept while the database's areas stay the same.

A province has some 800 streets, and its community filter first asks whether there are more
communities than a city's: reading those rows cost every list page more than its own results did.
The database keeps a version of the areas (``area_version``, :class:`renovation.models.AreaVersion`):
triggers on ``street`` and ``community`` give it a new random value in the transaction of any
insert, update or delete, whoever writes (the app, an import, the demo's bulk load, SQL by hand).
Each value names one committed state of the areas (a rolled-back change's value is never seen
again; a restored backup brings its areas back with their value), so a process keeps the lists
with the version it read them at, and reads them again when a request finds another version: one
row read instead of some thousand. Without that row (a database emptied by hand), nothing is
kept.
"""
from dataclasses import dataclass

from sqlalchemy import select

from renovation.extensions import db
from renovation.models import AreaVersion, Community, Street

# The filters list every community of a city; past this many (a province has thousands), the chosen
# street's.
CITY_COMMUNITIES = 300


@dataclass(frozen=True)
class AreaLists:
    """Every street as (id, name) rows by name; every community likewise, or None past
    :data:`CITY_COMMUNITIES`; ``version``: the areas' version they were read at."""

    version: int | None
    streets: tuple
    communities: tuple | None


_kept: AreaLists | None = None  # this process's, replaced whole (threads read it without a lock)


def area_lists() -> AreaLists:
    """The lists as the database has them now: this process's copy while the version is the same."""
    global _kept
    version = db.session.scalar(select(AreaVersion.version).where(AreaVersion.id == 1))
    kept = _kept
    if version is not None and kept is not None and kept.version == version:
        return kept
    communities = tuple(db.session.execute(
        select(Community.id, Community.name).order_by(Community.name).limit(CITY_COMMUNITIES + 1)))
    lists = AreaLists(version, tuple(db.session.execute(select(Street.id, Street.name).order_by(Street.name))),
                      communities if len(communities) <= CITY_COMMUNITIES else None)
    if version is not None:
        _kept = lists
    return lists
