"""Importing the project ledger (台账): the preview of what an .xlsx would change.

:func:`preview_ledger` reads the workbook and judges every row against the database without
writing anything: a new project (create), changed fields with their old and new values
(update), nothing to do (unchanged), or problems, each with its row number as Excel shows it,
its column header and a message. :func:`renovation.domain.ledger.commit.commit_import` writes a
preview that has no problems.

Decisions worth knowing:
- Streets, communities and compounds named in the ledger are created when new (the preview
  lists them so a typo is caught); a blank street, community or compound is an error. A
  community already known under another street is an error: communities belong to one street.
- A column missing from the file leaves that field as it is; a blank cell clears it (amounts
  become 0, a stage status becomes 未开始). Unknown columns are reported and ignored.
- 总投资(万元) is checked against its five sources, never stored: the project sums them.
- The stage rules of :mod:`renovation.domain.stages.rules` are checked for new projects and for
  rows that change a stage; planned ends may not come before planned starts. A project the app
  already holds is also held to the rules on its records (hidden-works photos before paving starts;
  竣工验收 completed only with residents' representatives and no rectification item open), as on
  its page; a new project's row records the past and is not.
- Content columns (planned and completed quantities of the main items): an empty cell leaves the
  item as it is (never removes it); a figure given for an item the project does not include adds
  it (the other figure 0), from the catalogue, unless retired there. Done may not exceed the plan
  unless the project's content already says why (written on the project page). Contents are not
  stages: no stage rule (the hidden-works photos before paving either) is checked for them.
"""
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from renovation.domain.clock import today as china_today
from renovation.domain.ledger.cells import CellError, is_blank, parse_cell
from renovation.domain.ledger.columns import BY_FIELD, HeaderMatch, column_letter, content_field
from renovation.domain.ledger.limits import Deadline, LedgerLimits, current_limits
from renovation.domain.ledger.reader import PROGRESS_EVERY, LedgerSheet, read_ledger
from renovation.domain.ledger.values import (
    BUDGET_SOURCES,
    CONTENT_KEYS,
    NEW_PROJECT,
    blank_value,
    comparable,
    content_catalogue,
    existing_ledger,
    known_places,
)
from renovation.domain.messages import with_values
from renovation.domain.stages.keys import STAGE_ORDER
from renovation.domain.stages.rules import StageState, stage_errors

