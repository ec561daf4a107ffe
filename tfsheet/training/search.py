"""Hyperparameters chosen on a validation split by a small grid search, recorded with what was tried.

    candidates = grid(learning_rate=(1e-3, 3e-3), clip_norm=(0.0, 1.0))
    search = choose(candidates, lambda settings: validation_nats_of_a_short_run(**settings))
    search["chosen"]   # e.g. {"learning_rate": 0.003, "clip_norm": 1.0}

A candidate whose run diverges (tfsheet.errors.NonFiniteLossError) scores +inf rather than ending
the search, so the range of a grid may safely include a rate that is too large. The test split is
never looked at here: the caller passes a function that scores on validation data only.
"""

import itertools
import math

from tfsheet.errors import NonFiniteLossError


def grid(**axes):
    """Every combination of the axes' values, as dicts: grid(a=(1, 2), b=(3,)) -> [{a: 1, b: 3}, {a: 2, b: 3}]."""
    for name, values in axes.items():
        if not values:
            raise ValueError(f"the search axis {name!r} has no values")
    names = list(axes)
    return [dict(zip(names, values)) for values in itertools.product(*(axes[name] for name in names))]


def choose(candidates, validation_score, metric="validation_nats", maximize=False):
    """Score every candidate with `validation_score(candidate)` and keep the best (lowest, or highest
    when `maximize`) value of `metric`.

    `validation_score` returns the metric's value, or a dict holding it and anything else worth
    recording (say the best epoch). Returns {"split": "validation", "metric", "tried": [candidate +
    its scores], "chosen": candidate plus the extras its score recorded}; ties go to the earlier
    candidate, so list the cheaper or more conservative settings first.
    """
    if not candidates:
        raise ValueError("choose needs at least one candidate")
    worst = -math.inf if maximize else math.inf
    tried = []
    for candidate in candidates:
        try:
            scored = validation_score(dict(candidate))
        except NonFiniteLossError:
            scored = worst
        scored = dict(scored) if isinstance(scored, dict) else {metric: scored}
        value = float(scored[metric])
        tried.append({**candidate, **scored, metric: value if math.isfinite(value) else worst})
    pick = max if maximize else min
    best = pick(range(len(tried)), key=lambda i: tried[i][metric])
    if not math.isfinite(tried[best][metric]):
        raise NonFiniteLossError(f"every candidate of the search diverged: {candidates}")
    extras = {key: value for key, value in tried[best].items() if key not in candidates[best] and key != metric}
    return {"split": "validation", "metric": metric, "tried": tried, "chosen": {**candidates[best], **extras}}
