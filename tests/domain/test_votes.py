"""Owners' votes under Civil Code article 278 (renovation.domain.residents.votes).

Every threshold is tried just below, exactly at and just above its boundary, by headcount and
by area; the property tests compare ``decide`` with a reference written here in integer
cross-multiplication (areas in whole hundredths of a m², no Fraction). Only the tests that
render a message as text use the ``app`` fixture.
"""
from decimal import Decimal
from fractions import Fraction

import pytest
from flask_babel import force_locale
from hypothesis import given, settings
from hypothesis import strategies as st

from renovation.domain.residents.votes import (
    Against,
    Basis,
    CheckKey,
    Comparison,
    ExtraRule,
    InvalidFigures,
    MatterClass,
    VoteFigures,
    decide,
    exact,
    figure_errors,
)

SPECIAL, ORDINARY = MatterClass.SPECIAL, MatterClass.ORDINARY


def figures(matter_class=SPECIAL, **overrides):
    """A building of 12 owners and 1200 m²: everyone takes part and agrees unless overridden."""
    values = dict(matter_class=matter_class,
                  total_owners=12, total_area="1200.00",
                  participating_owners=12, participating_area="1200.00",
                  agree_owners=12, agree_area="1200.00",
                  oppose_owners=0, oppose_area="0", abstain_owners=0, abstain_area="0")
    values.update(overrides)
    return VoteFigures(**values)


def english(value):
    with force_locale("en"):
        if isinstance(value, dict):
            return {field: str(message) for field, message in value.items()}
        return str(value)


def met(decision):
    return {check.key: check.met for check in decision.checks}


# --- the quorum: at least 2/3 of the area and of the owners ---------------------------------

@pytest.mark.parametrize("area, passes", [("799.99", False), ("800.00", True), ("800.01", True)])
def test_quorum_by_area_is_two_thirds_inclusive(area, passes):
    decision = decide(figures(participating_area=area, agree_area=area))
    assert decision.quorum_met is passes
    assert decision.passed is passes
    check = decision.check(CheckKey.QUORUM_AREA)
    assert check.met is passes
    assert check.required == Fraction(2, 3)
    assert check.comparison == Comparison.AT_LEAST
    assert check.actual == Fraction(area) / 1200
    assert met(decision)[CheckKey.QUORUM_OWNERS] is True


@pytest.mark.parametrize("owners, passes", [(7, False), (8, True), (9, True)])
def test_quorum_by_owners_is_two_thirds_inclusive(owners, passes):
    decision = decide(figures(participating_owners=owners, agree_owners=owners))
    assert decision.quorum_met is passes
    assert decision.passed is passes
    check = decision.check(CheckKey.QUORUM_OWNERS)
    assert (check.met, check.numerator, check.denominator) == (passes, owners, 12)
    assert check.actual == Fraction(owners, 12)
    assert met(decision)[CheckKey.QUORUM_AREA] is True


def test_the_quorum_needs_both_area_and_owners():
    enough_area_only = decide(figures(participating_owners=7, agree_owners=7))
    enough_owners_only = decide(figures(participating_area="700", agree_area="700"))
    assert not enough_area_only.passed and not enough_owners_only.passed
    assert not enough_area_only.quorum_met and not enough_owners_only.quorum_met


def test_without_a_quorum_the_vote_fails_however_many_agree():
    decision = decide(figures(participating_owners=7, participating_area="700",
                              agree_owners=7, agree_area="700"))
    assert met(decision) == {CheckKey.QUORUM_AREA: False, CheckKey.QUORUM_OWNERS: False,
                             CheckKey.AGREE_AREA: True, CheckKey.AGREE_OWNERS: True}
    assert not decision.passed


# --- special matters: at least 3/4 of the participating area and owners ----------------------

@pytest.mark.parametrize("area, passes", [("899.99", False), ("900.00", True), ("900.01", True)])
def test_special_majority_by_area_is_three_quarters_inclusive(area, passes):
    decision = decide(figures(SPECIAL, agree_area=area))
    check = decision.check(CheckKey.AGREE_AREA)
    assert (check.met, decision.passed) == (passes, passes)
    assert check.required == Fraction(3, 4)
    assert check.comparison == Comparison.AT_LEAST
    assert decision.quorum_met