REQUIRED_FOR_NEW = ("compound", "street", "community", "households")
ZERO = Decimal("0.00")
CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file: where (row and column as Excel shows them) and why."""

    row: int | None
    column: str
    message: object  # a lazy string, shown in the reader's language
    value: str = ""


@dataclass(frozen=True)
class Change:
    field: str
    header: str
    old: object
    new: object


@dataclass
class RowOutcome:
    row: int
    code: str
    action: str
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    values: dict = field(default_factory=dict)  # the project as it would be after the import


@dataclass
class LedgerPreview:
    """Everything the import would do, and everything in the way."""

    sheet: str
    header_row: int
    rows: list[RowOutcome]
    file_problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # unknown columns: ignored
    new_streets: list[str] = field(default_factory=list)
    new_communities: list[str] = field(default_factory=list)
    new_compounds: list[str] = field(default_factory=list)

    def of(self, action: str) -> list[RowOutcome]:
        return [row for row in self.rows if row.action == action]

    @property
    def counts(self) -> dict[str, int]:
        counts = {action: 0 for action in (CREATE, UPDATE, UNCHANGED, ERROR)}
        for row in self.rows:
            counts[row.action] += 1
        return counts

    @property
    def problems(self) -> list[Problem]:
        return [*self.file_problems, *(problem for row in self.rows for problem in row.problems)]

    @property
    def has_errors(self) -> bool:
        return bool(self.file_problems) or any(row.problems for row in self.rows)

    @property
    def has_changes(self) -> bool:
        return any(row.action in (CREATE, UPDATE) for row in self.rows)

    @property
    def fingerprint(self) -> str:
        """Changes whenever what the import would do changes (the file or the database)."""
        summary = [(row.row, row.code, row.action, [(c.field, repr(c.old), repr(c.new)) for c in row.changes],
                    [(p.row, p.column, str(p.value)) for p in row.problems]) for row in self.rows]
        return hashlib.sha256(json.dumps(summary, ensure_ascii=False).encode()).hexdigest()


def preview_ledger(source, today: date | None = None, limits: LedgerLimits | None = None,
                   progress=None) -> LedgerPreview:
    """Read the workbook at ``source`` (a path or a binary file) and judge every row.

    Raises :class:`renovation.domain.ledger.reader.LedgerFileError` when the file is not a
    workbook, is beyond ``limits`` (the app's by default: size, rows, merged cells, time) or
    has no header row. ``progress(fraction)`` hears how far it is, from 0 to 1.
    """
    limits = limits or current_limits()
    deadline = Deadline(limits.seconds)
    report = progress or (lambda fraction: None)
    sheet = read_ledger(source, limits, deadline, lambda fraction: report(fraction / 2))
    return judge_sheet(sheet, today or china_today(), deadline, lambda fraction: report(0.5 + fraction / 2))


def judge_sheet(sheet: LedgerSheet, today: date, deadline: Deadline | None = None, progress=None) -> LedgerPreview:
    """Judge every row of ``sheet`` against the database (see :func:`preview_ledger`)."""
    preview = LedgerPreview(sheet.title, sheet.header_row, [])
    _header_problems(sheet.header_row, sheet.match, preview)
    if not sheet.rows:
        preview.file_problems.append(Problem(None, "", _l("The ledger has no project rows below its header.")))
    context = _Context(today, existing_ledger(), *known_places(), content_catalogue())
    for position, (number, cells) in enumerate(sheet.rows, start=1):
        preview.rows.append(context.judge(number, cells, sheet.match))
        if position % PROGRESS_EVERY == 0:
            if deadline:
                deadline.check()
            if progress:
                progress(position / len(sheet.rows))
    preview.new_streets = sorted(context.new_streets)
    preview.new_communities = sorted(context.new_communities)
    preview.new_compounds = sorted(f"{community} · {compound}" for community, compound in context.new_compounds)
    return preview


def _header_problems(header_row: int, match: HeaderMatch, preview: LedgerPreview) -> None:
    for position, header in match.unknown:
        preview.warnings.append(Problem(header_row, header, with_values(_l(
            "Unknown column %(letter)s: it is not imported. Rename it to a template header if it should be."),
            letter=column_letter(position))))
    for position, header in match.repeated:
        preview.file_problems.append(Problem(header_row, header, with_values(_l(
            "Column %(letter)s repeats a column already in the sheet: keep only one."),
            letter=column_letter(position))))


class _Context:
    """What judging a row needs to know about the database and the rows before it."""

    def __init__(self, today, existing, streets, communities, compounds, catalogue):
        self.today, self.existing, self.catalogue = today, existing, catalogue
        self.streets, self.communities, self.compounds = streets, communities, compounds
        self.db_communities = frozenset(communities)
        self.seen_codes: dict[str, int] = {}
        self.new_streets: set[str] = set()
        self.new_communities: set[str] = set()
        self.new_compounds: set[tuple[str, str]] = set()
        self._ids: dict[str, int] | None = None

    def project_id(self, code: str) -> int | None:
        """The id of a project the database holds: every project's read once, when a row first needs one."""
        if self._ids is None:
            from renovation.extensions import db
            from renovation.models import Project

            self._ids = dict(db.session.execute(db.select(Project.code, Project.id)).tuples().all())
        return self._ids.get(code)

    def judge(self, number: int, cells: tuple, match: HeaderMatch) -> RowOutcome:
        problems: list[Problem] = []
        values = self._read_cells(number, cells, match, problems)
        code = values.pop("code", "")
        total = values.pop("budget_total", None)
        outcome = RowOutcome(number, code, ERROR)
        if not code:
            problems.insert(0, Problem(number, BY_FIELD["code"].header, _l("The project code is missing.")))
        elif code in self.seen_codes:
            problems.insert(0, Problem(number, BY_FIELD["code"].header, with_values(_l(
                "Project code %(code)s is also in row %(row)d: each project appears once."),
                code=code, row=self.seen_codes[code]), code))
        else:
            self.seen_codes[code] = number
        old = self.existing.get(code)
        merged = {**(old or NEW_PROJECT), **values}
        required = REQUIRED_FOR_NEW if old is None else [name for name in REQUIRED_FOR_NEW if name in values]
        for name in required:
            if is_blank(merged.get(name)) and not _has_problem(problems, name):
                problems.append(Problem(number, BY_FIELD[name].header, _l("This column is required.")))
        problems += self._place_problems(number, merged)
        problems += _budget_problems(number, values, total)
        problems += _planned_problems(number, merged)
        problems += _content_problems(number, values, merged, problems, self.catalogue)
        changes = [Change(name, BY_FIELD[name].header, old[name] if old else None, merged[name])
                   for name in values if old is None or comparable(old[name]) != comparable(merged[name])]
        if old is None or any(change.field.split(".")[0] in STAGE_ORDER for change in changes):
            problems += _stage_problems(number, merged, self.today, values)
        if old is not None and code:
            problems += _record_rule_problems(number, lambda: self.project_id(code), old, merged)
        outcome.problems, outcome.values = problems, merged
        if problems:
            return outcome
        outcome.action = CREATE if old is None else UPDATE if changes else UNCHANGED
        outcome.changes = [] if old is None else changes
        self._note_new_places(merged)
        return outcome

    def _read_cells(self, number: int, cells: tuple, match: HeaderMatch, problems: list) -> dict:
        values = {}
        for position, column in match.columns.items():
            if column.readonly:
                continue
            raw = cells[position] if position < len(cells) else None
            try:
                value = parse_cell(raw, column, self.today)
            except CellError as error:
                problems.append(Problem(number, column.header, error.message, _shown(raw)))
                continue
            if column.kind == "quantity":
                if value is not None:  # an empty content cell leaves the item as it is
                    values[column.field] = value
            elif column.field == "budget_total":
                values[column.field] = value
            else:
                values[column.field] = blank_value(column.field) if is_blank(value) else value
        return values

    def _place_problems(self, number: int, merged: dict) -> list[Problem]:
        community, street = merged.get("community"), merged.get("street")
        if not community or not street:
            return []
        known_street = self.communities.get(community)
        if known_street is None:
            self.communities[community] = street  # a new community: its first row places it
            return []
        if known_street != street:
            return [Problem(number, BY_FIELD["community"].header, with_values(_l(
                "Community %(community)s belongs to %(street)s: correct the street or the community."),
                community=community, street=known_street), community)]
        return []

    def _note_new_places(self, merged: dict) -> None:
        if merged["street"] not in self.streets:
            self.new_streets.add(merged["street"])
        if merged["community"] not in self.db_communities:
            self.new_communities.add(merged["community"])
        if (merged["community"], merged["compound"]) not in self.compounds:
            self.new_compounds.add((merged["community"], merged["compound"]))


def _has_problem(problems: list[Problem], field_name: str) -> bool:
    return any(problem.column == BY_FIELD[field_name].header for problem in problems)


def _shown(raw) -> str:
    """A cell's value as the problem list shows it."""
    if raw is None:
        return ""
    text = raw.isoformat() if hasattr(raw, "isoformat") else str(raw)
    return text if len(text) <= 40 else text[:39] + "…"


def _content_problems(number: int, values: dict, merged: dict, problems: list[Problem],
                      catalogue: dict[str, bool]) -> list[Problem]:
    """The content columns' rules, on the row as it would leave each item it names; an item the
    project does not include yet gets 0 for the figure the row leaves empty (in ``merged``)."""
    found = []
    for key in CONTENT_KEYS:
        planned, completed = content_field(key, "planned"), content_field(key, "completed")
        given = [name for name in (planned, completed) if name in values]
        if not given:
            continue
        if merged[planned] is None or merged[completed] is None:  # not included yet: added by the row
            merged[planned], merged[completed] = merged[planned] or ZERO, merged[completed] or ZERO
            if key not in catalogue or catalogue[key]:
                found.append(Problem(number, BY_FIELD[given[0]].header, _l(
                    "This content item is no longer in the catalogue (retired or deleted): it cannot be added."),
                    _shown(values[given[0]])))
                continue
        shown = {problem.column for problem in problems}
        if BY_FIELD[planned].header in shown or BY_FIELD[completed].header in shown:
            continue
        if merged[completed] > merged[planned] and not merged.get(content_field(key, "reason")):
            found.append(Problem(number, BY_FIELD[completed].header, with_values(_l(
                "More is done than planned (%(planned)s): correct the figures, or write why on the project "
                "page's renovation content first."), planned=_shown(merged[planned])), _shown(merged[completed])))
    return found


def _budget_problems(number: int, values: dict, total) -> list[Problem]:
    """The total against the sources *in the sheet*: a source column that is absent is not given
    (not zero), so with every source present they must add up to the total, with only some
    they may not exceed it, and with none there is nothing to check."""
    given = [name for name in BUDGET_SOURCES if name in values]
    if total is None or not given:
        return []
    sources = sum((values[name] for name in given), start=Decimal(0))
    if len(given) == len(BUDGET_SOURCES):
        if comparable(sources) == comparable(total):
            return []
        message = _l("The total investment %(total)s does not equal the sum of its sources (%(sum)s).")
    else:
        if sources <= total:
            return []
        message = _l("The total investment %(total)s is less than the sources in the sheet (%(sum)s).")
    return [Problem(number, BY_FIELD["budget_total"].header, with_values(message,
                                                                        total=total, sum=comparable(sources)),
                    str(total))]


def _planned_problems(number: int, merged: dict) -> list[Problem]:
    pairs = [("planned_start", "planned_end")] + [(f"{key}.planned_start", f"{key}.planned_end")
                                                    for key in STAGE_ORDER]
    return [Problem(number, BY_FIELD[end].header, _l("The planned end comes before the planned start."))
            for start, end in pairs
            if merged.get(start) and merged.get(end) and merged[end] < merged[start]]


def _stage_problems(number: int, merged: dict, today: date, in_file: dict) -> list[Problem]:
    """The stage rules, on the project as the row would leave it; each message once per column.
    A value the rule is about but the file has no column for is shown as kept from the database."""
    states = _states(merged)
    problems, seen = [], set()
    for key, state in states.items():
        for name, message in stage_errors(state, states, today).items():
            header = BY_FIELD[f"{key}.{name}"].header
            if (header, str(message)) not in seen:
                seen.add((header, str(message)))
                value = merged[f"{key}.{name}"]
                shown = _shown(value) if f"{key}.{name}" in in_file or value in (None, "") else with_values(_l(
                    "%(value)s (kept: the file has no such column)"), value=_shown(value))
                problems.append(Problem(number, header, message, shown))
    return problems


def _states(values: dict) -> dict[str, StageState]:
    return {key.value: StageState(key=key.value, **{name: values[f"{key.value}.{name}"] for name in (
        "status", "percent", "actual_start", "actual_end", "note", "planned_start", "planned_end")})
            for key in STAGE_ORDER}


def _record_rule_problems(number: int, project_id, old: dict, merged: dict) -> list[Problem]:
    """The rules that rest on what the app records and the ledger has no column for, checked as the
    project page checks them (:mod:`renovation.domain.stages.operations`) when a row of a project the
    app holds takes that step: a stage a rule covers starting without hidden-works photos (道路硬化
    before the buried pipes are photographed), and 竣工验收 completed with a rectification item open
    or without residents' representatives. Nobody gives a reason to override a rule in a
    spreadsheet: that is done on the project page. A new project's row records what happened before
    the app, and is not held to them. ``project_id()`` gives the project's id (read once per import);
    the records are read only for a row that takes such a step."""
    from renovation.domain.stages.operations import completion_rules_broken, evidence_rules_broken

    before, after = _states(old), _states(merged)
    problems = []
    for key in (key for key in after if before[key] != after[key]):
        messages = [rule.message for rule in evidence_rules_broken(project_id(), before[key], after[key], after)]
        messages += completion_rules_broken(project_id(), before[key], after[key])
        problems += [Problem(number, BY_FIELD[f"{key}.status"].header, message, _shown(merged[f"{key}.status"]))
                     for message in messages]
    return problems
