"""The committed records at a scale, as a deep copy a test may edit freely."""

import copy

from tests.report import committed
from tfsheet.results import Seeded


def current_records(scale="default"):
    """The committed records at `scale`, typed (a deep copy: edit freely)."""
    return copy.deepcopy(committed.typed_records(scale))


def shifted(value, by):
    """A Seeded like `value`, every seed moved by `by`."""
    return Seeded(tuple(v + by for v in value.values), value.seeds)