@pytest.mark.parametrize("owners, passes", [(8, False), (9, True), (10, True)])
def test_special_majority_by_owners_is_three_quarters_inclusive(owners, passes):
    decision = decide(figures(SPECIAL, agree_owners=owners))
    assert decision.check(CheckKey.AGREE_OWNERS).met is passes
    assert decision.passed is passes


def test_special_majority_is_of_those_taking_part_not_of_the_total():
    # 8 of 12 owners and 800 of 1200 m² take part; 6 owners holding 600 m² is exactly 3/4.
    decision = decide(figures(SPECIAL, participating_owners=8, participating_area="800",
                              agree_owners=6, agree_area="600", oppose_owners=2,
                              oppose_area="200"))
    assert decision.passed
    assert decision.check(CheckKey.AGREE_OWNERS).actual == Fraction(3, 4)
    assert decision.check(CheckKey.AGREE_AREA).actual == Fraction(3, 4)


def test_two_thirds_taking_part_and_three_quarters_agreeing_passes_one_vote_less_fails():
    """The "done when" of the issue: a rain/sewage separation vote at both boundaries."""
    at_the_boundaries = figures(SPECIAL, total_owners=12, total_area="1024.44",
                                participating_owners=8, participating_area="682.96",
                                agree_owners=6, agree_area="512.22",
                                oppose_owners=2, oppose_area="170.74")
    assert decide(at_the_boundaries).passed
    # One agreeing owner of an 85.37 m² flat changes their vote to oppose.
    one_changed = figures(SPECIAL, total_owners=12, total_area="1024.44",
                          participating_owners=8, participating_area="682.96",
                          agree_owners=5, agree_area="426.85",
                          oppose_owners=3, oppose_area="256.11")
    decision = decide(one_changed)
    assert not decision.passed and decision.quorum_met
    assert met(decision) == {CheckKey.QUORUM_AREA: True, CheckKey.QUORUM_OWNERS: True,
                             CheckKey.AGREE_AREA: False, CheckKey.AGREE_OWNERS: False}


# --- ordinary matters: more than 1/2 of the participating area and owners ---------------------

@pytest.mark.parametrize("area, passes", [("599.99", False), ("600.00", False), ("600.01", True)])
def test_ordinary_majority_by_area_is_more_than_half(area, passes):
    decision = decide(figures(ORDINARY, agree_area=area))
    check = decision.check(CheckKey.AGREE_AREA)
    assert (check.met, decision.passed) == (passes, passes)
    assert check.required == Fraction(1, 2)
    assert check.comparison == Comparison.MORE_THAN


@pytest.mark.parametrize("owners, passes", [(5, False), (6, False), (7, True)])
def test_ordinary_majority_by_owners_is_more_than_half(owners, passes):
    decision = decide(figures(ORDINARY, agree_owners=owners))
    assert decision.check(CheckKey.AGREE_OWNERS).met is passes
    assert decision.passed is passes


def test_the_same_figures_pass_as_ordinary_and_fail_as_special():
    two_thirds_agree = dict(agree_owners=8, agree_area="800")
    assert decide(figures(ORDINARY, **two_thirds_agree)).passed
    assert not decide(figures(SPECIAL, **two_thirds_agree)).passed


# --- the stricter local rule ---------------------------------------------------------------

def elevator_rule(**overrides):
    values = dict(threshold=Fraction(9, 10), basis=Basis.OWNERS, against=Against.TOTAL,
                  label="加装电梯")
    values.update(overrides)
    return ExtraRule(**values)


@pytest.mark.parametrize("owners, passes", [(17, False), (18, True), (19, True)])
def test_extra_rule_of_the_owners_of_the_whole_scope_is_inclusive(owners, passes):
    decision = decide(figures(total_owners=20, participating_owners=20, agree_owners=owners,
                              extra_rule=elevator_rule()))
    check = decision.check(CheckKey.EXTRA)
    assert (check.met, decision.passed) == (passes, passes)
    assert (check.numerator, check.denominator, check.required) == (owners, 20, Fraction(9, 10))
    assert check.basis == Basis.OWNERS
    assert decision.check(CheckKey.AGREE_OWNERS).met  # 17/20 is above 3/4 already


