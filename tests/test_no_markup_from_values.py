"""No user value ever becomes markup: the rules that close the class of injections.

Flask-Babel's lazy strings have ``__html__``, so Jinja prints them raw; a lazy string given
values (``_l("… %(name)s …", name=user_text)``) put user text into pages unescaped. These
checks read the source, so a new message, view or template follows the rules by construction.
"""
import ast
import re
from pathlib import Path

import pytest
from markupsafe import Markup, escape

from renovation.domain.messages import lazy_text, with_values

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "renovation"
TEMPLATES = ROOT / "templates"
# How many positional arguments each lazy call takes before any value: the msgid(s) and a count.
LAZY_CALLS = {"_l": 1, "lazy_gettext": 1, "lazy_pgettext": 2, "lazy_ngettext": 3, "lazy_npgettext": 4}
# Where lazy text may be built from a function: the one module that keeps it text.
LAZY_STRING_HOME = PACKAGE / "domain" / "messages.py"
HTML_TAG = re.compile(r"<[a-zA-Z][a-zA-Z0-9]*[\s>/]")
# Command-line output is not HTML; nor is a workbook's XML, whose every value goes through
# xml.sax.saxutils.escape (tests/test_exports.py reads text with <, & and quotes back as written).
NOT_HTML = {PACKAGE / "cli.py", PACKAGE / "domain" / "ledger" / "xlsx_stream.py"}


def _python_files():
    return sorted(path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts)


def _calls(path: Path):
    source = path.read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            yield name, node, f"{path.relative_to(ROOT)}:{node.lineno}"


def test_lazy_strings_take_no_values():
    """A value goes in with ``with_values``, which keeps the message text (escaped in pages)."""
    offenders = [where for path in _python_files() for name, node, where in _calls(path)
                 if name in LAZY_CALLS and (node.keywords or len(node.args) > LAZY_CALLS[name])]
    assert offenders == [], "lazy_gettext with values (use with_values): " + ", ".join(offenders)


def test_lazy_strings_are_built_only_from_a_message_id():
    offenders = [where for path in _python_files() if path != LAZY_STRING_HOME
                 for name, _node, where in _calls(path) if name in ("LazyString", "LazyText")]
    assert offenders == [], "LazyString built from a function (use lazy_text): " + ", ".join(offenders)


def test_markup_is_made_only_from_a_literal_template():
    """``Markup("<a>{}</a>").format(value)`` escapes the value; ``Markup(value)`` would not."""
    offenders = [where for path in _python_files() for name, node, where in _calls(path)
                 if name == "Markup" and not (len(node.args) == 1 and isinstance(node.args[0], ast.Constant))]
    assert offenders == [], "Markup of a non-literal: " + ", ".join(offenders)


def test_no_html_is_built_by_string_formatting():
    offenders = []
    for path in _python_files():
        if path in NOT_HTML:
            continue
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            literal = None
            if isinstance(node, ast.JoinedStr):
                literal = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
                literal = node.left.value
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
                  and isinstance(node.func.value, ast.Constant)):
                literal = node.func.value.value
            if isinstance(literal, str) and HTML_TAG.search(literal):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], "HTML built with f-strings, % or str.format (use a template or Markup): " + ", ".join(
        offenders)


def test_templates_never_switch_escaping_off():
    unsafe = re.compile(r"\|\s*safe\b|autoescape\s+false|Markup\s*\(|\|\s*tojson\s*\|\s*safe")
    offenders = [f"{path.relative_to(ROOT)}:{number}"
                 for path in sorted(TEMPLATES.rglob("*.html"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if unsafe.search(line)]
    assert offenders == [], "templates that print markup raw: " + ", ".join(offenders)


PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


@pytest.mark.parametrize("value", [PAYLOAD, lazy_text(lambda: PAYLOAD)])
def test_a_message_with_values_is_text_in_a_page_and_plain_in_str(app, value):
    from flask_babel import lazy_gettext as _l

    with app.test_request_context():
        message = with_values(_l("The username %(name)s is already taken."), name=value)
        assert PAYLOAD in str(message)  # the API, CSV and command line read plain text
        assert escape(message) == Markup(str(_l("The username %(name)s is already taken."))) % {"name": PAYLOAD}
        assert PAYLOAD not in app.jinja_env.from_string("{{ m }} {{ [m] | join(' ') }}").render(m=message)
