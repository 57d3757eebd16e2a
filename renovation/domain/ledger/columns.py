"""The columns of the project ledger (台账), as data: header, field, type, required.

The ledger is a file format shared with the bureau's own Excel sheets, so its headers are fixed
Chinese text (not translated with the page). The import template, the project export and the
importer all read this one list, which is what makes a round trip (export, import) a no-op.

The main renovation content items (:data:`CONTENT_ITEMS`) have a planned and a completed
quantity column each, in the item's unit ("雨污分流管网计划(m)", "加装电梯完成(台)").

Headers are matched tolerantly — Unicode NFKC (full-width brackets and digits become their
ASCII forms, ㎡ becomes m2), every kind of space removed, case folded — and column order does
not matter. A header that matches nothing is reported, never guessed.
"""
import re
import unicodedata
from dataclasses import dataclass

from renovation.domain.stages.keys import STAGE_ORDER, Status

# The stage and status names as the ledger writes them (the zh_CN labels of the app).
STAGE_NAMES = {"survey": "摸底调查", "rain_sewage": "雨污分流", "facade": "立面改造",
               "paving": "道路硬化", "acceptance": "竣工验收"}
STATUS_NAMES = {Status.NOT_STARTED: "未开始", Status.IN_PROGRESS: "进行中", Status.COMPLETED: "已完成",
                Status.SUSPENDED: "暂停", Status.NOT_APPLICABLE: "不涉及"}
STAGE_FIELDS = ("status", "percent", "planned_start", "planned_end", "actual_start", "actual_end", "note")
# Headers people put in ledgers that carry nothing to import: accepted and skipped silently.
IGNORED_HEADERS = ("序号", "编号序号", "排序")


# The main renovation content items the ledger carries: (catalogue key, name as the ledger writes it,
# unit as its headers write it). The headers are the ledger's, not the catalogue's names (which
# admins may change): a file keeps meaning what it meant.
CONTENT_ITEMS = (
    ("rain_sewage_pipes", "雨污分流管网", "m"),
    ("water_pipes", "供水管网", "m"),
    ("drainage_pipes", "排水管网", "m"),
    ("roads", "道路硬化", "m²"),
    ("elevators", "加装电梯", "台"),
    ("parking", "停车位", "个"),
    ("charging_points", "充电桩", "个"),
)
CONTENT_FIGURES = ("planned", "completed")  # the quantities of an item a ledger row gives
_CONTENT_WORDS = {"planned": ("计划", "计划量", "计划数", "计划工程量"),
                  "completed": ("完成", "完成量", "完成数", "已完成", "完成工程量")}  # not 实际完成: a stage's date
_UNIT_SPELLINGS = {"m": ("m", "米"), "m²": ("m²", "平方米", "平米"), "台": ("台", "部"), "个": ("个",)}


@dataclass(frozen=True)
class Column:
    """One ledger column. ``kind``: text, int, year, decimal, date, status, percent or quantity
    (a content item's quantity, field ``content.<item key>.<planned|completed>``).

    ``max_length`` bounds text to its database column; ``readonly`` columns are exported for
    readers (derived figures) and skipped on import; ``aliases`` are other headers that mean
    exactly this column.
    """

    header: str
    field: str
    kind: str = "text"
    required: bool = False
    max_length: int | None = None
    width: int = 12
    aliases: tuple[str, ...] = ()
    readonly: bool = False

    @property
    def stage(self) -> str | None:
        """The stage key of a stage column (``survey.status`` → ``survey``)."""
        return self.field.split(".")[0] if "." in self.field and not self.content_item else None

    @property
    def content_item(self) -> str | None:
        """The content item key of a quantity column (``content.elevators.planned`` → ``elevators``)."""
        return content_item_of(self.field)


def content_field(key: str, figure: str) -> str:
    """The ledger field of an item's quantity: ``content.<key>.<planned|completed>``."""
    return f"content.{key}.{figure}"


def content_item_of(field: str) -> str | None:
    """The item key of a content field, None for any other field."""
    return field.split(".")[1] if field.startswith("content.") else None


def _money(header: str, field: str, aliases: tuple[str, ...] = ()) -> Column:
    short = header.removesuffix("(万元)")
    return Column(header, field, "decimal", width=12, aliases=(short, *aliases))