@pytest.mark.parametrize("area, passes", [("1079.99", False), ("1080.00", True), ("1080.01", True)])
def test_extra_rule_by_area_of_the_whole_scope(area, passes):
    decision = decide(figures(agree_area=area, extra_rule=elevator_rule(basis=Basis.AREA)))
    assert decision.check(CheckKey.EXTRA).met is passes
    assert decision.passed is passes


def test_extra_rule_against_the_total_counts_owners_who_stayed_away():
    # 9 of 10 participating owners agree: 90% of those taking part, 75% of the building.
    base = dict(participating_owners=10, agree_owners=9, abstain_owners=1, abstain_area="100",
                participating_area="1200", agree_area="1100")
    of_total = decide(figures(**base, extra_rule=elevator_rule()))
    of_participating = decide(figures(**base, extra_rule=elevator_rule(
        against=Against.PARTICIPATING)))
    assert not of_total.passed and of_total.check(CheckKey.EXTRA).actual == Fraction(3, 4)
    assert of_participating.passed
    assert of_participating.check(CheckKey.EXTRA).actual == Fraction(9, 10)


@pytest.mark.parametrize("threshold", ["9/10", "0.9", Decimal("0.90"), Fraction(9, 10)])
def test_extra_threshold_may_be_written_as_text_or_decimal(threshold):
    decision = decide(figures(total_owners=20, participating_owners=20, agree_owners=18,
                              extra_rule=elevator_rule(threshold=threshold)))
    assert decision.check(CheckKey.EXTRA).required == Fraction(9, 10)
    assert decision.passed


def test_a_threshold_of_one_needs_everyone():
    rule = elevator_rule(threshold="1")
    assert decide(figures(extra_rule=rule)).passed
    assert not decide(figures(agree_owners=11, extra_rule=rule)).passed


def test_without_an_extra_rule_there_is_no_extra_check():
    decision = decide(figures())
    assert [check.key for check in decision.checks] == [
        CheckKey.QUORUM_AREA, CheckKey.QUORUM_OWNERS, CheckKey.AGREE_AREA, CheckKey.AGREE_OWNERS]
    assert decision.check(CheckKey.EXTRA) is None
    assert [check.key.value for check in decide(figures(extra_rule=elevator_rule())).checks] == [
        "quorum_area", "quorum_owners", "agree_area", "agree_owners", "extra"]


# --- exact arithmetic on areas -------------------------------------------------------------

@pytest.mark.parametrize("kind", [str, Decimal, Fraction])
def test_areas_are_exact_whatever_their_type(kind):
    # 682.92 / 1024.38 is exactly 2/3, and 512.19 exactly 3/4 of 682.92; binary floating
    # point would find the quorum just short.
    assert 682.92 / 1024.38 < 2 / 3
    decision = decide(figures(total_area=kind("1024.38"), participating_area=kind("682.92"),
                              agree_owners=9, agree_area=kind("512.19"),
                              oppose_owners=3, oppose_area=kind("170.73")))
    assert decision.check(CheckKey.QUORUM_AREA).actual == Fraction(2, 3)
    assert decision.check(CheckKey.QUORUM_AREA).met
    assert decision.check(CheckKey.AGREE_AREA).actual == Fraction(3, 4)
    assert decision.check(CheckKey.AGREE_AREA).met
    assert decision.passed


def test_a_hundredth_of_a_square_metre_decides():
    assert not decide(figures(total_area="1024.38", participating_area="682.91",
                              agree_area="682.91")).quorum_met


def test_integer_areas_are_accepted():
    assert decide(figures(total_area=1200, participating_area=800, agree_area=600,
                          oppose_area=200, participating_owners=8, agree_owners=6,
                          oppose_owners=2)).passed


def test_exact_reads_decimals_and_fractions():
    assert exact("85.37") == exact(Decimal("85.37")) == Fraction(8537, 100)
    assert exact(" 9/10 ") == Fraction(9, 10)
    assert exact(".5") == exact("0.50") == Fraction(1, 2)
    assert exact(7) == Fraction(7)


@pytest.mark.parametrize("value", [0.5, True, None, [1], "1e3", "1_000", "", "abc", "1/0",
                                   "9 / 10", Decimal("NaN"), Decimal("Infinity"),
                                   Decimal("1E+999999999"), "1" * 41])
