"""Every figure tfsheet draws; matplotlib is imported lazily, with the file-only Agg backend."""

import pathlib


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _finish(axis, xlabel, ylabel, title):
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    axis.set_title(title)
    axis.legend(fontsize=8)
    axis.grid(True, alpha=0.3)


def _save(plt, figure, path):
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


def plot_accuracy_against_hidden(rows, path):
    """Q2.1: test accuracy (mean ± std over seeds) against hidden width H, one line per encoding."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6.4, 4.2))
    labels = {"one_hot": "one-hot, 10 outputs", "binary": "binary, 4 outputs"}
    for encoding, label in labels.items():
        points = [row for row in rows if row["encoding"] == encoding]
        widths = [row["num_hidden"] for row in points]
        means = [100 * row["accuracy"].mean for row in points]
        spreads = [100 * row["accuracy"].std for row in points]
        axis.errorbar(widths, means, yerr=spreads, marker="o", capsize=3, label=label)
    axis.set_xscale("log", base=2)
    axis.set_xlabel("hidden units H")
    axis.set_ylabel("test accuracy (%)")
    axis.set_title("MNIST 784-H-K MLP, squared loss: accuracy vs hidden width")
    axis.grid(True, alpha=0.3)
    axis.legend()
    return _save(plt, figure, path)


def plot_accuracy_against_rank(truncated, accuracies, path):
    """Q3.2: test accuracy of logistic regression with its weights cut to rank k, and the trained nets.

    Args:
        truncated: a list of {"rank": k, "accuracy": a}.
        accuracies: {model name: Seeded accuracy} of the trained models, drawn as horizontal lines at their means.
    """
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6.4, 4.2))
    axis.plot([point["rank"] for point in truncated], [100 * point["accuracy"] for point in truncated],
              marker="o", label="logistic regression, P W cut to rank k (SVD)")
    for (name, accuracy), style in zip(accuracies.items(), ("-", "--", ":", "-.")):
        axis.axhline(100 * accuracy.mean, linestyle=style, color="grey",
                     label=f"{name.replace('_', ' ')} (trained): {100 * accuracy.mean:.2f} %")
    axis.set_xlabel("rank k of the weight matrix")
    axis.set_ylabel("test accuracy (%)")
    axis.set_title("MNIST: what a rank limit costs a linear classifier")
    axis.grid(True, alpha=0.3)
    axis.legend(fontsize=8, loc="lower right")
    return _save(plt, figure, path)


def relu_net(parameters, x):
    """h(x) = c + sum_j v_j ReLU(w_j x + b_j) for a net stored as {"w", "b", "v", "c"}, in float64."""
    import numpy as np

    w, b, v = (np.asarray(parameters[key], np.float64) for key in ("w", "b", "v"))
    x = np.asarray(x, np.float64)
    return parameters["c"] + np.maximum(0.0, np.outer(x, w) + b) @ v               # (N,)


def plot_relu_constructions(example, ramp, path):
    """Q4.2 and Q4.3: the sheet's two-unit network and the ramp h_{c,d}, with their kinks.

    `example` is the Q4.2 net's parameters; `ramp` is {"c", "d", "net": parameters}.
    """
    import numpy as np

    plt = _pyplot()
    figure, axes = plt.subplots(1, 2, figsize=(9.6, 3.6))
    c, d = ramp["c"], ramp["d"]
    for axis, net, title, span in ((axes[0], example, "Q4.2: h(x) = ReLU(x - 3) - ReLU(x - 4)", (0, 7)),
                                   (axes[1], ramp["net"], f"Q4.3: h_{{c,d}} with c = {c:g}, d = {d:g}",
                                    (c - 2, d + 2))):
        x = np.linspace(*span, 1401)
        axis.plot(x, relu_net(net, x), linewidth=2)
        w, b = np.asarray(net["w"]), np.asarray(net["b"])
        for kink in -b / w:
            axis.axvline(kink, color="grey", linestyle=":", linewidth=1)
        axis.set_title(title, fontsize=10)
        axis.set_xlabel("x")
        axis.set_ylabel("h(x)")
        axis.grid(True, alpha=0.3)
    return _save(plt, figure, path)


def plot_approximation_error(rows, path):
    """Q4.4: max |f - h| on [0, 1] against width, constructed and trained, one panel per function."""
    plt = _pyplot()
    figure, axes = plt.subplots(2, 2, figsize=(9.6, 7.2), sharex=True, sharey=True)
    for axis, row in zip(axes.ravel(), rows):
        for key, label, marker in (("uniform", "interpolation, even grid", "o"),
                                   ("adaptive", "interpolation, adaptive (approximate)", "s"),
                                   ("trained", "trained by Adam from random weights", "^")):
            points = sorted(row[key], key=lambda p: p["width"])
            axis.plot([p["width"] for p in points], [p["max_error"] for p in points], marker=marker, label=label)
        axis.set_xscale("log", base=2)
        axis.set_yscale("log")
        axis.set_title(f"f(x) = {row['function']}", fontsize=10)
        axis.grid(True, which="both", alpha=0.3)
    for axis in axes[1]:
        axis.set_xlabel("hidden units (width)")
    for axis in axes[:, 0]:
        axis.set_ylabel("max |f(x) - h(x)| on [0, 1]")
    axes[0, 0].legend(fontsize=8)
    figure.suptitle("One hidden ReLU layer: approximation error against width")
    return _save(plt, figure, path)


def plot_eventually_linear(summary, path):
    """Q4.5: a net trained on [0, 1] (summary["net"]) drawn far outside it, with the outermost kinks x0 marked."""
    import numpy as np

    plt = _pyplot()
    right, left = summary["right"], summary["left"]
    x = np.linspace(min(-2.0, left["x0"] - 1), max(3.0, right["x0"] + 1), 2001)
    figure, axis = plt.subplots(figsize=(6.4, 4.2))
    axis.plot(x, relu_net(summary["net"], x), linewidth=2, label="h(x), trained on sin(2 pi x), x in [0, 1]")
    axis.plot(x, np.sin(2 * np.pi * x), color="grey", alpha=0.4, label="sin(2 pi x)")
    for side, style in ((right, "--"), (left, ":")):
        axis.axvline(side["x0"], color="black", linestyle=style, linewidth=1,
                     label=f"{side['side']} x0 = {side['x0']:.3f}: slope {side['slope']:.2f}")
    axis.axvspan(0, 1, color="green", alpha=0.08, label="training interval")
    _finish(axis, "x", "h(x)", "Q4.5: beyond its outermost kinks a ReLU net is linear")
    return _save(plt, figure, path)


def plot_prime_detector(summary, path):
    """Q4.6: a net trained to be positive exactly on the primes of 2..N (summary["trained_net"]), drawn past
    its counterexample."""
    import numpy as np

    from tfsheet.analysis.universal import is_prime

    plt = _pyplot()
    low, high = summary["range"]
    trained = summary["trained"]
    end = max(3 * high, trained["counterexample"] + 10)
    x = np.linspace(0, end, 4001)
    integers = np.arange(2, end + 1)
    primes = integers[[is_prime(int(n)) for n in integers]]
    figure, axis = plt.subplots(figsize=(8, 4.2))
    net = summary["trained_net"]
    axis.plot(x, relu_net(net, x), linewidth=1.5, label="h(x), trained")
    axis.scatter(primes, relu_net(net, primes), color="red", s=12, zorder=3, label="h at the primes")
    axis.axhline(0, color="black", linewidth=0.8)
    axis.axvspan(low, high, color="green", alpha=0.08, label=f"training range {low}..{high}")
    axis.axvline(trained["asymptote"]["x0"], color="grey", linestyle=":", label="last kink x0")
    axis.axvline(trained["counterexample"], color="purple", linestyle="--",
                 label=f"counterexample past x0: n = {trained['counterexample']}")
    _finish(axis, "x", "h(x)  (> 0 means 'prime')", "Q4.6: a ReLU 'prime detector' is eventually linear, so it must fail")
    return _save(plt, figure, path)


LANGUAGE_MODELS = {"kneser_ney": "count n-gram (Kneser-Ney)", "neural_ngram": "neural n-gram, context n - 1",
                   "rnn_tbptt_carried": "RNN, TBPTT k = n, state carried", "rnn_tbptt_reset": "RNN, TBPTT k = n, state reset"}


def plot_bpc_against_order(rows, path):
    """Q5.1: validation bits per character against n for the four language models."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6.4, 4.2))
    orders = [row["n"] for row in rows]
    for key, label in LANGUAGE_MODELS.items():
        axis.plot(orders, [row["bpc"]["validation"][key].mean for row in rows], marker="o", label=label)
    axis.set_xscale("log", base=2)
    axis.set_xticks(orders, [str(n) for n in orders])
    _finish(axis, "n (n-gram order; truncation k = n)", "validation bits per character",
            "Tiny Shakespeare: n-gram models vs an RNN trained with TBPTT")
    return _save(plt, figure, path)


