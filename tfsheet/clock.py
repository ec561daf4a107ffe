"""Durations as people read them: one formatter for the runner's summary, the time-left estimates and the
report's header."""

import math


def duration(seconds):
    """"1 h 05 min", "3 min 07 s" or "42 s": `seconds` rounded up to a whole second (>= 0)."""
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"duration needs a finite number of seconds >= 0. Received: {seconds!r}")
    seconds = int(math.ceil(seconds))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def time_left(seconds_so_far, done, total):
    """"about 1 min 20 s left": the rest of `total` units at the pace of the `done` taken so far; "" when
    nothing is done yet or nothing is left."""
    left = total - done
    if done <= 0 or left <= 0:
        return ""
    return f"about {duration(seconds_so_far / done * left)} left"
