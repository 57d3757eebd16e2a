"""The injection sweep: a payload written through every text field any role can write, then every
page, htmx fragment, export, error and preview read back; the raw payload must never come back.

Coverage is by construction, not by memory:
- every String/Text column of the models must hold the payload after the writes, or be listed in
  ``NOT_USER_TEXT`` with the reason nobody can write text into it;
- every text-like field of every WTForms form (any form, any blueprint) must have received the
  payload, seen by the forms themselves as they read the request;
- every GET route of ``app.url_map`` is read, by each role, as a page and as an htmx fragment, and
  once more with every form field name in the query string; a route with an argument the sweep has
  no value for fails the sweep;
- every POST/PATCH route is sent the payload in every field name the forms know, so each form's
  error answer (which keeps the user's input) is read too.
One module-wide setup: the writes happen once, the reads are many and quick.
"""
import importlib
import io
import json
import pkgutil
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import g
from markupsafe import escape
from openpyxl import Workbook
from pypdf import PdfWriter
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.routing.converters import AnyConverter
from werkzeug.test import encode_multipart
from wtforms import Form, PasswordField, SelectFieldBase
from wtforms.fields import BooleanField, FieldList, FileField, FormField
from wtforms.form import BaseForm

import renovation
from renovation import create_app
from renovation.domain import accounts
from renovation.domain.clock import today, utcnow
from renovation.domain.contents import catalogue
from renovation.extensions import db
from renovation.models import (
    AcceptanceAttachment,
    AcceptanceRecord,
    ApiToken,
    Bulletin,
    ChatRobot,
    Consultation,
    ConsultationAttachment,
    Delivery,
    Demand,
    LeaderLink,
    Photo,
    PhotoPair,
    Problem,
    Project,
    ProjectContent,
    Rectification,
    Stage,
    User,
)
from tests.conftest import PASSWORD, _empty_tables, api_token, login, make_user
from tests.domain.photo_samples import jpeg
from tests.test_security_headers import assert_protected

pytestmark = pytest.mark.slow

# Breaks out of a quoted attribute (either quote), opens a tag with a handler, and a script.
PAYLOAD = "\"'><img src=x onerror=alert(1)><script>alert(1)</script>"
SHORT = "\"'><svg onload=alert(1)>"  # for fields of at most 32 characters
# A browser sends a double quote in a file name as %22, and a name ends at its last "/".
FILE_NAME = "'><img src=x onerror=alert(1)><svg onload=alert(1)>"
MARK = "alert(1)"  # what survives in the database whatever the field keeps of the payload
# Any of these in a page means the payload was printed as markup (escaped, "<" is "&lt;" and the
# quotes are "&#34;"/"&#39;").
RAW = ("<img src=x onerror", "<script>alert", "<svg onload", "\"'>")

# Columns nobody can put text into, and why. A new column joins the sweep or this list.
NOT_USER_TEXT = {
    "user.username": "letters, digits, dot, dash and underscore only (the admin form's rule)",
    "user.password_hash": "a hash", "user.role": "one of the roles",
    "api_token.token_hash": "a hash", "api_token.scope": "read or write, chosen from a list",
    "audit_entry.action": "chosen by the app", "audit_entry.target_type": "chosen by the app",
    "audit_entry.target_id": "an id or a project code",
    "monthly_snapshot.month": "YYYY-MM, made by the app",
    "project.code": "a project code (ZP-YYYY-NNN), validated", "project.current_stage": "a stage key",
    "project_month.current_stage": "a stage key",
    "bulletin.kind": "one of the kinds", "bulletin.issuer": "the BULLETIN_ISSUER setting, not a form",
    "bulletin.render_status": "chosen by the app", "bulletin.render_error": "the renderer's message",
    "bulletin.pdf_key": "a storage key", "bulletin.pdf_sha256": "a hash",
    "bulletin.series": "made by the app from the kind and the scope's id", "bulletin.status": "one of the steps",
    "bulletin.label": "made by the app from the number, or a project's code and the day",
    "bulletin.document_number": "the BULLETIN_CITY_DOCUMENT_NUMBER setting, not a form",
    "consultation.kind": "one of the kinds",
    "photo.stage_key": "a stage key", "photo.phase": "one of the phases", "photo.sha256": "a hash",
    "photo.content_type": "found by decoding the image", "photo.taken_at_source": "chosen by the app",
    "stage.key": "a stage key", "stage.status": "one of the statuses",
    "stage.lag_reason": "one of the lag reasons, checked by stage_rules.lag_errors",
    "stage_event.stage_key": "a stage key",
    "consultation_attachment.kind": "one of the kinds", "consultation_attachment.content_type": "found by decoding",
    "consultation_attachment.sha256": "a hash",
    "demand.category": "one of the categories", "demand.status": "one of the statuses",
    "demand_tally.status": "a demand's status, counted by the database's triggers",
    "city_demand_tally.status": "a demand's status, counted by the database's triggers",
    "stage_tally.key": "a stage key, counted by the database's triggers",
    "stage_tally.status": "a stage's status, counted by the database's triggers",
    "street_tally.current_stage": "a stage key or done, counted by the database's triggers",
    "street_deadline_day.street_name": "the triggers' copy of project.street_name (which the sweep writes) for "
                                       "projects with a deadline; the sweep's project in the payload street has none",
    "vote.matter_class": "special or ordinary", "vote.extra_threshold": "a fraction such as 9/10, validated",
    "problem.category": "one of the categories", "problem.status": "one of the statuses",
    "problem.stage_key": "a stage key", "problem_event.step": "one of the steps, chosen by the app",
    "notification.kind": "one of the kinds, chosen by the app", "notification.occurrence": "a date or a version",
    "chat_robot.kind": "wecom or dingtalk, from a list",
    "chat_robot.url": "an http(s) address on an allowed host, without spaces, quotes or angle brackets (robots.py)",
    "delivery.key": "made by the app", "delivery.channel": "email or robot", "delivery.status": "one of the statuses",
    "content_item.key": "lower-case letters, digits and _ (catalogue.KEY_PATTERN)",
    "content_item.category": "one of the categories", "content_item.unit": "one of the units",
    "content_item.stage_key": "a stage key", "project_content.stage_key": "a stage key",
    "content_event.item_key": "a catalogue item's key", "content_event.action": "chosen by the app",
    "street_content_month.item_key": "a catalogue item's key, copied by the monthly snapshot",
    "rule_override.stage_key": "a stage key", "rule_override.rule": "one of the evidence rules, chosen by the app",
    "aftercare.property_management": "one of the kinds of management",
    "acceptance_check.result": "accepted or to rectify, from a list",
    "acceptance_attachment.kind": "one of the kinds", "acceptance_attachment.content_type": "found by decoding",
    "acceptance_attachment.sha256": "a hash",
    "rectification.responsible_unit": "one of the units, from a list", "rectification.status": "open or closed",
}
HX = {"HX-Request": "true"}
TEXT_CONTENT = ("text/html", "text/plain", "application/xhtml+xml", "image/svg+xml")
STAGE_KEYS = ["survey", "rain_sewage", "facade", "paving", "acceptance"]


