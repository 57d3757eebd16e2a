"""The bulletin pages and API: a draft's preview, issue, the bulletin's page and its polling status,
archive, download (same bytes), render again."""
import hashlib
import re

import sqlalchemy as sa

from renovation.domain.bulletins import issue as bulletins
from renovation.domain.bulletins.issue import Scope, issue_bulletin
from renovation.domain.clock import today
from renovation.extensions import db
from renovation.models import Bulletin
from tests import pdf_checks
from tests.bulletin_samples import add_pair, programme
from tests.bulletin_steps import draft, issue_in_one_step
from tests.conftest import api_token, count_statements, login, make_user

YEAR = today().year


def test_a_draft_previews_the_pages_it_will_print_and_takes_no_number(client, engineer):
    done, _, _ = programme()
    pair = add_pair(done, engineer)
    login(client)
    bulletin_id = draft(client, kind="city", notes="抓紧推进。", pairs=pair.id)
    page = client.get(f"/bulletins/{bulletin_id}").get_data(as_text=True)
    assert f'hx-get="/bulletins/{bulletin_id}/preview?fragment=pages"' in page and "拟稿" in page
    pages = client.get(f"/bulletins/{bulletin_id}/preview?fragment=pages", headers={"HX-Request": "true"})
    html = pages.get_data(as_text=True)
    assert pages.status_code == 200 and "<html" not in html
    sha256 = re.search(rf"/bulletins/{bulletin_id}/preview/([0-9a-f]{{64}})\.pdf", html).group(1)
    images = re.findall(rf'<img src="(/bulletins/{bulletin_id}/preview/{sha256}/\d+\.png)"', html)
    pdf = client.get(f"/bulletins/{bulletin_id}/preview/{sha256}.pdf").data
    assert len(images) == pdf_checks.pages(pdf) >= 2 and f"{YEAR}年第1期" in html
    text = pdf_checks.text(pdf)
    assert "预览稿" in text and "抓紧推进。" in text and "一、总体进展" in text
    assert pdf_checks.images(pdf) >= 2  # the pair's before and after photos
    image = client.get(images[0])
    assert image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")
    assert client.get(images[0].replace("/1.png", f"/{len(images) + 1}.png")).status_code == 404
    assert db.session.get(Bulletin, bulletin_id).number is None  # a preview takes no number
    again = client.get(f"/bulletins/{bulletin_id}/preview?fragment=pages", headers={"HX-Request": "true"})
    assert sha256 in again.get_data(as_text=True)  # nothing changed: the same stored preview


def test_a_street_bulletin_without_a_street_is_refused_with_the_reason(client, engineer):
    programme()
    login(client)
    client.set_cookie("lang", "en")
    response = client.post("/bulletins", data={"kind": "street"})
    assert response.status_code == 422 and "A street bulletin needs a street." in response.get_data(as_text=True)
    response = client.post("/bulletins", data={"kind": "street", "street": "西园街道"})
    assert response.status_code == 422 and "Street (street bulletin): Not a valid choice." in response.get_data(
        as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Bulletin.id))) == 0


def test_issue_then_the_leader_downloads_the_same_bytes(client, app, engineer):
    programme()
    login(client)
    response = issue_in_one_step(app, client, kind="city", notes="一是加快进度。")
    bulletin = db.session.scalar(sa.select(Bulletin))
    assert response.status_code == 200 and response.request.path == f"/bulletins/{bulletin.id}"
    assert (bulletin.number, bulletin.render_status, bulletin.issued_by_id) == (1, "done", engineer.id)
    make_user("leader", "leader")
    leader = app.test_client()
    login(leader, "leader")
    archive = leader.get("/bulletins").get_data(as_text=True)
    assert f"{YEAR}年第1期" in archive and f"/bulletins/{bulletin.id}/download" in archive
    assert f'href="/bulletins/{bulletin.id}"' in archive
    first = leader.get(f"/bulletins/{bulletin.id}/download")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert hashlib.sha256(first.data).hexdigest() == bulletin.pdf_sha256
    assert "filename*=UTF-8''" in first.headers["Content-Disposition"]
    assert leader.get(f"/bulletins/{bulletin.id}/download").data == first.data
    again = leader.get(f"/bulletins/{bulletin.id}/download", headers={"If-None-Match": f'"{bulletin.pdf_sha256}"'})
    assert again.status_code == 304
    assert "一是加快进度。" in pdf_checks.text(first.data)


def test_a_correction_names_the_corrected_number_in_the_archive(client, app, engineer):
    programme()
    first = issue_bulletin("city", Scope(), engineer, render=False)
    login(client)
    assert issue_in_one_step(app, client, kind="city", corrects=first.id).status_code == 200
    correction = db.session.scalar(sa.select(Bulletin).where(Bulletin.number == 2))
    assert correction.corrects_id == first.id
    archive = client.get("/bulletins").get_data(as_text=True)
    assert f"{YEAR}年第1期" in archive.split(f"{YEAR}年第2期", 1)[1]  # named on the correction's row


