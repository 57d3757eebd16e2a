"""Owners' votes under Civil Code article 278 (民法典第二百七十八条), as plain decisions.

A vote is valid only when owners holding at least 2/3 of the exclusive floor area **and** at
least 2/3 of the owners by headcount take part (the quorum). Then

- a *special* matter (maintenance funds, renovating or rebuilding buildings and facilities,
  changing the use of common parts) needs at least 3/4 of the participating area **and** at
  least 3/4 of the participating owners to agree;
- an *ordinary* matter needs more than half of the participating area **and** more than half
  of the participating owners.

A vote may also carry a stricter local rule (:class:`ExtraRule`, e.g. an elevator retrofit
needing 90% of the building's owners), checked on top of the above.

All arithmetic is exact, with :class:`fractions.Fraction`: owners are whole numbers, areas are
``int``, :class:`~decimal.Decimal`, :class:`~fractions.Fraction` or a decimal string such as
``"85.37"``, converted with ``Fraction(str(value))``. Binary floats are refused, never rounded.
Exactly 2/3 meets the quorum, exactly 3/4 carries a special matter, exactly 1/2 is not "more
than half".

``figure_errors(figures)`` returns ``{field: message}`` for inconsistent figures (empty when
they may be decided); ``decide(figures)`` returns a :class:`VoteDecision` listing every check
under a stable key (:class:`CheckKey`). Messages are lazy translations; formatting the figures
for a page (percentages, ✓) is left to the caller.
"""
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from renovation.domain.messages import with_values


class MatterClass(StrEnum):
    SPECIAL = "special"
    ORDINARY = "ordinary"


class Basis(StrEnum):
    """What is counted: owners by headcount, or their exclusive floor area."""

    OWNERS = "owners"
    AREA = "area"


class Against(StrEnum):
    """What an extra rule's share is taken of: the whole voting scope, or those who took part."""

    TOTAL = "total"
    PARTICIPATING = "participating"


class Comparison(StrEnum):
    AT_LEAST = "at_least"
    MORE_THAN = "more_than"


class CheckKey(StrEnum):
    QUORUM_AREA = "quorum_area"
    QUORUM_OWNERS = "quorum_owners"
    AGREE_AREA = "agree_area"
    AGREE_OWNERS = "agree_owners"
    EXTRA = "extra"


QUORUM = Fraction(2, 3)
SPECIAL_MAJORITY = Fraction(3, 4)
ORDINARY_MAJORITY = Fraction(1, 2)

# The groups of figures, each given by headcount (``<group>_owners``) and by area
# (``<group>_area``). Oppose and abstain may be left out (both ``None``) when not recorded.
GROUPS = ("total", "participating", "agree", "oppose", "abstain")
REQUIRED_GROUPS = ("total", "participating", "agree")
TALLY_GROUPS = ("agree", "oppose", "abstain")

AreaValue = int | Decimal | Fraction | str


@dataclass(frozen=True, kw_only=True)
class ExtraRule:
    """A stricter local rule: at least ``threshold`` of ``basis`` (owners or area), counted
    against the whole voting scope (``total``) or those who took part (``participating``),
    must agree. ``label`` names the rule for people, e.g. "Elevator retrofit (local rule)"."""

    threshold: Fraction | str
    basis: str = Basis.OWNERS
    against: str = Against.TOTAL
    label: str = ""


@dataclass(frozen=True, kw_only=True)
class VoteFigures:
    """The figures of one vote, as entered. Nothing is checked here: see :func:`figure_errors`."""

    matter_class: str
    total_owners: int | None
    total_area: AreaValue | None
    participating_owners: int | None
    participating_area: AreaValue | None
    agree_owners: int | None
    agree_area: AreaValue | None
    oppose_owners: int | None = None
    oppose_area: AreaValue | None = None
    abstain_owners: int | None = None
    abstain_area: AreaValue | None = None
    extra_rule: ExtraRule | None = None

    def owners(self, group: str) -> int:
        """The headcount of a group (0 for a group left out). Valid figures only."""
        value = getattr(self, f"{group}_owners")
        return 0 if value is None else value

    def area(self, group: str) -> Fraction:
        """The exact area of a group (0 for a group left out). Valid figures only."""
        value = getattr(self, f"{group}_area")
        return Fraction(0) if value is None else exact(value)

    def count(self, basis: str, group: str) -> Fraction:
        return Fraction(self.owners(group)) if basis == Basis.OWNERS else self.area(group)


