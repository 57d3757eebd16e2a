"""One page of a long list: the rows shown, how many match, and which page this is."""
from dataclasses import dataclass, field
from math import ceil

from sqlalchemy import Select, func, select

from renovation.extensions import db


@dataclass
class Page:
    items: list = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 50

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))


def count_and_clamp(query: Select, page: int, per_page: int) -> tuple[int, int]:
    """How many rows ``query`` matches, and ``page`` kept within the pages they fill."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return total, min(max(page, 1), max(1, ceil(total / per_page)))