def test_exact_refuses_floats_and_anything_that_is_not_a_plain_number(value):
    with pytest.raises((TypeError, ValueError, ZeroDivisionError)):
        exact(value)


# --- inconsistent figures ------------------------------------------------------------------

def test_consistent_figures_have_no_errors():
    assert figure_errors(figures()) == {}
    assert figure_errors(figures(extra_rule=elevator_rule())) == {}


def test_opposing_and_abstaining_may_be_left_out():
    values = figures(oppose_owners=None, oppose_area=None, abstain_owners=None, abstain_area=None,
                     agree_owners=9, agree_area="900")
    assert figure_errors(values) == {}
    assert decide(values).passed


@pytest.mark.parametrize("field", ["total_owners", "participating_owners", "agree_owners",
                                   "oppose_owners", "abstain_owners"])
def test_negative_owners_are_refused(field):
    assert set(figure_errors(figures(**{field: -1}))) == {field}


@pytest.mark.parametrize("field", ["total_area", "participating_area", "agree_area",
                                   "oppose_area", "abstain_area"])
@pytest.mark.parametrize("value", ["-0.01", Decimal("-5"), -1])
def test_negative_areas_are_refused(field, value):
    assert set(figure_errors(figures(**{field: value}))) == {field}


@pytest.mark.parametrize("value", [1.5, "7", True, Decimal("7")])
def test_owners_must_be_whole_numbers(value):
    assert set(figure_errors(figures(agree_owners=value))) == {"agree_owners"}


@pytest.mark.parametrize("value", [85.37, "85,37", "1e3", Decimal("NaN"), object()])
def test_areas_must_be_exact_plain_numbers(value):
    assert set(figure_errors(figures(oppose_owners=0, oppose_area=value))) == {"oppose_area"}


@pytest.mark.parametrize("kind", ["owners", "area"])
@pytest.mark.parametrize("tally", [
    dict(agree=7, oppose=3, abstain=3),
    dict(agree=13, oppose=0, abstain=0),
    dict(agree=0, oppose=0, abstain=13),
])
def test_agree_oppose_abstain_beyond_those_taking_part_is_refused(kind, tally):
    # Twelve owners holding 1200 m² take part; the other basis stays consistent and small.
    overrides = {}
    for group, count in tally.items():
        if kind == "owners":
            overrides[f"{group}_owners"], overrides[f"{group}_area"] = count, f"{count * 10}"
        else:
            overrides[f"{group}_owners"] = min(count, 1)
            overrides[f"{group}_area"] = f"{count}00.00"
    assert set(figure_errors(figures(**overrides))) == {f"participating_{kind}"}


def test_a_tally_exactly_at_those_taking_part_is_consistent():
    assert figure_errors(figures(agree_owners=6, oppose_owners=4, abstain_owners=2,
                                 agree_area="600.00", oppose_area="400", abstain_area="200")) == {}


@pytest.mark.parametrize("field, value", [("participating_owners", 13),
                                          ("participating_area", "1200.01")])
def test_more_taking_part_than_the_scope_is_refused(field, value):
    assert set(figure_errors(figures(**{field: value}))) == {field}


@pytest.mark.parametrize("field, value", [("total_owners", 0), ("total_area", "0"),
                                          ("total_area", Decimal("0.00"))])
def test_an_empty_voting_scope_is_refused(field, value):
    errors = figure_errors(figures(participating_owners=0, participating_area="0",
                                   agree_owners=0, agree_area="0", **{field: value}))
    assert set(errors) == {field}


@pytest.mark.parametrize("group", ["total", "participating", "agree", "oppose", "abstain"])
def test_area_without_owners_is_refused(group):
    errors = figure_errors(figures(**{f"{group}_owners": None}))
    assert set(errors) == {f"{group}_owners"}


@pytest.mark.parametrize("group", ["total", "participating", "agree", "oppose", "abstain"])
def test_owners_without_area_is_refused(group):
    errors = figure_errors(figures(**{f"{group}_area": None}))
    assert set(errors) == {f"{group}_area"}