@dataclass(frozen=True)
class Check:
    """One condition of the decision: ``numerator / denominator`` compared with ``required``.

    ``actual`` is ``None`` when the denominator is zero (nobody took part), and the check is
    then not met."""

    key: CheckKey
    basis: Basis
    comparison: Comparison
    required: Fraction
    numerator: Fraction
    denominator: Fraction
    actual: Fraction | None
    met: bool


@dataclass(frozen=True)
class VoteDecision:
    passed: bool
    quorum_met: bool
    matter_class: MatterClass
    checks: tuple[Check, ...]
    reasons: tuple[LazyString, ...]
    figures: VoteFigures

    @property
    def reason(self) -> LazyString:
        """The headline reason: why it passed, or the first condition it failed."""
        return self.reasons[0]

    def check(self, key: str) -> Check | None:
        return next((check for check in self.checks if check.key == key), None)


class InvalidFigures(ValueError):
    """Raised by :func:`decide` on figures that :func:`figure_errors` refuses."""

    def __init__(self, errors: dict[str, LazyString]):
        super().__init__(f"inconsistent vote figures: {sorted(errors)}")
        self.errors = errors


# Plain decimals ("85.37", "-3", ".5") and plain fractions ("9/10"): no exponents, which could
# ask for 10**999999999, and no underscores. The length cap keeps the numbers reasonable.
_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+|\d+/\d+)")
_MAX_TEXT = 40
_MAX_DECIMAL_EXPONENT = 40


def exact(value: AreaValue) -> Fraction:
    """An area or a threshold as an exact fraction, or ``ValueError``/``TypeError``.

    ``"85.37"``, ``Decimal("85.37")`` and ``Fraction(8537, 100)`` are all 8537/100; a string
    may also be a fraction such as ``"9/10"``. Binary floats are refused: 0.1 is not 1/10."""
    if isinstance(value, bool | float) or not isinstance(value, int | Decimal | Fraction | str):
        raise TypeError(f"not an exact number: {type(value).__name__}")
    if isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_TEXT or not _NUMBER_TEXT.fullmatch(text):
            raise ValueError(f"not a plain decimal or fraction: {value!r}")
        return Fraction(text)
    if isinstance(value, Decimal):
        if not value.is_finite() or abs(value.as_tuple().exponent) > _MAX_DECIMAL_EXPONENT:
            raise ValueError(f"not a reasonable decimal: {value!r}")
    return Fraction(str(value))


# --- consistency ---------------------------------------------------------------------------

def figure_errors(figures: VoteFigures) -> dict[str, LazyString]:
    """Every inconsistency of the figures, as ``{field: message}``; empty if they may be decided.

    Fields are the attribute names of :class:`VoteFigures` (``participating_area`` …) and
    ``extra_threshold``, ``extra_basis``, ``extra_against`` for the extra rule."""
    errors: dict[str, LazyString] = {}
    if figures.matter_class not in MatterClass.__members__.values():
        errors["matter_class"] = _l("Choose whether the matter is special or ordinary.")

    owners: dict[str, int | None] = {}
    areas: dict[str, Fraction | None] = {}
    for group in GROUPS:
        owners[group] = _owner_count(figures, group, errors)
        areas[group] = _area(figures, group, errors)

    for field, value in (("total_owners", owners["total"]), ("total_area", areas["total"])):
        if value == 0:
            errors[field] = _l("The voting scope cannot be empty: enter a total above zero.")

    for group in GROUPS:
        _pair_errors(group, owners[group], areas[group], errors)

    for kind, values in (("owners", owners), ("area", areas)):
        _relation_errors(kind, values, errors)

    if figures.extra_rule is not None:
        _extra_rule_errors(figures.extra_rule, errors)
    return errors


