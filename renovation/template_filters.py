"""What templates may call, registered in one place: filters that format values they are given
(labels, percentages, figures, dates, days behind), and globals that are data (label tables) or
ask nothing of the database.

Nothing here fetches anything: what a page shows is passed by its view (see the ``panels`` modules
of the blueprint packages). A filter reads ``{{ stage.key | stage_label }}``.
"""
from decimal import Decimal
from fractions import Fraction

from flask import Flask
from flask_babel import lazy_gettext as _l
from jinja2 import pass_context

from renovation import i18n, permissions
from renovation.domain.contents.quantities import decimal_text
from renovation.domain.photos.gallery import thumbnail_size
from renovation.domain.problems import flow as problem_flow
from renovation.domain.problems import labels as problem_labels
from renovation.domain.residents import demands
from renovation.domain.residents.consultations import decision_of
from renovation.domain.residents.votes import Basis, CheckKey
from renovation.domain.stages.keys import (
    STAGE_LABELS,
    STATUS_LABELS,
    Status,
    lag_reason_label,
    stage_label,
    status_label,
)
from renovation.domain.stages.schedule import days_behind
from renovation.list_links import row_links
from renovation.models.consultations import CATEGORY_LABELS, DEMAND_STATUS_LABELS, KIND_LABELS
from renovation.models.contents import CONTENT_CATEGORY_LABELS
from renovation.models.problems import PROBLEM_CATEGORY_LABELS, PROBLEM_STATUS_LABELS
from renovation.number_format import thousands

# The fields of a stage's history, as people read them.
FIELD_LABELS = {
    "status": _l("Status"),
    "percent": _l("Percent complete"),
    "actual_start": _l("Actual start"),
    "actual_end": _l("Actual end"),
    "note": _l("Note"),
    "lag_reason": _l("Reason for the delay"),
    "lag_note": _l("About the delay"),
    "catch_up_date": _l("Back on track by"),
    "photo_added": _l("Photo added"),
    "photo_deleted": _l("Photo deleted"),
    "rule_override": _l("Rule overridden, because"),
}

# The fields of a demand's history.
DEMAND_FIELD_LABELS = {"status": _l("Status"), "response": _l("Response"), "reason": _l("Reason for declining"),
                       "assignee": _l("Assignee"), "resolved_on": _l("Closed on")}

# The conditions of a vote decision.
CHECK_LABELS = {
    CheckKey.QUORUM_AREA: _l("Quorum by area"),
    CheckKey.QUORUM_OWNERS: _l("Quorum by owners"),
    CheckKey.AGREE_AREA: _l("Agreement by area"),
    CheckKey.AGREE_OWNERS: _l("Agreement by owners"),
    CheckKey.EXTRA: _l("Stricter local rule"),
}


def field_label(field: str) -> str:
    """A stage history field's name: ``{{ change.field | field_label }}``."""
    return FIELD_LABELS.get(field, field)


def change_value(value, field: str) -> str:
    """A value from the stage history as people read it: ``{{ change.old | change_value(change.field) }}``."""
    if value in (None, ""):
        return "—"
    if field == "status" and value in Status.__members__.values():
        return status_label(value)
    if field == "lag_reason":
        return lag_reason_label(value)
    if field == "percent":
        return f"{value}%"
    return str(value)


def demand_field_label(field: str) -> str:
    """A demand history field's name."""
    return DEMAND_FIELD_LABELS.get(field, field)


def kind_label(kind: str) -> str:
    """What kind of consultation it was (a meeting, a visit…)."""
    return KIND_LABELS.get(kind, kind)


def check_label(check, extra_label: str = "") -> str:
    """A vote condition's name; the stricter local rule goes by the label it was given."""
    if check.key == CheckKey.EXTRA and extra_label:
        return extra_label
    return CHECK_LABELS[check.key]


