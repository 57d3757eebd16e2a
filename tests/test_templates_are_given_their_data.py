"""Templates show what their view passes (conventions 15): no blueprint, and not the app, hands
templates functions through a context processor; no template calls a function that fetches data;
what templates may call are the filters and data of renovation/template_filters.py, registered in one
place, and a label comes out in the page's language even when the template names a constant."""
import re
from fractions import Fraction
from pathlib import Path

import pytest

from renovation import template_filters
from renovation.domain.residents.votes import Basis

# What Flask and its extensions register themselves: Flask's request/session/g, Flask-Login's
# current_user, Flask-WTF's csrf_token.
FRAMEWORK_MODULES = {"flask.templating", "flask_login.utils", "flask_wtf.csrf"}
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# The functions the context processors used to hand templates, which fetched data or built forms.
REMOVED = ("project_consultations", "blank_consultation_form", "live_outcome", "consultation_attachments",
           "attachment_upload_form", "demand_panel", "consultation_demand_panel", "change_form_for",
           "photo_upload_form", "stage_days_behind", "lag_may_be_asked")


def test_only_the_framework_registers_context_processors(app):
    ours = sorted((blueprint or "app", f"{processor.__module__}.{processor.__qualname__}")
                  for blueprint, processors in app.template_context_processors.items() for processor in processors
                  if processor.__module__ not in FRAMEWORK_MODULES)
    assert ours == [], "pass the data from the view, or register a filter in renovation/template_filters.py"


def test_the_check_would_see_a_blueprint_processor(app):
    """The test above reads the processors where Flask keeps them, blueprints' included."""
    assert any(processor.__module__ == "flask_login.utils" for processor in app.template_context_processors[None])
    assert set(app.template_context_processors) >= {"projects", "consultations", "demands", "photos"}


@pytest.mark.parametrize("name", REMOVED)
def test_no_template_calls_a_data_function(name):
    calls = [f"{path.relative_to(TEMPLATES)}: {line.strip()}" for path in TEMPLATES.rglob("*.html")
             for line in path.read_text(encoding="utf-8").splitlines() if re.search(rf"\b{name}\(", line)]
    assert calls == []


def test_no_template_asks_a_permission_about_a_record():
    """Sections get their answers (``can_write``, ``deletable``…) from their view; the templates'
    ``permissions`` global is left for questions about the user's role alone (the header's menu)."""
    questions = {match for path in TEMPLATES.rglob("*.html")
                 for match in re.findall(r"permissions\.(\w+)\(([^)]*)\)", path.read_text(encoding="utf-8"))}
    assert questions and all(arguments == "current_user" for _name, arguments in questions), sorted(questions)


def test_filters_and_globals_are_registered_in_one_place(app):
    for name in template_filters.FILTERS:
        assert name in app.jinja_env.filters, name
    for name, value in template_filters.GLOBALS.items():
        assert app.jinja_env.globals[name] is value


@pytest.mark.parametrize("language, expected", [("zh_CN", "已全部完成 摸底调查 已完成"),
                                                ("en", "All stages completed Survey Completed")])
def test_a_label_of_a_constant_is_in_the_page_language(app, language, expected):
    """Jinja folds a filter of a constant when it compiles the template: the label would stay in the
    language of the first page that compiled it. Both languages render the same compiled template."""
    source = "{{ 'done' | stage_label }} {{ 'survey' | stage_label }} {{ 'completed' | status_label }}"
    for first in ("zh_CN", "en"):  # whichever language compiles it first
        with app.test_request_context(headers={"Cookie": f"lang={first}"}):
            template = app.jinja_env.from_string(source)
        with app.test_request_context(headers={"Cookie": f"lang={language}"}):
            assert template.render() == expected


def test_vote_figures_read_as_before():
    assert template_filters.percent(Fraction(2, 3)) == "66.67%"
    assert template_filters.percent(Fraction(1, 2)) == "50.00%"
    assert template_filters.figure(Fraction(6400, 1), Basis.OWNERS) == "6,400"
    assert template_filters.figure(Fraction(640050, 100), Basis.AREA) == "6,400.50"


def test_history_values_read_as_before(app):
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        assert template_filters.change_value(None, "note") == "—"
        assert template_filters.change_value(40, "percent") == "40%"
        assert template_filters.change_value("completed", "status") == "Completed"
        assert template_filters.change_value("其他", "note") == "其他"
        assert str(template_filters.field_label("catch_up_date")) == "Back on track by"
        assert template_filters.field_label("unknown") == "unknown"
        assert str(template_filters.demand_field_label("reason")) == "Reason for declining"