# --- what the forms read --------------------------------------------------------------------------

def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _renovation_forms() -> list[type]:
    for module in pkgutil.walk_packages(renovation.__path__, "renovation."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)

    return sorted({cls for cls in _subclasses(Form) if cls.__module__.startswith("renovation.")},
                  key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _writable_fields(form: BaseForm) -> list[str]:
    """The fields whose typed text a form may show again: not choices, boxes, files or passwords."""
    return [name for name, field in form._fields.items()
            if not isinstance(field, (SelectFieldBase, BooleanField, FileField, FormField, FieldList, PasswordField))
            and field.type != "CSRFTokenField"]


def _all_field_names(forms) -> set[str]:
    names = set()
    for cls in forms:
        form = cls(meta={"csrf": False}) if issubclass(cls, Form) else cls()
        for name, field in form._fields.items():
            if isinstance(field, FormField):
                names.update(f"{name}-{sub}" for sub in field.form._fields)
            names.add(name)
    names.discard("csrf_token")
    return names


# --- the writes -----------------------------------------------------------------------------------

def _ledger(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["项目编号", "小区名称", "所属街道", "所属社区", "户数", "改造批次", "施工单位", "监理单位",
                  "责任工程师", "计划开工", "计划竣工", "摸底调查状态", "摸底调查进度(%)", "摸底调查实际开始",
                  "摸底调查备注"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _multipart(client, url, form: dict, files: list, field="files", headers=None):
    values = MultiDict(form)
    for content, name in files:
        values.add(field, FileStorage(io.BytesIO(content), filename=name, name=field,
                                      content_type="application/octet-stream"))
    boundary, body = encode_multipart(values)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}",
                       headers=headers or {})


def _ok(response, *codes):
    assert response.status_code in (codes or (200, 201, 303)), (response.request.path, response.status_code,
                                                                response.get_data(as_text=True)[:500])
    return response


class Sweep:
    """The app, a client per role, the ids of what was written, and every answer read so far."""

    def __init__(self, app):
        self.app = app
        self.clients = {}
        self.ids = {}
        self.answers = []  # (where, response) of every read, checked by the tests
        self.form_fields_seen: set[tuple[str, str]] = set()
        self.rules_read: set[str] = set()

    def client(self, role):
        return self.clients[role]

    def keep(self, where, response):
        response.get_data()  # read now, so that a streamed file is closed at once
        response.close()
        self.answers.append((where, response))
        return response

    def write_everything(self):
        admin = make_user("sweep-admin", "admin")
        make_user("sweep-leader", "leader")
        self.token = api_token(admin)
        for role, name in (("admin", "sweep-admin"), ("leader", "sweep-leader")):
            self.clients[role] = self.app.test_client()
            self.clients[role].set_cookie("lang", "en")
            _ok(login(self.clients[role], name, PASSWORD))
        admin_client = self.clients["admin"]

        # User names: an engineer named with the payload, through the admin page.
        _ok(admin_client.post("/admin/users", data={"username": "sweep-engineer", "display_name": PAYLOAD,
                                                    "role": "engineer", "password": PASSWORD}), 200, 303)
        engineer_client = self.clients["engineer"] = self.app.test_client()
        engineer_client.set_cookie("lang", "en")
        _ok(login(engineer_client, "sweep-engineer", PASSWORD))

        # Ledger cells: a ledger whose problems quote the cells (previewed only), then a good one.
        day = today()
        bad = _ledger([["ZP-2026-801", PAYLOAD, "桂林街道", "铁路社区", 10],
                       ["ZP-2026-802", "新华新村", PAYLOAD, "铁路社区", 10],
                       ["ZP-2026-801", PAYLOAD, "桂林街道", "铁路社区", 10],
                       [SHORT, PAYLOAD, "桂林街道", "铁路社区", "x" + SHORT]])
        response = _multipart(engineer_client, "/ledger/import", {}, [(bad, FILE_NAME + ".xlsx")], field="ledger")
        self.ids["bad_ledger"] = _ok(response).headers["Location"].rsplit("/", 1)[1]
        good = _ledger([["ZP-2026-901", PAYLOAD, PAYLOAD, PAYLOAD, 120, SHORT, PAYLOAD, PAYLOAD, PAYLOAD,
                         day - timedelta(days=30), day + timedelta(days=300),
                         "进行中", 20, day - timedelta(days=20), PAYLOAD]])
        location = _ok(_multipart(engineer_client, "/ledger/import", {}, [(good, "台账.xlsx")], field="ledger"))
        location = location.headers["Location"]
        preview = engineer_client.get(location).get_data(as_text=True)
        found = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]+)"', preview)
        assert found, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", preview))[-3000:]
        fingerprint = found.group(1)
        _ok(engineer_client.post(location, data={"fingerprint": fingerprint}))
        self.ids["good_ledger"] = location.rsplit("/", 1)[1]
        project = db.session.scalar(sa.select(Project).where(Project.code == "ZP-2026-901"))
        code = self.ids["code"] = project.code

        # A committee member of the payload-named community, named with the payload (the CLI's way).
        accounts.create_user("sweep-committee", PASSWORD, "committee", community=project.compound.community,
                             display_name=PAYLOAD)
        db.session.commit()
        self.clients["committee"] = self.app.test_client()
        self.clients["committee"].set_cookie("lang", "en")
        _ok(login(self.clients["committee"], "sweep-committee", PASSWORD))
        committee_client = self.clients["committee"]

        # Stages: a note through the page, another through the API.
        survey = db.session.scalar(sa.select(Stage).where(Stage.project_id == project.id, Stage.key == "survey"))
        _ok(engineer_client.post(f"/projects/{code}/stages/survey/edit", data={
            "status": "in_progress", "percent": "20", "actual_start": (day - timedelta(days=10)).isoformat(),
            "actual_end": "", "note": PAYLOAD, "lag_reason": "other", "lag_note": PAYLOAD,
            "catch_up_date": (day + timedelta(days=30)).isoformat(), "version": str(survey.version)}), 200, 303)
        db.session.expire_all()
        api = {"Authorization": f"Bearer {self.token}"}
        _ok(engineer_client.patch(f"/api/v1/projects/{code}/stages/survey", headers=api,
                                  json={"note": PAYLOAD + " api", "lag_note": PAYLOAD + " api",
                                        "version": survey.version}), 200)

        # Consultations with votes whose stricter local rule is named with the payload: one fails
        # the rule (page), one meets it (API); one is edited and one deleted, each with a reason.
        vote = {"has_vote": "y", "vote-matter": PAYLOAD, "vote-matter_class": "ordinary",
                "vote-total_owners": "100", "vote-total_area": "9000", "vote-participating_owners": "90",
                "vote-participating_area": "8100", "vote-agree_owners": "80", "vote-agree_area": "7200",
                "vote-oppose_owners": "10", "vote-oppose_area": "900", "vote-abstain_owners": "0",
                "vote-abstain_area": "0", "vote-extra_threshold": "9/10", "vote-extra_label": PAYLOAD}
        meeting = {"date": (day - timedelta(days=1)).isoformat(), "kind": "council_meeting", "place": PAYLOAD,
                   "organiser": PAYLOAD, "attendees": PAYLOAD, "households": "30", "topic": PAYLOAD,
                   "opinions": PAYLOAD, "decisions": PAYLOAD, "follow_up": PAYLOAD}
        for _ in range(3):
            _ok(committee_client.post(f"/projects/{code}/consultations", data={**meeting, **vote}), 200, 303)
        body = {key: value for key, value in meeting.items() if key != "households"}
        body["vote"] = {key.removeprefix("vote-"): value for key, value in vote.items() if key != "has_vote"}
        body["vote"] = {key: int(value) if key.endswith("_owners") else value for key, value in body["vote"].items()}
        body["vote"]["extra_threshold"] = "1/2"
        _ok(engineer_client.post(f"/api/v1/projects/{code}/consultations", headers=api, json=body), 201)
        consultations = db.session.scalars(sa.select(Consultation).order_by(Consultation.id)).all()
        first, edited, deleted = consultations[:3]
        self.ids["consultation_id"] = [first.id, consultations[3].id]
        _ok(engineer_client.post(f"/consultations/{edited.id}/edit",
                                 data={**meeting, **vote, "reason": PAYLOAD}), 200, 303)
        _ok(engineer_client.post(f"/consultations/{deleted.id}/delete", data={"reason": PAYLOAD}), 200, 303)

        # File names: a PDF and an image attached to a consultation.
        _ok(_multipart(committee_client, f"/consultations/{first.id}/attachments", {"kind": "minutes"},
                       [(_pdf(), FILE_NAME + ".pdf"), (jpeg(seed=7), FILE_NAME + ".jpg")]), 200, 303)
        self.ids["attachment_id"] = list(db.session.scalars(sa.select(ConsultationAttachment.id)))

        # Demands: raised on the page and through the API, moved along with a response and a reason.
        demand = {"category": "other", "text": PAYLOAD, "raised_by": PAYLOAD,
                  "raised_on": (day - timedelta(days=1)).isoformat(), "consultation_id": str(first.id)}
        _ok(committee_client.post(f"/projects/{code}/demands", data=demand), 200, 303)
        _ok(engineer_client.post(f"/api/v1/projects/{code}/demands", headers=api,
                                 json={**demand, "consultation_id": first.id}), 201)
        handled, declined = db.session.scalars(sa.select(Demand).order_by(Demand.id)).all()
        _ok(engineer_client.post(f"/demands/{handled.id}/status", data={
            "status": "in_progress", "response": PAYLOAD, "reason": "", "assignee": PAYLOAD,
            "version": str(handled.version)}), 200, 303)
        _ok(engineer_client.patch(f"/api/v1/demands/{declined.id}", headers=api, json={
            "status": "declined", "reason": PAYLOAD, "version": declined.version}), 200)
        self.ids["demand_id"] = [handled.id, declined.id]

        # Difficult problems: raised on the page and through the API; one given to the leader and
        # solved with a resolution, the other suspended with a reason and reopened with another.
        problem = {"title": PAYLOAD, "category": "utilities", "description": PAYLOAD, "proposal": PAYLOAD,
                   "stage": "rain_sewage", "departments": ["漳平市燃气公司"],
                   "deadline": (day + timedelta(days=10)).isoformat()}
        _ok(committee_client.post(f"/projects/{code}/problems", data=problem), 200, 303)
        _ok(engineer_client.post(f"/api/v1/projects/{code}/problems", headers=api, json=problem), 201)
        solved, suspended = db.session.scalars(sa.select(Problem).order_by(Problem.id)).all()
        _ok(engineer_client.post(f"/problems/{solved.id}/assign", data={"leader": "sweep-leader", "version": "1"}),
            200, 303)
        _ok(self.clients["leader"].post(f"/problems/{solved.id}/solve", data={"resolution": PAYLOAD, "version": "2"}),
            200, 303)
        _ok(engineer_client.patch(f"/api/v1/problems/{suspended.id}", headers=api, json={
            "status": "suspended", "reason": PAYLOAD, "version": 1}), 200)
        _ok(engineer_client.post(f"/problems/{suspended.id}/reopen", data={"reason": PAYLOAD + " again",
                                                                          "version": "2"}), 200, 303)
        # The reopened one is open again: a leader taking it on with a version that is no number.
        self.keep("take on", self.clients["leader"].post(f"/problems/{suspended.id}/take_on", data={"version": PAYLOAD},
                                                         headers=HX))
        self.ids["problem_id"] = [solved.id, suspended.id]

        # Linked leaders: the leader linked to the project and to its community with the payload as the
        # post (the second link ended); a visit by the leader with the payload as who else came, what
        # was seen and decided, taking up a problem and raising one on the spot named with the payload.
        leader_id = db.session.scalar(sa.select(User.id).where(User.username == "sweep-leader"))
        for place in ({"project": code}, {"community": str(project.compound.community_id)}):
            _ok(admin_client.post(f"/admin/users/{leader_id}/links", data={
                "community": "0", **place, "started_on": day.isoformat(), "note": PAYLOAD}), 303)
        links = list(db.session.scalars(sa.select(LeaderLink.id).order_by(LeaderLink.id)))
        _ok(admin_client.post(f"/admin/links/{links[-1]}/end", data={"ended_on": day.isoformat()}), 303)
        _ok(self.clients["leader"].post(f"/projects/{code}/visits", data={
            "visited_on": day.isoformat(), "leaders": [str(leader_id)], "others": PAYLOAD, "seen": PAYLOAD,
            "decided": PAYLOAD, "problems": [str(solved.id)], "problem-title": PAYLOAD, "problem-category": "other",
            "problem-description": PAYLOAD, "problem-deadline": (day + timedelta(days=5)).isoformat()}), 303)
        self.ids["link_id"] = links

        # Photos: caption, file name and the camera model in the EXIF, by page and by API; a pair.
        _ok(_multipart(engineer_client, f"/projects/{code}/photos", {"phase": "before", "stage": "survey",
                                                                       "caption": PAYLOAD},
                       [(jpeg(seed=1, model=PAYLOAD), FILE_NAME + ".jpg"), (jpeg(seed=2), "gone.jpg")]), 200, 303)
        _ok(_multipart(engineer_client, f"/api/v1/projects/{code}/photos", {"phase": "after", "stage": "survey",
                                                                              "caption": PAYLOAD},
                       [(jpeg(seed=3, model=PAYLOAD), FILE_NAME + ".jpg")], field="file", headers=api), 201)
        before, gone, after = db.session.scalars(sa.select(Photo).order_by(Photo.id)).all()
        _ok(engineer_client.post(f"/photos/{before.id}/edit", data={"phase": "before", "stage": "survey",
                                                                     "caption": PAYLOAD + " edited"}), 200, 303)
        _ok(engineer_client.post(f"/photos/{before.id}/pair", data={"after": str(after.id)}), 200, 303)
        _ok(engineer_client.post(f"/photos/{gone.id}/delete", data={"reason": PAYLOAD}), 200, 303)
        self.ids["photo_id"] = [before.id, after.id]
        self.ids["pair_id"] = list(db.session.scalars(sa.select(PhotoPair.id)))

        # Renovation content: a catalogue item named with the payload (admin page); contents with more done
        # than planned and the payload as the reason, on the page and through the API; paving started
        # before any hidden-works photo, the rule overridden with the payload as the reason.
        catalogue.ensure_default_items()
        _ok(admin_client.post("/admin/content-items", data={"key": "sweep_item", "name": PAYLOAD, "category": "basic",
                                                            "unit": "m", "stage": ""}), 303)
        _ok(engineer_client.post(f"/projects/{code}/contents", data={
            "item": "sweep_item", "stage": "", "planned_quantity": "10", "completed_quantity": "12",
            "investment": "1.5", "reason": PAYLOAD}), 303)
        _ok(engineer_client.post(f"/api/v1/projects/{code}/contents", headers=api, json={
            "item": "roads", "planned_quantity": "100", "completed_quantity": "120.5", "investment": "2",
            "reason": PAYLOAD}), 201)
        self.ids["content_id"] = list(db.session.scalars(sa.select(ProjectContent.id).order_by(ProjectContent.id)))
        self.ids["item_id"] = [catalogue.item_by_key("sweep_item").id]
        # After the works: the party branch and the property company named with the payload.
        _ok(engineer_client.post(f"/projects/{code}/aftercare", data={
            "party_branch": "y", "party_branch_name": PAYLOAD, "building_party_groups": "2",
            "property_management": "professional", "property_company": PAYLOAD, "version": "0"}), 303)
        self._acceptance(code, day, api)
        engineer_user = db.session.scalars(sa.select(User).where(User.username == "sweep-engineer")).one()
        _ok(admin_client.post(f"/admin/users/{engineer_user.id}/overriding", data={}), 303)
        lag = {"lag_reason": "other", "lag_note": PAYLOAD, "catch_up_date": (day + timedelta(days=30)).isoformat()}
        db.session.expire_all()
        stages = {stage.key: stage
                  for stage in db.session.scalars(sa.select(Stage).where(Stage.project_id == project.id))}
        _ok(engineer_client.post(f"/projects/{code}/stages/survey/edit", data={
            "status": "completed", "percent": "100", "actual_start": (day - timedelta(days=10)).isoformat(),
            "actual_end": day.isoformat(), "note": PAYLOAD, **lag, "version": str(stages["survey"].version)}), 303)
        _ok(engineer_client.post(f"/projects/{code}/stages/paving/edit", data={
            "status": "in_progress", "percent": "5", "actual_start": day.isoformat(), "actual_end": "", "note": "",
            **lag, "override_reason": PAYLOAD, "version": str(stages["paving"].version)}), 303)

        # A brief of the project with notes, drafted and issued through the pages (an office issuing
        # in one step): its page and its PDF, rendered from the same template.
        pair_id = self.ids["pair_id"][0]
        self.app.config["BULLETIN_STEPS"] = ""
        drafted = engineer_client.post("/bulletins", data={"kind": "project", "project": code, "notes": PAYLOAD,
                                                           "copy_to": PAYLOAD, "pairs": str(pair_id)})
        _ok(drafted, 303)
        brief = drafted.headers["Location"].rsplit("/", 1)[1]
        _ok(engineer_client.post(f"/bulletins/{brief}/issue", data={"version": "1"}), 303)
        self.app.config["BULLETIN_STEPS"] = "check,sign"
        # A draft sent back to its drafter with a reason: its page shows the reason.
        city = engineer_client.post("/bulletins", data={"kind": "city", "notes": PAYLOAD, "copy_to": PAYLOAD})
        _ok(city, 303)
        draft_id = city.headers["Location"].rsplit("/", 1)[1]
        _ok(engineer_client.post(f"/bulletins/{draft_id}/send-on", data={"version": "1"}), 303)
        _ok(engineer_client.post(f"/bulletins/{draft_id}/send-back", data={"version": "2", "reason": PAYLOAD}), 303)
        self.ids["bulletin_id"] = list(db.session.scalars(sa.select(Bulletin.id).order_by(Bulletin.id)))
        self.ids["page"] = [1]
        self.ids["user_id"] = list(db.session.scalars(sa.select(User.id)))

        # Notifications: an odd but valid e-mail address, a robot named with the payload and the payload as
        # its 钉钉 secret (switched off: nothing leaves the machine), and a message to it that failed; the
        # routes of one robot and one message get another pair, which their posts may change or delete.
        _ok(engineer_client.post("/notifications/choices", data={"kinds": ["bulletin_issued"], "digest": "y",
                                                                 "email": "\"'><svg/onload=alert(1)>@zp.cn"}), 303)
        robot_url = "https://oapi.dingtalk.com/robot/send?access_token=sweep"
        for name in (PAYLOAD, "铁路社区改造群"):
            _ok(admin_client.post("/admin/robots", data={"name": name, "kind": "dingtalk", "url": robot_url,
                                                         "secret": PAYLOAD, "kinds": ["problem_assigned"]}), 303)
        robots = db.session.scalars(sa.select(ChatRobot).order_by(ChatRobot.id)).all()
        failed = [Delivery(key=f"robot:sweep:{robot.id}", channel="robot", robot_id=robot.id, title=PAYLOAD,
                           body=PAYLOAD, status="failed", attempts=6, next_attempt_at=utcnow(), last_error=PAYLOAD,
                           created_at=utcnow()) for robot in robots]
        db.session.add_all(failed)
        db.session.commit()
        self.ids["robot_id"], self.ids["delivery_id"] = [robots[1].id], [failed[1].id]

        # API tokens: named on the user's own token page (shown once on the answer).
        _ok(engineer_client.post("/account/tokens", data={"name": PAYLOAD, "scope": "read",
                                                          "expires_in_days": "30"}), 201)
        self.ids["token_id"] = list(db.session.scalars(sa.select(ApiToken.id)))

    def _acceptance(self, code, day, api):
        """竣工验收: an acceptance (page) with a representative named with the payload, whom they represent,
        a content item to rectify with the payload as the note and the summary, and one sent with the payload
        in every field (refused, the input kept); another through the API; an item added directly; items
        closed with the payload as the note (page and API); the minutes named with the payload."""
        committee, engineer = self.clients["committee"], self.clients["engineer"]
        contents = self.ids["content_id"]
        deadline = (day + timedelta(days=7)).isoformat()
        form = {"accepted_on": day.isoformat(), "units": ["contractor"], "representatives-0-name": PAYLOAD,
                "representatives-0-represents": PAYLOAD, "representatives-1-headcount": "3",
                "representatives-1-represents": PAYLOAD, "checks-0-content_id": str(contents[0]),
                "checks-0-result": "rectify", "checks-0-note": PAYLOAD, "checks-1-content_id": str(contents[1]),
                "checks-1-result": "accepted", "rectify_deadline": deadline, "rectify_unit": "contractor",
                "summary": PAYLOAD}
        _ok(committee.post(f"/projects/{code}/acceptances", data=form), 303)
        self.keep("acceptance refused", committee.post(f"/projects/{code}/acceptances", headers=HX, data={
            **{name: PAYLOAD for name in form}, "representatives-0-headcount": PAYLOAD,
            "checks-0-content_id": PAYLOAD}))
        _ok(engineer.post(f"/api/v1/projects/{code}/acceptances", headers=api, json={
            "accepted_on": day.isoformat(), "representatives": [{"name": PAYLOAD, "represents": PAYLOAD}],
            "checks": [{"content_id": contents[1], "result": "rectify", "note": PAYLOAD + " api"}],
            "summary": PAYLOAD + " api"}), 201)
        _ok(committee.post(f"/projects/{code}/rectifications", data={
            "description": PAYLOAD, "deadline": deadline, "responsible_unit": "supervisor"}), 303)
        items = list(db.session.scalars(sa.select(Rectification).order_by(Rectification.id)))
        _ok(engineer.post(f"/rectifications/{items[0].id}/close", data={"note": PAYLOAD, "version": "1"}), 303)
        _ok(engineer.patch(f"/api/v1/rectifications/{items[1].id}", headers=api,
                           json={"note": PAYLOAD + " api", "version": 1}), 200)
        acceptances = list(db.session.scalars(sa.select(AcceptanceRecord.id).order_by(AcceptanceRecord.id)))
        _ok(_multipart(committee, f"/acceptances/{acceptances[0]}/attachments", {"kind": "minutes"},
                       [(_pdf(), FILE_NAME + ".pdf"), (jpeg(seed=8), FILE_NAME + ".jpg")]), 200, 303)
        self.ids["acceptance_id"] = acceptances
        self.ids["rectification_id"] = [item.id for item in items]
        self.ids["paper_id"] = list(db.session.scalars(sa.select(AcceptanceAttachment.id)))

    # --- the reads -------------------------------------------------------------------------------

    def values_for(self, rule) -> list[dict]:
        """Every combination of argument values for ``rule`` (one per id the sweep made)."""
        combinations = [{}]
        for name in rule.arguments:
            converter = rule._converters[name]
            if isinstance(converter, AnyConverter):
                choices = sorted(converter.items)
            elif name == "key":
                choices = STAGE_KEYS
            elif name == "sha256":
                choices = [self.ids["bad_ledger"], self.ids["good_ledger"]]
            else:
                assert name in self.ids, f"the sweep has no value for <{name}> of {rule.rule}: add it"
                found = self.ids[name]
                choices = found if isinstance(found, list) else [found]
            combinations = [{**combo, name: choice} for combo in combinations for choice in choices]
        return combinations

    def urls(self, methods: set[str]):
        for rule in sorted(self.app.url_map.iter_rules(), key=lambda rule: rule.rule):
            if rule.endpoint == "static" or not (rule.methods & methods):
                continue
            for values in self.values_for(rule):
                yield rule, rule.build(values)[1] if values else rule.rule

    def read_everything(self, query_names: set[str]):
        api = {"Authorization": f"Bearer {self.token}"}
        query = {name: PAYLOAD for name in sorted(query_names | {"fragment", "next", "notes", "project"})}
        for rule, url in self.urls({"GET"}):
            self.rules_read.add(rule.rule)
            if url.startswith("/api/"):
                self.keep(url, self.client("engineer").get(url, headers=api))
                self.keep(url + "?payload", self.client("engineer").get(url, headers=api, query_string=query))
                continue
            for role in ("admin", "engineer", "committee", "leader"):
                self.keep(f"{role} {url}", self.client(role).get(url))
            self.keep(f"htmx {url}", self.client("engineer").get(url, headers=HX))
            self.keep(f"payload {url}", self.client("engineer").get(url, query_string=query))
            self.keep(f"htmx payload {url}", self.client("engineer").get(url, query_string=query, headers=HX))
        # The admins' own lists (engineers are refused before their filters are read).
        for url in ("/admin/audit",):
            self.keep(f"admin payload {url}", self.client("admin").get(url, query_string=query))
            self.keep(f"admin htmx payload {url}", self.client("admin").get(url, query_string=query, headers=HX))
        # New bulletins refused with errors that quote what was asked for.
        engineer = self.client("engineer")
        code = self.ids["code"]
        for args in ({"kind": "street", "street": PAYLOAD}, {"kind": "project", "project": PAYLOAD},
                     {"kind": PAYLOAD}):
            self.keep(f"draft {args}", engineer.post("/bulletins", data={**args, "notes": PAYLOAD}))
        for url in (f"/projects/{PAYLOAD}", f"/projects/{code}/stages/{PAYLOAD}", f"/{PAYLOAD}",
                    f"/api/v1/projects/{PAYLOAD}", f"/ledger/import/{PAYLOAD}"):
            self.keep(f"error {url}", engineer.get(url))
            self.keep(f"htmx error {url}", engineer.get(url, headers=HX))
        self.keep("login", self.app.test_client().post("/login", data={"username": PAYLOAD, "password": PAYLOAD}))
        self.keep("not a ledger", _multipart(engineer, "/ledger/import", {}, [(PAYLOAD.encode(), FILE_NAME + ".xlsx")],
                                             field="ledger"))
        self.keep("not a photo", _multipart(engineer, f"/projects/{code}/photos", {"phase": "before"},
                                            [(PAYLOAD.encode(), FILE_NAME + ".jpg")], headers=HX))

    def post_everything(self, field_names: set[str]):
        """Every form's error answer: the payload in every field name any form knows."""
        api = {"Authorization": f"Bearer {self.token}"}
        data = {name: PAYLOAD for name in field_names}
        # Deleting comes after the rest; ending sessions and changing accounts at the very end.
        last = ("/logout", "/admin/users/", "/language")
        posts = sorted(self.urls({"POST", "PATCH"}), key=lambda item: (
            any(item[1].startswith(prefix) for prefix in last), "delete" in item[1] or "DELETE" in item[0].methods))
        for rule, url in posts:
            if url.startswith("/api/"):
                method = "PATCH" if "PATCH" in rule.methods else "POST"
                self.keep(f"{method} {url}", self.client("engineer").open(url, method=method, headers=api,
                                                                          json=data))
                continue
            client = self.client("admin" if url.startswith("/admin/") else "engineer")
            self.keep(f"POST {url}", client.post(url, data=data, headers=HX))
            self.keep(f"POST {url} page", client.post(url, data=data))


