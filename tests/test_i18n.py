"""Chinese by default, English on request: the zh_CN catalog is complete and every page,
error and API answer follows the chosen language."""
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import login, make_project, make_user

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = ROOT / "renovation/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
# The same extraction as scripts/update-translations.
EXTRACT_ARGS = [
    "-q", "extract", "-F", "babel.cfg",
    "-k", "_l", "-k", "lazy_gettext", "-k", "_n:1,2",
    "--ignore-dirs", ".* ._ __pycache__ .venv venv node_modules tests static instance migrations",
]
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]?\d*(?:\.\d+)?([diouxXeEfFgGcrs])")


def _pybabel() -> str:
    beside_python = Path(sys.executable).parent / "pybabel"
    found = str(beside_python) if beside_python.exists() else shutil.which("pybabel")
    if not found:
        pytest.fail("pybabel is not installed (it comes with Babel): run ./scripts/setup")
    return found


def _read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _text(message_id) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _strings(message) -> list[str]:
    """The translation(s) of a message: one string, or one per plural form."""
    return [message.string] if isinstance(message.string, str) else list(message.string)


def _where(message) -> str:
    return ", ".join(f"{path}:{line}" for path, line in message.locations[:3])


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory):
    """The messages extracted from the current source, as pybabel sees them."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run([_pybabel(), *EXTRACT_ARGS, "-o", str(pot), "."], cwd=ROOT, check=True,
                   capture_output=True, text=True)
    return _read(pot)


@pytest.fixture(scope="module")
def chinese():
    return _read(PO_FILE)


# --- the catalog ---------------------------------------------------------------------------

def test_catalog_is_where_flask_babel_looks(app):
    """Babel calls the locale "zh_CN" zh_Hans_CN, and Flask-Babel loads only that directory."""
    from babel import Locale

    expected = str(Locale.parse(app.config["BABEL_DEFAULT_LOCALE"]))
    assert PO_FILE.parent.parent.name == expected, (
        f"Flask-Babel looks for translations/{expected}/, not {PO_FILE.parent.parent.name}/")
    assert PO_FILE.with_suffix(".mo").exists(), "not compiled: run ./scripts/setup"


def test_extraction_finds_the_strings_of_the_app_only(source_messages):
    files = {path for message in source_messages for path, _line in message.locations}
    assert any(path.startswith("templates/") for path in files)
    assert any(path.startswith("renovation/") for path in files)
    assert not [path for path in files if not path.startswith(("renovation/", "templates/"))]
    assert "Survey" in source_messages and "Behind by %(num)d day" in source_messages


def test_every_source_message_is_translated_into_chinese(source_messages, chinese):
    missing = [f"{_text(m.id)!r}  ({_where(m)})" for m in source_messages
               if m.id and m.id not in chinese]
    untranslated = [f"{_text(m.id)!r}  ({_where(m)})" for m in source_messages
                    if m.id and m.id in chinese and not all(
                        [chinese[m.id].string] if isinstance(chinese[m.id].string, str) else chinese[m.id].string)]
    fuzzy = [_text(m.id) for m in chinese if m.id and m.fuzzy]
    assert not missing, (
        f"{len(missing)} msgid(s) are missing from {PO_FILE.relative_to(ROOT)}; run "
        "./scripts/update-translations and translate them:\n  " + "\n  ".join(missing))
    assert not untranslated, (
        f"{len(untranslated)} msgid(s) have no Chinese translation in {PO_FILE.relative_to(ROOT)}:\n  "
        + "\n  ".join(untranslated))
    assert not fuzzy, "fuzzy (unchecked) entries, which pybabel compile leaves out:\n  " + "\n  ".join(fuzzy)
    assert not chinese.fuzzy, "the catalog header is marked fuzzy, so pybabel compile would skip the file"


def test_translations_keep_every_placeholder(chinese):
    wrong = []
    for message in chinese:
        if not message.id or not message.string:
            continue
        for string in _strings(message):
            if set(PLACEHOLDER.findall(_text(message.id))) != set(PLACEHOLDER.findall(string)):
                wrong.append(f"{message.id!r} → {string!r}")
    assert not wrong, "placeholders differ between msgid and msgstr:\n  " + "\n  ".join(wrong)


def test_template_translations_survive_formatting(chinese):
    """Jinja's newstyle gettext always applies ``%``, so a stray % in a msgstr breaks the page."""
    broken = []
    for message in chinese:
        if not message.id or not any(path.startswith("templates/") for path, _line in message.locations):
            continue
        values = {name: (1 if kind in "dioxXeEfFgGc" else "x")
                  for name, kind in PLACEHOLDER.findall(_text(message.id))}
        for string in _strings(message):
            try:
                string % values
            except (TypeError, ValueError, KeyError) as error:
                broken.append(f"{string!r}: {error}")
    assert not broken, "use %% for a literal percent sign in template strings:\n  " + "\n  ".join(broken)


def test_catalog_passes_babels_checks(chinese):
    problems = [f"{_text(message.id)!r}: {'; '.join(map(str, errors))}" for message, errors in chinese.check()]
    assert not problems, "pybabel compile would reject:\n  " + "\n  ".join(problems)


