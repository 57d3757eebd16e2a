"""Numbers nobody can confuse (issue 14): the city's bulletins, each street's and each project's
briefs are numbered on their own; the city series carries its 发文字号; a brief reads as its
project's code and day, not as an issue of a periodical."""
import re

import pytest
import sqlalchemy as sa

from renovation.domain.bulletins.issue import BulletinError, Scope, issue_bulletin, pdf_bytes, scope_named
from renovation.domain.bulletins.series import brief_label, cn_day
from renovation.domain.clock import today
from renovation.extensions import db
from renovation.models import Bulletin, User
from tests import pdf_checks
from tests.bulletin_samples import programme
from tests.bulletin_steps import draft, issue_in_one_step
from tests.conftest import api_token, login, make_area, revision_before

YEAR = today().year
DAY = cn_day(today())


def issue(kind, engineer, street=None, project=None, render=False):
    return issue_bulletin(kind, scope_named(kind, street=street, project=project) if kind != "city" else Scope(),
                          engineer, render=render)


def test_three_documents_issued_the_same_day_read_differently(app, engineer):
    programme()
    city = issue("city", engineer)
    guilin = issue("street", engineer, street="桂林街道")
    jingcheng = issue("street", engineer, street="菁城街道")
    brief = issue("project", engineer, project="ZP-2026-002")
    assert (city.label, city.document_number) == (f"{YEAR}年第1期", f"漳住建〔{YEAR}〕1号")
    assert (guilin.label, guilin.document_number) == (f"{YEAR}年第1期", "")
    assert (jingcheng.series, jingcheng.number) == (f"street:{jingcheng.street_id}", 1)  # its own series
    assert brief.label == f"ZP-2026-002 {DAY}" and "期" not in brief.label
    assert len({(b.title, b.cited_as) for b in (city, guilin, jingcheng, brief)}) == 4

    assert issue("city", engineer).cited_as == f"{YEAR}年第2期，漳住建〔{YEAR}〕2号"
    assert issue("street", engineer, street="桂林街道").label == f"{YEAR}年第2期"
    assert issue("street", engineer, street="菁城街道").label == f"{YEAR}年第2期"
    assert issue("project", engineer, project="ZP-2026-002").label == f"ZP-2026-002 {DAY}之二"
    assert issue("project", engineer, project="ZP-2026-001").label == f"ZP-2026-001 {DAY}"


def test_brief_labels_count_the_day_in_chinese():
    assert brief_label("ZP-2026-001", today(), 3).endswith("之三")
    assert brief_label("ZP-2026-001", today(), 12).endswith("之12")


@pytest.mark.slow
def test_the_pdfs_print_their_own_numbers(app, engineer):
    programme()
    city_text = pdf_checks.text(pdf_bytes(issue("city", engineer, render=True)))
    assert f"{YEAR}年第1期" in city_text and f"漳住建〔{YEAR}〕1号" in city_text
    brief_text = pdf_checks.text(pdf_bytes(issue("project", engineer, project="ZP-2026-002", render=True)))
    # (the text as read, without spaces)
    assert f"ZP-2026-002{DAY}" in brief_text and "年第1期" not in brief_text and "漳住建" not in brief_text


def test_the_document_number_follows_the_configuration(app, engineer):
    programme()
    app.config["BULLETIN_CITY_DOCUMENT_NUMBER"] = "住建〔{year}〕第{number}号"
    assert issue("city", engineer).document_number == f"住建〔{YEAR}〕第1号"
    app.config["BULLETIN_CITY_DOCUMENT_NUMBER"] = ""
    second = issue("city", engineer)
    assert (second.document_number, second.cited_as) == ("", f"{YEAR}年第2期")


def test_a_broken_document_number_format_stops_before_a_number_is_taken(app, engineer):
    programme()
    app.config["BULLETIN_CITY_DOCUMENT_NUMBER"] = "漳住建〔{year}〕{no}号"
    with pytest.raises(BulletinError, match="只能使用 {year} 和 {number}"):
        issue("city", engineer)
    assert db.session.scalar(sa.select(sa.func.count(Bulletin.id))) == 0


def test_the_page_the_archive_and_the_api_say_which_number_was_issued(app, client, engineer):
    programme()
    login(client)
    page = issue_in_one_step(app, client, kind="city", notes="").get_data(as_text=True)
    assert f"已印发：全市城镇老旧小区改造工作进度通报，{YEAR}年第1期，漳住建〔{YEAR}〕1号。" in page
    assert f"漳住建〔{YEAR}〕1号" in client.get("/bulletins").get_data(as_text=True)
    items = client.get("/api/v1/bulletins", headers={"Authorization": f"Bearer {api_token(engineer)}"}).json["items"]
    assert [(item["series"], item["label"], item["document_number"]) for item in items] == [
        ("city", f"{YEAR}年第1期", f"漳住建〔{YEAR}〕1号")]


@pytest.mark.slow
def test_the_migration_keeps_the_numbers_and_labels_issued_before(app, engineer):
    from flask_migrate import downgrade, upgrade

    programme()
    scopes = (("city", None, None), ("street", "桂林街道", None), ("street", "菁城街道", None),
              ("project", None, "ZP-2026-002"))
    ids = [issue(kind, engineer, street=street, project=project).id for kind, street, project in scopes]
    # Before the series, the two streets shared one series: number them 1 and 2 as they were.
    db.session.execute(sa.update(Bulletin).where(Bulletin.id == ids[2]).values(number=2))
    db.session.commit()
    engineer_id = engineer.id
    db.session.remove()
    downgrade(revision=revision_before("a8c4e2f6b1d9"))
    upgrade()
    rows = db.session.execute(sa.select(Bulletin.series, Bulletin.number, Bulletin.label, Bulletin.document_number)
                              .order_by(Bulletin.id)).all()
    street_ids = db.session.execute(sa.select(Bulletin.street_id, Bulletin.project_id).order_by(Bulletin.id)).all()
    assert rows == [("city", 1, f"{YEAR}年第1期", ""),
                    (f"street:{street_ids[1][0]}", 1, f"{YEAR}年第1期", ""),
                    (f"street:{street_ids[2][0]}", 2, f"{YEAR}年第2期", ""),
                    (f"project:{street_ids[3][1]}", 1, f"{YEAR}年第1期", "")]
    again = issue("street", db.session.get(User, engineer_id), street="菁城街道")
    assert again.number == 3  # its own series goes on from its highest