@pytest.fixture(scope="module")
def sweep(database_url, tmp_path_factory):
    app = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path_factory.mktemp("sweep-instance")), "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "QUEUE_URL": "immediate",
    })

    @app.teardown_request
    def _fresh_g_per_request(_error):
        g.__dict__.clear()  # as in tests/conftest.py: one app context for every request

    state = Sweep(app)
    original_process = BaseForm.process

    def process_and_note(form, *args, **kwargs):
        original_process(form, *args, **kwargs)
        for name, field in form._fields.items():
            if any(MARK in str(value) for value in (field.raw_data or [])):
                state.form_fields_seen.add((type(form).__qualname__, name))

    forms = _renovation_forms()
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseForm, "process", process_and_note)
        try:
            with app.test_request_context():
                state.field_names = _all_field_names(forms)
                state.forms = {cls: _writable_fields(cls(meta={"csrf": False})) for cls in forms}
            state.write_everything()
            state.read_everything(state.field_names)
            state.post_everything(state.field_names)
            yield state
        finally:
            db.session.rollback()
            _empty_tables()
            db.session.remove()
            db.engine.dispose()


# --- the checks -----------------------------------------------------------------------------------

def test_every_text_column_received_the_payload(sweep):
    missing = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            name = f"{table.name}.{column.name}"
            if not isinstance(column.type, (sa.String, sa.Text)) or name in NOT_USER_TEXT:
                continue
            found = db.session.scalar(sa.select(sa.func.count()).select_from(table).where(column.contains(MARK)))
            if not found:
                missing.append(name)
    assert missing == [], f"columns the sweep never wrote the payload into (write them, or say why not): {missing}"


