"""The project page at hand on a phone (issue 11): a section menu whose anchors reach each section,
uploads that default to the current stage, and comparison rows that say whose figures they are."""
import re
from pathlib import Path

import pytest

from tests.conftest import login, make_project, make_user

CODE = "ZP-2026-001"


@pytest.fixture
def page(client):
    make_user("engineer", "engineer")
    login(client, "engineer")
    make_project(CODE, stages={"survey": {"status": "completed", "percent": 100}})
    return client.get(f"/projects/{CODE}").get_data(as_text=True)


def test_the_section_menu_leads_to_each_section(page):
    menu = re.search(r'<nav class="section-menu"[^>]*>(.*?)</nav>', page, re.S)
    assert menu, "no section menu"
    links = re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', menu.group(1))
    assert [label for _anchor, label in links] == ["阶段", "改造内容", "照片", "协商", "难题", "竣工验收", "调研",
                                                   "诉求", "长效管理", "记录"]
    for anchor, _label in links:
        assert f'id="{anchor}"' in page, anchor


def test_the_section_menu_stays_at_hand(app):
    css = (Path(app.static_folder) / "css/app.css").read_text(encoding="utf-8")
    rule = re.search(r"\.section-menu \{([^}]*)\}", css)
    assert rule and "position: sticky" in rule.group(1) and "top: 0" in rule.group(1)


def test_an_upload_from_the_project_page_defaults_to_its_current_stage(page):
    form = re.search(r'<form class="photo-upload" id="upload-project".*?</form>', page, re.S).group(0)
    selected = re.findall(r'<option selected value="(\w*)"|<option value="(\w*)" selected', form)
    assert [a or b for a, b in selected] == ["rain_sewage"]


def test_ids_of_upload_forms_stay_unique(page):
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_the_comparison_rows_are_labelled(page):
    table = re.search(r'<table class="demand-compare">.*?</table>', page, re.S).group(0)
    rows = re.findall(r'<th scope="row">(.*?)</th>', table, re.S)
    labels = [re.sub(r"<[^>]+>|\s+", " ", row).split()[0] for row in rows]
    assert labels == ["本项目", "本社区", "全市"]
    assert "铁路社区" in rows[1]


def test_each_stage_card_asks_for_its_upload_form_when_opened(client, page):
    """A card's 添加照片 holds a slot that asks for the form when opened; the form it gets presets the
    card's stage, and is a page of its own without a script."""
    for key in ("survey", "rain_sewage", "facade", "paving", "acceptance"):
        card = re.search(rf'<article class="stage-card[^"]*" id="stage-{key}">.*?</article>', page, re.S).group(0)
        assert '<form class="photo-upload"' not in card
        slot = re.search(r'<div class="form-slot" hx-get="([^"]+)" hx-trigger="toggle once from:closest details"',
                         card)
        assert slot and slot.group(1) == f"/projects/{CODE}/photos/new?stage={key}"
        answer = client.get(slot.group(1), headers={"HX-Request": "true"})
        assert answer.status_code == 200
        form = answer.get_data(as_text=True)
        assert form.lstrip().startswith(f'<form class="photo-upload" id="upload-{key}"') and "<html" not in form
        selected = re.findall(r'<option selected value="(\w*)"|<option value="(\w*)" selected', form)
        assert [a or b for a, b in selected] == [key]
        assert re.findall(r'<input checked id="upload-\w+-phase-\d" name="phase" type="radio" value="(\w+)">',
                          form) == ["during"]


def test_the_upload_form_without_a_script_is_a_page_preset_to_the_stage_at_work(client, page):
    html = client.get(f"/projects/{CODE}/photos/new?stage=nonsense").get_data(as_text=True)
    assert "<h1>添加照片</h1>" in html
    form = re.search(r'<form class="photo-upload" id="upload-page".*?</form>', html, re.S).group(0)
    assert f'action="/projects/{CODE}/photos"' in form
    selected = re.findall(r'<option selected value="(\w*)"|<option value="(\w*)" selected', form)
    assert [a or b for a, b in selected] == ["rain_sewage"]


@pytest.mark.parametrize("role, community", [("leader", None), ("committee", "城中社区")])
def test_no_upload_form_for_who_may_not_add_photos(app, page, role, community):
    make_user("someone", role, community=community)
    client = app.test_client()
    login(client, "someone")
    assert client.get(f"/projects/{CODE}/photos/new?stage=facade").status_code == 403
    assert client.get(f"/projects/{CODE}/photos/new", headers={"HX-Request": "true"}).status_code == 403
    card = client.get(f"/projects/{CODE}").get_data(as_text=True)
    assert "/photos/new" not in card and 'class="stage-photos"' not in card


def test_an_upload_form_for_an_unknown_project_is_not_found(client, page):
    assert client.get("/projects/ZP-1999-999/photos/new").status_code == 404
