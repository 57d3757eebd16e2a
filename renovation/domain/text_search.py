"""Searching text columns for what a user typed: every word must match, literally.

One helper for every list with a search box, so that ``%`` and ``_`` (SQL's LIKE wildcards)
and the escape character itself are plain characters everywhere, on SQLite and PostgreSQL.
"""
import re
from collections.abc import Callable

from sqlalchemy import and_, func

ESCAPE = "\\"
# Half-width and full-width (U+3000, typed by Chinese input methods) spaces both separate words.
_WORD_SEPARATORS = re.compile(r"[\s\u3000]+")


def search_words(text: str) -> list[str]:
    """The words of ``text``: split on half- and full-width spaces, empty words dropped."""
    return [word for word in _WORD_SEPARATORS.split(text or "") if word]


def literal_like_pattern(word: str) -> str:
    """A LIKE pattern matching ``word`` anywhere, with LIKE's wildcards taken literally."""
    escaped = word.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def contains(column, word: str):
    """SQL for "``word`` appears in ``column``", case-insensitively (ILIKE)."""
    return column.ilike(literal_like_pattern(word), escape=ESCAPE)


def lowered_contains(column, word: str):
    """SQL for "``word`` appears in ``column``", for a column the database keeps lower-cased
    with its own ``lower()``: the pattern is lower-cased by the same function, which is what
    ILIKE does, without lower-casing the column on every row."""
    return column.like(func.lower(literal_like_pattern(word)), escape=ESCAPE)


def all_words(text: str, word_condition: Callable[[str], object]):
    """SQL for "``word_condition`` holds for every word of ``text``"; None when ``text`` has no
    words (no condition)."""
    words = search_words(text)
    if not words:
        return None
    return and_(*(word_condition(word) for word in words))