def test_every_form_field_received_the_payload(sweep):
    # A base form is covered through the forms built on it.
    missing = [f"{form.__qualname__}.{field}" for form, fields in sweep.forms.items() for field in fields
               if not any((cls.__qualname__, field) in sweep.form_fields_seen for cls in [form, *_subclasses(form)])]
    assert missing == [], f"form fields the sweep never sent the payload to: {missing}"


def test_the_sweep_read_every_route_without_a_server_error(sweep):
    routes = {rule.rule for rule in sweep.app.url_map.iter_rules()
              if "GET" in rule.methods and rule.endpoint != "static"}
    assert sweep.rules_read == routes
    assert [where for where, response in sweep.answers if response.status_code >= 500] == []


def test_no_answer_prints_the_payload_as_markup(sweep):
    raw = []
    for where, response in sweep.answers:
        body = response.get_data(as_text=True) if response.mimetype in TEXT_CONTENT else ""
        for marker in RAW:
            if marker in body:
                at = body.index(marker)
                raw.append(f"{where} ({response.status_code}): …{body[max(0, at - 80):at + 60]}…")
                break
    assert raw == []


def test_the_payload_shows_as_text_where_it_was_written(sweep):
    """The sweep is not vacuous: the escaped payload is on the pages that show the values."""
    escaped = str(escape(PAYLOAD))
    pages = {where: response.get_data(as_text=True) for where, response in sweep.answers
             if response.mimetype in TEXT_CONTENT}
    code = sweep.ids["code"]
    consultation = sweep.ids["consultation_id"][0]
    for where in (f"engineer /projects/{code}", f"committee /consultations/{consultation}",
                  f"engineer /ledger/import/{sweep.ids['bad_ledger']}", "admin /admin/audit",
                  f"leader /bulletins/{sweep.ids['bulletin_id'][0]}", "engineer /dashboard"):
        assert escaped in pages[where], where
    # The vote's reasons name the stricter local rule (the bug of the issue), escaped.
    assert str(escape(f"“{PAYLOAD}”")) in pages[f"committee /consultations/{consultation}"]