def test_an_area_held_by_no_owners_is_refused():
    errors = figure_errors(figures(agree_owners=11, oppose_owners=0, oppose_area="100",
                                   agree_area="1100"))
    assert set(errors) == {"oppose_owners"}


def test_owners_holding_no_area_are_refused():
    errors = figure_errors(figures(agree_owners=11, oppose_owners=1, oppose_area="0"))
    assert set(errors) == {"oppose_area"}


@pytest.mark.parametrize("group", ["total", "participating", "agree"])
def test_total_participating_and_agreeing_are_required(group):
    errors = figure_errors(figures(**{f"{group}_owners": None, f"{group}_area": None}))
    assert set(errors) == {f"{group}_owners", f"{group}_area"}


@pytest.mark.parametrize("matter_class", ["", "Special", "extraordinary", None])
def test_the_matter_class_must_be_special_or_ordinary(matter_class):
    assert set(figure_errors(figures(matter_class))) == {"matter_class"}


def test_the_matter_class_may_be_given_as_text():
    assert decide(figures("ordinary")).matter_class == MatterClass.ORDINARY


@pytest.mark.parametrize("threshold", ["0", 0, "-1/10", "1.01", "11/10", 0.9, "90%", "abc",
                                       None])
def test_extra_threshold_outside_zero_to_one_is_refused(threshold):
    errors = figure_errors(figures(extra_rule=elevator_rule(threshold=threshold)))
    assert set(errors) == {"extra_threshold"}


@pytest.mark.parametrize("field, change", [("extra_basis", dict(basis="households")),
                                           ("extra_against", dict(against="building"))])
def test_extra_rule_basis_and_against_are_checked(field, change):
    assert set(figure_errors(figures(extra_rule=elevator_rule(**change)))) == {field}


def test_several_mistakes_are_reported_together():
    errors = figure_errors(figures("other", total_owners=-3, agree_area="-1",
                                   extra_rule=elevator_rule(threshold="2")))
    assert set(errors) == {"matter_class", "total_owners", "agree_area", "extra_threshold"}


def test_decide_refuses_inconsistent_figures():
    with pytest.raises(InvalidFigures) as raised:
        decide(figures(participating_owners=13))
    assert set(raised.value.errors) == {"participating_owners"}
    assert isinstance(raised.value, ValueError)


def test_nobody_taking_part_fails_without_dividing_by_zero():
    decision = decide(figures(participating_owners=0, participating_area="0", agree_owners=0,
                              agree_area="0", extra_rule=elevator_rule(
                                  against=Against.PARTICIPATING)))
    assert not decision.passed and not decision.quorum_met
    for key in (CheckKey.AGREE_AREA, CheckKey.AGREE_OWNERS, CheckKey.EXTRA):
        assert decision.check(key).actual is None
        assert decision.check(key).met is False


# --- messages (rendered, so inside the app) ------------------------------------------------

def test_refusals_say_what_is_wrong(app):
    errors = english(figure_errors(figures(participating_owners=13, agree_area="1300",
                                           oppose_owners=None)))
    assert "voting scope" in errors["participating_owners"]
    assert "participating area" in errors["participating_area"]
    assert "owners" in errors["oppose_owners"]


def test_a_pass_gives_its_reason(app):
    special = decide(figures(SPECIAL))
    assert len(special.reasons) == 1
    assert "three quarters" in english(special.reason)
    ordinary = decide(figures(ORDINARY, agree_owners=7))
    assert "more than half" in english(ordinary.reason)
    with_rule = decide(figures(extra_rule=elevator_rule()))
    assert "加装电梯" in english(with_rule.reasons[1])


def test_a_failure_gives_every_failed_condition_quorum_first(app):
    decision = decide(figures(ORDINARY, participating_owners=7, agree_owners=3, agree_area="600",
                              extra_rule=elevator_rule(label="")))
    reasons = [english(reason) for reason in decision.reasons]
    assert len(reasons) == 4
    assert "two thirds of the owners must take part" in reasons[0]
    assert "more than half of the participating area" in reasons[1]
    assert "more than half of the participating owners" in reasons[2]
    assert "stricter local rule is not met" in reasons[3]
    assert decision.reason == decision.reasons[0]


