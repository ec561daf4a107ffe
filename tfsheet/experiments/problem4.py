"""Problem 4: ReLU networks as universal approximators: the sheet's constructions (Q4.2, Q4.3),
approximation error against width by construction and by training (Q4.4), eventual linearity
(Q4.5) and a prime detector with its counterexample (Q4.6). The nets the figures show are
returned as their parameters, so the report draws them from the results alone."""

import dataclasses

import keras
import numpy as np

from tfsheet.analysis import universal
from tfsheet.models.losses import squared_loss
from tfsheet.models.relu_net import ReluNet
from tfsheet.serving.export import export_model, scalar_function_signature
from tfsheet.training import ArrayData, TrainConfig, seed_everything

TARGETS = {  # name: (f, Lipschitz constant on [0, 1] or None when there is none)
    "sin(2 pi x)": (lambda x: np.sin(2 * np.pi * x), 2 * np.pi),
    "|x - 1/3|": (lambda x: np.abs(x - 1 / 3), 1.0),
    "sqrt(x)": (np.sqrt, None),
    "logistic(50 (x - 1/2))": (lambda x: 1 / (1 + np.exp(-50 * (x - 0.5))), 12.5),
}



DENSE_GRID = np.linspace(0.0, 1.0, 100_001)


def train_relu_net(runtime, width, x, y, epochs, learning_rate, seed, batch_size=128, low=0.0, high=1.0):
    """Fit a ReluNet of `width` to (x, y) by Adam on the squared error, from a random start."""
    seed_everything(seed)
    net, trainer = runtime.make_trainer(lambda: ReluNet.random_init(width, low, high, seed=seed), squared_loss,
                                        lambda: keras.optimizers.Adam(learning_rate),
                                        TrainConfig(epochs=epochs, batch_size=min(batch_size, len(x)), seed=seed),
                                        name=f"relu_width{width}_seed{seed}")
    trainer.fit(ArrayData(x.astype(np.float32).reshape(-1, 1), y.astype(np.float32).reshape(-1, 1)))
    return net


def parameters(net):
    """A ReLU net as JSON: h(x) = c + sum_j v_j ReLU(w_j x + b_j) (w = w^2, b = b^2, v = w^3, c = b^3)."""
    w, b, v, c = net.parameters()
    return {"w": [float(value) for value in w], "b": [float(value) for value in b],
            "v": [float(value) for value in v], "c": float(c)}


HELD_OUT_POINTS = np.random.default_rng(2024).uniform(0.0, 1.0, 200_000)  # points no construction looks at


def max_error(f, net, grid=DENSE_GRID):
    return float(np.max(np.abs(f(grid) - net.evaluate_exactly(grid))))


def uniform_interpolant(f, width):
    """The plain construction: interpolate f at width + 1 evenly spaced points of [0, 1]."""
    knots = np.linspace(0.0, 1.0, width + 1)
    return universal.interpolant(knots, f(knots))


def _approximation_study(config, runtime):
    rows = []
    for name, (f, lipschitz) in TARGETS.items():
        row = {"function": name, "lipschitz": lipschitz, "adaptive": [], "certified": [], "uniform": [], "trained": []}
        for eps in config.eps_levels:
            net = universal.approximate(f, eps)
            row["adaptive"].append({"eps": eps, "width": net.width, "max_error": net.certificate.max_error,
                                    "held_out_error": max_error(f, net, HELD_OUT_POINTS)})
            if lipschitz:
                proved = universal.approximate(f, eps, lipschitz=lipschitz)
                row["certified"].append({"eps": eps, "width": proved.width, "bound": proved.certificate.bound,
                                         "max_error": proved.certificate.max_error,
                                         "held_out_error": max_error(f, proved, HELD_OUT_POINTS)})
        samples = np.linspace(0.0, 1.0, config.samples)
        for width in config.widths:
            row["uniform"].append({"width": width, "max_error": max_error(f, uniform_interpolant(f, width))})
            errors = [max_error(f, train_relu_net(runtime, width, samples, f(samples), config.epochs, config.learning_rate,
                                                  seed)) for seed in config.seeds]
            row["trained"].append({"width": width, "max_error": float(np.median(errors)), "all": errors})
        rows.append(row)
    return rows


def _eventually_linear(config, runtime):
    f = TARGETS["sin(2 pi x)"][0]
    samples = np.linspace(0.0, 1.0, config.samples)
    net = train_relu_net(runtime, 16, samples, f(samples), config.epochs, config.learning_rate, seed=config.seeds[0])
    right, left = universal.asymptote(net, "right"), universal.asymptote(net, "left")
    beyond = right.x0 + np.array([0.0, 1e-3, 1.0, 10.0, 1e3])
    before = left.x0 - np.array([0.0, 1e-3, 1.0, 10.0, 1e3])
    return {"width": net.width, "net": parameters(net), "right": dataclasses.asdict(right), "left": dataclasses.asdict(left),
                 "max_deviation_beyond_x0": float(np.max(np.abs(
                     net.evaluate_exactly(beyond) - (right.slope * beyond + right.intercept)))),
                 "max_deviation_before_left_x0": float(np.max(np.abs(
                     net.evaluate_exactly(before) - (left.slope * before + left.intercept))))}


