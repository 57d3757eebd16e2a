"""Chinese text uses full-width punctuation (表决：, 答复：): the zh catalog's msgstrs hold no
half-width ``:`` ``,`` ``(`` ``)`` next to a Chinese character (issue 11, Words)."""
import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = Path(__file__).parent.parent / "renovation/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
# Placeholders are code, not prose: %(name)s, %s, {name}.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]"
HALF_WIDTH_NEXT_TO_CHINESE = re.compile(rf"{CJK}\s*[:,()]|[:,()]\s*{CJK}")


def chinese_texts():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        for text in (message.string if isinstance(message.string, tuple) else (message.string,)):
            if text:
                yield message.id, text


def test_the_catalog_has_no_half_width_punctuation_between_chinese_characters():
    offending = [(msgid, text) for msgid, text in chinese_texts()
                 if HALF_WIDTH_NEXT_TO_CHINESE.search(PLACEHOLDER.sub("X", text))]
    assert offending == []


def test_the_check_sees_half_width_punctuation():
    for text in ("表决:通过", "答复: 已处理", "面积(平方米)", "甲,乙"):
        assert HALF_WIDTH_NEXT_TO_CHINESE.search(PLACEHOLDER.sub("X", text)), text
    for text in ("表决：通过", "请输入%(earliest)s至%(latest)s", "HH:mm", "%(field)s：%(old)s → %(new)s"):
        assert not HALF_WIDTH_NEXT_TO_CHINESE.search(PLACEHOLDER.sub("X", text)), text


TEMPLATES = Path(__file__).parent.parent / "templates"
# A translated label followed by a half-width colon typed in the template: "答复:" in Chinese.
COLON_AFTER_TRANSLATION = re.compile(r"""_\(\s*["'][^"']*["']\s*\)\s*\}\}\s*(?:</\w+>)?\s*:""")


def test_templates_put_no_half_width_colon_after_a_translated_label():
    offending = [f"{path.relative_to(TEMPLATES)}:{number}"
                 for path in TEMPLATES.rglob("*.html")
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if COLON_AFTER_TRANSLATION.search(line)]
    assert offending == []


def test_the_page_shows_full_width_colons(client, app):
    from tests.conftest import login, make_project, make_user

    make_user("engineer", "engineer")
    login(client, "engineer")
    make_project("ZP-2026-001", "九龙桂冠小区", "桂冠社区", "桂林街道")
    page = client.get("/projects").get_data(as_text=True)
    assert "导出：" in page and "导出:" not in page


def test_no_jargon_about_background_workers_in_chinese():
    """Users are told what to expect, not which server process is involved."""
    assert [text for _msgid, text in chinese_texts() if "后台任务" in text or "进程" in text] == []


def test_one_word_for_the_photo_phase():
    """改造阶段 are the five stages; a photo's before/during/after is its 拍摄时机."""
    texts = [text for _msgid, text in chinese_texts()]
    assert not [text for text in texts if "拍摄阶段" in text]
    assert "拍摄时机" in dict(chinese_texts())["Phase"]