def test_a_failed_labelled_rule_is_named(app):
    decision = decide(figures(agree_owners=10, extra_rule=elevator_rule()))
    assert [english(reason) for reason in decision.reasons] == [
        "Not passed: the stricter local rule “加装电梯” is not met."]


# --- properties against a reference in integer cross-multiplication -------------------------

def _reference(matter_class, owners, cents, rule):
    """``owners`` and ``cents`` map group → whole owners / whole hundredths of a m²."""
    def at_least(part, whole, numerator, denominator):
        return whole > 0 and part * denominator >= whole * numerator

    def more_than(part, whole, numerator, denominator):
        return whole > 0 and part * denominator > whole * numerator

    quorum = (at_least(cents["participating"], cents["total"], 2, 3)
              and at_least(owners["participating"], owners["total"], 2, 3))
    if matter_class == SPECIAL:
        agree = (at_least(cents["agree"], cents["participating"], 3, 4)
                 and at_least(owners["agree"], owners["participating"], 3, 4))
    else:
        agree = (more_than(cents["agree"], cents["participating"], 1, 2)
                 and more_than(owners["agree"], owners["participating"], 1, 2))
    extra = True
    if rule is not None:
        numerator, denominator, basis, against = rule
        counts = owners if basis == Basis.OWNERS else cents
        extra = at_least(counts["agree"], counts[against], numerator, denominator)
    return quorum, quorum and agree and extra


def _as_area(hundredths, style):
    whole, rest = divmod(hundredths, 100)
    if style == "int" and rest == 0:
        return whole
    text = f"{whole}.{rest:02d}"
    return Decimal(text) if style == "decimal" else text