def plot_probe(rows, levels, path):
    """Q5.1: the truncation probe's loss against k after one pass, for the carried and reset RNNs and the
    frozen-cell control, with the probe's three analytic levels."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6.4, 4.2))
    ks = [row["k"] for row in rows]
    for mode, label in (("carried", "RNN, TBPTT k, state carried"), ("reset", "RNN, TBPTT k, state reset"),
                        ("frozen", "control: cell frozen at init, readout trained")):
        axis.plot(ks, [row["nats"]["one_pass"][mode].mean for row in rows], marker="o", label=label,
                  linestyle="-." if mode == "frozen" else "-")
    for name, style in (("none", ":"), ("only_3", "--"), ("both", "-")):
        axis.axhline(levels[name], color="grey", linestyle=style, label=f"{name.replace('_', ' ')}: {levels[name]:.3f}")
    _finish(axis, "truncation k", "held-out cross-entropy (nats)",
            "Truncation probe (dependencies at lags 3 and 8), one pass")
    return _save(plt, figure, path)


def plot_copy_heatmap(cells, path):
    """Q5.1: accuracy on the copy positions, truncation k against distance L, one panel per model."""
    import numpy as np

    titles = {"neural_ngram": "neural n-gram, context k", "rnn_tbptt_carried": "RNN, TBPTT k, state carried",
              "rnn_tbptt_reset": "RNN, TBPTT k, state reset",
              "rnn_frozen_recurrence": "control: RNN, recurrence frozen at init", "rnn_full_bptt": "RNN, full BPTT (window max(4L, 32))"}
    plt = _pyplot()
    models = list(titles)
    ks = sorted({cell["k"] for cell in cells})
    factors = sorted({cell["L"] / cell["k"] for cell in cells})
    figure, axes = plt.subplots(1, len(models), figsize=(3.2 * len(models), 3.4), sharey=True)
    for axis, key in zip(np.atleast_1d(axes), models):
        grid = np.full((len(ks), len(factors)), np.nan)
        for cell in cells:
            grid[ks.index(cell["k"]), factors.index(cell["L"] / cell["k"])] = cell["learners"][key]["copy_accuracy"].mean
        image = axis.imshow(grid, vmin=0, vmax=1, cmap="viridis", aspect="auto")
        for (i, j), value in np.ndenumerate(grid):
            axis.text(j, i, f"{value:.2f}", ha="center", va="center", color="white" if value < 0.6 else "black", fontsize=8)
        axis.set_xticks(range(len(factors)), [f"{f:g}k" for f in factors])
        axis.set_yticks(range(len(ks)), [str(k) for k in ks])
        axis.set_xlabel("distance L")
        axis.set_title(titles[key], fontsize=8)
    np.atleast_1d(axes)[0].set_ylabel("truncation / context k")
    figure.colorbar(image, ax=axes, shrink=0.8, label="accuracy on copy positions")
    figure.suptitle("Copy task: can the model use a token L steps back?", fontsize=10)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(figure)
    return path


def plot_rtrl_cost(rtrl_rows, bptt_rows, path):
    """Q5.2: time per step of RTRL (with the contraction it must do) and of BPTT against n, log-log."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6.4, 4.2))
    for rows, key, label in ((rtrl_rows, "rtrl_step_ms", "RTRL step"),
                             (rtrl_rows, "contraction_ms", "its n x n by n x n^2 contraction"),
                             (bptt_rows, "bptt_step_ms", "BPTT, per step (T = 64)")):
        axis.plot([row["n"] for row in rows], [row[key] for row in rows], marker="o", label=label)
    axis.set_xscale("log", base=2)
    axis.set_yscale("log")
    _finish(axis, "hidden size n", "milliseconds per step", "RTRL vs BPTT: time per step")
    return _save(plt, figure, path)


