"""Markup defects a validator and a screen reader trip on: ``aria-invalid="None"``, the same id
twice on a page that lists several forms, ``<time datetime>`` with microseconds and ``role`` on
``<summary>``."""
import re
from collections import Counter
from html.parser import HTMLParser

from renovation.domain.accounts import create_token
from renovation.domain.residents.consultations import add_consultation
from renovation.domain.residents.demands import raise_demand
from renovation.domain.stages.operations import update_stage
from renovation.extensions import db
from tests.conftest import days_ago, login, make_user

HTML_TIME = re.compile(r"^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d)?Z)?$")


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def duplicate_ids(html: str) -> list[str]:
    counts = Counter(attrs["id"] for _tag, attrs in tags(html) if attrs.get("id"))
    return sorted(name for name, count in counts.items() if count > 1)


def with_csrf(app) -> None:
    """Forms carry their CSRF token as they do in production (the test config leaves it out)."""
    app.config["WTF_CSRF_ENABLED"] = True


def assert_clean(html: str) -> None:
    assert duplicate_ids(html) == []
    assert [attrs for tag, attrs in tags(html) if tag == "summary" and "role" in attrs] == []
    assert 'aria-invalid="None"' not in html and 'aria-invalid="False"' not in html
    times = [attrs["datetime"] for tag, attrs in tags(html) if tag == "time" and "datetime" in attrs]
    assert [value for value in times if not HTML_TIME.match(value)] == []


def test_the_project_page_with_several_stages_demands_and_consultations(app, client, project, engineer):
    for _ in range(2):
        add_consultation(project, engineer, {"date": days_ago(3), "kind": "council_meeting", "topic": "加装电梯"}, None)
        raise_demand(project, engineer, {"category": "parking", "text": "车棚", "raised_by": "5号楼",
                                         "raised_on": days_ago(1)})
    update_stage(project, "survey", engineer, {"status": "in_progress", "percent": 20,
                                               "actual_start": days_ago(2)}, project.stage("survey").version)
    login(client)
    with_csrf(app)
    html = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert html.count("<time datetime=") >= 1 and html.count('name="csrf_token"') > 2
    assert_clean(html)
    assert_clean(client.get("/demands").get_data(as_text=True))
    assert_clean(client.get("/consultations").get_data(as_text=True))


def test_the_users_and_tokens_lists(app, client, engineer):
    admin = make_user("admin", "admin")
    make_user("leader", "leader")
    for name in ("大屏", "报表"):
        create_token(admin, name=name, scope="read")
    db.session.commit()
    login(client, "admin")
    with_csrf(app)
    html = client.get("/admin/users").get_data(as_text=True)
    assert html.count('name="csrf_token"') > 3
    assert_clean(html)
    assert_clean(client.get("/account/tokens").get_data(as_text=True))


def test_the_ledger_file_input_is_invalid_only_with_an_error(client, engineer):
    login(client)
    form = client.get("/ledger/import").get_data(as_text=True)
    assert_clean(form)
    file_input = next(attrs for tag, attrs in tags(form) if tag == "input" and attrs.get("type") == "file")
    assert "aria-invalid" not in file_input
    refused = client.post("/ledger/import", data={}, content_type="multipart/form-data").get_data(as_text=True)
    file_input = next(attrs for tag, attrs in tags(refused) if tag == "input" and attrs.get("type") == "file")
    assert file_input.get("aria-invalid") == "true"
    assert_clean(refused)