def test_chinese_sentences_use_chinese_punctuation(chinese):
    """A Chinese sentence ends with 。, not with a Latin full stop or comma."""
    latin = [string for message in chinese if message.id for string in _strings(message)
             if re.search(r"[\u4e00-\u9fff][.,:;](\s|$)", string)]
    assert not latin, "Latin punctuation after Chinese text:\n  " + "\n  ".join(latin)


# --- pages ---------------------------------------------------------------------------------

def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_login_page_is_in_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in page
    assert "登录" in page and "用户名" in page and "密码" in page
    assert "漳平市住房和城乡建设局" in page
    assert "Log in" not in page and "Username" not in page and "Password" not in page


def test_login_errors_are_in_chinese(client, app):
    make_user()
    page = login(client, password="wrong-password").get_data(as_text=True)
    assert "用户名或密码错误。" in page
    assert "Wrong username or password." not in page


def test_project_list_is_in_chinese_by_default(client, app):
    make_project()
    make_user()
    login(client)
    page = client.get("/projects").get_data(as_text=True)
    for text in ("老旧小区改造项目", "摸底调查", "户数", "街道", "社区", "小区", "当前阶段", "退出登录",
                 "全部阶段", "共 1 个项目", "工程师"):
        assert text in page, text
    for text in ("Renovation projects", "Survey", "Households", "Current stage", "Log out",
                 "All stages", "1 projects", "Engineer"):
        assert text not in page, text


def test_project_page_is_in_chinese_with_chinese_dates(client, app):
    project = make_project(stages={"survey": {"status": "in_progress", "percent": 40,
                                              "actual_start": date(2026, 1, 5)}})
    make_user()
    login(client)
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    for text in ("摸底调查", "雨污分流", "立面改造", "道路硬化", "竣工验收", "进行中", "未开始",
                 "万元", "中央补助", "施工单位", "项目基本情况", "计划时间", "实际时间", "至今"):
        assert text in page, text
    assert chinese_date(project.planned_start) in page
    assert chinese_date(date(2026, 1, 5)) in page
    assert "Rain/sewage separation" not in page and "10k yuan" not in page


def test_schedule_badge_in_chinese(client, app):
    make_project(code="ZP-2026-002", start=date.today().replace(year=date.today().year - 1))
    make_user()
    login(client)
    page = client.get("/projects").get_data(as_text=True)
    assert re.search(r"滞后 \d+ 天", page)
    assert "Behind by" not in page


def test_language_switch_to_english_and_back(client, app):
    make_project()
    make_user()
    login(client)

    switched = client.post("/language", data={"language": "en", "next": "/projects"})
    assert switched.status_code == 303
    assert switched.headers["Location"].endswith("/projects")
    page = client.get("/projects").get_data(as_text=True)
    assert 'lang="en"' in page
    for text in ("Renovation projects", "Survey", "Households", "Current stage", "Log out", "Engineer"):
        assert text in page, text
    for text in ("老旧小区改造项目", "摸底调查", "户数", "当前阶段", "退出登录"):
        assert text not in page, text

    client.post("/language", data={"language": "zh_CN", "next": "/projects"})
    page = client.get("/projects").get_data(as_text=True)
    assert 'lang="zh-CN"' in page
    assert "摸底调查" in page and "户数" in page
    assert "Survey" not in page and "Households" not in page


def test_english_dates_on_the_english_project_page(client, app):
    project = make_project()
    make_user()
    login(client)
    client.post("/language", data={"language": "en", "next": "/projects"})
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert project.planned_start.strftime("%b") in page
    assert chinese_date(project.planned_start) not in page


def test_unknown_language_keeps_chinese(client, app):
    make_project()
    make_user()
    login(client)
    client.post("/language", data={"language": "fr", "next": "/projects"})
    assert "摸底调查" in client.get("/projects").get_data(as_text=True)


def test_error_page_follows_the_language(client, app):
    make_user()
    login(client)
    page = client.get("/projects/NO-SUCH-CODE")
    assert page.status_code == 404
    assert "页面或记录不存在。" in page.get_data(as_text=True)
    client.post("/language", data={"language": "en", "next": "/projects"})
    assert "The page or record does not exist." in client.get("/projects/NO-SUCH-CODE").get_data(as_text=True)


# --- the API -------------------------------------------------------------------------------

def test_api_errors_are_in_chinese_by_default(client, app):
    response = client.get("/api/v1/projects")
    assert response.status_code == 401
    assert response.get_json() == {"error": "需要有效的 API 令牌。"}


@pytest.mark.parametrize("header", ["en", "en-US,en;q=0.9", "en-GB;q=0.8,fr;q=0.5"])
def test_api_errors_are_in_english_on_request(client, app, header):
    response = client.get("/api/v1/projects", headers={"Accept-Language": header})
    assert response.status_code == 401
    assert response.get_json() == {"error": "A valid API token is required."}


def test_api_prefers_the_first_supported_language(client, app):
    response = client.get("/api/v1/projects", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert response.get_json()["error"] == "需要有效的 API 令牌。"


def test_api_ignores_the_page_language_cookie(client, app):
    client.post("/language", data={"language": "en", "next": "/login"})
    response = client.get("/api/v1/projects")
    assert response.get_json()["error"] == "需要有效的 API 令牌。"