def _prime_detector(config, runtime):
    """Q4.6: a trained detector and a constructed one (exact on 2..N), each with its counterexamples."""
    integers = np.arange(2, config.prime_range + 1)
    targets = np.where([universal.is_prime(int(n)) for n in integers], 1.0, -1.0)
    trained = train_relu_net(runtime, config.prime_width, integers, targets, config.prime_epochs, config.learning_rate,
                             seed=config.seeds[0], batch_size=len(integers), low=1.5, high=config.prime_range + 0.5)
    constructed = universal.interpolant(integers, targets)  # +1 at primes, -1 elsewhere, linear between
    return {"range": [2, config.prime_range], "trained_net": parameters(trained),
            "trained": _detector_summary(trained, integers, targets),
                     "constructed": _detector_summary(constructed, integers, targets)}


def _detector_summary(net, integers, targets):
    """How well `net` says 'prime' (h > 0) on the range, and where the claim first fails beyond it."""
    counterexample = universal.prime_counterexample(net)
    beyond = np.arange(integers[-1] + 1, max(counterexample, integers[-1]) + 1)
    wrong = [int(n) for n in beyond if (net.evaluate_exactly([n])[0] > 0) != universal.is_prime(int(n))]
    return {"width": net.width, "accuracy_on_range": float(np.mean((net.evaluate_exactly(integers) > 0) == (targets > 0))),
            "asymptote": dataclasses.asdict(universal.asymptote(net, "right")),
            "counterexample": counterexample, "counterexample_is_prime": universal.is_prime(counterexample),
            "output_at_counterexample": float(net.evaluate_exactly([counterexample])[0]),
            "first_failure_beyond_range": wrong[0] if wrong else counterexample}


def forward_equations_check(trials=20, points=1001, seed=0, max_width=50, span=10.0):
    """Q4.1: the largest |Keras forward pass - the written formula| over random nets and inputs.

    The formula: y_hat = b^3_0 + sum_j w^3_0j ReLU(w^2_j0 x + b^2_j), evaluated in float64 numpy;
    the nets (float32, widths 1..max_width, weights N(0, 1)) run through Keras on x in [-span, span].
    """
    rng = np.random.default_rng(seed)
    x = np.linspace(-span, span, points)
    worst = 0.0
    for _ in range(trials):
        width = int(rng.integers(1, max_width + 1))
        w2, b2, w3 = rng.normal(size=(3, width))
        b3 = float(rng.normal())
        net = ReluNet.from_weights(w2, b2, w3, b3)
        w2, b2, w3, b3 = net.parameters()  # the float32 weights, read back in float64
        formula = b3 + np.maximum(0.0, np.outer(x, w2) + b2) @ w3
        keras_output = np.asarray(net(x.astype(np.float32)[:, None]), np.float64)[:, 0]
        worst = max(worst, float(np.max(np.abs(keras_output - formula) / (1 + np.abs(formula)))))
    return {"trials": trials, "points": points, "max_width": max_width, "interval": [-span, span],
            "max_relative_difference": worst}


def ramp_check(trials=20, seed=0):
    """Q4.3: the largest |h_{c,d}(x) - its three-piece definition| over random c < d, in float64."""
    rng = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(trials):
        c, d = np.sort(rng.uniform(-5.0, 5.0, size=2))
        x = np.concatenate([np.linspace(c - 3, d + 3, 4001), [c, d]])
        definition = np.where(x < c, 0.0, np.where(x > d, 1.0, x / (d - c) - c / (d - c)))
        worst = max(worst, float(np.max(np.abs(universal.ramp(c, d, dtype="float64").evaluate_exactly(x) - definition))))
    return {"trials": trials, "max_abs_difference": worst}


def run(config, workdir, runtime, export_root=None):
    """Every question of Problem 4: the two constructions checked, then approximation, asymptotes, primes."""
    example, unit_ramp = universal.sheet_example(), universal.ramp(0.0, 1.0)
    results = {"q4_1": forward_equations_check(),
               "q4_2": {"h(3)": float(example.evaluate_exactly([3.0])[0]),
                        "h(4)": float(example.evaluate_exactly([4.0])[0]), "net": parameters(example)},
               "q4_3": {**ramp_check(), "example": {"c": 1.0, "d": 3.0, "net": parameters(universal.ramp(1.0, 3.0))}},
               "q4_4": _approximation_study(config, runtime),
               "q4_5": _eventually_linear(config, runtime),
               "q4_6": _prime_detector(config, runtime)}
    if export_root is not None:
        results["saved_models"] = {
            name: str(export_model(net, name, {"serving_default": scalar_function_signature(net)}, root=export_root))
            for name, net in (("relu_sheet_example", example), ("relu_ramp", unit_ramp))}
    return results
