"""Findings: the verdicts of the answers, computed from the records apart from the prose that renders them.

An answer first reads its records into Findings (pure functions of the results), then writes text
from them; the claims tests assert the findings, and the report's appendix lists every one. Each
verdict is read by a named Rule, applied to every column it could be read in (one pass and equal
updates, validation and test, ...); a verdict that differs between columns is reported as mixed,
never silently picked.

    finding = Finding("5.1", "carried RNN at k = 2 beats the frozen control", SEED_SEPARATED,
                      (("one pass", compare(carried, control)), ("equal updates", compare(equal, control))),
                      evidence="0.501 ± 0.004 vs 0.506 ± 0.012 nats")
    finding.verdict    # "better", "worse", "no effect" or "mixed"
"""

import dataclasses

BETTER, WORSE, NO_EFFECT, MIXED = "better", "worse", "no effect", "mixed"


@dataclasses.dataclass(frozen=True)
class Rule:
    """How a verdict is read from numbers: its name and the one-line reason for it."""

    name: str
    reason: str


SEED_SEPARATED = Rule(
    "seed-separated",
    "a beats b only when every seed of a is better than every seed of b; seeds that overlap are no effect, "
    "since a difference inside the seed spread could be the seed")


def compare(a, b, lower_is_better=True):
    """BETTER, WORSE or NO_EFFECT for Seeded `a` against Seeded `b` under SEED_SEPARATED (a number with no seed
    is its one value, so two such numbers compare as numbers)."""
    if lower_is_better:
        a_best, a_worst, b_best, b_worst = a.min, a.max, b.min, b.max
        if a_worst < b_best:
            return BETTER
        if a_best > b_worst:
            return WORSE
        return NO_EFFECT
    return compare(b, a, lower_is_better=True)


@dataclasses.dataclass(frozen=True)
class Finding:
    """One verdict of an answer: the claim, its reading per column (column name, BETTER/WORSE/NO_EFFECT or
    True/False), the rule, and the numbers it rests on as text."""

    question: str
    claim: str
    rule: Rule
    columns: tuple
    evidence: str = ""

    @property
    def verdict(self):
        """The columns' common reading, or MIXED when they differ."""
        readings = {reading for _, reading in self.columns}
        return readings.pop() if len(readings) == 1 else MIXED

    def reading(self, column):
        """The verdict in one column."""
        return dict(self.columns)[column]

    def describe(self):
        """'better' or 'mixed (one pass: better; equal updates: no effect)': the verdict as the appendix shows it."""
        verdict = self.verdict
        if verdict != MIXED:
            return _word(verdict)
        return "mixed (" + "; ".join(f"{column}: {_word(reading)}" for column, reading in self.columns) + ")"


def _word(reading):
    return {True: "holds", False: "does not hold"}.get(reading, reading)
