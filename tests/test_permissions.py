"""Who may call what: every route of the app × every role → the expected status.

The table below must name every (endpoint, method) of ``app.url_map`` except ``static``:
a new route without a row fails ``test_every_route_has_a_row``. Every request that is refused
(or that only reads) must leave the database exactly as it was, and a refused one the stored files too.

The world (a project, one user per role, photos, a consultation, …) is built once for the module;
after each test, what the test changed in the database and in the instance folder is put back
(``KeptWorld``), so every test starts from the same world.
"""
import io
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from renovation.domain import accounts
from renovation.domain.acceptance.attachments import add_attachment as add_acceptance_paper
from renovation.domain.acceptance.records import record_acceptance
from renovation.domain.bulletins import workflow
from renovation.domain.bulletins.issue import Scope
from renovation.domain.clock import utcnow
from renovation.domain.contents import catalogue
from renovation.domain.contents.operations import add_content
from renovation.domain.notifications import robots
from renovation.domain.photos.operations import add_photo
from renovation.domain.photos.pairing import pair_photos
from renovation.domain.problems.operations import raise_problem
from renovation.domain.residents.attachments import add_attachment
from renovation.domain.residents.consultations import add_consultation
from renovation.domain.residents.demands import raise_demand
from renovation.extensions import db
from renovation.models import ApiToken, Delivery, Rectification
from tests.conftest import _empty_tables, api_token, borrowed, days_ago, login, make_project, make_user

# ``committee`` is the committee of the project's community; ``other_committee`` the committee of another.
ROLES = ("anonymous", "admin", "engineer", "committee", "other_committee", "leader")
SIGNED_IN = ROLES[1:]
IGNORED_METHODS = {"HEAD", "OPTIONS"}


@dataclass
class World:
    """Real data for the requests: a project, one user per role and a user to administer."""

    code: str
    users: dict
    target_id: int
    photo_id: int = 0
    after_id: int = 0  # an after photo without a pair, to pair with photo_id
    pair_id: int = 0  # a pair of two other photos
    consultation_id: int = 0  # a consultation of the project, logged two days ago
    demand_id: int = 0  # a pending demand of the project
    attachment_id: int = 0  # a sign-in sheet (JPEG) of the consultation, uploaded by the engineer
    token_id: int = 0  # an API token of the target user
    problem_id: int = 0  # an open difficult problem of the project, raised by the engineer
    # The leader is linked to the project's community (挂钩联系点): link number 1, so the leader records visits.
    draft_id: int = 0  # a city bulletin the engineer is drafting (the leader may sign bulletins)
    checking_id: int = 0  # a city bulletin the engineer drafted and sent for checking
    content_id: int = 0  # the project's rain/sewage pipes (renovation content), no photo of them
    item_id: int = 0  # a catalogue item no project uses (greening)
    robot_id: int = 0  # the committee's group-chat robot, switched off (nothing leaves the test)
    delivery_id: int = 0  # a robot message that failed every attempt
    acceptance_id: int = 0  # an acceptance of the project (two representatives), its pipes to rectify
    rectification_id: int = 0  # the open rectification item that acceptance made
    acceptance_paper_id: int = 0  # the acceptance's sign-in sheet (JPEG)


def _world() -> World:
    project = make_project()
    users = {
        "admin": make_user("admin", "admin"),
        "engineer": make_user("engineer", "engineer"),
        "committee": make_user("committee", "committee", community="铁路社区"),
        "other_committee": make_user("other_committee", "committee", community="九龙社区"),
        "leader": make_user("leader", "leader"),
    }
    target = make_user("target", "engineer")
    engineer = users["engineer"]

    def photo_of(name, colour, phase, stage):
        return add_photo(project, engineer, name, io.BytesIO(_jpeg(colour)), phase, stage)

    photo = photo_of("东门.jpg", (180, 40, 40), "before", "survey")
    after = photo_of("东门-改造后.jpg", (40, 180, 40), "after", "survey")
    pair = pair_photos(project, engineer, photo_of("北门.jpg", (90, 90, 30), "before", None),
                       photo_of("北门-改造后.jpg", (30, 90, 90), "after", None))
    demand = raise_demand(project, engineer, {"category": "parking", "text": "停车难", "raised_on": days_ago(1)})
    consultation = add_consultation(project, users["engineer"],
                                    {**_consultation_post(None), "date": days_ago(2), "households": 30}, None)
    attachment = add_attachment(consultation, users["engineer"], "sign_in_sheet", "签到表.jpg",
                                io.BytesIO(_jpeg((200, 200, 200))))
    problem = raise_problem(project, engineer, {**PROBLEM_JSON, "deadline": days_ago(-10)})
    from renovation.domain.leaders.links import link_user  # beside its use: the world's one link

    link_user(users["leader"], users["admin"], community=project.compound.community, started_on=days_ago(30))
    accounts.create_token(target, name="target's script")
    catalogue.ensure_default_items()
    content = add_content(project, engineer, {"item": "rain_sewage_pipes", "planned_quantity": Decimal("1200.5"),
                                              "completed_quantity": Decimal("0"), "investment": Decimal("54")})
    users["leader"].may_sign_bulletins = True
    draft = workflow.create_draft("city", Scope(), engineer)
    checking = workflow.create_draft("city", Scope(), engineer)
    workflow.send_on(checking, engineer, checking.version)
    robot = robots.add_robot({"name": "铁路社区改造群", "kind": "wecom", "url": ROBOT_URL, "active": False,
                              "kinds": ["problem_assigned"], "community": project.compound.community}, users["admin"])
    delivery = Delivery(key="robot:world", channel="robot", robot_id=robot.id, title="燃气管线迁改",
                        body="**燃气管线迁改**", status="failed", attempts=6, next_attempt_at=utcnow(),
                        last_error="HTTP 500", created_at=utcnow())
    db.session.add(delivery)
    db.session.commit()
    acceptance = record_acceptance(project, engineer, {
        "accepted_on": days_ago(1), "units": ["contractor"], "representatives": ACCEPTANCE_JSON["representatives"],
        "checks": [{"content_id": content.id, "result": "rectify", "note": "井盖松动"}]})
    rectification_id = db.session.scalar(sa.select(sa.func.min(Rectification.id)))
    paper = add_acceptance_paper(acceptance, engineer, "sign_in_sheet", "验收签到表.jpg",
                                 io.BytesIO(_jpeg((20, 60, 200))))
    token_id = accounts.tokens_of(target)[0].id
    return World(token_id=token_id, consultation_id=consultation.id, attachment_id=attachment.id,
                 code=project.code, users={role: user.id for role, user in users.items()}, target_id=target.id,
                 photo_id=photo.id, after_id=after.id, pair_id=pair.id, demand_id=demand.id,
                 problem_id=problem.id, draft_id=draft.id, checking_id=checking.id, content_id=content.id,
                 item_id=catalogue.item_by_key("greening").id, robot_id=robot.id,
                 delivery_id=delivery.id, acceptance_id=acceptance.id, rectification_id=rectification_id,
                 acceptance_paper_id=paper.id)


def _jpeg(colour) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return buffer.getvalue()


