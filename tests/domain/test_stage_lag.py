"""A stage behind schedule says why and when it will catch up (stage_rules.lag_errors)."""
from datetime import date, timedelta

from flask_babel import force_locale

from renovation.domain.stages.keys import Status
from renovation.domain.stages.rules import StageState, lag_errors
from renovation.domain.stages.schedule import lag_may_be_asked

TODAY = date(2026, 6, 15)


def behind(**changes) -> StageState:
    """Rain/sewage separation in progress, 10 days past its planned end."""
    values = {"key": "rain_sewage", "status": Status.IN_PROGRESS, "percent": 40,
              "actual_start": TODAY - timedelta(days=80), "planned_start": TODAY - timedelta(days=90),
              "planned_end": TODAY - timedelta(days=10)}
    return StageState(**{**values, **changes})


def test_a_stage_behind_needs_a_reason_and_a_catch_up_date(app):
    with app.test_request_context(), force_locale("en"):
        errors = {field: str(message) for field, message in lag_errors(behind(), TODAY).items()}
    assert errors == {
        "lag_reason": "This stage is behind schedule: choose the reason for the delay.",
        "catch_up_date": "This stage is behind schedule: enter the date it will be back on track.",
    }


def test_a_reason_and_a_future_date_satisfy_it():
    assert lag_errors(behind(lag_reason="utilities", catch_up_date=TODAY + timedelta(days=20)), TODAY) == {}
    assert lag_errors(behind(lag_reason="weather", catch_up_date=TODAY), TODAY) == {}


def test_other_needs_words():
    errors = lag_errors(behind(lag_reason="other", catch_up_date=TODAY), TODAY)
    assert set(errors) == {"lag_note"}
    assert lag_errors(behind(lag_reason="other", lag_note="业主委员会换届", catch_up_date=TODAY), TODAY) == {}


def test_the_catch_up_date_is_not_in_the_past_nor_out_of_range():
    assert set(lag_errors(behind(lag_reason="funding", catch_up_date=TODAY - timedelta(days=1)), TODAY)) == {
        "catch_up_date"}
    assert set(lag_errors(behind(lag_reason="funding", catch_up_date=date(2101, 1, 1)), TODAY)) == {"catch_up_date"}


def test_an_unknown_reason_is_refused_even_on_track():
    on_track = behind(planned_end=TODAY + timedelta(days=30), lag_reason="lazy")
    assert set(lag_errors(on_track, TODAY)) == {"lag_reason"}


def test_a_stage_on_track_or_completed_is_not_asked():
    assert lag_errors(behind(planned_end=TODAY + timedelta(days=30)), TODAY) == {}
    done = behind(status=Status.COMPLETED, percent=100, actual_end=TODAY)
    assert lag_errors(done, TODAY) == {}


def test_a_stage_not_started_past_its_planned_start_is_behind():
    late_start = behind(status=Status.NOT_STARTED, percent=0, actual_start=None,
                        planned_end=TODAY + timedelta(days=60))
    assert set(lag_errors(late_start, TODAY)) == {"lag_reason", "catch_up_date"}


def test_the_form_shows_the_fields_once_a_planned_date_has_passed():
    assert lag_may_be_asked(behind(), TODAY)
    future = behind(planned_start=TODAY + timedelta(days=1), planned_end=TODAY + timedelta(days=90))
    assert not lag_may_be_asked(future, TODAY)
