"""Which series a bulletin is numbered in, and how its number reads.

Each series is numbered on its own, per year, so that no two documents read alike:

- the city's bulletin (series ``city``): 2026年第N期, and under the masthead the city series'
  发文字号 (``RENOVATION_BULLETIN_CITY_DOCUMENT_NUMBER``, by default 漳住建〔{year}〕{number}号: the organ's
  abbreviation, the year in the 〔〕 brackets of GB/T 9704, the number);
- each street's or town's bulletin (series ``street:<street id>``): 2026年第N期 of that street;
- a project's brief is not periodic (series ``project:<project id>``): it reads as the project's
  code and the day it was issued (ZP-2026-001 2026年12月6日), with 之二, 之三 … for a second or
  third brief of the project that day. Its number, per project and year, only keeps briefs apart.

Bulletins issued before the series (migration ``a8c4e2f6b1d9``) keep the label they were printed
with; the streets' numbers continue from the highest number of the street bulletins then.
"""
from datetime import date

from flask import current_app
from flask_babel import gettext as _

from renovation.models import BulletinKind

CHINESE_ORDINALS = "一二三四五六七八九十"


def series_of(kind: str, street_id: int | None, project_id: int | None) -> str:
    """The series key a bulletin of ``kind`` in that scope is numbered in."""
    if kind == BulletinKind.STREET:
        return f"street:{street_id}"
    if kind == BulletinKind.PROJECT:
        return f"project:{project_id}"
    return "city"


def periodic_label(year: int, number: int) -> str:
    """2026年第12期."""
    return f"{year}年第{number}期"


def cn_day(day: date) -> str:
    """2026年12月6日."""
    return f"{day.year}年{day.month}月{day.day}日"


def brief_label(code: str, day: date, of_the_day: int) -> str:
    """ZP-2026-001 2026年12月6日; the second brief of that project that day …之二."""
    if of_the_day <= 1:
        return f"{code} {cn_day(day)}"
    ordinal = CHINESE_ORDINALS[of_the_day - 1] if of_the_day <= len(CHINESE_ORDINALS) else str(of_the_day)
    return f"{code} {cn_day(day)}之{ordinal}"


class DocumentNumberFormatError(ValueError):
    """The configured 发文字号 cannot be written; the message says why, in the reader's language."""


def city_document_number(year: int, number: int) -> str:
    """The city series' 发文字号 of a number, as configured ('' when configured empty)."""
    pattern = current_app.config["BULLETIN_CITY_DOCUMENT_NUMBER"]
    try:
        return pattern.format(year=year, number=number)
    except (KeyError, IndexError, ValueError) as error:
        raise DocumentNumberFormatError(_(
            "The document number format “%(pattern)s” (RENOVATION_BULLETIN_CITY_DOCUMENT_NUMBER) can only "
            "name {year} and {number}.", pattern=pattern)) from error
