"""The request's language, looked up once per request (renovation/i18n.py): the dates read as
Flask-Babel writes them, in either language, and each request keeps its own language."""
from datetime import date, datetime

import pytest
from flask_babel import format_date, format_datetime, gettext, lazy_gettext

from renovation import i18n
from renovation.i18n import LANGUAGE_COOKIE

DATES = [date(2026, 1, 5), date(2026, 11, 27), date(1999, 12, 31)]
# Stored timestamps are naive UTC: 20:30 UTC is already the next day in Zhangping.
TIMES = [datetime(2026, 11, 16, 20, 30, 59), datetime(2026, 11, 16, 3, 5), datetime(2026, 12, 31, 16, 0)]


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_dates_read_as_flask_babel_writes_them(app, language):
    with app.test_request_context("/projects", headers={"Cookie": f"{LANGUAGE_COOKIE}={language}"}):
        long_format = "long" if language == "zh_CN" else "medium"
        for day in DATES:
            assert i18n.long_date(day) == format_date(day, long_format)
        for moment in TIMES:
            assert i18n.long_date(moment) == format_date(moment, long_format)
            assert i18n.short_datetime(moment) == format_datetime(moment, "yyyy-MM-dd HH:mm")
        assert i18n.long_month("2026-03") == format_date(date(2026, 3, 1), "y年M月" if language == "zh_CN"
                                                            else "MMMM y")
        assert i18n.long_date(None) == i18n.short_datetime(None) == i18n.long_month(None) == "—"


def test_the_day_of_a_late_utc_timestamp_is_zhangpings(app):
    with app.test_request_context("/projects"):
        assert i18n.long_date(datetime(2026, 11, 16, 20, 30)) == "2026年11月17日"
        assert i18n.short_datetime(datetime(2026, 11, 16, 20, 30)) == "2026-11-17 04:30"


def test_strings_and_labels_follow_the_request(app):
    """Template strings, gettext and lazy labels, in two requests of the same app context in turn
    (as the tests' app serves them): the second does not keep the first one's language."""
    label = lazy_gettext("Stage")
    template = app.jinja_env.from_string("{{ _('Stage') }} {{ 'survey' | stage_label }}")
    with app.test_request_context("/projects", headers={"Cookie": f"{LANGUAGE_COOKIE}=en"}):
        assert (gettext("Stage"), str(label), template.render()) == ("Stage", "Stage", "Stage Survey")
    with app.test_request_context("/projects"):
        assert (gettext("Stage"), str(label), template.render()) == ("阶段", "阶段", "阶段 摸底调查")
