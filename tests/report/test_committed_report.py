"""One source of truth: the committed report is exactly what its committed results give, and no hand-written
page carries a measured number."""

import dataclasses
import json
import pathlib
import re

import pytest

import tfsheet
from tests.conftest import REPOSITORY
from tfsheet.experiments.registry import EXPERIMENTS
from tfsheet.report import cache
from tfsheet.report.document import write_report

REPORT = REPOSITORY / "docs" / "report"
WRITTEN_LINE = re.compile(r"^Written .* by `tfsheet report", re.MULTILINE)

# a measured number: one with two or more decimals, or any number with a unit of measurement
MEASURED = re.compile(r"(?<![\w.])\d[\d,]*(\.\d+)?\s?(%|nats?\b|bits?/char|bpc\b|ms\b|GFLOP|MiB\b|GB\b|ex/s|"
                      r"examples/s|tokens/s|s\b|seconds?\b|minutes?\b|hours?\b)|(?<![\w.])\d+\.\d{2,}(?![\w.])")
ALLOWED = re.compile(r"Python \d|TensorFlow \d|Keras \d|tensorflow[=<>~]|serving-api \d|TF \d|\"inputs\": ")


def committed_records():
    order = {experiment.name: i for i, experiment in enumerate(EXPERIMENTS)}
    records = [json.loads(path.read_text()) for path in (REPORT / "results").glob("*.json")]
    return sorted(records, key=lambda record: order[record["experiment"]])


def test_every_experiment_of_the_default_report_is_committed():
    records = committed_records()
    assert [record["experiment"] for record in records] == [experiment.name for experiment in EXPERIMENTS]
    assert all(record["scale"] == "default" and record["status"] == "ok" for record in records)
    for record in records:                          # paths inside the report folder, true in any clone
        assert all((REPORT / path).resolve().is_relative_to(REPORT) for path in record["outputs"].values())
        assert not any(pathlib.PurePath(path).is_absolute() for path in record["outputs"].values())


def test_the_committed_results_are_current_so_make_docs_report_reuses_them():
    """Each record was made with today's default preset and carries the key the cache recomputes from it: a
    setting added, removed or changed since would make `make docs-report` retrain instead of re-render."""
    for record, experiment in zip(committed_records(), EXPERIMENTS):
        assert record["config"] == json.loads(json.dumps(dataclasses.asdict(experiment.config("default"))))
        assert record["settings"] == {} and record["tfsheet"] == tfsheet.__version__
        assert record["key"] == cache.record_key(record)


def test_the_committed_report_is_what_its_committed_results_give(tmp_path):
    written = write_report(tmp_path, committed_records(), "default")
    assert written["errors"] == []
    rendered = WRITTEN_LINE.sub("", written["markdown"].read_text())
    committed = WRITTEN_LINE.sub("", (REPORT / "index.md").read_text())
    assert rendered == committed
    for figure in re.findall(r"\]\((figures/[^)]+)\)", committed):
        assert (REPORT / figure).is_file(), figure


def _measured_numbers(text):
    found = []
    for line in text.splitlines():
        if ALLOWED.search(line):
            continue
        found += [match.group(0) for match in MEASURED.finditer(line)]
    return found


@pytest.mark.parametrize("page", sorted(str(path.relative_to(REPOSITORY)) for path in
                                        [REPOSITORY / "README.md", *(REPOSITORY / "docs").glob("*.md")]))
def test_hand_written_pages_carry_no_measured_number(page):
    assert _measured_numbers((REPOSITORY / page).read_text()) == []


def test_the_number_check_finds_what_it_looks_for():
    assert _measured_numbers("reaches 98.32 % in 12 s, 1.503 nats") == ["98.32 %", "12 s", "1.503 nats"]
    assert _measured_numbers("Problem 5.1 and Q2.2 with H = 256 and 5,000 images") == []