PROJECT_COLUMNS = (
    Column("项目编号", "code", required=True, max_length=32, width=14),
    Column("小区名称", "compound", required=True, max_length=128, width=22, aliases=("小区",)),
    Column("所属街道", "street", required=True, max_length=64, width=12, aliases=("街道", "街道(镇)")),
    Column("所属社区", "community", required=True, max_length=64, width=12, aliases=("社区",)),
    Column("楼栋数", "buildings", "int", width=8, aliases=("楼栋数(栋)", "栋数")),
    Column("户数", "households", "int", required=True, width=8, aliases=("户数(户)", "住户数")),
    Column("建筑面积(㎡)", "floor_area", "decimal", width=12,
           aliases=("建筑面积", "建筑面积(平方米)", "建筑面积(m²)")),
    Column("建成年代", "year_built", "year", width=10, aliases=("建成年份", "建成时间")),
    Column("改造批次", "batch", max_length=32, width=14, aliases=("批次",)),
    # The total is checked against its sources, never stored: the project sums them itself.
    _money("总投资(万元)", "budget_total", ("总投资额(万元)",)),
    _money("中央补助(万元)", "budget_central", ("中央补助资金(万元)",)),
    _money("省级补助(万元)", "budget_provincial", ("省级补助资金(万元)", "省级(万元)")),
    _money("市级配套(万元)", "budget_city", ("市级配套资金(万元)", "市级(万元)")),
    _money("居民自筹(万元)", "budget_residents", ("居民出资(万元)",)),
    _money("社会资本(万元)", "budget_social", ("社会资本投入(万元)",)),
    _money("已完成投资(万元)", "investment_completed", ("完成投资(万元)",)),
    Column("施工单位", "contractor", max_length=128, width=24),
    Column("监理单位", "supervisor", max_length=128, width=24),
    Column("责任工程师", "responsible_engineer", max_length=64, width=10, aliases=("负责工程师",)),
    Column("计划开工", "planned_start", "date", aliases=("计划开工时间", "计划开工日期")),
    Column("计划竣工", "planned_end", "date", aliases=("计划竣工时间", "计划竣工日期")),
)

_STAGE_SUFFIXES = {"status": ("状态", "status", 8), "percent": ("进度(%)", "percent", 9),
                   "planned_start": ("计划开始", "date", 12), "planned_end": ("计划完成", "date", 12),
                   "actual_start": ("实际开始", "date", 12), "actual_end": ("实际完成", "date", 12),
                   "note": ("备注", "text", 20)}
STAGE_COLUMNS = tuple(
    Column(f"{STAGE_NAMES[key]}{suffix}", f"{key}.{attribute}", kind, width=width,
           aliases=(f"{STAGE_NAMES[key]}完成比例(%)", f"{STAGE_NAMES[key]}进度") if attribute == "percent" else ())
    for key in STAGE_ORDER
    for attribute, (suffix, kind, width) in _STAGE_SUFFIXES.items()
)

def _content_column(key: str, name: str, unit: str, figure: str) -> Column:
    words = _CONTENT_WORDS[figure]
    aliases = tuple(f"{name}{word}{f'({spelling})' if spelling else ''}"
                    for word in words for spelling in (*_UNIT_SPELLINGS[unit], ""))
    header = f"{name}{words[0]}({unit})"
    return Column(header, content_field(key, figure), "quantity", width=12,
                  aliases=tuple(alias for alias in aliases if alias != header))


CONTENT_COLUMNS = tuple(_content_column(key, name, unit, figure)
                        for key, name, unit in CONTENT_ITEMS for figure in CONTENT_FIGURES)
READONLY_COLUMNS = (
    Column("当前阶段", "current_stage", width=10, readonly=True),
    Column("总体进度(%)", "progress", "int", width=9, readonly=True),
)
COLUMNS = PROJECT_COLUMNS + STAGE_COLUMNS + CONTENT_COLUMNS + READONLY_COLUMNS
IMPORTED_COLUMNS = tuple(column for column in COLUMNS if not column.readonly and column.field != "budget_total")
BY_FIELD = {column.field: column for column in COLUMNS}
_SPACES = re.compile(r"\s+")


def normalise_header(text) -> str:
    """The form two headers are compared in: NFKC, no spaces of any kind, case folded."""
    if text is None:
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(text))).casefold()


_BY_HEADER = {normalise_header(name): column for column in COLUMNS for name in (column.header, *column.aliases)}
_IGNORED = {normalise_header(name) for name in IGNORED_HEADERS}


@dataclass
class HeaderMatch:
    """What a header row says: the column at each position, and what could not be matched."""

    columns: dict[int, Column]  # position in the row (0-based) → column
    unknown: list[tuple[int, str]]  # (position, header as written)
    repeated: list[tuple[int, str]]  # a column named twice: its later positions

    @property
    def fields(self) -> set[str]:
        return {column.field for column in self.columns.values()}


def match_headers(cells) -> HeaderMatch:
    """Match one row of header cells against the ledger's columns."""
    match = HeaderMatch({}, [], [])
    seen: set[str] = set()
    for position, cell in enumerate(cells):
        key = normalise_header(cell)
        if not key or key in _IGNORED:
            continue
        column = _BY_HEADER.get(key)
        if column is None:
            match.unknown.append((position, str(cell).strip()))
        elif column.field in seen:
            match.repeated.append((position, str(cell).strip()))
        else:
            seen.add(column.field)
            match.columns[position] = column
    return match


def column_letter(position: int) -> str:
    """The Excel letter of a 0-based column position (0 → A, 26 → AA)."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
