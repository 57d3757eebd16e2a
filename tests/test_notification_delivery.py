"""Deliveries outside the app, against real receivers on the loopback: a robot's webhook (an HTTP
server that answers as 企业微信 and 钉钉 do, one that fails twice before it accepts, one that is
down), and an SMTP server (aiosmtpd) for the daily digest. Retries wait with back-off, a delivery
that fails every attempt is shown to admins and sent again by hand; nothing is lost meanwhile."""
import base64
import hashlib
import hmac
import time
from datetime import timedelta
from urllib.parse import unquote_plus

import pytest
import sqlalchemy as sa

from renovation.domain import clock
from renovation.domain.clock import utcnow
from renovation.domain.notifications import deliveries, digest, outbound, robots
from renovation.domain.problems.flow import Step
from renovation.domain.problems.operations import raise_problem, take_step
from renovation.extensions import db
from renovation.models import Delivery, Notification
from tests.conftest import make_project, make_user
from tests.notification_receivers import RobotReceiver, free_port, smtp_server

PROBLEM = {"title": "燃气管线迁改", "description": "3号楼前燃气管线需迁改", "category": "utilities",
           "departments": ["漳平市燃气公司"], "deadline": clock.today() + timedelta(days=10)}


@pytest.fixture
def place(app):
    app.config.update(ROBOT_HOSTS=["127.0.0.1"], NOTIFY_TIMEOUT_SECONDS=5, BASE_URL="http://renovation.zp.example")
    project = make_project()
    people = {"admin": make_user("admin", "admin"), "engineer": make_user("engineer", "engineer"),
              "leader": make_user("leader", "leader")}
    return project, people


def robot(people, url, kind="wecom", secret="", kinds=("problem_assigned",), **area):
    return robots.add_robot({"name": "铁路社区改造群", "kind": kind, "url": url, "secret": secret, "kinds": list(kinds),
                             **area}, people["admin"])


def assign(project, people):
    problem = raise_problem(project, people["engineer"], PROBLEM)
    return take_step(problem, people["engineer"], Step.ASSIGN, {"leader": "leader"}, problem.version)


def test_a_problem_given_to_a_leader_reaches_the_wecom_robot_at_once(place):
    project, people = place
    with RobotReceiver() as receiver:
        robot(people, receiver.url, community=project.compound.community)
        problem = assign(project, people)  # the send job runs after the commit (immediate queue in the tests)
    assert len(receiver.posts) == 1
    post = receiver.posts[0]
    assert post["path"] == "/cgi-bin/webhook/send" and post["query"] == {"key": ["test-key"]}
    assert post["content_type"] == "application/json; charset=utf-8"
    assert set(post["json"]) == {"msgtype", "markdown"} and post["json"]["msgtype"] == "markdown"
    content = post["json"]["markdown"]["content"]
    assert "燃气管线迁改" in content and "铁路二段生活小区（ZP-2026-001）" in content and "领办" in content
    assert f"http://renovation.zp.example/problems/{problem.id}" in content
    assert db.session.scalars(sa.select(Delivery.status)).all() == ["sent"]


def test_dingtalk_gets_its_markdown_signed_with_the_secret(place):
    project, people = place
    secret = "SEC0123456789abcdef"
    with RobotReceiver() as receiver:
        robot(people, receiver.url, kind="dingtalk", secret=secret, street=project.compound.community.street)
        assign(project, people)
    post = receiver.posts[0]
    body = post["json"]
    assert body["msgtype"] == "markdown" and set(body["markdown"]) == {"title", "text"}
    assert "燃气管线迁改" in body["markdown"]["title"] and "燃气管线迁改" in body["markdown"]["text"]
    timestamp, sign = post["query"]["timestamp"][0], post["query"]["sign"][0]
    assert abs(int(timestamp) / 1000 - time.time()) < 60  # milliseconds, now
    expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert sign == expected  # parse_qs has decoded the url-encoding once: the base64 itself
    assert robots.dingtalk_signature(secret, int(timestamp)) != expected  # it is sent url-encoded
    assert unquote_plus(robots.dingtalk_signature(secret, int(timestamp))) == expected


def test_a_receiver_that_fails_twice_gets_it_on_the_third_attempt_after_waiting(place):
    project, people = place
    with RobotReceiver(failures=2) as receiver:
        robot(people, receiver.url)
        assign(project, people)
        delivery = db.session.scalars(sa.select(Delivery)).one()
        first_retry = delivery.next_attempt_at
        assert (delivery.status, delivery.attempts, len(receiver.posts)) == ("pending", 1, 1)
        assert "HTTP 500" in delivery.last_error
        assert deliveries.send_due(first_retry - timedelta(seconds=1))["pending"] == 0  # not yet: it waits
        assert len(receiver.posts) == 1
        deliveries.send_due(first_retry)
        db.session.refresh(delivery)
        assert (delivery.status, delivery.attempts, len(receiver.posts)) == ("pending", 2, 2)
        # Back-off: the second wait is twice the first.
        assert delivery.next_attempt_at - first_retry == 2 * deliveries.retry_delay(1)
        deliveries.send_due(delivery.next_attempt_at)
        db.session.refresh(delivery)
        assert (delivery.status, delivery.attempts, len(receiver.posts), delivery.last_error) == ("sent", 3, 3, "")
        assert receiver.posts[0]["json"] == receiver.posts[2]["json"]


