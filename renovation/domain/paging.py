"""One page of a long list: the rows shown, how many match, and which page this is."""
from dataclasses import dataclass, field
from math import ceil

from sqlalchemy import Select, func, select

from renovation.extensions import db


@dataclass
class Page:
    """``total`` is exact unless ``total_is_exact`` is False: then more than ``total`` rows match
    (a list that counts only so far, see :func:`count_up_to`), and ``more`` says whether a page
    follows this one."""

    items: list = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 50
    total_is_exact: bool = True
    more: bool | None = None

    @property
    def pages(self) -> int:
        """How many pages the matches fill (at least, when the total is not exact)."""
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.more if self.more is not None else self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def count_and_clamp(query: Select, page: int, per_page: int) -> tuple[int, int]:
    """How many rows ``query`` matches, and ``page`` kept within the pages they fill."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return total, min(max(page, 1), max(1, ceil(total / per_page)))


def count_up_to(query: Select, limit: int) -> tuple[int, bool]:
    """How many rows ``query`` matches, counting no further than ``limit``: (the count, whether it
    is exact). The database stops at the limit, whatever the number of rows. ``query`` keeps its
    order: ordered as its list is, it is counted along the index that list is read from, where
    the planner might otherwise read the table from the start until the limit (or to its end)."""
    counted = db.session.scalar(select(func.count()).select_from(query.limit(limit + 1).subquery()))
    return min(counted, limit), counted <= limit