class KeptWorld:
    """The world's rows and files as built, and how to put them back after a test: rows the test
    added are deleted, rows it deleted are inserted again, rows it changed are updated back, the
    id sequences restart after the world's ids (so a test's first new bulletin is number 1 again),
    and the instance folder is copied back when a file in it changed. Cheaper than building the
    world for every test, and unlike a rolled-back transaction it also undoes what the app
    commits on connections of its own (the login throttle, a token's last use)."""

    def __init__(self, instance: Path, pristine: Path):
        self.instance, self.pristine = instance, pristine
        self.rows = _rows_by_key()
        self.files = stored_files(instance)
        self.sequences = _sequences()
        shutil.copytree(instance, pristine)

    def put_back(self) -> None:
        now = _rows_by_key()
        # Tables the database keeps from others (the demand tallies) follow the rows put back.
        tables = [table for table in db.metadata.sorted_tables if not table.info.get("kept_by_database")]
        with db.engine.begin() as connection:
            for table in tables:  # parents first
                missing = [row for key, row in self.rows[table.name].items() if key not in now[table.name]]
                if missing:
                    connection.execute(table.insert(), [_values(table, row) for row in missing])
            for table in tables:
                for key, row in self.rows[table.name].items():
                    if key in now[table.name] and now[table.name][key] != row:
                        connection.execute(table.update().where(_is_key(table, key)).values(_values(table, row)))
            for table in reversed(tables):  # children first
                for key in now[table.name].keys() - self.rows[table.name].keys():
                    connection.execute(table.delete().where(_is_key(table, key)))
            _restart_sequences(connection, self.sequences)
        if stored_files(self.instance) != self.files:
            shutil.rmtree(self.instance)
            shutil.copytree(self.pristine, self.instance)
        assert _rows_by_key() == self.rows and stored_files(self.instance) == self.files, "the world was not put back"


def _values(table, row: tuple) -> dict:
    """A row's values to write back (a generated column, such as a search text, is computed)."""
    return {column.name: value for column, value in zip(table.columns, row, strict=True) if column.computed is None}


def _is_key(table, key: tuple):
    return sa.and_(*(column == value for column, value in zip(_key_columns(table), key, strict=True)))


def _key_columns(table) -> list:
    return list(table.primary_key.columns) or list(table.columns)


def _rows_by_key() -> dict:
    """Every row of every table by its primary key."""
    rows = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            keys = [table.columns.keys().index(column.name) for column in _key_columns(table)]
            rows[table.name] = {tuple(row[i] for i in keys): tuple(row) for row in connection.execute(sa.select(table))}
    return rows


def _sequences() -> list[tuple[str, str, str]]:
    """(table, column, sequence) of every id drawn from a PostgreSQL sequence."""
    if db.engine.dialect.name != "postgresql":
        return []
    with db.engine.connect() as connection:
        found = [(table.name, column.name, connection.scalar(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                                             {"t": f'"{table.name}"', "c": column.name}))
                 for table in db.metadata.sorted_tables for column in table.primary_key.columns]
    return [(table, column, sequence) for table, column, sequence in found if sequence]


