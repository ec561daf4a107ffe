"""The report's answers, one module per problem of the sheet.

Each question is a `Question`: the sheet's question in brief and a function that writes the answer
(Markdown, with $math$) from the results of the experiments that answer it (the registry's
`questions`, tfsheet.experiments.registry) and draws its figures from them. Every number in an
answer is read from the results passed in.
"""

import dataclasses
from typing import Callable


@dataclasses.dataclass(frozen=True)
class Figure:
    path: str
    caption: str


@dataclasses.dataclass(frozen=True)
class Answer:
    """What a question's section shows: `text` (the verdict first) and `figures` in view, then `details`, each
    folded (an HTML <details> section): the methods, budgets, searches and secondary tables."""

    text: str
    figures: tuple = ()
    details: tuple = ()      # Detail, ...


@dataclasses.dataclass(frozen=True)
class Detail:
    """A folded part of an answer: its title, its Markdown and its figures."""

    title: str
    text: str
    figures: tuple = ()


@dataclasses.dataclass(frozen=True)
class Question:
    """One question of the sheet.

    Attributes:
        number: "1", "2.1", ... as the sheet numbers it.
        title: a few words.
        question: the question in brief (Markdown).
        answer: `answer(records, figure_dir) -> Answer`, where records maps the name of each
            experiment answering this question to its report record ("results", "config",
            "seconds", ...) and figure_dir is where the answer draws its figures.
        findings: `findings(records) -> tuple of tfsheet.report.findings.Finding`: the verdicts the answer
            renders, computed from the same records (the report's appendix lists them at every scale).
    """

    number: str
    title: str
    question: str
    answer: Callable
    findings: Callable = lambda records: ()


@dataclasses.dataclass(frozen=True)
class Problem:
    number: str
    title: str
    problems: tuple     # the --only names that select it (P1, ... P5.1, P5.2)
    questions: tuple


def all_problems():
    from tfsheet.report.answers import problem1, problem2, problem3, problem4, problem5

    return (problem1.PROBLEM, problem2.PROBLEM, problem3.PROBLEM, problem4.PROBLEM, problem5.PROBLEM)
