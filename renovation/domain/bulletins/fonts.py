"""The bulletin's typefaces as GB/T 9704-2012 names them, and the fonts this server prints them with.

GB/T 9704 sets the body text in 3号 (16 pt) 仿宋, first-level headings (一、) in 黑体, second-level
headings (（一）) in 楷体 and the title in 小标宋. A bureau installs its licensed fonts (仿宋_GB2312,
方正小标宋简体 …) and the bulletins use them: the usual names of each are looked for, after any the
bureau names itself (``RENOVATION_BULLETIN_FONT_BODY``, ``_HEADING``, ``_SUBHEADING``, ``_TITLE``:
family names as ``fc-list`` gives them, separated by commas). Where none is installed, the closest
free font stands in (LXGW WenKai, a Kai, for 楷体; Noto Serif CJK SC, a Song, for 仿宋 and 小标宋;
Noto Sans CJK SC, a Hei, for 黑体), and the preview says which font stands in for which.
"""
from dataclasses import dataclass

from flask import current_app

SERIF, SANS = "Noto Serif CJK SC", "Noto Sans CJK SC"
UNSAFE_IN_CSS = set("\"'\\;{}<>&")  # a family name is written into the print style sheet


@dataclass(frozen=True)
class Role:
    """One kind of text: what GB/T 9704 asks for (``wanted``), the names that font goes by, then
    free fonts close to it, and the Noto family that always is installed."""

    wanted: str
    names: tuple[str, ...]
    stand_ins: tuple[str, ...]
    last_resort: str


ROLES = {
    "body": Role("仿宋", ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "STFangsong", "华文仿宋"),
                 ("FandolFang",), SERIF),
    "heading": Role("黑体", ("黑体", "SimHei", "方正黑体_GBK", "方正黑体简体", "STHeiti"), (), SANS),
    "subheading": Role("楷体", ("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "STKaiti", "华文楷体"),
                       ("LXGW WenKai", "AR PL KaitiM GB", "AR PL UKai CN"), SERIF),
    "title": Role("小标宋", ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "FZXiaoBiaoSong-B05"),
                  (), SERIF),
}
CONFIG_KEYS = {"body": "BULLETIN_FONT_BODY", "heading": "BULLETIN_FONT_HEADING",
               "subheading": "BULLETIN_FONT_SUBHEADING", "title": "BULLETIN_FONT_TITLE"}


@dataclass(frozen=True)
class Typeface:
    """What a kind of text is printed in: ``family``, and whether it only stands in for ``wanted``."""

    wanted: str
    family: str
    stands_in: bool


def configured_names(role: str) -> tuple[str, ...]:
    """The family names the bureau set for ``role``, first choice first."""
    value = current_app.config.get(CONFIG_KEYS[role]) or ""
    return tuple(name.strip() for name in value.split(",") if name.strip())


def typefaces(installed: set[str]) -> dict[str, Typeface]:
    """Each role's font among the ``installed`` families (``pdf.installed_font_families``)."""
    chosen = {}
    for key, role in ROLES.items():
        proper = [name for name in (*configured_names(key), *role.names)
                  if name in installed and not UNSAFE_IN_CSS & set(name)]
        if proper:
            chosen[key] = Typeface(role.wanted, proper[0], False)
        else:
            stand_in = next((name for name in role.stand_ins if name in installed), role.last_resort)
            chosen[key] = Typeface(role.wanted, stand_in, True)
    return chosen


def stand_ins(chosen: dict[str, Typeface]) -> list[Typeface]:
    """The typefaces printed with a font that only stands in for the one GB/T 9704 asks for."""
    return [typeface for typeface in chosen.values() if typeface.stands_in]
