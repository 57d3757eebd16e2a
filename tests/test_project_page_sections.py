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
    assert [label for _anchor, label in links] == ["阶段", "照片", "协商", "诉求", "记录"]
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


def test_each_stage_cards_upload_defaults_to_its_own_stage(page):
    """One blank upload form serves the page; each card's copy still presets its own stage."""
    for key in ("survey", "rain_sewage", "facade", "paving", "acceptance"):
        form = re.search(rf'<form class="photo-upload" id="upload-{key}".*?</form>', page, re.S).group(0)
        selected = re.findall(r'<option selected value="(\w*)"|<option value="(\w*)" selected', form)
        assert [a or b for a, b in selected] == [key]
        assert re.findall(r'<input checked id="upload-\w+-phase-\d" name="phase" type="radio" value="(\w+)">',
                          form) == ["during"]
