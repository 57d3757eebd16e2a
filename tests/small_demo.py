"""The small seeded demo that the whole-app checks walk (axe-core in
tests/browser/test_accessibility.py, the Nu HTML checker in tests/test_html_valid.py): ``flask
seed-demo`` with 8 projects, a city bulletin, an API token, a ledger preview and a consultation
file, with one value for every route argument, so each GET route of ``app.url_map`` can be built
and a new page is checked as soon as it exists."""
from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO

import sqlalchemy as sa
from werkzeug.routing.converters import AnyConverter

from renovation import create_app
from renovation.domain.stages.keys import STAGE_ORDER
from renovation.extensions import db
from renovation.models import (
    ApiToken,
    Bulletin,
    Compound,
    Consultation,
    ConsultationAttachment,
    ContentItem,
    Demand,
    PhotoPair,
    Project,
    ProjectContent,
    User,
)
from tests.conftest import PASSWORD
from tests.domain.photo_samples import jpeg

ROLES = ("admin", "engineer", "committee", "leader")


@dataclass
class Demo:
    base: str
    ids: dict
    app: object


def _first(query):
    value = db.session.scalars(query.limit(1)).first()
    assert value is not None, f"the demo has nothing for {query}"
    return value


def _demo_ids() -> dict:
    """One value per route argument: the committee's own project, so every role sees its forms."""
    committee = db.session.scalars(sa.select(User).where(User.username == "committee")).one()
    own = (sa.select(Project).join(Compound).where(Compound.community_id == committee.community_id)
           .order_by(Project.code))
    paired = sa.select(PhotoPair).order_by(PhotoPair.id)
    pair = _first(paired)
    project = _first(own)
    return {
        "code": project.code,
        "key": STAGE_ORDER[2].value,  # the facade: open on most demo projects
        "consultation_id": _first(sa.select(Consultation.id).where(Consultation.project_id == project.id)),
        "demand_id": _first(sa.select(Demand.id).where(Demand.project_id == project.id)),
        "photo_id": pair.before_id,
        "pair_id": pair.id,
        "bulletin_id": _first(sa.select(Bulletin.id).order_by(Bulletin.id)),
        "user_id": committee.id,
        "token_id": _first(sa.select(ApiToken.id)),
        "content_id": _first(sa.select(ProjectContent.id).where(ProjectContent.project_id == project.id)),
        "item_id": _first(sa.select(ContentItem.id).order_by(ContentItem.id)),
    }


def demo_app(database_url: str, instance_path: str):
    """The app the demo is served by, CSRF protection off until :func:`seed` is done."""
    return create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": instance_path, "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "QUEUE_URL": "immediate",
    })