def test_exports_and_api_answers_are_data_not_pages(sweep):
    for where, response in sweep.answers:
        path = where.split(" ")[-1]
        if "/exports/" in path or path.endswith(".xlsx") or path.endswith("/download"):
            if response.status_code == 200:
                assert response.headers["Content-Disposition"].startswith("attachment"), where
                assert response.mimetype not in TEXT_CONTENT, where
        if "/api/" in path and not (response.mimetype.startswith("image/") or response.mimetype == "application/pdf"):
            assert response.is_json, where
            # Data, not HTML: the API gives the text as written, never escaped for a page.
            assert "&lt;" not in json.dumps(response.get_json(), ensure_ascii=False), where
    # The vote's reasons name the stricter local rule as written.
    [consultation] = [response.get_json() for where, response in sweep.answers
                      if where == f"/api/v1/consultations/{sweep.ids['consultation_id'][0]}"]
    assert any(f"“{PAYLOAD}”" in reason for reason in consultation["vote"]["outcome"]["reasons"])


def test_every_answer_carries_the_policy(sweep):
    for where, response in sweep.answers:
        assert_protected(response)
        if response.mimetype in ("application/pdf", "image/jpeg") and "/bulletins/" not in where:
            assert "sandbox" in response.headers["Content-Security-Policy"].split("; "), where


def test_every_page_has_exactly_one_h1(sweep):
    """Each whole page a role reads names itself once: one ``h1`` (headings for screen readers)."""
    wrong = []
    for where, response in sweep.answers:
        role = where.split(" ")[0]
        if role not in ("admin", "engineer", "committee", "leader") or response.mimetype != "text/html":
            continue
        body = response.get_data(as_text=True)
        if "<html" not in body:
            continue
        count = len(re.findall(r"<h1[\s>]", body))
        if count != 1:
            wrong.append(f"{where} ({response.status_code}): {count}")
    assert wrong == [], f"pages without exactly one h1: {wrong}"