def _owner_count(figures, group, errors) -> int | None:
    field = f"{group}_owners"
    value = getattr(figures, field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = _l("Enter the number of owners as a whole number.")
        return None
    if value < 0:
        errors[field] = _l("The number of owners cannot be negative.")
        return None
    return value


def _area(figures, group, errors) -> Fraction | None:
    field = f"{group}_area"
    value = getattr(figures, field)
    if value is None:
        return None
    try:
        area = exact(value)
    except (TypeError, ValueError, ZeroDivisionError):
        errors[field] = _l("Enter the area in m² as a number, such as 85.37.")
        return None
    if area < 0:
        errors[field] = _l("The area cannot be negative.")
        return None
    return area


def _pair_errors(group, owners, areas, errors) -> None:
    """Each group is given by headcount and by area, both or (oppose, abstain) neither."""
    owners_field, area_field = f"{group}_owners", f"{group}_area"
    owners_given = _given(errors, owners_field, owners)
    area_given = _given(errors, area_field, areas)
    if owners_given is None or area_given is None:
        return  # already refused as malformed
    if not owners_given and not area_given:
        if group in REQUIRED_GROUPS:
            errors[owners_field] = _l("Enter the number of owners.")
            errors[area_field] = _l("Enter the area in m².")
        return
    if area_given and not owners_given:
        errors[owners_field] = _l("The area is given: enter the number of owners as well.")
    elif owners_given and not area_given:
        errors[area_field] = _l("The number of owners is given: enter their area as well.")
    elif owners == 0 and areas > 0:
        errors[owners_field] = _l("An area is given but no owners: enter the number of owners.")
    elif owners > 0 and areas == 0:
        errors[area_field] = _l("Owners hold exclusive floor area: enter their area.")


def _given(errors, field, value) -> bool | None:
    """``None`` when the field was malformed, else whether it was given."""
    if field in errors:
        return None
    return value is not None


def _relation_errors(kind, values, errors) -> None:
    """Participating within the total, the tally within those participating."""
    total, participating = values["total"], values["participating"]
    fields = {group: f"{group}_{kind}" for group in GROUPS}
    if fields["participating"] in errors or participating is None:
        return
    if fields["total"] not in errors and total is not None and participating > total:
        if kind == "owners":
            errors[fields["participating"]] = _l(
                "More owners take part than the voting scope has.")
        else:
            errors[fields["participating"]] = _l(
                "The participating area is larger than the total area of the voting scope.")
    if any(fields[group] in errors for group in TALLY_GROUPS):
        return
    tally = sum((values[group] or 0) for group in TALLY_GROUPS)
    if tally > participating:
        if kind == "owners":
            errors.setdefault(fields["participating"], _l(
                "Agreeing, opposing and abstaining owners add up to more than the owners "
                "taking part."))
        else:
            errors.setdefault(fields["participating"], _l(
                "The agreeing, opposing and abstaining areas add up to more than the "
                "participating area."))


def _extra_rule_errors(rule: ExtraRule, errors) -> None:
    try:
        threshold = exact(rule.threshold)
    except (TypeError, ValueError, ZeroDivisionError):
        threshold = None
    if threshold is None or not 0 < threshold <= 1:
        errors["extra_threshold"] = _l(
            "The extra threshold must be a fraction above 0 and at most 1, such as 9/10.")
    if rule.basis not in Basis.__members__.values():
        errors["extra_basis"] = _l("Choose whether the extra threshold counts owners or area.")
    if rule.against not in Against.__members__.values():
        errors["extra_against"] = _l(
            "Choose whether the extra threshold is taken of the whole voting scope or of "
            "those taking part.")


# --- the decision --------------------------------------------------------------------------

def decide(figures: VoteFigures) -> VoteDecision:
    """Whether the vote passed, with every check and the reasons.

    Every check is computed, even after the quorum failed, so that all figures can be shown.
    Raises :class:`InvalidFigures` on figures that :func:`figure_errors` refuses."""
    errors = figure_errors(figures)
    if errors:
        raise InvalidFigures(errors)
    matter_class = MatterClass(figures.matter_class)
    special = matter_class == MatterClass.SPECIAL
    majority = SPECIAL_MAJORITY if special else ORDINARY_MAJORITY
    agree_comparison = Comparison.AT_LEAST if special else Comparison.MORE_THAN

    checks = [
        _check(CheckKey.QUORUM_AREA, Basis.AREA, Comparison.AT_LEAST, QUORUM,
               figures.area("participating"), figures.area("total")),
        _check(CheckKey.QUORUM_OWNERS, Basis.OWNERS, Comparison.AT_LEAST, QUORUM,
               figures.count(Basis.OWNERS, "participating"), figures.count(Basis.OWNERS, "total")),
        _check(CheckKey.AGREE_AREA, Basis.AREA, agree_comparison, majority,
               figures.area("agree"), figures.area("participating")),
        _check(CheckKey.AGREE_OWNERS, Basis.OWNERS, agree_comparison, majority,
               figures.count(Basis.OWNERS, "agree"),
               figures.count(Basis.OWNERS, "participating")),
    ]
    rule = figures.extra_rule
    if rule is not None:
        basis = Basis(rule.basis)
        checks.append(_check(CheckKey.EXTRA, basis, Comparison.AT_LEAST, exact(rule.threshold),
                             figures.count(basis, "agree"),
                             figures.count(basis, Against(rule.against).value)))

    quorum_met = checks[0].met and checks[1].met
    passed = all(check.met for check in checks)
    if passed:
        reasons = [_PASSED[matter_class]]
        if rule is not None:
            reasons.append(_extra_met(rule))
    else:
        reasons = [_failure(check, matter_class, rule) for check in checks if not check.met]
    return VoteDecision(passed=passed, quorum_met=quorum_met, matter_class=matter_class,
                        checks=tuple(checks), reasons=tuple(reasons), figures=figures)


def _check(key, basis, comparison, required, numerator, denominator) -> Check:
    if denominator == 0:
        actual, met = None, False
    else:
        actual = numerator / denominator
        met = actual >= required if comparison == Comparison.AT_LEAST else actual > required
    return Check(key=key, basis=basis, comparison=comparison, required=required,
                 numerator=numerator, denominator=denominator, actual=actual, met=met)


_PASSED = {
    MatterClass.SPECIAL: _l(
        "Passed: the quorum is reached, and owners holding at least three quarters of the "
        "participating area and at least three quarters of the participating owners agree."),
    MatterClass.ORDINARY: _l(
        "Passed: the quorum is reached, and owners holding more than half of the participating "
        "area and more than half of the participating owners agree."),
}

_FAILED = {
    (CheckKey.QUORUM_AREA, None): _l(
        "Not valid: owners holding at least two thirds of the exclusive floor area must take "
        "part."),
    (CheckKey.QUORUM_OWNERS, None): _l(
        "Not valid: at least two thirds of the owners must take part."),
    (CheckKey.AGREE_AREA, MatterClass.SPECIAL): _l(
        "Not passed: owners holding at least three quarters of the participating area must "
        "agree."),
    (CheckKey.AGREE_OWNERS, MatterClass.SPECIAL): _l(
        "Not passed: at least three quarters of the participating owners must agree."),
    (CheckKey.AGREE_AREA, MatterClass.ORDINARY): _l(
        "Not passed: owners holding more than half of the participating area must agree."),
    (CheckKey.AGREE_OWNERS, MatterClass.ORDINARY): _l(
        "Not passed: more than half of the participating owners must agree."),
}


def _failure(check: Check, matter_class: MatterClass, rule: ExtraRule | None) -> LazyString:
    if check.key == CheckKey.EXTRA:
        if rule is not None and rule.label:
            return with_values(_l("Not passed: the stricter local rule “%(label)s” is not met."),
                               label=rule.label)
        return _l("Not passed: the stricter local rule is not met.")
    if check.key in (CheckKey.QUORUM_AREA, CheckKey.QUORUM_OWNERS):
        return _FAILED[check.key, None]
    return _FAILED[check.key, matter_class]


def _extra_met(rule: ExtraRule) -> LazyString:
    if rule.label:
        return with_values(_l("The stricter local rule “%(label)s” is met as well."), label=rule.label)
    return _l("The stricter local rule is met as well.")
