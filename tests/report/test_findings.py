"""A verdict is read by one rule in every column: a beats b only when every seed of a beats every seed of b, and
columns that disagree make the verdict mixed."""

from tfsheet.report.findings import BETTER, MIXED, NO_EFFECT, SEED_SEPARATED, WORSE, Finding, compare
from tfsheet.results import Seeded, seeded


def test_seeds_that_overlap_are_no_effect_and_separated_ones_a_win_or_a_loss():
    low, high = seeded([1.0, 1.1, 1.2], [0, 1, 2]), seeded([1.3, 1.4, 1.5], [0, 1, 2])
    assert compare(low, high) == BETTER and compare(high, low) == WORSE
    assert compare(low, seeded([1.15, 1.5, 1.6], [0, 1, 2])) == NO_EFFECT       # one seed inside the other's range
    assert compare(high, low, lower_is_better=False) == BETTER                 # accuracies: higher is better
    assert compare(Seeded.constant(2.0), Seeded.constant(2.0)) == NO_EFFECT     # no seed: the numbers themselves


def test_a_finding_read_differently_in_its_columns_is_mixed_and_says_how():
    finding = Finding("5.1", "x against y", SEED_SEPARATED, (("one pass", NO_EFFECT), ("equal updates", BETTER)))
    assert finding.verdict == MIXED and finding.reading("equal updates") == BETTER
    assert finding.describe() == "mixed (one pass: no effect; equal updates: better)"
    agreed = Finding("5.1", "x against y", SEED_SEPARATED, (("validation", WORSE), ("test", WORSE)))
    assert agreed.verdict == WORSE and agreed.describe() == "worse"
    assert Finding("4.4", "z", SEED_SEPARATED, (("2 units", False),)).describe() == "does not hold"


def test_runs_disagree_only_on_a_column_both_have():
    from tfsheet.report.document import _disagree

    default = Finding("4.4", "c", SEED_SEPARATED, (("2 units", False), ("4 units", True)))
    full = Finding("4.4", "c", SEED_SEPARATED, (("2 units", False), ("4 units", True), ("256 units", False)))
    assert not _disagree(default, full)
    assert _disagree(default, Finding("4.4", "c", SEED_SEPARATED, (("2 units", True),)))


def test_a_verdict_that_differs_only_through_columns_one_scale_lacks_is_listed_apart():
    from tfsheet.report.document import _appendix

    default = Finding("4.4", "c", SEED_SEPARATED, (("2 units", False),))
    full = Finding("4.4", "c", SEED_SEPARATED, (("2 units", False), ("256 units", True)))
    text = _appendix("default", {"4.4": (default,)}, {"full": {"4.4": (full,)}})
    assert "Every verdict is the same at both scales." in text      # no column both read differently
    assert "one scale reads more columns" in text and "c: default scale: does not hold; full scale: mixed" in text
