"""Field limits have one source, the models: the forms, the rendered ``maxlength`` and the API read
them (:func:`renovation.models.limits.column_limit`), so the page and the API accept the same text."""
import importlib
import pkgutil

import pytest
from sqlalchemy import String, Text
from wtforms import Form
from wtforms.validators import Length

import renovation
from renovation.api import consultations as consultation_api
from renovation.api import demands as demand_api
from renovation.api import photos as photo_api
from renovation.extensions import db
from renovation.models import (
    ApiToken,
    Bulletin,
    ChatRobot,
    Compound,
    Consultation,
    Demand,
    Photo,
    Problem,
    Project,
    Stage,
    User,
    Vote,
)
from renovation.models.acceptance import AcceptanceCheck, AcceptanceRecord, AcceptanceRepresentative, Rectification
from renovation.models.aftercare import Aftercare
from renovation.models.audit import REASON_MAX
from renovation.models.contents import ContentItem, ProjectContent, RuleOverride
from renovation.models.leaders import LeaderLink, SiteVisit
from renovation.models.limits import column_limit
from tests.conftest import api_token, make_project, make_user

# Every form field with a length limit, and the column it is stored in.
STORED_IN = {
    ("UserForm", "username"): User.username, ("UserForm", "display_name"): User.display_name,
    ("LoginForm", "username"): User.username, ("TokenForm", "name"): ApiToken.name,
    ("StageForm", "note"): Stage.note, ("StageForm", "lag_note"): Stage.lag_note,
    ("RaiseDemandForm", "text"): Demand.text, ("RaiseDemandForm", "raised_by"): Demand.raised_by,
    ("ChangeDemandForm", "response"): Demand.response, ("ChangeDemandForm", "reason"): Demand.reason,
    ("ChangeDemandForm", "assignee"): Demand.assignee,
    **{("ConsultationForm", name): getattr(Consultation, name)
       for name in ("place", "organiser", "attendees", "topic", "opinions", "decisions", "follow_up")},
    ("DeleteConsultationForm", "reason"): Consultation.delete_reason,
    **{("VoteForm", name): getattr(Vote, name) for name in ("matter", "extra_threshold", "extra_label")},
    ("PhotoFieldsForm", "caption"): Photo.caption,
    # A brief's project, by its code or its compound's name.
    ("IssueBulletinForm", "project"): Compound.name, ("DraftContentForm", "notes"): Bulletin.notes,
    ("DraftContentForm", "copy_to"): Bulletin.copy_to, ("SendBackForm", "reason"): Bulletin.sent_back_reason,
    **{("ProblemForm", name): getattr(Problem, name) for name in ("title", "description", "proposal")},
    ("SolveForm", "resolution"): Problem.resolution, ("SuspendForm", "reason"): Problem.reason,
    ("ReopenForm", "reason"): Problem.reason,
    # Linked leaders: a link's post, the project it is to (by its code); a site visit and its problem.
    ("LeaderLinkForm", "note"): LeaderLink.note, ("LeaderLinkForm", "project"): Project.code,
    **{("VisitForm", name): getattr(SiteVisit, name) for name in ("others", "seen", "decided")},
    **{("SpotProblemForm", name): getattr(Problem, name) for name in ("title", "description")},
    # The project list's page after (or before) the project with this code.
    ("ProjectFilterForm", "after"): Project.code, ("ProjectFilterForm", "before"): Project.code,
    # Notifications: the digest's address (set by an admin or by the user), a chat robot's name, URL and secret.
    ("UserForm", "email"): User.email, ("ChoicesForm", "email"): User.email,
    **{("RobotForm", name): getattr(ChatRobot, name) for name in ("name", "url", "secret")},
    # Renovation content: a content's reason, a catalogue item's key and name, a rule override's reason.
    ("ContentFiguresForm", "reason"): ProjectContent.reason, ("ContentItemForm", "key"): ContentItem.key,
    ("ContentItemForm", "name"): ContentItem.name, ("StageForm", "override_reason"): RuleOverride.reason,
    # After the works: the party branch's and the property company's names.
    **{("AftercareForm", name): getattr(Aftercare, name) for name in ("party_branch_name", "property_company")},
    # 竣工验收: a representative's name and whom they represent, an item's note, the summary; a rectification
    # item's description and its closing note.
    ("RepresentativeRow", "name"): AcceptanceRepresentative.name,
    ("RepresentativeRow", "represents"): AcceptanceRepresentative.represents,
    ("CheckRow", "note"): AcceptanceCheck.note, ("AcceptanceForm", "summary"): AcceptanceRecord.summary,
    ("RectificationForm", "description"): Rectification.description, ("CloseForm", "note"): Rectification.closing_note,
}
# Limited fields stored in no column, and their limit's source.
NOT_A_COLUMN = {
    ("UserForm", "password"): 128, ("PasswordResetForm", "password"): 128,  # only its hash is kept
    ("EditConsultationForm", "reason"): REASON_MAX, ("DeletePhotoForm", "reason"): REASON_MAX,  # audit details
    ("AuditFilterForm", "project"): 64,  # words to search for
}
SEARCH_FIELDS = {"q"}  # a list's search words, in no column


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _length_limits() -> dict[tuple[str, str], int]:
    for module in pkgutil.walk_packages(renovation.__path__, "renovation."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    limits = {}
    for cls in _subclasses(Form):
        if not cls.__module__.startswith("renovation."):
            continue
        for name, unbound in vars(cls).items():
            for validator in getattr(unbound, "kwargs", {}).get("validators") or []:
                if isinstance(validator, Length) and name not in SEARCH_FIELDS:
                    limits[(cls.__name__, name)] = validator.max
    return limits


def test_every_form_limit_is_its_columns():
    limits = _length_limits()
    assert set(limits) == set(STORED_IN) | set(NOT_A_COLUMN), "a new limited field: name its column above"
    assert {key: limits[key] for key in STORED_IN} == {key: column_limit(column) for key, column in STORED_IN.items()}
    assert {key: limits[key] for key in NOT_A_COLUMN} == NOT_A_COLUMN


def test_the_api_limits_are_the_columns():
    assert demand_api.RAISE_TEXT_LIMITS == {name: column_limit(getattr(Demand, name))
                                            for name in ("category", "text", "raised_by")}
    assert demand_api.CHANGE_TEXT_LIMITS == {name: column_limit(getattr(Demand, name))
                                             for name in ("status", "response", "reason", "assignee")}
    assert consultation_api.TEXT_LIMITS == {name: column_limit(getattr(Consultation, name))
                                            for name in consultation_api.TEXT_LIMITS}
    assert consultation_api.VOTE_TEXT_LIMITS == {name: column_limit(getattr(Vote, name))
                                                 for name in consultation_api.VOTE_TEXT_LIMITS}
    assert photo_api.CAPTION_MAX == column_limit(Photo.caption)


def test_a_string_columns_limit_is_its_length_and_every_text_column_people_write_has_one():
    assert (column_limit(User.username), column_limit(Vote.matter_class)) == (64, 8)
    unlimited = sorted(f"{table.name}.{column.name}" for table in db.metadata.sorted_tables
                       for column in table.columns
                       if isinstance(column.type, Text) and "max_length" not in column.info)
    # Written by the app, never typed: a copy of a stage note, the renderer's message, the search
    # copies (of limited fields).
    assert unlimited == ["bulletin.render_error", "demand.search_text", "project.search_text", "stage_event.note"]
    assert all(column.type.length for table in db.metadata.sorted_tables for column in table.columns
               if isinstance(column.type, String) and not isinstance(column.type, Text))


def test_the_page_renders_the_columns_limit_as_maxlength(app):
    from renovation.demands.forms import RaiseDemandForm
    from renovation.photos.forms import PhotoFieldsForm

    with app.test_request_context():
        assert f'maxlength="{column_limit(Demand.text)}"' in RaiseDemandForm().text()
        assert f'maxlength="{column_limit(Photo.caption)}"' in PhotoFieldsForm().caption()


@pytest.mark.parametrize("field", ["note", "lag_note"])
def test_the_api_refuses_a_stage_note_the_page_refuses(app, client, field):
    make_project("ZP-2026-001")
    headers = {"Authorization": f"Bearer {api_token(make_user())}", "Accept-Language": "en"}
    limit = column_limit(getattr(Stage, field))
    response = client.patch("/api/v1/projects/ZP-2026-001/stages/survey",
                            json={field: "记" * (limit + 1), "version": 1}, headers=headers)
    assert (response.status_code, response.get_json()) == (422, {"errors": {field: f"At most {limit} characters."}})
