"""One source of truth: each committed report is exactly what its committed results give, and no hand-written
page carries a measured number."""

import dataclasses
import json
import pathlib
import re

import pytest

import tfsheet
from tests.conftest import REPOSITORY
from tests.report.committed import COMMITTED_REPORTS, TIME_BOUND_SECONDS, compared_scales, records
from tfsheet.experiments.registry import EXPERIMENTS
from tfsheet.runs import cache
from tfsheet.report.document import write_report

WRITTEN_LINE = re.compile(r"^Written .* by `tfsheet report", re.MULTILINE)

# a measured number: one with two or more decimals, or any number with a unit of measurement
MEASURED = re.compile(r"(?<![\w.])\d[\d,]*(\.\d+)?\s?(%|nats?\b|bits?/char|bpc\b|ms\b|GFLOP|MiB\b|GB\b|ex/s|"
                      r"examples/s|tokens/s|s\b|seconds?\b|minutes?\b|hours?\b)|(?<![\w.])\d+\.\d{2,}(?![\w.])")
ALLOWED = re.compile(r"Python \d|TensorFlow \d|Keras \d|tensorflow[=<>~]|serving-api \d|TF \d|\"inputs\": ")

scales = pytest.mark.parametrize("scale", COMMITTED_REPORTS)


@scales
def test_every_experiment_of_the_report_is_committed(scale):
    report = COMMITTED_REPORTS[scale]
    committed = records(scale)
    assert [record["experiment"] for record in committed] == [experiment.name for experiment in EXPERIMENTS]
    assert all(record["scale"] == scale and record["status"] == "ok" for record in committed)
    for record in committed:                        # paths inside the report folder, true in any clone
        assert all((report / path).resolve().is_relative_to(report) for path in record["outputs"].values())
        assert not any(pathlib.PurePath(path).is_absolute() for path in record["outputs"].values())


@scales
def test_the_whole_report_ran_within_the_time_its_scale_promises(scale):
    assert sum(record["seconds"] for record in records(scale)) < TIME_BOUND_SECONDS[scale]


@scales
def test_the_committed_results_are_current_so_re_rendering_reuses_them(scale):
    """Each record was made with today's preset and carries the key the cache recomputes from it: a setting
    added, removed or changed since would make the report's make target retrain instead of re-render."""
    for record, experiment in zip(records(scale), EXPERIMENTS):
        assert record["config"] == json.loads(json.dumps(dataclasses.asdict(experiment.config(scale))))
        assert record["settings"] == {} and record["tfsheet"] == tfsheet.__version__
        assert record["key"] == cache.record_key(record)


@scales
def test_the_committed_report_is_what_its_committed_results_give(scale, tmp_path):
    report = COMMITTED_REPORTS[scale]
    written = write_report(tmp_path, records(scale), scale, compare_with=compared_scales(scale))
    assert written["errors"] == []
    rendered = WRITTEN_LINE.sub("", written["markdown"].read_text())
    committed = WRITTEN_LINE.sub("", (report / "index.md").read_text())
    assert rendered == committed
    for figure in re.findall(r"\]\((figures/[^)]+)\)", committed):
        assert (report / figure).is_file(), figure


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


PATH_NAMED = re.compile(r"`((?:tfsheet|scripts|benchmarks|tests|docs|saved_models)/[\w./-]*)`")


@pytest.mark.parametrize("page", sorted(str(path.relative_to(REPOSITORY)) for path in
                                        [REPOSITORY / "README.md", *(REPOSITORY / "docs").glob("*.md")]))
def test_every_file_a_hand_written_page_names_is_in_the_repository(page):
    named = PATH_NAMED.findall((REPOSITORY / page).read_text())
    assert [path for path in named if not (REPOSITORY / path).exists()] == []


def test_the_path_check_finds_what_it_looks_for():
    assert PATH_NAMED.findall("in `tfsheet/gone.py` and `docs/`, not `mlp_binary/` or `make run`") == [
        "tfsheet/gone.py", "docs/"]


VISIBLE_WORDS = 500     # the most prose an answer shows before its folded details


def _visible_prose(section):
    """The words a reader sees of a section: every line outside its folded details but tables, display
    formulas, figures and the quoted question (inline formulas and captions count)."""
    body = re.sub(r"<details>.*?</details>", "", section, flags=re.DOTALL)
    lines = [line for line in body.splitlines()[1:]
             if line.strip() and not line.lstrip().startswith(("|", "![", "$$", ">"))]
    return len(" ".join(lines).split())


@scales
def test_every_answer_shows_at_most_500_words_before_its_folded_details(scale):
    text = (COMMITTED_REPORTS[scale] / "index.md").read_text()
    sections = re.split(r"\n### ", text[:text.index("## Appendix")])[1:]
    assert len(sections) == 15
    sections += re.split(r"\n### ", text[text.index("## Appendix"):])[1:]       # the appendix's own sections too
    assert {section.split("\n")[0]: _visible_prose(section) for section in sections
            if _visible_prose(section) > VISIBLE_WORDS} == {}


@scales
def test_the_page_opens_with_contents_and_closes_with_every_verdict(scale):
    text = (COMMITTED_REPORTS[scale] / "index.md").read_text()
    assert text.index("**Contents:**") < text.index("### 1 ") < text.index("## Appendix: every verdict")
    assert re.search(r"from experiments that ran from \d{4}-\d\d-\d\d \d\d:\d\d to", text)


@scales
def test_where_the_scales_disagree_is_generated_from_both_results_sets(scale):
    text = (COMMITTED_REPORTS[scale] / "index.md").read_text()
    disagreements = text[text.index("### Where the scales disagree"):]
    assert "H = 8: one-hot against binary outputs: default scale: no effect; full scale: better" in disagreements \
        or "H = 8: one-hot against binary outputs: full scale: better; default scale: no effect" in disagreements
    assert "H = 256: one-hot" not in disagreements            # the same verdict at both scales is not listed


@scales
def test_the_header_names_the_experiments_kept_from_an_earlier_run(scale):
    kept = [record["experiment"] for record in records(scale) if record.get("carried_over")]
    text = (COMMITTED_REPORTS[scale] / "index.md").read_text()
    assert (f"**Kept from an earlier run:** {', '.join(kept)}:" in text) == bool(kept)
