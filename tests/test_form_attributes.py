"""WTForms' attribute writer as the app installs it (renovation/form_attributes.py): the same bytes
as WTForms' own, and used by every widget."""
import inspect

import pytest
from flask_babel import lazy_gettext
from markupsafe import Markup
from wtforms import widgets
from wtforms.widgets import core

from renovation import form_attributes
from renovation.consultations.forms import ConsultationForm
from renovation.demands.forms import ChangeDemandForm, RaiseDemandForm
from renovation.photos.forms import UploadForm
from renovation.projects.forms import StageForm

WTFORMS = form_attributes.WTFORMS_HTML_PARAMS

CASES = [
    {},
    {"name": "caption", "id": "upload-survey-caption", "type": "text", "value": "", "maxlength": 500},
    {"class_": "vote-toggle", "aria_controls": "vote-body", "data_some_thing": "x", "for_": "a"},
    {"checked": True, "readonly": False, "required": True, "value": "during"},
    {"value": 'say "hello" & <b>bye</b>', "title": "it's"},
    {"value": Markup('already <i>markup</i> with "quotes"')},
    {"value": 12, "min": 0, "max": 100, "step": 1.5},
    {"placeholder": "例如：3号楼北侧", "value": None},
    {"value": lazy_gettext("Stage"), "label": lazy_gettext("Phase")},
]


def test_wtforms_own_writer_is_kept_for_the_comparison():
    assert WTFORMS is not form_attributes.html_params
    assert WTFORMS.__module__ == "wtforms.widgets.core" and WTFORMS.__name__ == "html_params"


@pytest.mark.parametrize("attributes", CASES)
def test_the_same_bytes_as_wtforms(app, attributes):
    with app.test_request_context():
        assert form_attributes.html_params(**attributes) == str(WTFORMS(**attributes))


def test_every_widget_writes_through_it(app):
    assert core.html_params is widgets.html_params is form_attributes.html_params
    for name, widget in inspect.getmembers(core, inspect.isclass):
        if "html_params" in widget.__dict__:
            assert widget.__dict__["html_params"].__func__ is form_attributes.html_params, name


@pytest.mark.parametrize("form_class", [ConsultationForm, RaiseDemandForm, ChangeDemandForm, StageForm, UploadForm])
def test_forms_render_as_wtforms_renders_them(app, monkeypatch, form_class):
    """Whole forms, field by field and label by label: the same markup with WTForms' writer."""
    with app.test_request_context():
        form = form_class(formdata=None)
        ours = [(str(field()), str(field.label())) for field in form]
        monkeypatch.setattr(core, "html_params", WTFORMS)
        monkeypatch.setattr(widgets, "html_params", WTFORMS)
        monkeypatch.setattr(core.Input, "html_params", staticmethod(WTFORMS))
        monkeypatch.setattr(core.Button, "html_params", staticmethod(WTFORMS))
        theirs = [(str(field()), str(field.label())) for field in form]
    assert ours == theirs