def _restart_sequences(connection, sequences) -> None:
    """Ids continue after the largest one kept, as they would on a freshly built world (a test's
    insert that was rolled back, or refused, still used up a PostgreSQL sequence's value)."""
    if connection.dialect.name == "sqlite":
        if connection.scalar(sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")):
            connection.execute(sa.text("DELETE FROM sqlite_sequence"))  # AUTOINCREMENT tables: max(id) + 1
    elif sequences:
        connection.execute(sa.text("SELECT " + ", ".join(
            f"setval('{sequence}', (SELECT COALESCE(MAX(\"{column}\"), 0) + 1 FROM \"{table}\"), false)"
            for table, column, sequence in sequences)))


def stored_files(folder: Path) -> dict:
    """Every file under ``folder`` with its size and modification time."""
    return {str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in folder.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def kept_world(shared_app, tmp_path_factory):
    """The world, built once for the module on the session's app."""
    folder = tmp_path_factory.mktemp("matrix")
    with borrowed(shared_app, folder / "instance"), shared_app.app_context():
        world = _world()
        db.session.remove()
        kept = KeptWorld(folder / "instance", folder / "pristine")
        yield world, kept
        _empty_tables()
        db.session.remove()


@pytest.fixture
def app(shared_app, kept_world):
    """The session's app with the world in place; put back as built after the test."""
    with shared_app.app_context():
        yield shared_app
        db.session.rollback()
        db.session.remove()
        kept_world[1].put_back()


@pytest.fixture
def world(kept_world) -> World:
    return kept_world[0]


def _stage_post(world: World) -> dict:
    return {"status": "in_progress", "percent": "30", "actual_start": days_ago(3).isoformat(), "actual_end": "",
            "note": "入户调查开始", "version": "1"}


STAGE_PATCH = {"status": "in_progress", "percent": 30, "actual_start": days_ago(3).isoformat(), "version": 1}
CONSULTATION_JSON = {"date": days_ago(1).isoformat(), "kind": "hearing", "topic": "加装电梯听证",
                     "vote": {"matter": "加装电梯", "matter_class": "special", "total_owners": 12, "total_area": "960",
                              "participating_owners": 12, "participating_area": "960", "agree_owners": 11,
                              "agree_area": "880.50"}}
DEMAND_JSON = {"category": "lighting", "text": "路灯不亮", "raised_on": days_ago(1).isoformat()}
ROBOT_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=world"
CONTENT_POST = {"item": "elevators", "stage": "", "planned_quantity": "2", "completed_quantity": "0",
                "investment": "90", "reason": ""}
AFTERCARE_POST = {"party_branch": "y", "party_branch_name": "铁路二段小区党支部", "building_party_groups": "3",
                  "owners_committee": "y", "red_owners_committee": "y", "property_management": "community",
                  "property_company": "", "red_property": "y", "version": "0"}
PROBLEM_JSON = {"title": "燃气管线迁改", "description": "燃气管线需迁改", "category": "utilities",
                "departments": ["漳平市燃气公司"], "deadline": days_ago(-10).isoformat()}


def _api_photo_post(world: World) -> dict:
    return {"phase": "after", "stage": "survey", "caption": "路面完工",
            "file": (io.BytesIO(_jpeg((40, 40, 180))), "after.jpg")}


def _page_photo_post(world: World) -> dict:
    return {"phase": "during", "stage": "survey", "caption": "入户调查",
            "files": (io.BytesIO(_jpeg((180, 180, 40))), "现场.jpg")}


def _attachment_post(world: World) -> dict:
    return {"kind": "minutes", "files": (io.BytesIO(_jpeg((60, 60, 200))), "会议纪要.jpg")}


def _ledger_post(world: World) -> dict:
    from tests.ledger_samples import ledger_file, programme_rows

    return {"ledger": (io.BytesIO(ledger_file(programme_rows(1))), "台账.xlsx")}


def _consultation_post(world: World | None) -> dict:
    return {"date": days_ago(1).isoformat(), "kind": "council_meeting", "place": "社区居委会", "organiser": "陈主任",
            "attendees": "居民代表", "households": "30", "topic": "雨污分流", "opinions": "", "decisions": "",
            "follow_up": ""}


@dataclass
class Row:
    endpoint: str
    method: str
    url: Callable[[World], str]
    expect: dict  # role → status
    data: Callable[[World], dict] | None = None
    json: dict | None = None
    api: bool = False
    writes: frozenset = field(default_factory=frozenset)  # roles whose request changes the database
    stores: frozenset = field(default_factory=frozenset)  # roles whose request stores a file and no row
    location: dict = field(default_factory=dict)  # role → path the redirect must go to


def page(anonymous=302, admin=200, engineer=200, committee=200, leader=200, other_committee=None) -> dict:
    """The status per role; the committee of another community is answered as the project's own
    committee unless said otherwise (it reads everything, and writes only its own community's)."""
    return {"anonymous": anonymous, "admin": admin, "engineer": engineer, "committee": committee,
            "other_committee": committee if other_committee is None else other_committee, "leader": leader}


def api(anonymous=401, admin=200, engineer=200, committee=200, leader=200, other_committee=None) -> dict:
    return page(anonymous, admin, engineer, committee, leader, other_committee)


ACCEPTANCE_JSON = {"accepted_on": "2026-01-05", "units": ["contractor", "supervisor"],
                   "representatives": [{"name": "陈秀英", "represents": "3号楼居民"},
                                       {"headcount": 2, "represents": "5号楼居民"}]}
ACCEPTANCE_POST = {"accepted_on": "2026-01-05", "units": ["contractor"], "representatives-0-name": "陈秀英",
                   "representatives-0-represents": "3号楼居民"}
ADMIN_ONLY = page(admin=200, engineer=403, committee=403, leader=403)
ADMIN_WRITE = page(admin=303, engineer=403, committee=403, leader=403)
EDITORS_WRITE = page(admin=303, engineer=303, committee=403, leader=403)
# Photos, consultations (with their votes and files) and demands: the bureau everywhere, a
# community's committee for its own community's projects only; leaders read.
COMMUNITY_WRITE = page(admin=303, engineer=303, committee=303, leader=403, other_committee=403)
COMMUNITY_API_WRITE = api(admin=201, engineer=201, committee=201, leader=403, other_committee=403)
# The bureau and the leaders land on the overview; community committees on their projects.
TO_HOME = {role: "/dashboard" for role in SIGNED_IN} | {"committee": "/projects", "other_committee": "/projects"}

ROWS = [
    Row("auth.login", "GET", lambda w: "/login", page(anonymous=200, admin=302, engineer=302, committee=302,
                                                      leader=302), location=TO_HOME),
    # A refused login is counted by the throttle: the one write an anonymous caller makes.
    Row("auth.login", "POST", lambda w: "/login",
        page(anonymous=200, admin=302, engineer=302, committee=302, leader=302),
        data=lambda w: {"username": "nobody", "password": "wrong-password"}, location=TO_HOME,
        writes=frozenset({"anonymous"})),
    Row("auth.logout", "POST", lambda w: "/logout",
        page(anonymous=303, admin=303, engineer=303, committee=303, leader=303),
        writes=frozenset(SIGNED_IN), location={role: "/login" for role in ROLES}),
    Row("auth.set_language", "POST", lambda w: "/language",
        page(anonymous=303, admin=303, engineer=303, committee=303, leader=303),
        data=lambda w: {"language": "en", "next": "/projects"},
        location={role: "/projects" for role in ROLES}),
    # After a login in a new tab (the first tab's form kept its values), and its fresh form token.
    Row("auth.logged_in_again", "GET", lambda w: "/login/again", page()),
    Row("auth.fresh_csrf_token", "GET", lambda w: "/session/token", page()),
    Row("projects.home", "GET", lambda w: "/", page(admin=302, engineer=302, committee=302, leader=302),
        location=TO_HOME),
    # A committee member's list opens on their own community (a redirect that names it).
    Row("projects.index", "GET", lambda w: "/projects", page(committee=302),
        location={"committee": "/projects", "other_committee": "/projects"}),
    Row("dashboard.index", "GET", lambda w: "/dashboard", page()),
    Row("dashboard.outputs_by_street", "GET", lambda w: "/dashboard/outputs-by-street", page()),
    Row("projects.show", "GET", lambda w: f"/projects/{w.code}", page()),
    Row("projects.stage_card", "GET", lambda w: f"/projects/{w.code}/stages/survey", page()),
    Row("projects.edit_stage", "GET", lambda w: f"/projects/{w.code}/stages/survey/edit",
        page(committee=403, leader=403)),
    Row("projects.edit_stage", "POST", lambda w: f"/projects/{w.code}/stages/survey/edit", EDITORS_WRITE,
        data=_stage_post, writes=frozenset({"admin", "engineer"})),
    Row("admin.users", "GET", lambda w: "/admin/users", ADMIN_ONLY),
    Row("admin.users", "POST", lambda w: "/admin/users", ADMIN_WRITE,
        data=lambda w: {"username": "newcomer", "display_name": "新同事", "role": "engineer",
                        "community": "0", "password": "a-long-password"},
        writes=frozenset({"admin"}), location={"admin": "/admin/users"}),
    Row("admin.toggle_active", "POST", lambda w: f"/admin/users/{w.target_id}/active", ADMIN_WRITE,
        data=lambda w: {}, writes=frozenset({"admin"}), location={"admin": "/admin/users"}),
    Row("admin.toggle_signing", "POST", lambda w: f"/admin/users/{w.target_id}/signing", ADMIN_WRITE,
        data=lambda w: {}, writes=frozenset({"admin"}), location={"admin": "/admin/users"}),
    Row("admin.reset_password", "POST", lambda w: f"/admin/users/{w.target_id}/password", ADMIN_WRITE,
        data=lambda w: {"password": "another-long-password"}, writes=frozenset({"admin"}),
        location={"admin": "/admin/users"}),
    Row("admin.audit_log", "GET", lambda w: "/admin/audit", ADMIN_ONLY),
    Row("admin.user_tokens", "GET", lambda w: f"/admin/users/{w.target_id}/tokens", ADMIN_ONLY),
    Row("account.tokens", "GET", lambda w: "/account/tokens", page()),
    Row("account.tokens", "POST", lambda w: "/account/tokens", page(admin=201, engineer=201, committee=201, leader=201),
        data=lambda w: {"name": "大屏", "scope": "read", "expires_in_days": "90"}, writes=frozenset(SIGNED_IN)),
    # The target's token: admins revoke it, the other roles are not its owner.
    Row("account.revoke_token", "POST", lambda w: f"/account/tokens/{w.token_id}/revoke", ADMIN_WRITE,
        data=lambda w: {}, writes=frozenset({"admin"})),
    Row("api.projects", "GET", lambda w: "/api/v1/projects", api(), api=True),
    Row("api.project", "GET", lambda w: f"/api/v1/projects/{w.code}", api(), api=True),
    Row("api.history", "GET", lambda w: f"/api/v1/projects/{w.code}/history", api(), api=True),
    Row("api.patch_stage", "PATCH", lambda w: f"/api/v1/projects/{w.code}/stages/survey",
        api(committee=403, leader=403), json=STAGE_PATCH,
        api=True, writes=frozenset({"admin", "engineer"})),
    # A committee member's list opens on their own community (a redirect that names it).
    Row("photos.index", "GET", lambda w: "/photos", page(committee=302),
        location={"committee": "/photos", "other_committee": "/photos"}),
    # The blank upload form a stage card asks for when 添加照片 is opened: for those who may add photos.
    Row("photos.new", "GET", lambda w: f"/projects/{w.code}/photos/new?stage=facade",
        page(leader=403, other_committee=403)),
    Row("photos.upload", "POST", lambda w: f"/projects/{w.code}/photos",
        COMMUNITY_WRITE,
        data=_page_photo_post, writes=frozenset({"admin", "engineer", "committee"}),
        location={role: "/projects/ZP-2026-001" for role in ("admin", "engineer", "committee")}),
    Row("photos.show", "GET", lambda w: f"/photos/{w.photo_id}", page()),
    Row("photos.edit", "POST", lambda w: f"/photos/{w.photo_id}/edit", EDITORS_WRITE,
        data=lambda w: {"phase": "before", "stage": "", "caption": "东门全景"},
        writes=frozenset({"admin", "engineer"})),
    Row("photos.delete", "POST", lambda w: f"/photos/{w.photo_id}/delete", EDITORS_WRITE,
        data=lambda w: {"reason": "拍错了"}, writes=frozenset({"admin", "engineer"})),
    Row("photos.pair", "POST", lambda w: f"/photos/{w.photo_id}/pair", EDITORS_WRITE,
        data=lambda w: {"after": str(w.after_id)}, writes=frozenset({"admin", "engineer"})),
    Row("photos.pairing", "GET", lambda w: f"/projects/{w.code}/pairing", page(committee=403, leader=403)),
    Row("photos.pairing", "POST", lambda w: f"/projects/{w.code}/pairing", EDITORS_WRITE,
        data=lambda w: {f"after_{w.photo_id}": str(w.after_id)}, writes=frozenset({"admin", "engineer"}),
        location={role: "/projects/ZP-2026-001/pairing" for role in ("admin", "engineer")}),
    Row("photos.unpair_photos", "POST", lambda w: f"/photos/pairs/{w.pair_id}/delete", EDITORS_WRITE,
        data=lambda w: {}, writes=frozenset({"admin", "engineer"})),
    Row("photos.thumbnail", "GET", lambda w: f"/photos/{w.photo_id}/thumbnail", page()),
    Row("photos.display", "GET", lambda w: f"/photos/{w.photo_id}/display", page()),
    Row("photos.original", "GET", lambda w: f"/photos/{w.photo_id}/original", page()),
    Row("api.project_photos", "GET", lambda w: f"/api/v1/projects/{w.code}/photos", api(), api=True),
    Row("api.add_photo", "POST", lambda w: f"/api/v1/projects/{w.code}/photos",
        COMMUNITY_API_WRITE, data=_api_photo_post, api=True,
        writes=frozenset({"admin", "engineer", "committee"})),
    Row("api.photo", "GET", lambda w: f"/api/v1/photos/{w.photo_id}", api(), api=True),
    Row("api.delete_photo_route", "DELETE", lambda w: f"/api/v1/photos/{w.photo_id}",
        api(admin=204, engineer=204, committee=403, leader=403), json={"reason": "拍错了"}, api=True,
        writes=frozenset({"admin", "engineer"})),
    Row("api.photo_image", "GET", lambda w: f"/api/v1/photos/{w.photo_id}/thumbnail", api(), api=True),
    Row("api.photo_original", "GET", lambda w: f"/api/v1/photos/{w.photo_id}/original", api(), api=True),
    Row("api.attachment_file", "GET", lambda w: f"/api/v1/attachments/{w.attachment_id}/thumbnail", api(), api=True),
    Row("api.project_consultations", "GET", lambda w: f"/api/v1/projects/{w.code}/consultations", api(), api=True),
    Row("api.add_consultation", "POST", lambda w: f"/api/v1/projects/{w.code}/consultations",
        COMMUNITY_API_WRITE,
        json=CONSULTATION_JSON, api=True, writes=frozenset({"admin", "engineer", "committee"})),
    Row("api.consultation", "GET", lambda w: f"/api/v1/consultations/{w.consultation_id}", api(), api=True),
    Row("api.project_demands", "GET", lambda w: f"/api/v1/projects/{w.code}/demands", api(), api=True),
    Row("api.raise_demand", "POST", lambda w: f"/api/v1/projects/{w.code}/demands",
        COMMUNITY_API_WRITE, json=DEMAND_JSON, api=True,
        writes=frozenset({"admin", "engineer", "committee"})),
    Row("api.patch_demand", "PATCH", lambda w: f"/api/v1/demands/{w.demand_id}",
        api(leader=403, other_committee=403), json={"status": "in_progress", "assignee": "王工", "version": 1},
        api=True,
        writes=frozenset({"admin", "engineer", "committee"})),
    Row("api.project_problems", "GET", lambda w: f"/api/v1/projects/{w.code}/problems", api(), api=True),
    Row("api.raise_problem", "POST", lambda w: f"/api/v1/projects/{w.code}/problems",
        COMMUNITY_API_WRITE, json=PROBLEM_JSON, api=True, writes=frozenset({"admin", "engineer", "committee"})),
    Row("api.problem", "GET", lambda w: f"/api/v1/problems/{w.problem_id}", api(), api=True),
    Row("api.all_problems", "GET", lambda w: "/api/v1/problems?overdue=1", api(), api=True),
    # An engineer gives the problem to the leader; the leader, naming themselves, takes it on.
    Row("api.patch_problem", "PATCH", lambda w: f"/api/v1/problems/{w.problem_id}",
        api(committee=403, other_committee=403), json={"status": "in_hand", "leader": "leader", "version": 1},
        api=True, writes=frozenset({"admin", "engineer", "leader"})),
    Row("problems.index", "GET", lambda w: "/problems?overdue=1", page()),
    Row("problems.show", "GET", lambda w: f"/problems/{w.problem_id}", page()),
    Row("problems.new", "GET", lambda w: f"/projects/{w.code}/problems/new", page(leader=403, other_committee=403)),
    # The world's problem is number 1: the new one is number 2 (the sequences restart after every test).
    Row("problems.raise_problem", "POST", lambda w: f"/projects/{w.code}/problems", COMMUNITY_WRITE,
        data=lambda w: {**PROBLEM_JSON, "stage": "rain_sewage"}, writes=frozenset({"admin", "engineer", "committee"}),
        location={role: "/problems/2" for role in ("admin", "engineer", "committee")}),
    Row("problems.take_step", "POST", lambda w: f"/problems/{w.problem_id}/assign", EDITORS_WRITE,
        data=lambda w: {"leader": "leader", "version": "1"}, writes=frozenset({"admin", "engineer"}),
        location={role: "/problems/1" for role in ("admin", "engineer")}),
    # Linked leaders: admins link the target user (number 6) to the project and end the leader's (number 5)
    # link, number 1; a leader's page is read by everyone who reads projects.
    Row("admin.leader_links", "GET", lambda w: f"/admin/users/{w.users['leader']}/links", ADMIN_ONLY),
    Row("admin.leader_links", "POST", lambda w: f"/admin/users/{w.target_id}/links", ADMIN_WRITE,
        data=lambda w: {"community": "0", "project": w.code, "started_on": days_ago(1).isoformat(), "note": "市委常委"},
        writes=frozenset({"admin"}), location={"admin": "/admin/users/6/links"}),
    Row("admin.end_leader_link", "POST", lambda w: "/admin/links/1/end", ADMIN_WRITE,
        data=lambda w: {"ended_on": days_ago(0).isoformat()}, writes=frozenset({"admin"}),
        location={"admin": "/admin/users/5/links"}),
    Row("leaders.show", "GET", lambda w: f"/leaders/{w.users['leader']}", page()),
    # Site visits: the bureau, and the leader linked to the project; committees read.
    Row("leaders.new_visit", "GET", lambda w: f"/projects/{w.code}/visits/new", page(committee=403)),
    Row("leaders.record_visit", "POST", lambda w: f"/projects/{w.code}/visits",
        page(admin=303, engineer=303, committee=403, leader=303),
        data=lambda w: {"visited_on": days_ago(1).isoformat(), "leaders": [str(w.users["leader"])],
                        "others": "住建局林建华", "seen": "燃气管线未迁改", "decided": "一周内迁改"},
        writes=frozenset({"admin", "engineer", "leader"}),
        location={role: "/projects/ZP-2026-001" for role in ("admin", "engineer", "leader")}),
    Row("demands.index", "GET", lambda w: "/demands?overdue=1", page()),
    Row("demands.show", "GET", lambda w: f"/demands/{w.demand_id}", page()),
    Row("demands.change", "POST", lambda w: f"/demands/{w.demand_id}/status",
        COMMUNITY_WRITE,
        data=lambda w: {"status": "in_progress", "assignee": "王工", "version": "1"},
        writes=frozenset({"admin", "engineer", "committee"}),
        location={role: "/projects/ZP-2026-001" for role in ("admin", "engineer", "committee")}),
    Row("demands.raise_demand", "POST", lambda w: f"/projects/{w.code}/demands",
        COMMUNITY_WRITE,
        data=lambda w: {"category": "drainage", "text": "雨天积水", "raised_on": days_ago(1).isoformat()},
        writes=frozenset({"admin", "engineer", "committee"}),
        location={role: "/projects/ZP-2026-001" for role in ("admin", "engineer", "committee")}),
    Row("demands.raise_at_consultation", "POST", lambda w: f"/consultations/{w.consultation_id}/demands",
        COMMUNITY_WRITE,
        data=lambda w: {"category": "drainage", "text": "雨天积水", "raised_on": days_ago(1).isoformat()},
        writes=frozenset({"admin", "engineer", "committee"})),
    # A committee member's list opens on their own community (a redirect that names it).
    Row("consultations.index", "GET", lambda w: "/consultations", page(committee=302),
        location={"committee": "/consultations", "other_committee": "/consultations"}),
    # The blank forms the project page asks for when 添加协商 or 登记诉求 is opened: for those who may write.
    Row("consultations.new", "GET", lambda w: f"/projects/{w.code}/consultations/new",
        page(leader=403, other_committee=403)),
    Row("demands.new", "GET", lambda w: f"/projects/{w.code}/demands/new", page(leader=403, other_committee=403)),
    Row("consultations.add", "POST", lambda w: f"/projects/{w.code}/consultations",
        COMMUNITY_WRITE,
        data=_consultation_post, writes=frozenset({"admin", "engineer", "committee"}),
        location={role: "/projects/ZP-2026-001" for role in ("admin", "engineer", "committee")}),
    # The live vote outcome: writes nothing, answers those who may log the project's consultations.
    Row("consultations.vote_outcome", "POST", lambda w: f"/projects/{w.code}/consultations/vote-outcome",
        page(leader=403, other_committee=403),
        data=lambda w: {"has_vote": "y", "vote-total_owners": "100", "vote-total_area": "9000"}),
    Row("consultations.show", "GET", lambda w: f"/consultations/{w.consultation_id}", page()),
    Row("consultations.upload_attachments", "POST", lambda w: f"/consultations/{w.consultation_id}/attachments",
        COMMUNITY_WRITE,
        data=_attachment_post, writes=frozenset({"admin", "engineer", "committee"})),
    Row("consultations.delete_attachment", "POST", lambda w: f"/consultations/attachments/{w.attachment_id}/delete",
        EDITORS_WRITE, data=lambda w: {}, writes=frozenset({"admin", "engineer"})),  # committee: not the uploader
    Row("consultations.attachment_image", "GET",
        lambda w: f"/consultations/attachments/{w.attachment_id}/thumbnail", page()),
    Row("consultations.attachment_file", "GET", lambda w: f"/consultations/attachments/{w.attachment_id}/file",
        page()),
    Row("consultations.edit", "GET", lambda w: f"/consultations/{w.consultation_id}/edit",
        page(leader=403, other_committee=403)),
    Row("consultations.edit", "POST", lambda w: f"/consultations/{w.consultation_id}/edit",
        COMMUNITY_WRITE,
        data=lambda w: {**_consultation_post(w), "topic": "雨污分流方案"},
        writes=frozenset({"admin", "engineer", "committee"})),
    Row("consultations.delete", "POST", lambda w: f"/consultations/{w.consultation_id}/delete",
        COMMUNITY_WRITE, data=lambda w: {"reason": "重复录入"},
        writes=frozenset({"admin", "engineer", "committee"}),
        location={role: "/projects/ZP-2026-001" for role in ("admin", "engineer", "committee")}),
    Row("bulletins.archive", "GET", lambda w: "/bulletins", page()),
    Row("bulletins.new", "GET", lambda w: "/bulletins/new", page(committee=403, leader=403)),
    # The world's bulletins are two drafts (ids 1 and 2): a new one gets id 3 (the sequences restart
    # after the world's ids after every test). Drafts are read by engineers, admins and signers (the
    # world's leader may sign); committees are answered as if there were none.
    Row("bulletins.create", "POST", lambda w: "/bulletins", EDITORS_WRITE, data=lambda w: {"kind": "city"},
        writes=frozenset({"admin", "engineer"}), location={"admin": "/bulletins/3", "engineer": "/bulletins/3"}),
    Row("bulletins.show", "GET", lambda w: f"/bulletins/{w.draft_id}", page(committee=404)),
    Row("bulletins.preview", "GET", lambda w: f"/bulletins/{w.draft_id}/preview", page(committee=403),
        stores=frozenset({"admin", "engineer", "leader"})),
    Row("bulletins.preview_pdf", "GET", lambda w: f"/bulletins/{w.draft_id}/preview/{'0' * 64}.pdf",
        page(admin=404, engineer=404, committee=403, leader=404)),
    Row("bulletins.preview_page", "GET", lambda w: f"/bulletins/{w.draft_id}/preview/{'0' * 64}/1.png",
        page(admin=404, engineer=404, committee=403, leader=404)),
    Row("bulletins.edit", "GET", lambda w: f"/bulletins/{w.draft_id}/edit", page(committee=403, leader=403)),
    Row("bulletins.edit", "POST", lambda w: f"/bulletins/{w.draft_id}/edit", EDITORS_WRITE,
        data=lambda w: {"version": "1", "notes": "加快推进。"}, writes=frozenset({"admin", "engineer"}),
        location={"admin": "/bulletins/1", "engineer": "/bulletins/1"}),
    # 审核: by an engineer or admin other than the drafter (the engineer drafted it).
    Row("bulletins.take_step", "POST", lambda w: f"/bulletins/{w.checking_id}/check",
        page(admin=303, engineer=403, committee=403, leader=403), data=lambda w: {"version": "2"},
        writes=frozenset({"admin"}), location={"admin": "/bulletins/2"}),
    Row("bulletins.send_back", "POST", lambda w: f"/bulletins/{w.checking_id}/send-back",
        page(admin=303, engineer=303, committee=403, leader=303),
        data=lambda w: {"version": "2", "reason": "数据需核实"},
        writes=frozenset({"admin", "engineer", "leader"}), location={role: "/bulletins/2" for role in SIGNED_IN}),
    # Not signed yet: those who may issue are sent back to the bulletin's page.
    Row("bulletins.issue", "GET", lambda w: f"/bulletins/{w.draft_id}/issue",
        page(admin=303, engineer=303, committee=403, leader=403),
        location={"admin": "/bulletins/1", "engineer": "/bulletins/1"}),
    Row("bulletins.issue", "POST", lambda w: f"/bulletins/{w.draft_id}/issue",
        page(admin=303, engineer=303, committee=403, leader=403), data=lambda w: {"version": "1"},
        location={"admin": "/bulletins/1", "engineer": "/bulletins/1"}),
    Row("bulletins.render_again", "POST", lambda w: f"/bulletins/{w.draft_id}/render",
        page(admin=303, engineer=303, committee=403, leader=403)),
    Row("bulletins.download", "GET", lambda w: f"/bulletins/{w.draft_id}/download",
        page(admin=404, engineer=404, committee=404, leader=404)),
    Row("api.bulletins", "GET", lambda w: "/api/v1/bulletins", api(), api=True),
    Row("api.bulletin_pdf", "GET", lambda w: "/api/v1/bulletins/1/pdf",
        api(admin=404, engineer=404, committee=404, leader=404), api=True),
    Row("ledger.upload_form", "GET", lambda w: "/ledger/import", page(committee=403, leader=403)),
    Row("ledger.upload", "POST", lambda w: "/ledger/import", EDITORS_WRITE, data=_ledger_post,
        stores=frozenset({"admin", "engineer"})),  # a file, no rows
    # No upload with this sha256: allowed roles are sent back to the upload form.
    Row("ledger.preview", "GET", lambda w: f"/ledger/import/{'0' * 64}", page(committee=403, leader=403, admin=302,
                                                                              engineer=302),
        location={"admin": "/ledger/import", "engineer": "/ledger/import"}),
    Row("ledger.commit", "POST", lambda w: f"/ledger/import/{'0' * 64}", EDITORS_WRITE,
        data=lambda w: {"fingerprint": "0"}, location={"admin": "/ledger/import", "engineer": "/ledger/import"}),
    Row("ledger.template", "GET", lambda w: "/ledger/template.xlsx", page(committee=403, leader=403)),
    # Notifications: everyone's own list and choices; the chat robots and failed deliveries are the admins'.
    # Opening the list marks what it shows read: the world's users have none, so it writes nothing.
    Row("notifications.index", "GET", lambda w: "/notifications", page()),
    Row("notifications.choose", "GET", lambda w: "/notifications/choices", page()),
    Row("notifications.choose", "POST", lambda w: "/notifications/choices",
        page(admin=303, engineer=303, committee=303, leader=303),
        data=lambda w: {"kinds": ["problem_assigned", "bulletin_issued"], "digest": "y", "email": "me@zp.example"},
        writes=frozenset(SIGNED_IN), location={role: "/notifications/choices" for role in SIGNED_IN}),
    Row("notifications.robot_list", "GET", lambda w: "/admin/robots", ADMIN_ONLY),
    Row("notifications.robot_list", "POST", lambda w: "/admin/robots", ADMIN_WRITE,
        data=lambda w: {"name": "桂林街道改造群", "kind": "dingtalk", "url": ROBOT_URL, "secret": "SEC1",
                        "kinds": ["bulletin_issued"]},
        writes=frozenset({"admin"}), location={"admin": "/admin/robots"}),
    Row("notifications.edit_robot", "GET", lambda w: f"/admin/robots/{w.robot_id}", ADMIN_ONLY),
    Row("notifications.edit_robot", "POST", lambda w: f"/admin/robots/{w.robot_id}", ADMIN_WRITE,
        data=lambda w: {"name": "铁路社区群", "kind": "wecom", "url": ROBOT_URL, "kinds": ["problem_overdue"]},
        writes=frozenset({"admin"}), location={"admin": "/admin/robots"}),
    Row("notifications.delete_robot", "POST", lambda w: f"/admin/robots/{w.robot_id}/delete", ADMIN_WRITE,
        writes=frozenset({"admin"}), location={"admin": "/admin/robots"}),
    Row("notifications.failed_deliveries", "GET", lambda w: "/admin/deliveries", ADMIN_ONLY),
    # Sent again at once (the robot is switched off: it fails again without leaving the machine).
    Row("notifications.send_again", "POST", lambda w: f"/admin/deliveries/{w.delivery_id}/send-again", ADMIN_WRITE,
        writes=frozenset({"admin"}), location={"admin": "/admin/deliveries"}),
    # Renovation content (改造内容): engineers and admins write a project's, everyone reads; the catalogue
    # is the admins'. The world's content is number 1, the catalogue's unused item the world's greening.
    Row("contents.new", "GET", lambda w: f"/projects/{w.code}/contents/new", page(committee=403, leader=403)),
    Row("contents.add", "POST", lambda w: f"/projects/{w.code}/contents", EDITORS_WRITE, data=lambda w: CONTENT_POST,
        writes=frozenset({"admin", "engineer"}),
        location={role: "/projects/ZP-2026-001" for role in ("admin", "engineer")}),
    Row("contents.edit", "GET", lambda w: f"/contents/{w.content_id}/edit", page(committee=403, leader=403)),
    Row("contents.edit", "POST", lambda w: f"/contents/{w.content_id}/edit", EDITORS_WRITE,
        data=lambda w: {**CONTENT_POST, "planned_quantity": "1200.5", "completed_quantity": "800", "version": "1"},
        writes=frozenset({"admin", "engineer"})),
    Row("contents.delete", "POST", lambda w: f"/contents/{w.content_id}/delete", EDITORS_WRITE,
        data=lambda w: {"version": "1"}, writes=frozenset({"admin", "engineer"})),
    Row("contents.overrides", "GET", lambda w: "/rule-overrides", page()),
    Row("contents.items", "GET", lambda w: "/admin/content-items", ADMIN_ONLY),
    Row("contents.items", "POST", lambda w: "/admin/content-items", ADMIN_WRITE,
        data=lambda w: {"key": "bike_sheds", "name": "非机动车棚", "category": "improvement", "unit": "处",
                        "stage": ""},
        writes=frozenset({"admin"}), location={"admin": "/admin/content-items"}),
    Row("contents.edit_item", "GET", lambda w: f"/admin/content-items/{w.item_id}", ADMIN_ONLY),
    Row("contents.edit_item", "POST", lambda w: f"/admin/content-items/{w.item_id}", ADMIN_WRITE,
        data=lambda w: {"key": "greening", "name": "绿化提升", "category": "improvement", "unit": "m²", "stage": "",
                        "version": "1"}, writes=frozenset({"admin"}), location={"admin": "/admin/content-items"}),
    Row("contents.retire_item", "POST", lambda w: f"/admin/content-items/{w.item_id}/retire", ADMIN_WRITE,
        data=lambda w: {"version": "1"}, writes=frozenset({"admin"}), location={"admin": "/admin/content-items"}),
    Row("contents.delete_item", "POST", lambda w: f"/admin/content-items/{w.item_id}/delete", ADMIN_WRITE,
        data=lambda w: {"version": "1"}, writes=frozenset({"admin"}), location={"admin": "/admin/content-items"}),
    Row("admin.toggle_overriding", "POST", lambda w: f"/admin/users/{w.target_id}/overriding", ADMIN_WRITE,
        data=lambda w: {}, writes=frozenset({"admin"}), location={"admin": "/admin/users"}),
    Row("api.content_items", "GET", lambda w: "/api/v1/content-items", api(), api=True),
    Row("api.project_contents", "GET", lambda w: f"/api/v1/projects/{w.code}/contents", api(), api=True),
    Row("api.add_content", "POST", lambda w: f"/api/v1/projects/{w.code}/contents",
        api(admin=201, engineer=201, committee=403, leader=403, other_committee=403),
        json={"item": "elevators", "planned_quantity": "2", "completed_quantity": "0", "investment": "90"},
        api=True, writes=frozenset({"admin", "engineer"})),
    Row("api.patch_content", "PATCH", lambda w: f"/api/v1/contents/{w.content_id}", api(committee=403, leader=403),
        json={"completed_quantity": "800", "version": 1}, api=True, writes=frozenset({"admin", "engineer"})),
    Row("api.delete_content", "DELETE", lambda w: f"/api/v1/contents/{w.content_id}",
        api(admin=204, engineer=204, committee=403, leader=403), json={"version": 1}, api=True,
        writes=frozenset({"admin", "engineer"})),
    # After the works (长效管理): the bureau for any project, a committee for its own community's; leaders read.
    Row("aftercare.edit", "GET", lambda w: f"/projects/{w.code}/aftercare", page(leader=403, other_committee=403)),
    Row("aftercare.edit", "POST", lambda w: f"/projects/{w.code}/aftercare", COMMUNITY_WRITE,
        data=lambda w: AFTERCARE_POST, writes=frozenset({"admin", "engineer", "committee"}),
        location={role: "/projects/ZP-2026-001" for role in ("admin", "engineer", "committee")}),
    Row("api.project_aftercare", "GET", lambda w: f"/api/v1/projects/{w.code}/aftercare", api(), api=True),
    Row("api.put_aftercare", "PUT", lambda w: f"/api/v1/projects/{w.code}/aftercare",
        api(leader=403, other_committee=403), json={"party_branch": True, "building_party_groups": 3, "version": 0},
        api=True, writes=frozenset({"admin", "engineer", "committee"})),
    # 竣工验收: the bureau for any project, a committee for its own community's; leaders read. The world's
    # acceptance, paper and rectification item are number 1 each (the sequences restart after every test).
    Row("acceptance.new", "GET", lambda w: f"/projects/{w.code}/acceptances/new",
        page(leader=403, other_committee=403)),
    Row("acceptance.record", "POST", lambda w: f"/projects/{w.code}/acceptances", COMMUNITY_WRITE,
        data=lambda w: ACCEPTANCE_POST, writes=frozenset({"admin", "engineer", "committee"}),
        location={role: "/projects/ZP-2026-001" for role in ("admin", "engineer", "committee")}),
    Row("acceptance.new_rectification", "GET", lambda w: f"/projects/{w.code}/rectifications/new",
        page(leader=403, other_committee=403)),
    Row("acceptance.add_rectification", "POST", lambda w: f"/projects/{w.code}/rectifications", COMMUNITY_WRITE,
        data=lambda w: {"description": "3号楼单元门禁未安装", "deadline": days_ago(-7).isoformat(),
                        "responsible_unit": "contractor"}, writes=frozenset({"admin", "engineer", "committee"}),
        location={role: "/projects/ZP-2026-001" for role in ("admin", "engineer", "committee")}),
    Row("acceptance.close_page", "GET", lambda w: f"/rectifications/{w.rectification_id}/close",
        page(leader=403, other_committee=403)),
    Row("acceptance.close", "POST", lambda w: f"/rectifications/{w.rectification_id}/close", COMMUNITY_WRITE,
        data=lambda w: {"version": "1", "note": "井盖已重新固定"}, writes=frozenset({"admin", "engineer", "committee"}),
        location={role: "/projects/ZP-2026-001" for role in ("admin", "engineer", "committee")}),
    Row("acceptance.upload_attachments", "POST", lambda w: f"/acceptances/{w.acceptance_id}/attachments",
        COMMUNITY_WRITE, data=_attachment_post, writes=frozenset({"admin", "engineer", "committee"}),
        location={role: "/projects/ZP-2026-001" for role in ("admin", "engineer", "committee")}),
    Row("acceptance.delete_attachment", "POST", lambda w: f"/acceptances/attachments/{w.acceptance_paper_id}/delete",
        COMMUNITY_WRITE, writes=frozenset({"admin", "engineer", "committee"}),
        location={role: "/projects/ZP-2026-001" for role in ("admin", "engineer", "committee")}),
    Row("acceptance.attachment_image", "GET",
        lambda w: f"/acceptances/attachments/{w.acceptance_paper_id}/thumbnail", page()),
    Row("acceptance.attachment_file", "GET", lambda w: f"/acceptances/attachments/{w.acceptance_paper_id}/file",
        page()),
    Row("acceptance.sheet", "GET", lambda w: f"/acceptances/{w.acceptance_id}/sheet.pdf", page()),  # printed: slow
    Row("api.project_acceptances", "GET", lambda w: f"/api/v1/projects/{w.code}/acceptances", api(), api=True),
    Row("api.record_acceptance", "POST", lambda w: f"/api/v1/projects/{w.code}/acceptances", COMMUNITY_API_WRITE,
        json=ACCEPTANCE_JSON, api=True, writes=frozenset({"admin", "engineer", "committee"})),
    Row("api.acceptance", "GET", lambda w: f"/api/v1/acceptances/{w.acceptance_id}", api(), api=True),
    Row("api.acceptance_attachment_file", "GET",
        lambda w: f"/api/v1/acceptance-attachments/{w.acceptance_paper_id}/thumbnail", api(), api=True),
    Row("api.project_rectifications", "GET", lambda w: f"/api/v1/projects/{w.code}/rectifications", api(), api=True),
    Row("api.add_rectification", "POST", lambda w: f"/api/v1/projects/{w.code}/rectifications",
        COMMUNITY_API_WRITE,
        json={"description": "路灯未亮", "deadline": "2099-01-01", "responsible_unit": "contractor"},
        api=True, writes=frozenset({"admin", "engineer", "committee"})),
    Row("api.close_rectification", "PATCH", lambda w: f"/api/v1/rectifications/{w.rectification_id}",
        api(leader=403, other_committee=403), json={"note": "井盖已重新固定", "version": 1}, api=True,
        writes=frozenset({"admin", "engineer", "committee"})),
    Row("projects.export", "GET", lambda w: "/exports/projects.xlsx?street=1", page()),
    Row("demands.export", "GET", lambda w: "/exports/demands.csv", page()),
    Row("consultations.export", "GET", lambda w: "/exports/consultations.xlsx", page()),
]

# A page's write sent without a login (it expired, or an admin ended it) is not redirected to the
# login page, which would lose what was typed: it is answered 401 with the values kept (errors.py).
for _row in ROWS:
    if _row.method != "GET" and not _row.api and _row.expect["anonymous"] == 302:
        _row.expect["anonymous"] = 401

ROW_IDS = [f"{row.endpoint}-{row.method}" for row in ROWS]


def database_state() -> dict:
    """Every row of every table, to prove that a request changed nothing."""
    db.session.expire_all()
    state = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        state[table.name] = [tuple(row) for row in db.session.execute(sa.select(table).order_by(*order))]
    db.session.rollback()
    return state


def _sign_in(client, row: Row, world: World, role: str) -> dict:
    """Log the client in (pages) or return the bearer header (API) for the role."""
    if role == "anonymous":
        return {}
    if row.api:
        user = db.session.get_one(_user_model(), world.users[role])
        return {"Authorization": f"Bearer {_token_used_a_moment_ago(user)}"}
    assert login(client, role).status_code == 303
    return {}


def _token_used_a_moment_ago(user) -> str:
    """A token as a live integration holds it: its last use is written at most once a minute,
    so a request through it leaves the database as it was."""
    secret = api_token(user)
    db.session.execute(sa.update(ApiToken).values(last_used_at=utcnow()))
    db.session.commit()
    return secret


def _send(client, row: Row, world: World, headers: dict):
    kwargs = {"headers": headers}
    if row.data is not None:
        kwargs["data"] = row.data(world)
    if row.json is not None:
        kwargs["json"] = row.json
    response = client.open(row.url(world), method=row.method, **kwargs)
    response.get_data()
    response.close()  # as a server would: a streamed file (a photo original) is closed
    return response


def _user_model():
    from renovation.models import User

    return User


def _path(location: str) -> str:
    return urlsplit(location).path


# --- the table covers the app ---------------------------------------------------------------

def test_every_route_has_a_row(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - IGNORED_METHODS
    }
    table = {(row.endpoint, row.method) for row in ROWS}
    assert routes - table == set(), "routes without a row in tests/test_permissions.py ROWS"
    assert table - routes == set(), "rows for routes that no longer exist"
    assert len(table) == len(ROWS), "a route has two rows"


def test_every_row_names_every_role():
    for row in ROWS:
        assert set(row.expect) == set(ROLES), row.endpoint


# --- the matrix ------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_route_and_role(app, client, world, row: Row, role: str):
    headers = _sign_in(client, row, world, role)
    before = database_state()
    files_before = stored_files(Path(app.instance_path))

    response = _send(client, row, world, headers)

    assert response.status_code == row.expect[role], response.get_data(as_text=True)[:500]
    if response.status_code in (301, 302, 303):
        location = _path(response.headers["Location"])
        if role == "anonymous" and row.expect[role] == 302 and not row.location.get(role):
            assert location == "/login"
        elif role in row.location:
            assert location == row.location[role]
    if row.api and response.status_code in (401, 403):
        assert response.is_json and response.get_json()["error"]
    if row.api and response.status_code == 403:
        refusal = _send(client, row, world, {**headers, "Accept-Language": "en"})  # the same request, in English
        assert refusal.status_code == 403
        assert refusal.get_json() == {"error": "You do not have permission to do this."}
    if role not in row.writes or response.status_code >= 400:
        assert database_state() == before, "a refused or read-only request changed the database"
    else:
        assert database_state() != before
    if role in row.stores and response.status_code < 400:
        assert stored_files(Path(app.instance_path)) != files_before
    elif role not in row.writes or response.status_code >= 400:
        assert stored_files(Path(app.instance_path)) == files_before, "a refused or read-only request changed a file"


# --- anonymous callers in more detail ---------------------------------------------------------

PAGE_GETS = [row for row in ROWS if row.method == "GET" and not row.api and row.expect["anonymous"] == 302]


@pytest.mark.parametrize("row", PAGE_GETS, ids=[row.endpoint for row in PAGE_GETS])
def test_anonymous_page_redirects_to_login_with_next(client, world, row: Row):
    url = row.url(world)
    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [url]


@pytest.mark.parametrize("row", PAGE_GETS, ids=[row.endpoint for row in PAGE_GETS])
def test_anonymous_htmx_request_gets_401_not_a_redirect(client, world, row: Row):
    response = client.get(row.url(world), headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert _path(response.headers["HX-Redirect"]) == "/login"


@pytest.mark.parametrize("row", PAGE_GETS, ids=[row.endpoint for row in PAGE_GETS])
def test_anonymous_json_caller_gets_401(client, world, row: Row):
    response = client.get(row.url(world), headers={"Accept": "application/json"})
    assert response.status_code == 401


API_ROWS = [row for row in ROWS if row.api]


@pytest.mark.parametrize("row", API_ROWS, ids=[row.endpoint for row in API_ROWS])
def test_api_ignores_session_cookies(client, world, row: Row):
    """A logged-in browser without a token gets 401 from the API: cookies never authenticate."""
    assert login(client, "admin").status_code == 303
    before = database_state()
    response = client.open(row.url(world), method=row.method, json=row.json)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert database_state() == before


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Basic YWRtaW46cGFzc3dvcmQ=", "Bearer", ""])
def test_api_refuses_bad_authorization_headers(client, world, header):
    response = client.get(f"/api/v1/projects/{world.code}", headers={"Authorization": header})
    assert response.status_code == 401


def test_api_token_of_disabled_user_is_refused(client, world):
    from renovation.domain import accounts
    from renovation.models import User

    engineer = db.session.get(User, world.users["engineer"])
    token = api_token(engineer)
    assert client.get("/api/v1/projects", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    accounts.set_active(engineer, False, None)
    db.session.commit()
    assert client.get("/api/v1/projects", headers={"Authorization": f"Bearer {token}"}).status_code == 401


# --- refused writes change nothing -------------------------------------------------------------

@pytest.mark.parametrize("role", ["committee", "other_committee", "leader"])
def test_committee_and_leader_cannot_edit_a_stage_page_or_htmx(client, world, role):
    assert login(client, role).status_code == 303
    before = database_state()
    url = f"/projects/{world.code}/stages/survey/edit"
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 403
    assert client.post(url, data=_stage_post(world)).status_code == 403
    htmx = client.post(url, data=_stage_post(world), headers={"HX-Request": "true"})
    assert htmx.status_code == 403
    assert 'role="alert"' in htmx.get_data(as_text=True)
    assert database_state() == before


@pytest.mark.parametrize("role", ["committee", "other_committee", "leader"])
def test_committee_and_leader_cannot_patch_through_the_api(client, world, role):
    token = _token_used_a_moment_ago(db.session.get(_user_model(), world.users[role]))
    before = database_state()
    response = client.patch(f"/api/v1/projects/{world.code}/stages/survey",
                            json=STAGE_PATCH,
                            headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.get_json()["error"]
    assert database_state() == before


@pytest.mark.parametrize("role", ["engineer", "committee", "leader"])
def test_non_admins_see_no_admin_links(client, world, role):
    assert login(client, role).status_code == 303
    html = client.get("/projects").get_data(as_text=True)
    assert "/admin/users" not in html and "/admin/audit" not in html


def test_admin_sees_admin_links(client, world):
    assert login(client, "admin").status_code == 303
    html = client.get("/projects").get_data(as_text=True)
    assert "/admin/users" in html and "/admin/audit" in html
