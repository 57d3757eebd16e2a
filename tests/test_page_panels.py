"""The sections of the pages, built alone (the ``panels`` modules): what each shows depends on the
record and on who asks, without a request through a view."""
import io
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask_login import login_user

from renovation.consultations.panels import attachments_panel, blank_form, consultations_panel, live_outcome
from renovation.demands.panels import blank_raise_form, change_form, consultation_demands_panel, demands_panel
from renovation.domain.clock import today
from renovation.domain.photos.operations import add_photos, delete_photo
from renovation.domain.residents.attachments import add_attachment
from renovation.domain.residents.consultations import add_consultation
from renovation.domain.residents.demands import change_demand, raise_demand
from renovation.domain.stages.keys import STAGE_ORDER
from renovation.domain.stages.operations import update_stage
from renovation.photos.panels import gallery_panel, photos_panel
from renovation.projects import panels as project_panels
from tests.conftest import days_ago, make_project, make_user
from tests.domain.photo_samples import jpeg
from tests.domain.test_attachments import pdf


@contextmanager
def signed_in(app, user):
    """A request of ``user``, as a view would see it."""
    with app.test_request_context():
        login_user(user)
        yield


@pytest.fixture
def people(app):
    return {"engineer": make_user("engineer", "engineer"), "leader": make_user("leader", "leader"),
            "committee": make_user("committee", "committee", community="铁路社区"),
            "other_committee": make_user("elsewhere", "committee", community="和平社区")}


@pytest.fixture
def consultation(project, people):
    return add_consultation(project, people["engineer"], {"date": days_ago(1), "kind": "council_meeting",
                                                          "topic": "雨污分流"}, None)


# --- the project page ------------------------------------------------------------------------------

def test_a_stage_card_says_how_late_the_stage_is_and_asks_why(app, people):
    start = today() - timedelta(days=200)
    project = make_project(start=start, stages={"survey": {"status": "in_progress", "percent": 50}})
    survey = project.stages[0]  # planned to end 110 days ago
    with signed_in(app, people["engineer"]):
        card = project_panels.stage_card(project, survey)
    assert card["stage"] is survey and card["today"] == today()
    assert card["late"] == (today() - survey.planned_end).days > 0
    assert card["lag_asked"] is True


def test_a_stage_on_time_is_not_late(app, people, project):
    with signed_in(app, people["engineer"]):
        card = project_panels.stage_card(project, project.stages[-1])
    assert card["late"] == 0 and card["lag_asked"] is False


@pytest.mark.parametrize("role, can_edit, can_upload", [
    ("engineer", True, True), ("committee", False, True), ("other_committee", False, False), ("leader", False, False)])
def test_a_stage_card_offers_what_the_user_may_do(app, people, project, role, can_edit, can_upload):
    with signed_in(app, people[role]):
        card = project_panels.stage_card(project, project.stages[1])
    assert card["can_edit"] is can_edit
    assert card["can_upload"] is can_upload


def test_the_photo_section_presets_uploads_to_the_current_stage(app, people):
    project = make_project(stages={"survey": {"status": "completed", "percent": 100}})
    with signed_in(app, people["committee"]):
        panel = photos_panel(project)
    assert panel["upload_stage"] == project.current_stage == "rain_sewage"
    assert panel["upload_form"] is not None
    assert panel["can_pair"] is False and panel["gallery"].count == 0


def test_once_every_stage_is_done_uploads_have_no_stage(app, people):
    done = {"status": "completed", "percent": 100}
    project = make_project(stages={key.value: done for key in STAGE_ORDER})
    with signed_in(app, people["engineer"]):
        panel = photos_panel(project)
    assert panel["upload_stage"] is None and panel["upload_form"] is not None
    assert panel["can_pair"] is True


def test_readers_get_no_upload_form(app, people, project):
    with signed_in(app, people["leader"]):
        assert photos_panel(project)["upload_form"] is None


def test_the_history_links_only_live_photos(app, people, project):
    engineer = people["engineer"]
    kept, gone = (outcome.photo for outcome in add_photos(
        project, engineer, [("a.jpg", io.BytesIO(jpeg(seed=1))), ("b.jpg", io.BytesIO(jpeg(seed=2)))],
        "before", "survey", ""))
    delete_photo(gone, engineer, "拍错了")
    update_stage(project, "survey", engineer, {"status": "in_progress", "percent": 10, "actual_start": days_ago(5)},
                 project.stages[0].version)
    with signed_in(app, engineer):
        history = project_panels.history_panel(project)
        gallery = gallery_panel(project)["gallery"]
    assert history["live_photo_ids"] == gallery.live_ids == {kept.id}
    fields = [change["field"] for event in history["events"] for change in event.changes]
    assert {"photo_added", "photo_deleted", "percent"} <= set(fields)


def test_the_project_page_has_every_section(app, people, project):
    with signed_in(app, people["engineer"]):
        page = project_panels.project_page(project)
    assert set(page) == {"project", "today", "stages", "photos", "consultations", "problems", "demands", "history",
                         "contents", "visits", "acceptance", "aftercare"}
    assert [card["stage"].key for card in page["stages"]["cards"]] == [stage.key for stage in project.stages]
    assert page["history"]["live_photo_ids"] is page["photos"]["gallery"].live_ids  # looked up once


