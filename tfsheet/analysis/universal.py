"""Problem 4: one-hidden-layer ReLU networks as universal approximators, and their limits.

Every function here returns or reads a `ReluNet`, h(x) = sum_j v_j ReLU(w_j x + b_j) + c.

Q4.2  sheet_example(): h(x) = ReLU(x - 3) - ReLU(x - 4) = min(max(x - 3, 0), 1).
Q4.3  ramp(c, d): h_{c,d}(x) = (ReLU(x - c) - ReLU(x - d)) / (d - c): 0 left of c, 1 right of d,
      the line (x - c)/(d - c) between.
Q4.4  approximate(f, eps): any continuous f on [a, b] to within eps, by construction.
Q4.5  asymptote(model): beyond its last kink every such net is exactly linear.
Q4.6  prime_counterexample(model): hence no such net is positive exactly on the primes.
"""

import dataclasses
import math
import numbers

import keras
import numpy as np

from tfsheet.models.relu_net import ReluNet


def sheet_example():
    """Q4.2's network: w^2_00 = w^2_10 = w^3_00 = 1, w^3_01 = -1, b^2_0 = -3, b^2_1 = -4, b^3_0 = 0.

    h(3) = ReLU(0) - ReLU(-1) = 0 and h(4) = ReLU(1) - ReLU(0) = 1; in general
    h(x) = 0 for x < 3, x - 3 on [3, 4], 1 for x > 4, i.e. min(max(x - 3, 0), 1).
    """
    return ReluNet.from_weights(w=[1.0, 1.0], b=[-3.0, -4.0], v=[1.0, -1.0], c=0.0, name="relu_sheet_example")


def ramp(c, d, dtype=None):
    """Q4.3's h_{c,d}: two ReLUs with kinks at c and d, scaled by 1/(d - c).

    (ReLU(x - c) - ReLU(x - d)) / (d - c) is 0 for x < c, (x - c)/(d - c) on [c, d], and
    (d - c)/(d - c) = 1 for x > d: exactly the sheet's function.
    """
    if not (_is_number(c) and _is_number(d)) or not (np.isfinite(c) and np.isfinite(d)) or not c < d:
        raise ValueError(f"ramp needs finite numbers c < d. Received: c={c!r}, d={d!r}")
    weights = np.dtype(dtype or keras.config.floatx())
    if not np.issubdtype(weights, np.floating):
        raise ValueError(f"ramp's weights need a float dtype (1/(d - c) is a fraction). Received: dtype={dtype!r}")
    with np.errstate(over="ignore", divide="ignore"):   # a kink or a scale past the dtype's range becomes inf: refused
        apart = (np.array(c, weights) < np.array(d, weights) and math.isfinite(float(d) - float(c))
                 and np.isfinite(np.array(1.0, weights) / (np.array(d, weights) - np.array(c, weights))))
    if not apart:
        raise ValueError(f"ramp's kinks c={c!r} and d={d!r} are one number in {weights.name} (or d - c overflows, or "
                         f"1/(d - c) does), so the net would be 0 or inf: give dtype='float64' or kinks further apart")
    scale = 1.0 / (d - c)
    return ReluNet.from_weights(w=[1.0, 1.0], b=[-c, -d], v=[scale, -scale], c=0.0, dtype=dtype, name="relu_ramp")


# -- Q4.4 -------------------------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Certificate:
    """How `approximate` knows its bound.

    max_error: the largest |f - h| found on the check grid (points spaced `resolution` apart,
        plus every knot, plus `points_per_piece` points inside each linear piece).
    bound: a proved upper bound of sup |f - h| on [a, b] when `lipschitz` was given
        (max over pieces of L * length / 2, which is what linear interpolation of an
        L-Lipschitz function can miss by), else None: then only the dense check stands behind eps.
    """

    eps: float
    width: int
    max_error: float
    resolution: float
    bound: float | None
    method: str