def plot_training_history(history, path, title):
    """Training loss and accuracy per epoch (a Trainer's history), on two axes."""
    plt = _pyplot()
    figure, loss_axis = plt.subplots(figsize=(6.4, 4.0))
    epochs = [record["epoch"] for record in history]
    loss_axis.plot(epochs, [record["loss"] for record in history], marker="o", color="tab:blue",
                   label="training loss (cross-entropy, nats)")
    accuracy_axis = loss_axis.twinx()
    accuracy_axis.plot(epochs, [100 * record["accuracy"] for record in history], marker="s", color="tab:orange",
                       label="training accuracy (%)")
    accuracy_axis.set_ylabel("training accuracy (%)")
    handles = loss_axis.get_legend_handles_labels()[0] + accuracy_axis.get_legend_handles_labels()[0]
    loss_axis.legend(handles, [handle.get_label() for handle in handles], fontsize=8, loc="center right")
    loss_axis.set_xlabel("epoch")
    loss_axis.xaxis.get_major_locator().set_params(integer=True)
    loss_axis.set_ylabel("training loss (nats)")
    loss_axis.set_title(title)
    loss_axis.grid(True, alpha=0.3)
    return _save(plt, figure, path)


def plot_learning_curves(cells, baselines, path):
    """Q5.1 in practice: validation nats/char after each pass, per cell and seed, against the n-grams' lines."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6.4, 4.2))
    colours = dict(zip(cells, ("tab:blue", "tab:orange", "tab:green")))
    for cell, result in cells.items():
        for i, run in enumerate(result["runs"]):
            axis.plot([point["epoch"] for point in run["curve"]], [point["validation_nats"] for point in run["curve"]],
                      marker="o", color=colours[cell], alpha=0.8, label=f"RNN ({cell}), seed per line" if i == 0 else None)
    for (label, value), style in zip(baselines.items(), (":", "--")):
        axis.axhline(value, color="grey", linestyle=style, label=f"{label}: {value:.3f}")
    _finish(axis, "passes over the training text", "validation nats per character",
            "Tiny Shakespeare: TBPTT language models as they train")
    return _save(plt, figure, path)
