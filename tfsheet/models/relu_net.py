"""Problem 4's model class: one input, one hidden layer of ReLUs of any width, one identity output.

Forward equations (Q4.1), in the sheet's notation for width 2 and in general:

    a^2_j = ReLU(w^2_j0 x + b^2_j)                      hidden unit j = 0 .. width - 1
    y_hat = h(x) = sum_j w^3_0j a^2_j + b^3_0

    h(x) = sum_j v_j max(0, w_j x + b_j) + c            (w_j = w^2_j0, b_j = b^2_j, v_j = w^3_0j, c = b^3_0)

so h is continuous and piecewise linear, with a kink only where some w_j x + b_j = 0.
"""

import math

import keras
import numpy as np

EXACT_BLOCK_ELEMENTS = 2 ** 22   # floats per block of evaluate_exactly (32 MiB in float64)


@keras.saving.register_keras_serializable(package="tfsheet")
class ReluNet(keras.Model):
    """x (N, 1) -> h(x) (N, 1): `width` ReLU hidden units and one identity output unit.

    Args:
        width: the number of hidden units, >= 1.
        dtype: the layers' dtype (float32 by default; float64 for exact constructions).
    """

    def __init__(self, width, dtype=None, **kwargs):
        super().__init__(dtype=dtype, **kwargs)
        if not isinstance(width, (int, np.integer)) or width < 1:
            raise ValueError(f"width must be an int >= 1. Received: width={width!r}")
        self.width = int(width)
        self.hidden = keras.layers.Dense(self.width, activation="relu", name="hidden", dtype=dtype)
        self.output_unit = keras.layers.Dense(1, activation=None, name="output", dtype=dtype)
        self.hidden.build((None, 1))
        self.output_unit.build((None, self.width))
        self.built = True

    def call(self, x):
        return self.output_unit(self.hidden(x))  # (N, 1)

    @classmethod
    def from_weights(cls, w, b, v, c, dtype=None, name=None):
        """The net h(x) = sum_j v_j ReLU(w_j x + b_j) + c, from 1-D w, b, v and a scalar c."""
        w, b, v = (np.atleast_1d(np.asarray(p, np.float64)) for p in (w, b, v))
        if not (w.ndim == b.ndim == v.ndim == 1 and w.shape == b.shape == v.shape) or np.ndim(c) != 0:
            raise ValueError(f"w, b and v must be 1-D of one length and c a scalar. Received: "
                             f"w.shape={w.shape}, b.shape={b.shape}, v.shape={v.shape}, c={c!r}")
        if not (np.isfinite(w).all() and np.isfinite(b).all() and np.isfinite(v).all() and np.isfinite(c)):
            raise ValueError("w, b, v and c must be finite numbers: a NaN or an infinity gives no function to analyse. "
                             f"Received: w={w}, b={b}, v={v}, c={c!r}")
        net = cls(len(w), dtype=dtype, name=name)
        net.hidden.kernel.assign(w[None, :])      # (1, width)
        net.hidden.bias.assign(b)                 # (width,)
        net.output_unit.kernel.assign(v[:, None])  # (width, 1)
        net.output_unit.bias.assign([c])
        return net

    @classmethod
    def random_init(cls, width, low=0.0, high=1.0, seed=0, dtype=None):
        """A random net whose kinks lie in [low, high], the usual start for fitting a function there.

        Keras's default (zero biases) puts every kink at x = 0, which leaves the net linear on an
        interval like [0, 1] and gradient descent barely moves it. Here the kinks k_j are uniform on
        [low, high], w_j ~ N(0, 1) (so b_j = -w_j k_j), and v_j ~ N(0, 1 / width), c = 0.
        """
        if isinstance(width, bool) or not isinstance(width, int) or width < 1:
            raise ValueError(f"width must be an int >= 1. Received: width={width!r}")
        if not all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in (low, high)) \
                or not low < high:
            raise ValueError(f"the kinks need finite numbers low < high. Received: low={low!r}, high={high!r}")
        rng = np.random.default_rng(seed)
        w = rng.normal(size=width)
        kinks = rng.uniform(low, high, size=width)
        return cls.from_weights(w, -w * kinks, rng.normal(scale=1 / np.sqrt(width), size=width), 0.0, dtype=dtype)

    def parameters(self):
        """(w, b, v, c) in float64: h(x) = sum_j v_j ReLU(w_j x + b_j) + c."""
        return (np.asarray(self.hidden.kernel, np.float64)[0], np.asarray(self.hidden.bias, np.float64),
                np.asarray(self.output_unit.kernel, np.float64)[:, 0], float(np.asarray(self.output_unit.bias)[0]))

    def evaluate_exactly(self, x):
        """h(x) computed in float64 numpy from the weights (no float32 rounding of large x).

        The points go through in blocks of whole multiples of 64 rows, so memory stays near
        EXACT_BLOCK_ELEMENTS floats however many points and units there are (a certified net for a small eps
        has thousands of units, checked on 10^5 points: one (points, units) array would take gigabytes).
        Each point's value is the same dot product as in one block.
        """
        w, b, v, c = self.parameters()
        x = np.asarray(x, np.float64).reshape(-1, 1)                                # (N, 1)
        rows = max(64, EXACT_BLOCK_ELEMENTS // self.width // 64 * 64)
        return np.concatenate([np.maximum(0.0, x[start:start + rows] * w + b) @ v   # (rows, width) @ (width,)
                               for start in range(0, len(x), rows)] or [np.zeros(0)]) + c  # (N,)

    def get_config(self):
        return {**super().get_config(), "width": self.width}
