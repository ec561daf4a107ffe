"""The committed reports, one folder per scale, and their results files: what the committed-report tests read."""

import json

from tests.conftest import REPOSITORY
from tfsheet.experiments.registry import EXPERIMENTS
from tfsheet.results import typed

COMMITTED_REPORTS = {"default": REPOSITORY / "docs" / "report",          # scale -> the folder its make target writes
                     "full": REPOSITORY / "docs" / "report-full"}
TIME_BOUND_SECONDS = {"default": 75 * 60, "full": 4 * 3600}   # the wall time each scale promises (the README's table)


def records(scale):
    """The committed records of the report at `scale`, in the registry's order."""
    order = {experiment.name: i for i, experiment in enumerate(EXPERIMENTS)}
    found = [json.loads(path.read_text()) for path in (COMMITTED_REPORTS[scale] / "results").glob("*.json")]
    return sorted(found, key=lambda record: order[record["experiment"]])


def results(scale, experiment):
    """The results of `experiment` (a registry entry) in the committed report at `scale`, Seeded numbers typed."""
    path = COMMITTED_REPORTS[scale] / "results" / f"{experiment.name}.json"
    return typed(json.loads(path.read_text())["results"])


def typed_records(scale):
    """{experiment name: record} of the committed report at `scale`, as the answers receive them."""
    return {record["experiment"]: typed(record) for record in records(scale)}


def compared_scales(scale):
    """{other scale: its committed records}: what the committed report at `scale` compares its verdicts with (the
    make targets pass the other folder as --compare-with)."""
    return {other: records(other) for other in COMMITTED_REPORTS if other != scale}