def test_the_archive_filters_by_series_year_and_street_and_shows_no_hashes(app, client, engineer):
    programme()
    city = issue("city", engineer, render=True)
    guilin = issue("street", engineer, street="桂林街道")
    issue("street", engineer, street="菁城街道")
    brief = issue("project", engineer, project="ZP-2026-002")
    db.session.execute(sa.update(Bulletin).where(Bulletin.id == brief.id).values(year=YEAR - 1))
    db.session.commit()
    login(client)

    def listed(query: str = "", htmx: bool = False) -> list[str]:
        html = client.get(f"/bulletins?{query}", headers={"HX-Request": "true"} if htmx else {}).get_data(as_text=True)
        return [title for title in re.findall(r'<tr id="bulletin-\d+">.*?<td><a [^>]*>([^<]+)</a>', html, re.S)]

    everything = listed()
    assert len(everything) == 4
    assert listed("kind=street") == ["菁城街道城镇老旧小区改造工作进度通报", "桂林街道城镇老旧小区改造工作进度通报"]
    assert listed(f"street={guilin.street_id}", htmx=True) == ["桂林街道城镇老旧小区改造工作进度通报"]
    assert listed(f"year={YEAR - 1}") == ["铁路二段生活小区改造项目简报"]
    assert listed(f"kind=city&year={YEAR - 1}") == [] and "没有符合筛选条件的通报" in client.get(
        f"/bulletins?kind=city&year={YEAR - 1}").get_data(as_text=True)
    assert len(listed("kind=nonsense&year=abc&street=99999")) == 4  # a stale address still opens the archive
    page = client.get("/bulletins").get_data(as_text=True)
    assert city.pdf_sha256 not in page and city.pdf_sha256[:12] not in page  # the hash is on the bulletin's page
    assert city.pdf_sha256 in client.get(f"/bulletins/{city.id}").get_data(as_text=True)


def test_copy_to_names_every_street_and_town_and_is_edited_per_bulletin(app, client, engineer):
    from renovation.domain.bulletins.issue import default_copy_to

    programme()
    make_area("新桥镇", "新桥社区")
    db.session.commit()
    assert default_copy_to() == ("市委办公室，市政府办公室，市财政局，市自然资源局，"
                                 "新桥镇人民政府，桂林街道办事处，菁城街道办事处")
    login(client)
    form = client.get("/bulletins/new").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="copy_to"[^>]*>\s*市委办公室，[^<]*新桥镇人民政府', form)
    edited = db.session.get(Bulletin, draft(client, kind="city", copy_to="市政府办公室，新桥镇人民政府。\n"))
    assert edited.copy_to == "市政府办公室，新桥镇人民政府"
    assert db.session.get(Bulletin, draft(client, kind="city", copy_to="")).copy_to == ""
    refused = client.post("/bulletins", data={"kind": "city", "copy_to": "某" * 501})
    assert refused.status_code == 422 and db.session.scalar(sa.select(sa.func.count(Bulletin.id))) == 2
    app.config["BULLETIN_COPY_TO"] = "市政府办公室"
    assert default_copy_to() == "市政府办公室"


@pytest.mark.slow
def test_the_colophon_prints_the_copy_to_line_as_edited(app, engineer):
    programme()
    text = pdf_checks.text(pdf_bytes(issue_bulletin("city", Scope(), engineer, copy_to="市政府办公室，新桥镇人民政府")))
    assert "抄送：市政府办公室，新桥镇人民政府。" in text
    assert "抄送" not in pdf_checks.text(pdf_bytes(issue_bulletin("city", Scope(), engineer, copy_to="")))


def test_a_brief_is_chosen_by_code_or_compound_name_with_suggestions(app, client, engineer):
    programme()
    login(client)
    answer = client.get("/bulletins/new?fragment=projects&project=铁路", headers={"HX-Request": "true"})
    suggestions = answer.get_data(as_text=True)
    assert suggestions.lstrip().startswith('<datalist id="project-suggestions">')
    assert re.findall(r'<option value="([^"]+)">([^<]+)</option>', suggestions) == [
        ("ZP-2026-002", "铁路二段生活小区 · 桂林街道")]
    empty = client.get("/bulletins/new?fragment=projects&project=", headers={"HX-Request": "true"})
    assert empty.get_data(as_text=True).count("<option") == 0
    assert issue("project", engineer, project="粮食局宿舍").project.code == "ZP-2026-003"  # by its name
    from tests.conftest import make_project
    make_project("ZP-2026-009", "粮食局宿舍", "城东社区", "菁城街道")
    with pytest.raises(BulletinError, match="ZP-2026-003、ZP-2026-009"):
        issue("project", engineer, project="粮食局宿舍")
    form = client.get("/bulletins/new").get_data(as_text=True)
    assert 'class="bulletin-scope scope-street"' in form and 'class="bulletin-scope scope-project"' in form
    field = re.search(r'<input[^>]*name="project"[^>]*>', form).group(0)
    assert 'list="project-suggestions"' in field and 'hx-get="/bulletins/new?fragment=projects"' in field