def percent(fraction: Fraction) -> str:
    """A fraction as a percentage with two decimals, rounded exactly (no binary floats)."""
    value = (Decimal(fraction.numerator) * 100 / Decimal(fraction.denominator)).quantize(Decimal("0.01"))
    return f"{value}%"


def figure(value: Fraction, basis: str) -> str:
    """An owner count or an area (m², two decimals) for people: 80, 6,400.50."""
    if basis == Basis.OWNERS:
        return f"{value.numerator // value.denominator:,}"
    return f"{Decimal(value.numerator) / Decimal(value.denominator):,.2f}"


def in_page_language(label, *, keyed: bool = True):
    """A label filter that Jinja will not fold at compile time: ``{{ 'done' | stage_label }}`` would
    otherwise be translated once, in whatever language compiled the template first. A ``keyed``
    label (the same key always reads the same in a language) is worked out once per language
    and key (:func:`renovation.i18n.translated_once`)."""
    label_in_language = i18n.translated_once(label) if keyed else label

    @pass_context  # Jinja folds a filter of a constant at compile time unless it asks for the context
    def filter_(_context, value, *args):
        return label_in_language(value, *args)

    filter_.__doc__ = label.__doc__
    return filter_


def current_locale() -> str:
    """The language the page is in: ``zh_CN`` or ``en``."""
    return i18n.page_language()


FILTERS = {
    # dates and numbers
    "long_date": i18n.long_date,
    "long_month": i18n.long_month,
    "short_datetime": i18n.short_datetime,
    "utc_datetime_attr": i18n.utc_datetime_attr,
    "thousands": thousands,
    # stages
    "stage_label": in_page_language(stage_label),
    "status_label": in_page_language(status_label),
    "lag_reason_label": in_page_language(lag_reason_label),
    "days_behind": days_behind,
    "field_label": in_page_language(field_label),
    "change_value": in_page_language(change_value, keyed=False),
    # photos
    "thumbnail_size": thumbnail_size,
    # consultations and votes
    "kind_label": in_page_language(kind_label),
    "vote_decision": decision_of,
    "check_label": in_page_language(check_label, keyed=False),
    "percent": percent,
    "figure": figure,
    # demands
    "days_overdue": demands.days_overdue,
    "demand_field_label": in_page_language(demand_field_label),
    # difficult problems
    "problem_days_overdue": problem_flow.days_overdue,
    "problem_step_label": in_page_language(problem_labels.step_label),
    "problem_field_label": in_page_language(problem_labels.field_label),
    "problem_change_value": in_page_language(problem_labels.change_value, keyed=False),
    # renovation content: quantities as exact decimals ("1200.5")
    "decimal_text": decimal_text,
}

GLOBALS = {
    "STAGE_LABELS": i18n.TranslatedLabels(STAGE_LABELS),
    "STATUS_LABELS": i18n.TranslatedLabels(STATUS_LABELS),
    "DEMAND_STATUS_LABELS": i18n.TranslatedLabels(DEMAND_STATUS_LABELS),
    "CATEGORY_LABELS": i18n.TranslatedLabels(CATEGORY_LABELS),
    "FINAL_DEMAND_STATUSES": demands.FINAL,
    "PROBLEM_STATUS_LABELS": i18n.TranslatedLabels(PROBLEM_STATUS_LABELS),
    "PROBLEM_CATEGORY_LABELS": i18n.TranslatedLabels(PROBLEM_CATEGORY_LABELS),
    "CONTENT_CATEGORY_LABELS": i18n.TranslatedLabels(CONTENT_CATEGORY_LABELS),
    "demand_overdue_days": demands.overdue_days_setting,
    "current_locale": current_locale,
    "row_links": row_links,
    # The header's menu and a few list pages ask role questions (``can_manage_users(current_user)``);
    # those read the user's role and nothing else. The sections of a page get their answers from
    # their view instead (``can_write``…), since a project's or a file's checks follow relations.
    "permissions": permissions,
}


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals.update(GLOBALS)
