"""Thousands separators in large figures: 47,328 户 (issue 11, Words)."""
from decimal import Decimal

import pytest

from renovation.number_format import thousands


@pytest.mark.parametrize(("value", "places", "expected"), [
    (47328, None, "47,328"),
    (999, None, "999"),
    (1234567, None, "1,234,567"),
    (Decimal("12345.60"), None, "12,345.60"),
    ("12345.60", None, "12,345.60"),          # bulletin snapshots hold decimal strings
    ("-1234.5", None, "-1,234.5"),
    (12345.0, None, "12,345"),
    (12345.678, 2, "12,345.68"),
    (Decimal("1234"), 2, "1,234.00"),
    (None, None, None),
    ("", None, ""),
    ("—", None, "—"),
])
def test_thousands(value, places, expected):
    assert thousands(value, places) == expected


def test_the_filter_is_registered_for_templates(app):
    with app.test_request_context():
        assert app.jinja_env.from_string("{{ 47328 | thousands }} 户").render() == "47,328 户"