@st.composite
def vote_cases(draw):
    """Consistent figures, mostly at or next to a threshold: owners and areas (in whole
    hundredths of a m²) just below, at and just above 2/3, 3/4, 1/2 and 9/10."""
    total_owners = draw(st.one_of(st.integers(1, 40), st.sampled_from([3, 4, 6, 12, 24, 120])))
    total_cents = draw(st.one_of(st.integers(1, 5_000_00),
                                 st.sampled_from([3, 12, 300, 1200_00, 256_11 * 3])))

    def near(limit, fraction):
        """At, just above, all of, just below and at the floor of a threshold share."""
        numerator, denominator = fraction
        at_least = -(-limit * numerator // denominator)
        values = [at_least, at_least + 1, limit, at_least - 1, limit * numerator // denominator]
        return [min(max(value, 0), limit) for value in values]

    def shares(owner_limit, cent_limit, fractions):
        """Owners and area, mostly both at the same spot around the same threshold (so that
        every condition is often met at once, or just missed), sometimes anything."""
        fraction = draw(st.sampled_from(fractions))
        spot = draw(st.integers(0, 4))
        together = (near(owner_limit, fraction)[spot], near(cent_limit, fraction)[spot])
        return draw(st.sampled_from([together, together, (
            draw(st.integers(0, owner_limit)), draw(st.integers(0, cent_limit)))]))

    def held(group):
        """Owners always hold some area, and area is always held by someone."""
        if (owners[group] == 0) != (cents[group] == 0):
            owners[group] = cents[group] = 0

    owners, cents = {"total": total_owners}, {"total": total_cents}
    owners["participating"], cents["participating"] = shares(total_owners, total_cents,
                                                             [(2, 3), (5, 6)])
    held("participating")
    left_owners, left_cents = owners["participating"], cents["participating"]
    for group in ("agree", "oppose", "abstain"):
        fractions = [(3, 4), (1, 2), (9, 10)] if group == "agree" else [(1, 2), (1, 1)]
        owners[group], cents[group] = shares(left_owners, left_cents, fractions)
        held(group)
        left_owners -= owners[group]
        left_cents -= cents[group]

    matter_class = draw(st.sampled_from([SPECIAL, ORDINARY]))
    threshold = st.sampled_from([(9, 10), (4, 5), (2, 3), (1, 1)]) | st.tuples(
        st.integers(1, 20), st.integers(1, 20)).filter(lambda pair: pair[0] <= pair[1])
    rule = draw(st.none() | st.tuples(threshold, st.sampled_from(list(Basis)),
                                      st.sampled_from(list(Against))))
    if rule is not None:
        (numerator, denominator), basis, against = rule
        rule = (numerator, denominator, basis, against)
    style = draw(st.sampled_from(["str", "decimal", "int"]))
    optional_tally = draw(st.booleans())
    return matter_class, owners, cents, rule, style, optional_tally


def _build(matter_class, owners, cents, rule, style, optional_tally):
    values = {"matter_class": matter_class}
    for group in ("total", "participating", "agree", "oppose", "abstain"):
        values[f"{group}_owners"] = owners[group]
        values[f"{group}_area"] = _as_area(cents[group], style)
    for group in ("oppose", "abstain"):
        if optional_tally and owners[group] == 0 and cents[group] == 0:
            values[f"{group}_owners"] = values[f"{group}_area"] = None
    if rule is not None:
        numerator, denominator, basis, against = rule
        threshold = (Fraction(numerator, denominator) if style == "int"
                     else f"{numerator}/{denominator}")
        values["extra_rule"] = ExtraRule(threshold=threshold, basis=basis, against=against,
                                         label="")
    return VoteFigures(**values)


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(vote_cases())
def test_decide_agrees_with_integer_cross_multiplication(case):
    matter_class, owners, cents, rule, _style, _optional = case
    vote = _build(*case)
    assert figure_errors(vote) == {}
    decision = decide(vote)
    quorum, passed = _reference(matter_class, owners, cents, rule)
    assert decision.quorum_met == quorum
    assert decision.passed == passed


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(vote_cases())
def test_a_pass_always_has_its_quorum_and_every_check_met(case):
    decision = decide(_build(*case))
    assert decision.passed == all(check.met for check in decision.checks)
    if decision.passed:
        assert decision.quorum_met
        assert met(decision)[CheckKey.QUORUM_AREA] and met(decision)[CheckKey.QUORUM_OWNERS]
    else:
        assert decision.reasons and len(decision.reasons) == sum(
            not check.met for check in decision.checks)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(vote_cases(), st.data())
def test_more_agreement_never_turns_a_pass_into_a_fail(case, data):
    matter_class, owners, cents, rule, style, optional_tally = case
    before = decide(_build(*case))
    # More agreeing owners and area: from opposers, or from those who took part without voting.
    # Opposers move with some of their area, and the last opposing area only with the last
    # opposing owner, so every group keeps owners and area together.
    moved_owners = data.draw(st.integers(0, owners["oppose"]))
    if moved_owners == owners["oppose"]:
        moved_cents = cents["oppose"]
    elif moved_owners and cents["oppose"] >= 2:
        moved_cents = data.draw(st.integers(1, cents["oppose"] - 1))
    else:
        moved_owners = moved_cents = 0
    slack_owners = data.draw(st.integers(0, owners["participating"] - owners["agree"]
                                         - owners["oppose"] - owners["abstain"]))
    slack_cents = data.draw(st.integers(0, cents["participating"] - cents["agree"]
                                        - cents["oppose"] - cents["abstain"]))
    raised_owners = dict(owners, oppose=owners["oppose"] - moved_owners,
                         agree=owners["agree"] + moved_owners + slack_owners)
    raised_cents = dict(cents, oppose=cents["oppose"] - moved_cents,
                        agree=cents["agree"] + moved_cents + slack_cents)
    if raised_owners["agree"] and not raised_cents["agree"]:
        raised_owners["agree"] -= slack_owners
    if raised_cents["agree"] and not raised_owners["agree"]:
        raised_cents["agree"] -= slack_cents
    raised_case = (matter_class, raised_owners, raised_cents, rule, style, optional_tally)
    raised_vote = _build(*raised_case)
    assert figure_errors(raised_vote) == {}
    after = decide(raised_vote)
    if before.passed:
        assert after.passed
    assert after.quorum_met == before.quorum_met


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(vote_cases(), st.integers(1, 1000))
def test_figures_beyond_consistency_are_refused_not_decided(case, extra):
    matter_class, owners, cents, rule, style, optional_tally = case
    too_many = dict(owners, participating=owners["total"] + extra)
    vote = _build(matter_class, too_many, dict(cents, participating=cents["total"] + extra),
                  rule, style, optional_tally)
    assert "participating_owners" in figure_errors(vote)
    with pytest.raises(InvalidFigures):
        decide(vote)