def test_a_robot_answering_with_an_error_code_is_a_failure(place):
    project, people = place
    with RobotReceiver(failures=1, failure="errcode") as receiver:
        robot(people, receiver.url)
        assign(project, people)
    delivery = db.session.scalars(sa.select(Delivery)).one()
    assert delivery.status == "pending" and "errcode 93000" in delivery.last_error


def test_a_receiver_down_for_every_attempt_is_shown_to_admins_and_sent_again(place, app):
    project, people = place
    app.config["NOTIFY_MAX_ATTEMPTS"] = 3
    port = free_port()  # nobody listens there
    robot(people, f"http://127.0.0.1:{port}/robot/send?access_token=t")
    assign(project, people)
    delivery = db.session.scalars(sa.select(Delivery)).one()
    for _attempt in range(2):
        deliveries.send_due(delivery.next_attempt_at)
        db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert "ConnectionRefusedError" in delivery.last_error or "Connection refused" in delivery.last_error
    assert deliveries.failed_deliveries() == [delivery]
    told = db.session.scalars(sa.select(Notification).where(Notification.kind == "delivery_failed")).one()
    assert told.user_id == people["admin"].id and told.facts["target"] == "铁路社区改造群"
    assert deliveries.send_due(utcnow() + timedelta(days=1)) == {"pending": 0, "sent": 0, "failed": 0}
    with RobotReceiver() as receiver:
        robots.change_robot(delivery.robot, {"name": "铁路社区改造群", "kind": "wecom", "url": receiver.url,
                                             "kinds": ["problem_assigned"]}, people["admin"])
        deliveries.send_again(delivery, people["admin"])  # sent by the job the commit queued
        db.session.refresh(delivery)
        assert (delivery.status, len(receiver.posts)) == ("sent", 1)


def test_two_workers_never_send_one_message_twice(place):
    project, people = place
    with RobotReceiver(failures=1) as receiver:
        robot(people, receiver.url)
        assign(project, people)
        delivery = db.session.scalars(sa.select(Delivery)).one()
        later = delivery.next_attempt_at
        assert deliveries._claim(delivery.id, later)  # another worker has it in hand
        assert deliveries.send_one(delivery.id, later) is None
        assert len(receiver.posts) == 1


def test_no_redirect_is_followed(place):
    project, people = place
    with RobotReceiver(redirect_to="http://169.254.169.254/latest/meta-data") as receiver:
        robot(people, receiver.url)
        assign(project, people)
    delivery = db.session.scalars(sa.select(Delivery)).one()
    assert "redirects are not followed" in delivery.last_error and len(receiver.posts) == 1


@pytest.mark.parametrize("url", [
    "ftp://127.0.0.1/robot", "file:///etc/passwd", "http://user:pw@127.0.0.1/robot", "https://evil.example/robot",
    "http://127.0.0.1:99999/robot", "javascript:alert(1)", "qyapi.weixin.qq.com/cgi-bin/webhook/send",
])
def test_robot_addresses_are_checked(place, url):
    project, people = place
    with pytest.raises(robots.RobotRuleViolation) as refused:
        robot(people, url)
    assert set(refused.value.errors) == {"url"}


def test_a_robot_whose_host_is_no_longer_allowed_is_not_posted_to(place, app):
    project, people = place
    with RobotReceiver() as receiver:
        robot(people, receiver.url)
        app.config["ROBOT_HOSTS"] = ["qyapi.weixin.qq.com"]
        assign(project, people)
    assert receiver.posts == []
    assert "qyapi.weixin.qq.com" in db.session.scalars(sa.select(Delivery.last_error)).one()


def test_the_daily_digest_by_email(place, app, monkeypatch):
    project, people = place
    leader = people["leader"]
    leader.email = "leader@zp.example"
    db.session.commit()
    assign(project, people)
    assert digest.build_digests() == 0  # no mail server configured: no digest at all
    with smtp_server() as server:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_USER="notifier",
                          SMTP_PASSWORD="mail-secret", SMTP_TLS="none", SMTP_FROM="renovation@zp.example")
        assert digest.build_digests() == 1  # the leader's; the others have no address
        assert digest.build_digests() == 0  # once a day
        assert len(server.messages) == 1
        mail = server.messages[0]
        assert mail["to"] == ["leader@zp.example"] and mail["from"] == "renovation@zp.example"
        message = mail["message"]
        assert "1" in message["Subject"] and "通知" in message["Subject"]
        text = message.get_content()
        assert "燃气管线迁改" in text and "http://renovation.zp.example/problems/" in text
        # The next day: only what is new since.
        monkeypatch.setattr(clock, "today", lambda: clock.datetime.now(clock.CHINA).date() + timedelta(days=1))
        assert digest.build_digests() == 0


def test_a_wrong_mail_password_is_a_failure_retried(place, app):
    project, people = place
    people["leader"].email = "leader@zp.example"
    db.session.commit()
    assign(project, people)
    with smtp_server() as server:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_USER="notifier", SMTP_PASSWORD="wrong",
                          SMTP_TLS="none", SMTP_FROM="renovation@zp.example", NOTIFY_TIMEOUT_SECONDS=1)
        digest.build_digests()
        delivery = db.session.scalars(sa.select(Delivery).where(Delivery.channel == "email")).one()
        assert delivery.status == "pending" and delivery.last_error.startswith("SMTP")  # refused, then cut off
        assert server.messages == []


def test_smtp_is_configured_only_with_a_host_and_a_sender(app):
    assert not outbound.smtp_configured()
    app.config.update(SMTP_HOST="mail.zp.example")
    assert not outbound.smtp_configured()
    app.config.update(SMTP_FROM="renovation@zp.example")
    assert outbound.smtp_configured()
