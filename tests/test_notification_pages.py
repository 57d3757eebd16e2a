"""The notifications through the pages: the bell on every page (one count query), the list that
marks what it shows read, each person's choices, the admins' chat robots and failed deliveries;
and the issue's walk — a problem raised and given to a linked leader reaches the leader's bell,
the robot of the community and the next digest."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from renovation.domain import clock
from renovation.domain.clock import utcnow
from renovation.extensions import db
from renovation.models import ChatRobot, Delivery, LeaderLink, Notification, NotificationSetting, User
from tests.conftest import count_statements, csrf_token_from, login, make_project, make_user
from tests.notification_receivers import RobotReceiver, smtp_server

PROBLEM = {"title": "燃气管线迁改", "category": "utilities", "description": "3号楼前燃气管线需迁改，影响雨污分流施工",
           "stage": "rain_sewage", "departments": ["漳平市燃气公司"],
           "deadline": (clock.today() + timedelta(days=10)).isoformat()}


@pytest.fixture
def people(app):
    project = make_project()
    users = {role: make_user(role, role, community="铁路社区" if role == "committee" else None)
             for role in ("admin", "engineer", "committee", "leader")}
    users["other_committee"] = make_user("other_committee", "committee", community="九龙社区")
    return project, users


def bell(html: str) -> str:
    return html.split('<a href="/notifications" class="bell', 1)[1].split("</a>")[0]


def test_the_bell_is_on_every_page_with_the_unread_count(client, people, app):
    project, users = people
    for n in range(3):
        db.session.add(Notification(user_id=users["leader"].id, kind="bulletin_issued", subject_id=n,
                                    facts={"title": "全市通报", "label": f"2026年第{n + 1}期"}, created_at=utcnow()))
    db.session.commit()
    login(client, "leader")
    for url in ("/dashboard", "/projects", f"/projects/{project.code}", "/problems", "/bulletins"):
        html = client.get(url).get_data(as_text=True)
        assert '<span class="bell-count" aria-hidden="true">3</span>' in bell(html), url
        assert "Notifications: 3 unread" in bell(html) or "通知：3条未读" in bell(html)
    other = app.test_client()
    login(other, "committee")
    assert "bell-count" not in bell(other.get("/projects?community=0").get_data(as_text=True))


def test_the_bell_costs_one_indexed_count(client, people):
    project, users = people
    login(client, "leader")
    db.session.expire_all()  # as a new request's session would be (the tests keep one app context)
    with count_statements() as statements:
        client.get("/dashboard")
    counts = [statement for statement in statements if "notification" in statement.lower()]
    assert len(counts) == 1 and "count(" in counts[0].lower() and "read_at IS NULL" in counts[0]
    for n in range(30):
        db.session.add(Notification(user_id=users["leader"].id, kind="bulletin_issued", subject_id=n,
                                    facts={"title": "通报", "label": str(n)}, created_at=utcnow()))
    db.session.commit()
    db.session.expire_all()
    with count_statements() as more:
        client.get("/dashboard")
    assert len(more) == len(statements)


def test_opening_the_list_marks_what_it_shows_read(client, people):
    project, users = people
    db.session.add(Notification(user_id=users["leader"].id, kind="problem_assigned", subject_id=7,
                                facts={"title": "燃气管线迁改", "leader": "leader", "code": project.code,
                                       "compound": "铁路二段生活小区"}, created_at=utcnow()))
    db.session.commit()
    login(client, "leader")
    client.set_cookie("lang", "en")
    html = client.get("/notifications").get_data(as_text=True)
    assert "Difficult problem given to leader: 燃气管线迁改" in html and 'href="/problems/7"' in html
    assert "notification-new" in html and "铁路二段生活小区 (ZP-2026-001)" in html
    assert "bell-count" not in bell(html)  # the header counts after the list was opened
    again = client.get("/notifications").get_data(as_text=True)
    assert "notification-new" not in again
    assert db.session.scalar(sa.select(Notification.read_at)) is not None


def test_nobody_reads_another_users_notifications(app, people):
    project, users = people
    db.session.add(Notification(user_id=users["leader"].id, kind="problem_assigned", subject_id=7,
                                facts={"title": "只给领导看的问题", "leader": "leader"}, created_at=utcnow()))
    db.session.commit()
    for role in ("admin", "engineer", "committee", "other_committee"):
        client = app.test_client()
        login(client, role)
        assert "只给领导看的问题" not in client.get("/notifications").get_data(as_text=True)
    assert db.session.scalar(sa.select(Notification.read_at)) is None


def test_each_person_chooses_what_they_hear(client, people):
    project, users = people
    login(client, "committee")
    client.set_cookie("lang", "en")
    form = client.get("/notifications/choices").get_data(as_text=True)
    checked = {kind for kind in ("demand_overdue", "bulletin_issued", "stage_behind")
               if f'value="{kind}" checked' in form}
    assert checked == {"demand_overdue", "bulletin_issued"}  # a committee's defaults
    answer = client.post("/notifications/choices", data={"kinds": ["stage_behind"], "email": "not-an-address",
                                                         "csrf_token": csrf_token_from(form)})
    assert answer.status_code == 422 and "name@example.com" in answer.get_data(as_text=True)
    assert 'value="stage_behind" checked' in answer.get_data(as_text=True)  # the input kept
    answer = client.post("/notifications/choices", data={"kinds": ["stage_behind"], "digest": "y",
                                                         "email": "railway@zp.example"})
    assert answer.status_code == 303
    setting = db.session.get(NotificationSetting, users["committee"].id)
    assert (setting.kinds, setting.digest, db.session.get(User, users["committee"].id).email) == (
        ["stage_behind"], True, "railway@zp.example")


def test_admins_set_up_robots(client, people, app):
    project, users = people
    app.config["ROBOT_HOSTS"] = ["oapi.dingtalk.com"]
    login(client, "admin")
    client.set_cookie("lang", "en")
    community = project.compound.community
    page = client.get("/admin/robots").get_data(as_text=True)
    assert f'value="community:{community.id}"' in page and "oapi.dingtalk.com" in page
    refused = client.post("/admin/robots", data={
        "name": "铁路社区改造群", "kind": "dingtalk", "url": "https://evil.example/robot/send",
        "kinds": ["problem_assigned"], "place": f"community:{community.id}"})
    assert refused.status_code == 422
    assert "may only reach these hosts: oapi.dingtalk.com" in refused.get_data(as_text=True)
    assert 'value="铁路社区改造群"' in refused.get_data(as_text=True)
    url = "https://oapi.dingtalk.com/robot/send?access_token=abc"
    added = client.post("/admin/robots", data={"name": "铁路社区改造群", "kind": "dingtalk", "url": url,
                                               "secret": "SEC-1", "kinds": ["problem_assigned", "bulletin_issued"],
                                               "place": f"community:{community.id}", "active": "y"})
    assert added.status_code == 303
    robot = db.session.scalars(sa.select(ChatRobot)).one()
    assert (robot.community_id, robot.secret, robot.kinds, robot.active) == (
        community.id, "SEC-1", ["problem_assigned", "bulletin_issued"], True)
    edit = client.get(f"/admin/robots/{robot.id}").get_data(as_text=True)
    assert "SEC-1" not in edit and 'value="problem_assigned" checked' in edit  # the secret is never shown
    saved = client.post(f"/admin/robots/{robot.id}", data={
        "name": "桂林街道群", "kind": "dingtalk", "url": url, "kinds": ["stage_behind"],
        "place": f"street:{community.street_id}"})
    assert saved.status_code == 303
    db.session.refresh(robot)
    assert (robot.name, robot.secret, robot.street_id, robot.community_id, robot.active) == (
        "桂林街道群", "SEC-1", community.street_id, None, False)
    assert client.post(f"/admin/robots/{robot.id}/delete").status_code == 303
    assert db.session.scalars(sa.select(ChatRobot)).all() == []


def test_admins_see_failed_deliveries_and_send_them_again(client, people, app):
    project, users = people
    app.config["ROBOT_HOSTS"] = ["127.0.0.1"]
    with RobotReceiver() as receiver:
        robot = ChatRobot(name="铁路社区改造群", kind="wecom", url=receiver.url, kinds=["problem_assigned"],
                          created_at=utcnow(), updated_at=utcnow())
        db.session.add(robot)
        db.session.flush()
        delivery = Delivery(key="robot:x", channel="robot", robot_id=robot.id, title="困难问题交由领导领办",
                            body="**困难问题**", status="failed", attempts=6, next_attempt_at=utcnow(),
                            last_error="HTTP 502 Bad Gateway", created_at=utcnow())
        db.session.add(delivery)
        db.session.commit()
        login(client, "admin")
        page = client.get("/admin/deliveries").get_data(as_text=True)
        assert "HTTP 502 Bad Gateway" in page and "铁路社区改造群" in page
        assert "1条消息未能送达" in client.get("/admin/robots").get_data(as_text=True)
        assert client.post(f"/admin/deliveries/{delivery.id}/send-again").status_code == 303
    db.session.refresh(delivery)
    assert (delivery.status, len(receiver.posts)) == ("sent", 1)
    assert receiver.posts[0]["json"] == {"msgtype": "markdown", "markdown": {"content": "**困难问题**"}}


def test_the_walk_of_the_issue(client, people, app, runner, monkeypatch):
    """An admin links the leader to 铁路社区; an engineer raises a problem on 铁路二段生活小区 (管线迁改 —
    燃气, deadline in 10 days) and gives it to that leader: the leader's bell shows it at once, the
    community's robot has the message, and the next digest lists it; three days before the deadline
    and the day after it the leader hears again."""
    project, users = people
    app.config.update(ROBOT_HOSTS=["127.0.0.1"], BASE_URL="https://renovation.zp.example")
    leader = users["leader"]
    leader.display_name, leader.email = "李书记", "li@zp.example"
    db.session.add(LeaderLink(user_id=leader.id, community_id=project.compound.community_id, note="",
                              started_on=clock.today() - timedelta(days=1), created_at=utcnow()))
    db.session.commit()
    with RobotReceiver() as receiver, smtp_server() as mail:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=mail.port, SMTP_USER="notifier",
                          SMTP_PASSWORD="mail-secret", SMTP_TLS="none", SMTP_FROM="renovation@zp.example")
        db.session.add(ChatRobot(name="铁路社区改造群", kind="wecom", url=receiver.url,
                                 community_id=project.compound.community_id,
                                 kinds=["problem_assigned", "problem_due_soon", "problem_overdue"],
                                 created_at=utcnow(), updated_at=utcnow()))
        db.session.commit()
        login(client, "engineer")
        raised = client.post(f"/projects/{project.code}/problems", data=PROBLEM)
        assert raised.status_code == 303
        problem_url = raised.headers["Location"]
        assigned = client.post(f"{problem_url}/assign", data={"leader": "leader", "version": "1"})
        assert assigned.status_code == 303, assigned.get_data(as_text=True)[-3000:]
        assert len(receiver.posts) == 1 and "李书记" in receiver.posts[0]["json"]["markdown"]["content"]
        assert "https://renovation.zp.example/problems/" in receiver.posts[0]["json"]["markdown"]["content"]

        client = app.test_client()
        login(client, "leader")
        home = client.get("/dashboard").get_data(as_text=True)
        assert '<span class="bell-count" aria-hidden="true">1</span>' in bell(home)
        listed = client.get("/notifications").get_data(as_text=True)
        assert "困难问题交由李书记领办：燃气管线迁改" in listed and f'href="{problem_url}"' in listed

        result = runner.invoke(args=["notify", "--digest"])
        assert result.exit_code == 0, result.output
        assert len(mail.messages) == 1 and mail.messages[0]["to"] == ["li@zp.example"]
        assert "燃气管线迁改" in mail.messages[0]["message"].get_content()

        deadline = clock.today() + timedelta(days=10)
        monkeypatch.setattr(clock, "today", lambda: deadline - timedelta(days=3))
        assert runner.invoke(args=["notify", "--no-digest"]).exit_code == 0
        monkeypatch.setattr(clock, "today", lambda: deadline + timedelta(days=1))
        assert runner.invoke(args=["notify", "--no-digest"]).exit_code == 0
        kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == leader.id)
                                   .order_by(Notification.id)).all()
        assert kinds == ["problem_assigned", "problem_due_soon", "problem_overdue"]
        assert len(receiver.posts) == 3
        assert "已逾期" in receiver.posts[2]["json"]["markdown"]["content"]