def test_a_failed_render_is_shown_and_rendered_again(client, engineer, monkeypatch):
    programme()
    real = bulletins.render_pdf
    monkeypatch.setattr(bulletins, "render_pdf", lambda snapshot: (_ for _ in ()).throw(RuntimeError("disk full")))
    failed = issue_bulletin("city", Scope(), engineer)
    login(client)
    page = client.get("/bulletins").get_data(as_text=True)
    assert "disk full" in page and f"/bulletins/{failed.id}/render" in page
    assert client.get(f"/bulletins/{failed.id}/download").status_code == 404
    status = client.get(f"/bulletins/{failed.id}?fragment=status", headers={"HX-Request": "true"})
    html = status.get_data(as_text=True)
    assert "disk full" in html and f"/bulletins/{failed.id}/render" in html and "hx-trigger" not in html
    monkeypatch.setattr(bulletins, "render_pdf", real)
    again = client.post(f"/bulletins/{failed.id}/render")
    assert again.status_code == 303 and again.headers["Location"] == f"/bulletins/{failed.id}"
    assert client.get(f"/bulletins/{failed.id}/download").status_code == 200


def test_issuing_queues_the_render_and_the_page_polls_until_done(client, app, engineer, monkeypatch):
    """The web worker only queues the render; the status fragment polls until the PDF is there."""
    from renovation import tasks

    programme()
    queued = []
    monkeypatch.setattr(tasks, "enqueue", lambda job, *args: queued.append((job, *args)))
    login(client)
    response = issue_in_one_step(app, client, kind="city")
    bulletin = db.session.scalar(sa.select(Bulletin))
    assert queued == [("render_bulletin", bulletin.id)] and bulletin.render_status == "queued"
    assert response.request.path == f"/bulletins/{bulletin.id}"
    page = client.get(f"/bulletins/{bulletin.id}").get_data(as_text=True)
    assert "全市城镇老旧小区改造工作进度通报" in page and f"{YEAR}年第1期" in page and "<html" in page
    fragment_url = f"/bulletins/{bulletin.id}?fragment=status"
    assert f'hx-get="{fragment_url}"' in page and 'hx-trigger="every 1s"' in page
    polled = client.get(fragment_url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert polled.lstrip().startswith("<section") and "<html" not in polled and "every 1s" in polled
    bulletins.render_bulletin(bulletin.id)
    done = client.get(fragment_url, headers={"HX-Request": "true"}).get_data(as_text=True)
    db.session.expire_all()
    assert "hx-trigger" not in done and f"/bulletins/{bulletin.id}/download" in done
    assert db.session.get(Bulletin, bulletin.id).pdf_sha256 in done


def test_the_bulletin_page_links_the_correction_both_ways(client, engineer):
    programme()
    first = issue_bulletin("city", Scope(), engineer, render=False)
    correction = issue_bulletin("city", Scope(), engineer, corrects=first, render=False)
    login(client)
    corrected = client.get(f"/bulletins/{first.id}").get_data(as_text=True)
    assert f'href="/bulletins/{correction.id}"' in corrected and f"{YEAR}年第2期" in corrected
    correcting = client.get(f"/bulletins/{correction.id}").get_data(as_text=True)
    assert f'href="/bulletins/{first.id}"' in correcting
    assert client.get("/bulletins/999").status_code == 404


def test_archive_reads_in_constant_queries(client, engineer):
    programme()
    login(client)
    issue_bulletin("city", Scope(), engineer, render=False)
    client.get("/bulletins")  # the street filter's streets are read once (domain/area_lists.py)
    db.session.expire_all()
    with count_statements() as few:
        client.get("/bulletins")
    first = issue_bulletin("city", Scope(), engineer, render=False)
    for _ in range(4):
        issue_bulletin("city", Scope(), engineer, corrects=first, render=False)
    db.session.expire_all()
    with count_statements() as many:
        client.get("/bulletins")
    assert len(few) == len(many)


def test_api_lists_bulletins_with_sha256_download_url_and_correction(client, engineer):
    programme()
    first = issue_bulletin("city", Scope(), engineer)
    correction = issue_bulletin("city", Scope(), engineer, corrects=first, render=False)
    response = client.get("/api/v1/bulletins", headers={"Authorization": f"Bearer {api_token(engineer)}"})
    assert response.status_code == 200
    newest, oldest = response.json["items"]
    assert newest["number"] == correction.number and newest["corrects"]["number"] == 1
    assert newest["download_url"] is None and newest["status"] == "queued"
    assert {key: oldest[key] for key in ("kind", "year", "number", "title", "sha256", "corrects")} == {
        "kind": "city", "year": YEAR, "number": 1, "title": "全市城镇老旧小区改造工作进度通报",
        "sha256": first.pdf_sha256, "corrects": None}
    assert oldest["download_url"].endswith(f"/api/v1/bulletins/{first.id}/pdf") and oldest["issued_at"].endswith("Z")


def test_api_download_url_gives_a_token_client_the_same_pdf_as_the_page(client, engineer):
    programme()
    issue_bulletin("city", Scope(), engineer)
    bearer = {"Authorization": f"Bearer {api_token(engineer)}"}
    url = client.get("/api/v1/bulletins", headers=bearer).json["items"][0]["download_url"]
    by_token = client.get(url, headers=bearer)
    assert by_token.status_code == 200 and by_token.mimetype == "application/pdf"
    assert by_token.data.startswith(b"%PDF")
    assert client.get(url).status_code == 401  # a token, never the login page
    login(client)
    bulletin_id = url.rstrip("/").split("/")[-2]
    by_page = client.get(f"/bulletins/{bulletin_id}/download")
    assert by_token.data == by_page.data
    for header in ("Content-Type", "Content-Disposition", "ETag", "Cache-Control"):
        assert by_token.headers[header] == by_page.headers[header], header
    assert client.get(url, headers={**bearer, "If-None-Match": by_token.headers["ETag"]}).status_code == 304
    assert client.get("/api/v1/bulletins/999/pdf", headers=bearer).status_code == 404


def test_the_pair_picker_shows_thumbnails_of_the_pairs_in_the_chosen_scope(client, engineer):
    done, _, idle = programme()
    guilin, jingcheng = add_pair(done, engineer), add_pair(idle, engineer, seed=3)
    login(client)
    form = client.get("/bulletins/new").get_data(as_text=True)
    assert f"/photos/{guilin.before_id}/thumbnail" in form and f"/photos/{jingcheng.after_id}/thumbnail" in form
    assert 'hx-get="/bulletins/new?fragment=pairs"' in form

    def picker(**query) -> str:
        response = client.get("/bulletins/new", query_string={"fragment": "pairs", **query},
                              headers={"HX-Request": "true"})
        assert response.status_code == 200
        return response.get_data(as_text=True)

    street = picker(kind="street", street="菁城街道", pairs=[guilin.id, jingcheng.id])
    assert street.lstrip().startswith("<fieldset") and "<html" not in street
    assert f'value="{jingcheng.id}" checked' in street and f'value="{guilin.id}"' not in street
    project = picker(kind="project", project=done.code)
    assert f'value="{guilin.id}"' in project and f'value="{jingcheng.id}"' not in project
    assert f'value="{guilin.id}"' in picker(kind="street")  # no street yet: every pair, ticks kept
    client.set_cookie("lang", "en")
    assert "No before/after pair" in picker(kind="project", project="ZP-2026-002")  # under way, no pair yet


def test_a_newer_preview_keeps_the_few_before_and_issuing_removes_them(app, client, engineer):
    """Someone still scrolling through the preview before an edit keeps seeing its pages."""
    from renovation.domain.bulletins import preview, workflow

    programme()
    app.config["BULLETIN_STEPS"] = ""
    draft = workflow.create_draft("city", Scope(), engineer)
    shown = []
    for notes in ("一是加快进度。", "二是做好沟通。", "三是确保质量。", "四是按期完工。", "五是及时报送。"):
        draft = workflow.edit_draft(draft, engineer, draft.version, notes, None, "")
        shown.append(preview.preview(draft, engineer).sha256)
    assert len(set(shown)) == 5
    assert preview.pdf(draft.id, shown[0]) is None  # past the few kept
    assert all(preview.pdf(draft.id, sha256) for sha256 in shown[1:])
    workflow.issue(draft.id, engineer, draft.version)
    assert not any(preview.pdf(draft.id, sha256) for sha256 in shown)


def test_wtforms_own_messages_follow_the_users_language_request_by_request(client, engineer):
    """WTForms' own messages come from its catalogue, kept per language (renovation/app_form.py):
    Chinese by default, English for a user who chose it, Chinese again after."""
    programme()
    login(client)
    wrong_street = {"kind": "street", "street": "西园街道"}
    assert "不是有效的选择" in client.post("/bulletins", data=wrong_street).get_data(as_text=True)
    client.set_cookie("lang", "en")
    assert "Not a valid choice." in client.post("/bulletins", data=wrong_street).get_data(as_text=True)
    client.set_cookie("lang", "zh")
    assert "不是有效的选择" in client.post("/bulletins", data=wrong_street).get_data(as_text=True)
