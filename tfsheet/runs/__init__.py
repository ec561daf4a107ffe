"""Running experiments: the runner (tfsheet.runs.runner), its results cache (cache) and the wall-time
stopwatch that survives interruptions (stopwatch). `tfsheet.report` only renders what they record."""

# What the runner does with a record made with other settings (another key): stop with an error naming the
# change, replace only those records (--restart), or re-run every experiment (--force).
REFUSE, CHANGED, ALL = "refuse", "changed", "all"
REPLACE_MODES = (REFUSE, CHANGED, ALL)