def approximate(f, eps, a=0.0, b=1.0, lipschitz=None, max_width=100_000, check_points=2 ** 17):
    """A ReluNet h with |f(x) - h(x)| < eps for all x in [a, b], constructed (not trained).

    The argument of Q4.4. f is continuous on the closed interval [a, b], hence uniformly continuous:
    there is a delta with |f(x) - f(y)| < eps/2 whenever |x - y| < delta. On a grid a = x_0 < ... < x_n = b
    with spacing below delta, the piecewise-linear interpolant g of f is, on each piece, a weighted mean of
    f(x_i) and f(x_{i+1}), both within eps/2 of f(x), so |f - g| < eps everywhere. And g is a ReLU net:
        g(x) = f(x_0) + s_0 ReLU(x - x_0) + sum_{i=1}^{n-1} (s_i - s_{i-1}) ReLU(x - x_i),
    with s_i the slope on piece i (each term adds the slope change at its knot: a sum of ramps).

    The construction: start from the single piece [a, b] and split every piece whose own check
    (`points_per_piece` points) finds an error >= eps/2, until none does; then merge nothing, drop the
    knots where the slope does not change, and check the assembled float64 network on a dense grid of
    `check_points` points plus all knots. If that check finds an error >= eps, the offending pieces are
    split further; a net that fails the dense check is never returned. Splitting only where needed keeps
    the width small (sqrt needs fine pieces near 0 only).

    What guarantees the bound: with `lipschitz` = L (|f(x) - f(y)| <= L |x - y|), each piece is also
    shortened to length < 2 eps / L, and then sup |f - h| <= max_piece L * length / 2 < eps is proved
    (up to float64 rounding). Without it, the guarantee is the dense check at the stated resolution:
    a continuous f could in principle wiggle between check points, which no finite check excludes.

    Returns:
        A float64 ReluNet; its `certificate` attribute is a Certificate (width, measured error, bound).

    Raises:
        ValueError: eps <= 0, a >= b, f returning NaN/inf or the wrong shape, or eps not reached
            within `max_width` pieces (f may be discontinuous).
    """
    if not (_is_number(eps) and math.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be a finite number > 0. Received: eps={eps!r}")
    if not (_is_number(a) and _is_number(b) and math.isfinite(a) and math.isfinite(b) and a < b):
        raise ValueError(f"need finite numbers a < b. Received: a={a!r}, b={b!r}")
    if lipschitz is not None and not (_is_number(lipschitz) and math.isfinite(lipschitz) and lipschitz > 0):
        raise ValueError(f"lipschitz must be a finite number > 0. Received: lipschitz={lipschitz!r}")
    if (isinstance(check_points, bool) or not isinstance(check_points, int)
            or not MIN_CHECK_POINTS <= check_points <= MAX_CHECK_POINTS):
        raise ValueError(f"check_points must be an int in [{MIN_CHECK_POINTS}, {MAX_CHECK_POINTS:,}]: the dense check "
                         "is the guarantee, and it holds every point in memory. "
                         f"Received: check_points={check_points!r}")
    if isinstance(max_width, bool) or not isinstance(max_width, int) or max_width < 1:
        raise ValueError(f"max_width must be an int >= 1 (the most pieces, so hidden units, allowed). "
                         f"Received: max_width={max_width!r}")
    if not callable(f):
        raise TypeError(f"f must be a function of an array of x values. Received: {type(f).__name__}")
    eps, a, b = float(eps), float(a), float(b)
    evaluate = _checked(f)
    points_per_piece = 33
    longest = 2 * eps / lipschitz * (1 - 1e-9) if lipschitz else b - a
    pieces = max(1, math.ceil((b - a) / longest))
    if pieces > max_width:
        raise ValueError(f"the Lipschitz bound needs pieces shorter than 2 eps / L = {longest:.3g}, so at least "
                         f"{pieces:,} of them on [{a}, {b}], more than max_width={max_width:,}; raise eps or "
                         "max_width, or drop lipschitz to rely on the dense check")
    knots = np.linspace(a, b, pieces + 1)
    while True:
        knots = _refine(evaluate, knots, eps / 2, points_per_piece, max_width)
        net = interpolant(knots, evaluate(knots))
        grid = np.union1d(np.linspace(a, b, check_points), knots)
        errors = np.abs(evaluate(grid) - net.evaluate_exactly(grid))
        if errors.max() < eps:
            break
        bad = np.unique(np.clip(np.searchsorted(knots, grid[errors >= eps]) - 1, 0, len(knots) - 2))
        refined = np.union1d(knots, (knots[bad] + knots[bad + 1]) / 2)
        _check_progress(knots, refined, max_width)
        knots = refined
    bound = None
    if lipschitz:
        _refuse_contradicted_lipschitz(evaluate(grid), grid, lipschitz)
        bound = float(lipschitz * np.max(np.diff(knots)) / 2)
        if errors.max() > bound * (1 + 1e-9) + 1e-12:     # a proof the measurement contradicts is no proof
            raise ValueError(f"the measured error {errors.max():.3g} exceeds the bound {bound:.3g} that lipschitz="
                             f"{lipschitz!r} would prove: f is not {lipschitz!r}-Lipschitz on [{a}, {b}]")
    net.certificate = Certificate(eps=float(eps), width=net.width, max_error=float(errors.max()),
                                  resolution=(b - a) / (check_points - 1), bound=bound,
                                  method="lipschitz bound and dense check" if lipschitz else "dense check")
    return net


MIN_CHECK_POINTS = 1000
MAX_CHECK_POINTS = 2 ** 24   # 16M float64 points and their values: about 256 MiB for the dense check


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _refuse_contradicted_lipschitz(values, grid, lipschitz):
    """ValueError when two neighbouring check points show a slope |f(x) - f(y)| / |x - y| above `lipschitz`."""
    slopes = np.abs(np.diff(values)) / np.diff(grid)
    worst = int(np.argmax(slopes))
    if slopes[worst] > lipschitz * (1 + 1e-6):
        raise ValueError(f"lipschitz={lipschitz!r} is contradicted by f itself: |f(x) - f(y)| / |x - y| = "
                         f"{slopes[worst]:.4g} between x = {grid[worst]:.6g} and y = {grid[worst + 1]:.6g}. "
                         "Give a valid Lipschitz constant, or none (the dense check still applies).")


def _checked(f):
    def evaluate(x):
        try:
            values = np.asarray(f(x), dtype=np.float64)
        except Exception as error:  # noqa: BLE001 - any failure of the user's f is reported as one clear error
            raise ValueError(f"f raised {type(error).__name__} ({error}) on x in [{x.min():.6g}, {x.max():.6g}]; "
                             "it must be defined, finite and continuous on all of [a, b]") from error
        if values.shape != x.shape:
            raise ValueError(f"f must return an array shaped like its input. Received: shape {values.shape} "
                             f"for an input of shape {x.shape}")
        if not np.all(np.isfinite(values)):
            raise ValueError(f"f returned NaN or inf at x = {x[~np.isfinite(values)][:3]}; it must be finite "
                             "and continuous on [a, b]")
        return values

    return evaluate


def _refine(evaluate, knots, tolerance, points_per_piece, max_width):
    """Split pieces until the chord of each is within `tolerance` of f on its check points."""
    while True:
        left, right = knots[:-1], knots[1:]
        t = np.linspace(0.0, 1.0, points_per_piece)                       # (P,)
        inside = left[:, None] + t * (right - left)[:, None]              # (pieces, P)
        values = evaluate(inside.ravel()).reshape(inside.shape)
        chords = values[:, :1] + t * (values[:, -1:] - values[:, :1])     # (pieces, P)
        bad = np.max(np.abs(values - chords), axis=1) >= tolerance
        if not bad.any():
            return knots
        refined = np.union1d(knots, (left[bad] + right[bad]) / 2)
        _check_progress(knots, refined, max_width)
        knots = refined


def _check_progress(knots, refined, max_width):
    """Stop when splitting no longer helps: too many pieces, or pieces at float64 resolution."""
    if len(refined) - 1 > max_width or len(refined) == len(knots):
        raise ValueError(f"could not reach the tolerance within max_width={max_width} pieces on "
                         f"[{knots[0]}, {knots[-1]}] (or the pieces reached float64 resolution); "
                         "is f continuous there?")


def interpolant(knots, values):
    """The ReLU net through the points (knots, values), linear between them (the Q4.4 construction).

    h(x) = values[0] + sum_i (s_i - s_{i-1}) ReLU(x - knots[i]) with s_i the slope of piece i (s_{-1} = 0):
    one unit per knot where the slope changes, exact at every knot.
    """
    knots, values = np.asarray(knots, np.float64), np.asarray(values, np.float64)
    if knots.ndim != 1 or knots.shape != values.shape or len(knots) < 2 or np.any(np.diff(knots) <= 0):
        raise ValueError(f"need at least two strictly increasing knots and one value per knot. "
                         f"Received: knots.shape={knots.shape}, values.shape={values.shape}")
    if not (np.isfinite(knots).all() and np.isfinite(values).all()):
        raise ValueError(f"knots and values must be finite numbers. Received: knots={knots}, values={values}")
    slopes = np.diff(values) / np.diff(knots)                             # (pieces,)
    changes = np.diff(slopes, prepend=0.0)                                # slope change at knots[:-1]
    keep = np.flatnonzero(changes != 0.0)
    if keep.size == 0:                                                    # constant f: one silent unit
        return ReluNet.from_weights([1.0], [-knots[0]], [0.0], float(values[0]), dtype="float64")
    return ReluNet.from_weights(w=np.ones(keep.size), b=-knots[keep], v=changes[keep], c=float(values[0]),
                                dtype="float64", name="relu_interpolant")


# -- Q4.5 -------------------------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Asymptote:
    """h(x) = slope * x + intercept for every x >= x0 (side "right") or x <= x0 (side "left")."""

    x0: float
    slope: float
    intercept: float
    side: str


def asymptote(model, side="right"):
    """Where a ReluNet becomes linear for good, read off its weights (Q4.5).

    Unit j has its kink at k_j = -b_j / w_j (w_j != 0). Right of every kink, units with w_j > 0 are
    on (w_j x + b_j), units with w_j < 0 are off, units with w_j = 0 give the constant ReLU(b_j):
        h(x) = (sum_{w_j>0} v_j w_j) x + (c + sum_{w_j>0} v_j b_j + sum_{w_j=0} v_j ReLU(b_j)).
    Left of every kink the roles of w_j > 0 and w_j < 0 swap. x0 is the outermost kink at which the
    slope actually changes (units whose changes cancel, or with v_j = 0, leave no kink); -inf / +inf
    when the net has none, i.e. it is linear everywhere.

    This holds for any width: a net always has finitely many units, so finitely many kinks.
    """
    if side not in ("right", "left"):
        raise ValueError(f"side must be 'right' or 'left'. Received: side={side!r}")
    if not isinstance(model, ReluNet):
        raise TypeError(f"asymptote reads a ReluNet's weights (tfsheet.models.relu_net). Received: {type(model).__name__}")
    w, b, v, c = model.parameters()
    if not all(np.isfinite(p).all() for p in (w, b, v, c)):
        raise ValueError(f"{model.name}'s weights hold NaN or an infinity (training diverged?): such a net is no "
                         "function, so it has no asymptote. Train it again, or build it with ReluNet.from_weights.")
    active = w > 0 if side == "right" else w < 0
    flat = w == 0
    slope = float(np.sum(v[active] * w[active]))
    intercept = float(c + np.sum(v[active] * b[active]) + np.sum(v[flat] * np.maximum(b[flat], 0.0)))
    moving = ~flat
    kinks = -b[moving] / w[moving]
    changes = v[moving] * np.abs(w[moving])       # slope change when x crosses the kink left to right
    order = np.argsort(kinks)
    kinks, changes = kinks[order], changes[order]
    scale = np.sum(np.abs(changes)) + 1e-300
    distinct, starts = np.unique(kinks, return_index=True)
    net_change = np.add.reduceat(changes, starts) if kinks.size else np.array([])
    real = distinct[np.abs(net_change) > 1e-12 * scale]
    if real.size == 0:
        x0 = -math.inf if side == "right" else math.inf
    else:
        x0 = float(real[-1] if side == "right" else real[0])
    return Asymptote(x0=x0, slope=slope, intercept=intercept, side=side)


# -- Q4.6 -------------------------------------------------------------------------------------------------------------

MAX_PRIME_TEST = 10**14       # trial division up to its square root, 10**7: well under a second
MAX_COUNTEREXAMPLE = 10**12   # where prime_counterexample stops searching: trial division stays fast below it


def is_prime(n):
    """Whether the int `n` is prime, by trial division (integers only: 7.0 is refused, not guessed at)."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"is_prime takes an int. Received: {n!r} ({type(n).__name__})")
    n = int(n)
    if n > MAX_PRIME_TEST:
        raise ValueError(f"is_prime tests by trial division, which takes too long past {MAX_PRIME_TEST:.0e}. "
                         f"Received: n={n}")
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    return all(n % d for d in range(3, math.isqrt(n) + 1, 2))




def prime_counterexample(model):
    """An integer n >= 2 on which "h(n) > 0 exactly when n is prime" fails, for any ReluNet (Q4.6).

    Beyond its last kink x0 a ReluNet is the line m x + n (asymptote), so the sign of h is eventually
    constant: positive when m > 0 (or m = 0 and n > 0), otherwise never positive. But primes and
    composites both go on for ever, so past x0 and past the line's zero there is a composite with
    h > 0 (first case) or a prime with h <= 0 (second case). So no network of this class, of any
    width, can be positive exactly on the primes: BrainDrain's claim is false, whatever blockchain or
    cloud trained it, and I would not invest. (A net can match the primes on any finite range, say
    2..N, one bump per prime; the claim fails beyond it.)

    The returned n is checked by evaluating the network in float64 from its weights.
    """
    line = asymptote(model, "right")
    start = 2.0 if math.isinf(line.x0) else max(2.0, line.x0)
    if line.slope != 0:
        start = max(start, -line.intercept / line.slope)  # past the line's zero the sign is fixed
    if start > MAX_COUNTEREXAMPLE:
        raise ValueError(f"this net's sign settles only beyond x = {start:.3g} (its last kink or its line's zero), "
                         f"past {MAX_COUNTEREXAMPLE:.0e}, where float64 no longer tells neighbouring integers apart "
                         "reliably and primality tests get slow; the argument still holds, but no counterexample is "
                         "computed")
    candidate = math.floor(start) + 1
    while (float(model.evaluate_exactly([candidate])[0]) > 0) == is_prime(candidate):
        candidate += 1  # at most the gap to the next prime or composite
    return candidate
