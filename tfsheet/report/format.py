"""How the report writes numbers and tables (Markdown): one place, so every section reads alike.

Every function takes a measured value and returns text; a value that is NaN or missing is written
as "NaN" or "missing", never hidden, so a broken result shows in the report (and fails its test).
"""

import math


def _finite(value):
    return isinstance(value, (int, float)) and math.isfinite(value)


def number(value, digits=3):
    """A plain number with `digits` decimals ("1.503"); thousands separated for large integers."""
    if value is None:
        return "missing"
    if not _finite(value):
        return "NaN" if value != value else str(value)
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 1000:
        return f"{int(value):,}"
    return f"{value:.{digits}f}"


def percent(fraction, digits=2):
    """A fraction as a percentage: 0.9832 -> "98.32 %"."""
    if not _finite(fraction):
        return number(fraction)
    return f"{100 * fraction:.{digits}f} %"


def seeded(value, digits=3, scale=1.0, unit=""):
    """A Seeded (tfsheet.results) as "mean ± std" over its seeds, scaled (just the mean for a single value)."""
    if not _finite(value.mean):
        return number(value.mean)
    text = f"{scale * value.mean:.{digits}f}"
    if len(value.values) > 1:
        text += f" ± {scale * value.std:.{digits}f}"
    return text + unit


def seeded_percent(value, digits=2):
    """A Seeded fraction as "98.02 ± 0.11 %"."""
    return seeded(value, digits, 100.0, " %")


def scientific(value, digits=1):
    """Small magnitudes: 1.4e-15."""
    if not _finite(value):
        return number(value)
    return f"{value:.{digits}e}"


def seconds(value):
    if not _finite(value):
        return number(value)
    return f"{value:.0f} s" if value >= 10 else f"{value:.1f} s"


def table(headers, rows):
    """A Markdown table; cells are text already (use the functions above). A "|" in a cell's text (|x - 1/3|) is
    escaped, so it does not end the cell; inside $...$ it is left to the formula."""
    def cell(value):
        parts = str(value).split("$")
        return "$".join(part if i % 2 else part.replace("|", "\\|") for i, part in enumerate(parts))

    lines = ["| " + " | ".join(map(cell, headers)) + " |", "| " + " | ".join("---" for _ in headers) + " |"]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in rows]
    return "\n".join(lines)


def search(found, describe):
    """One sentence of what a validation search tried and chose: `describe(settings)` names one candidate."""
    metric = found.get("metric", "validation_nats")
    shown = percent if metric.endswith("accuracy") else number
    tried = "; ".join(f"{describe(row)}: {shown(row[metric])}" for row in found["tried"])
    chosen = describe(found["chosen"]) + (f", {found['chosen']['epochs']} epochs" if "epochs" in found["chosen"] else "")
    return f"chosen on the {found['split']} split: {chosen} (tried {tried}; {metric.replace('_', ' ')})"


def over_seeds(value):
    """How a Seeded was taken: "mean ± std over 3 seeds", or "one seed"."""
    count = len(value.values)
    return f"mean ± std over {count} seeds" if count > 1 else "one seed"