@pytest.mark.parametrize("part, keys", [("summary", {"today"}), ("history", {"history"}), ("gallery", {"photos"})])
def test_each_part_of_the_project_page_is_built_alone(app, people, project, part, keys):
    with signed_in(app, people["engineer"]):
        assert set(project_panels.PROJECT_FRAGMENTS[part](project)) == keys


# --- consultations ---------------------------------------------------------------------------------

def test_a_new_consultation_starts_from_the_compound(app, people, project, consultation):
    with signed_in(app, people["committee"]):
        panel = consultations_panel(project)
    assert [record.id for record in panel["records"]] == [consultation.id]
    assert panel["can_write"] is True
    assert panel["form"] is None  # the section asks for the blank form when 添加协商 is opened
    form = blank_form(project)
    assert form.date.data == today()
    assert form.vote.total_owners.data == project.households
    assert form.vote.total_area.data == project.floor_area


def test_a_refused_consultation_keeps_what_was_typed(app, people, project):
    with signed_in(app, people["engineer"]):
        typed = blank_form(project)
        typed.topic.data = "加装电梯"
        panel = consultations_panel(project, typed)
        assert panel["form"] is typed and panel["outcome"] == live_outcome(typed)


@pytest.mark.parametrize("role", ["leader", "other_committee"])
def test_readers_get_no_consultation_form(app, people, project, consultation, role):
    with signed_in(app, people[role]):
        panel = consultations_panel(project)
    assert panel["can_write"] is False and panel["form"] is None and panel["outcome"] is None
    assert len(panel["records"]) == 1


def test_files_may_be_deleted_by_their_uploader_and_the_bureau(app, people, consultation):
    committee = people["committee"]
    theirs = add_attachment(consultation, committee, "minutes", "纪要.pdf", io.BytesIO(pdf()))
    bureaus = add_attachment(consultation, people["engineer"], "sign_in_sheet", "签到表.jpg", io.BytesIO(jpeg()))
    with signed_in(app, committee):
        panel = attachments_panel(consultation, chosen_kind="minutes")
    assert {file.id for file in panel["files"]} == {theirs.id, bureaus.id}
    assert panel["deletable"] == {theirs.id}
    assert panel["upload_form"].kind.data == "minutes"
    with signed_in(app, people["engineer"]):
        panel = attachments_panel(consultation)
    assert panel["deletable"] == {theirs.id, bureaus.id}
    assert panel["upload_form"].kind.data == "sign_in_sheet"
    with signed_in(app, people["leader"]):
        panel = attachments_panel(consultation)
    assert panel["deletable"] == set() and panel["upload_form"] is None


# --- demands ---------------------------------------------------------------------------------------

def _demand(project, user, text="车棚"):
    return raise_demand(project, user, {"category": "parking", "text": text, "raised_on": days_ago(3)})


def test_the_demand_section_offers_forms_to_those_who_handle_demands(app, people, project):
    engineer = people["engineer"]
    open_one, closed = _demand(project, engineer, "车棚"), _demand(project, engineer, "路灯")
    change_demand(closed, engineer, {"status": "resolved", "response": "已修好"}, closed.version)
    with signed_in(app, engineer):
        panel = demands_panel(project)
        # Each row's status form comes with its fold, when opened (demands.show?fragment=more).
        assert {demand.id for demand, _form in panel["rows"]} == {open_one.id, closed.id}
        assert change_form(closed) is None and change_form(open_one).version.data == open_one.version
    assert panel["figures"].received == 2 and panel["figures"].resolved == 1
    assert [label for label, *_rest in panel["compared"]] == ["本项目", "本社区", "全市"]
    assert panel["can_write"] and panel["raise_form"] is None and panel["today"] == today()  # asked for when opened
    with signed_in(app, people["leader"]):
        panel = demands_panel(project)
        assert change_form(open_one) is None and not panel["can_write"]


def test_a_refused_demand_keeps_what_was_typed(app, people, project):
    with signed_in(app, people["engineer"]):
        typed = blank_raise_form(project)
        assert demands_panel(project, typed)["raise_form"] is typed


def test_a_consultation_shows_the_demands_raised_at_it(app, people, project, consultation):
    engineer = people["engineer"]
    _demand(project, engineer, "别处提的")
    at_it = raise_demand(project, engineer, {"category": "parking", "text": "会上提的", "raised_on": days_ago(1),
                                             "consultation_id": consultation.id})
    with signed_in(app, people["committee"]):
        panel = consultation_demands_panel(consultation)
    assert [demand.id for demand, _form in panel["rows"]] == [at_it.id]
    assert panel["raise_form"].consultation_id.data == consultation.id
    assert panel["raise_form"].raised_on.data == consultation.date
    with signed_in(app, people["other_committee"]):
        panel = consultation_demands_panel(consultation)
    assert panel["raise_form"] is None and panel["rows"][0][1] is None


def test_a_demand_page_form_follows_the_user_and_the_status(app, people, project):
    demand = _demand(project, people["committee"])
    with signed_in(app, people["committee"]):
        assert change_form(demand) is not None
    with signed_in(app, people["other_committee"]):
        assert change_form(demand) is None
    change_demand(demand, people["engineer"], {"status": "declined", "reason": "不属于改造范围"}, demand.version)
    with signed_in(app, people["engineer"]):
        assert change_form(demand) is None
