"""Ledgers as a spreadsheet program would save them, made with openpyxl for the tests.

:func:`programme_rows` gives 141 plausible projects (stages consistent with the rules, dates in
2025), :func:`ledger_file` writes them the way the bureau's own sheet looks: two merged title
rows above the header, a full-width bracket and stray spaces in headers, a street merged down
over two rows, a date stored as text, an Excel date serial, numbers stored as text and trailing
blank rows.
"""
import io
import zipfile
from datetime import date

from openpyxl import Workbook, load_workbook

HEADERS = ["项目编号", "小区名称", "所属街道", "所属社区", "楼栋数", " 户 数 ", "建筑面积（㎡）", "建成年代",
           "改造批次",
           "总投资（万元）", "中央补助(万元)", "省级补助(万元)", "市级配套(万元)", "居民自筹(万元)", "社会资本(万元)",
           "施工单位", "监理单位", "计划开工", "计划竣工",
           "摸底调查状态", "摸底调查进度(%)", "摸底调查实际开始", "摸底调查实际完成",
           "雨污分流状态", "雨污分流进度（%）", "雨污分流实际开始", "雨污分流实际完成",
           "立面改造状态", "立面改造进度(%)", "道路硬化状态", "道路硬化进度(%)", "道路硬化实际开始", "道路硬化实际完成",
           "竣工验收状态", "竣工验收进度(%)", "竣工验收实际开始"]
PLACES = [("桂林街道", "铁路社区"), ("桂林街道", "九龙社区"), ("菁城街道", "城中社区"), ("菁城街道", "西园社区")]
NAMES = ["新华新村", "粮食局宿舍", "农机公司宿舍区", "供销社宿舍", "水电局宿舍", "纺织厂生活区", "红旗新村"]
TITLE_ROWS = 2  # the header is row 3; project n (from 1) is in row 3 + n


def row_of(number: int) -> int:
    """The Excel row of the ``number``-th project (from 1)."""
    return TITLE_ROWS + 1 + number


def _stages(index: int) -> list:
    """Stage cells for a project: three plausible states in turn, all within the rules."""
    if index % 3 == 0:  # survey done, pipes under way
        return ["已完成", 100, date(2025, 3, 1), date(2025, 4, 15), "进行中", 40, date(2025, 5, 6), None,
                "未开始", 0, "未开始", 0, None, None, "未开始", 0, None]
    if index % 3 == 1:  # not started
        return ["未开始", 0, None, None, "未开始", 0, None, None, "未开始", 0, "未开始", 0, None, None,
                "未开始", 0, None]
    return ["已完成", "100", date(2025, 2, 1), date(2025, 3, 1), "已完成", 100, date(2025, 3, 2), date(2025, 6, 30),
            "不涉及", 0, "已完成", 100, date(2025, 7, 1), date(2025, 9, 30), "进行中", "50%", date(2025, 10, 8)]


def programme_rows(count: int = 141) -> list[list]:
    """``count`` ledger rows in the order of :data:`HEADERS`."""
    rows = []
    for index in range(count):
        street, community = PLACES[index % len(PLACES)]
        central, city = 100 + index, 40
        rows.append([f"ZP-2025-{index + 1:03d}", f"{NAMES[index % len(NAMES)]}{index // len(NAMES) + 1}号院", street,
                     community, 3 + index % 5, 60 + index, 4000 + index * 10.5, 1980 + index % 20, "2025年第一批",
                     central + city + 12.5, central, 12.5, city, 0, 0,
                     "漳平市城建工程有限公司", "龙岩市建设监理有限公司",
                     date(2025, 1, 10), date(2025, 12, 31), *_stages(index)])
    oddities = {(6, 17): "2025/3/1", (7, 17): "2025年3月2日",  # dates stored as text
                (8, 17): 45719,  # an Excel serial without a date format: 2025-03-03
                (9, 5): " 120 "}  # a number stored as text
    for (index, position), value in oddities.items():
        if index < count:
            rows[index][position] = value
    return rows


def ledger_file(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    """The workbook bytes, laid out as described in the module docstring."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "台账"
    last = chr(ord("A") + 9)
    sheet.append(["漳平市城镇老旧小区改造项目台账"])
    sheet.merge_cells(f"A1:{last}1")
    sheet.append(["填报单位：漳平市住房和城乡建设局", None, None, None, None, "填报日期：2025年12月31日"])
    sheet.merge_cells("A2:E2")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    if len(rows) >= 2 and rows[0][2] == rows[1][2]:  # the first two share a street: written once, merged
        sheet.cell(row=row_of(2), column=3).value = None  # merged: only the first cell keeps the value
        sheet.merge_cells(start_row=row_of(1), start_column=3, end_row=row_of(2), end_column=3)
    for _ in range(3):
        sheet.append([" ", None, ""])  # trailing blank rows
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_rows(data: bytes) -> list[tuple]:
    """Every row of the first sheet of an .xlsx, values only."""
    return list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))


# Hostile workbooks, built the way an attacker would: by editing the XML inside a real ledger.
SHEET = "xl/worksheets/sheet1.xml"


def with_parts(data: bytes, changes: dict) -> bytes:
    """The workbook ``data`` with parts replaced or added: name → new bytes, or a function of the
    old bytes, or a function that writes the part to an open stream (for parts too big to hold)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            old = source.read(info.filename)
            change = changes.get(info.filename)
            if callable(change) and getattr(change, "streams", False):
                with target.open(info.filename, "w", force_zip64=True) as stream:
                    change(old, stream)
                continue
            new = change(old) if callable(change) else change if change is not None else old
            target.writestr(info.filename, new)
        for name in changes.keys() - set(source.namelist()):  # new parts
            target.writestr(name, changes[name])
    return buffer.getvalue()


def merged_bomb(ranges: int = 5000) -> bytes:
    """A small ledger whose sheet merges ``ranges`` ranges, each down to Excel's last row."""
    extra = b"".join(b'<mergeCell ref="%s%d:%s1048576"/>' % (_letters(i % 30), 5 + i, _letters(i % 30), )
                     for i in range(ranges))
    return with_parts(ledger_file(programme_rows(3)),
                      {SHEET: lambda xml: xml.replace(b"</mergeCells>", extra + b"</mergeCells>")})


def _letters(index: int) -> bytes:
    return chr(ord("A") + index % 26).encode() * (1 + index // 26)


def zip_bomb(megabytes: int = 300) -> bytes:
    """A ledger of a few hundred KB whose sheet XML inflates to ``megabytes`` MB (blank space
    between its elements, which XML allows)."""

    def write(old: bytes, stream) -> None:
        head, tail = old.split(b"<sheetData>", 1)
        stream.write(head + b"<sheetData>")
        blank = b" " * (1024 * 1024)
        for _ in range(megabytes):
            stream.write(blank)
        stream.write(tail)

    write.streams = True
    return with_parts(ledger_file(programme_rows(3)), {SHEET: write})


BILLION_LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
                             for n in range(1, 10))
                  + b"]>")


def entity_bomb(part: str = "xl/workbook.xml") -> bytes:
    """A ledger with the 'billion laughs' entity expansion declared in one of its XML parts."""

    def add_dtd(xml: bytes) -> bytes:
        declaration_end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
        xml = xml.replace('name="台账"'.encode(), b'name="&lol9;"')  # the sheet's name: a billion laughs
        return xml[:declaration_end] + BILLION_LAUGHS + xml[declaration_end:]

    return with_parts(ledger_file(programme_rows(3)), {part: add_dtd})