def seed(app) -> dict:
    """Seed the demo and answer the value of every route argument; CSRF protection is on after.

    The requests run outside any pushed app context, so each has its own, as in production: a
    database session a view leaves open ends with its request instead of holding SQLite's lock.
    """
    with app.app_context():
        runner = app.test_cli_runner()
        for args in (["seed-demo", "--projects", "8", "--password", PASSWORD],
                     ["issue-bulletin", "--kind", "city", "--user", "engineer"],
                     ["create-token", "engineer", "--name", "台账同步"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        ids = _demo_ids()
    client = app.test_client()
    client.post("/login", data={"username": "engineer", "password": PASSWORD})
    template = client.get("/ledger/template.xlsx").data
    answer = client.post("/ledger/import", data={"ledger": (BytesIO(template), "台账.xlsx")})
    assert answer.status_code == 303, answer.status_code
    ids["sha256"] = answer.headers["Location"].rsplit("/", 1)[1]
    answer = client.post(f"/consultations/{ids['consultation_id']}/attachments",
                         data={"kind": "sign_in_sheet", "files": (BytesIO(jpeg()), "签到表.jpg")})
    assert answer.status_code in (200, 201, 303), answer.status_code
    answer = client.post(f"/projects/{ids['code']}/problems", data={
        "title": "燃气管线迁改", "category": "utilities", "description": "3号楼前燃气管线需迁改",
        "stage": "rain_sewage", "departments": ["漳平市燃气公司"],
        "deadline": (date.today() + timedelta(days=10)).isoformat()})
    assert answer.status_code == 303, answer.status_code
    ids["problem_id"] = int(answer.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        ids["link_id"] = _leader_linked_with_a_visit(ids["code"], ids["problem_id"])
    ids["rectification_id"], ids["paper_id"], ids["acceptance_id"] = _acceptance_with_a_paper(app, client, ids["code"])
    ids["issued_bulletin_id"] = ids["bulletin_id"]
    ids["bulletin_id"], ids["signed_bulletin_id"] = _bulletins_on_their_way(app, client, ids["code"])
    ids["page"] = 1
    with app.app_context():
        ids["attachment_id"] = _first(sa.select(ConsultationAttachment.id))
        ids["robot_id"], ids["delivery_id"] = _robot_and_failed_delivery()
    app.config["WTF_CSRF_ENABLED"] = True
    return ids


def _acceptance_with_a_paper(app, client, code: str) -> tuple[int, int, int]:
    """竣工验收 of the committee's project, as the engineer records it on the page: an acceptance with two
    residents' representatives and its sign-in sheet, and an open rectification item. Answers the
    item's, the paper's and the acceptance's ids."""
    from renovation.models import AcceptanceAttachment, AcceptanceRecord, Rectification

    answer = client.post(f"/projects/{code}/acceptances", data={
        "accepted_on": date.today().isoformat(), "units": ["contractor", "supervisor"],
        "representatives-0-name": "陈秀英", "representatives-0-represents": "3号楼居民",
        "representatives-1-headcount": "3", "representatives-1-represents": "5号楼居民"})
    assert answer.status_code == 303, answer.status_code
    answer = client.post(f"/projects/{code}/rectifications", data={
        "description": "检查井井盖松动", "deadline": (date.today() + timedelta(days=7)).isoformat(),
        "responsible_unit": "contractor"})
    assert answer.status_code == 303, answer.status_code
    with app.app_context():
        acceptance_id = _first(sa.select(AcceptanceRecord.id).order_by(AcceptanceRecord.id.desc()))
    answer = client.post(f"/acceptances/{acceptance_id}/attachments",
                         data={"kind": "sign_in_sheet", "files": (BytesIO(jpeg(seed=4)), "验收签到表.jpg")})
    assert answer.status_code == 303, answer.status_code
    with app.app_context():
        return (_first(sa.select(Rectification.id).order_by(Rectification.id.desc())),
                _first(sa.select(AcceptanceAttachment.id)), acceptance_id)


def _robot_and_failed_delivery() -> tuple[int, int]:
    """A community's chat robot (switched off: nothing leaves the machine) and a message to it that
    failed every attempt, for the admins' pages."""
    from renovation.domain.clock import utcnow
    from renovation.domain.notifications import robots
    from renovation.models import Community, Delivery

    admin = db.session.scalars(sa.select(User).where(User.username == "admin")).one()
    community = _first(sa.select(Community).where(Community.name == "铁路社区"))
    robot = robots.add_robot({"name": "铁路社区改造群", "kind": "dingtalk", "secret": "SEC-demo", "active": False,
                              "url": "https://oapi.dingtalk.com/robot/send?access_token=demo",
                              "kinds": ["problem_assigned", "bulletin_issued"], "community": community}, admin)
    delivery = Delivery(key="robot:demo", channel="robot", robot_id=robot.id, title="困难问题交由市领导领办",
                        body="**困难问题交由市领导领办**", status="failed", attempts=6,
                        next_attempt_at=utcnow(), last_error="HTTP 502 Bad Gateway", created_at=utcnow())
    db.session.add(delivery)
    db.session.commit()
    return robot.id, delivery.id


def _bulletins_on_their_way(app, engineer, code: str) -> tuple[int, int]:
    """A city draft (its page, edit form and preview) and a brief drafted by the engineer, checked
    by the admin and signed by the leader (the demo's signer): its issue confirmation."""
    def drafted(**fields) -> int:
        answer = engineer.post("/bulletins", data=fields)
        assert answer.status_code == 303, answer.status_code
        return int(answer.headers["Location"].rsplit("/", 1)[1])

    draft, signed = drafted(kind="city", notes="一是加快进度。"), drafted(kind="project", project=code)
    for who, step, version in (("engineer", "send-on", 1), ("admin", "check", 2), ("leader", "sign", 3)):
        client = app.test_client()
        client.post("/login", data={"username": who, "password": PASSWORD})
        answer = client.post(f"/bulletins/{signed}/{step}", data={"version": version})
        assert answer.status_code == 303, (step, answer.status_code)
    return draft, signed


def page_urls(demo: Demo) -> list[str]:
    """Every GET route but the static files and the API, built with the demo's ids."""
    urls = []
    for rule in sorted(demo.app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if rule.endpoint == "static" or "GET" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        values = {}
        for name in rule.arguments:
            converter = rule._converters[name]
            if isinstance(converter, AnyConverter):
                values[name] = sorted(converter.items)[0]
            else:
                assert demo.ids.get(name) is not None, f"no demo value for <{name}> of {rule.rule}: add it"
                values[name] = demo.ids[name]
        urls.append(rule.build(values)[1] if values else rule.rule)
    return urls


def _leader_linked_with_a_visit(code: str, problem_id: int) -> int:
    """The leader linked to the committee's community (挂钩联系点; seed-demo leaves it to an admin),
    so their home starts with 我联系的小区 and they may record visits; one visit of theirs on the
    project, taking up its problem. Answers the link's id."""
    from renovation.domain.clock import today
    from renovation.domain.leaders.links import link_user
    from renovation.domain.leaders.visits import record_visit
    from renovation.domain.project_list import project_by_code

    admin, leader = (db.session.scalars(sa.select(User).where(User.username == name)).one()
                     for name in ("admin", "leader"))
    project = project_by_code(code)
    link = link_user(leader, admin, community=project.compound.community, started_on=today() - timedelta(days=30),
                     note="市委常委")
    record_visit(project, leader, {
        "visited_on": today() - timedelta(days=1), "leaders": [leader.id], "others": "住建局林建华、社区陈主任",
        "seen": "3号楼前燃气管线未迁改，雨污管道无法开挖", "decided": "燃气公司一周内完成迁改",
        "problems": [problem_id], "new_problem": None})
    return link.id
