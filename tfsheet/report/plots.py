"""Every figure tfsheet draws; matplotlib is imported lazily, with the file-only Agg backend."""

import pathlib


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


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
        means = [100 * row["accuracy"]["mean"] for row in points]
        spreads = [100 * row["accuracy"]["std"] for row in points]
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
        accuracies: {model name: {"mean": ...}} for the trained models, drawn as horizontal lines.
    """
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6.4, 4.2))
    axis.plot([point["rank"] for point in truncated], [100 * point["accuracy"] for point in truncated],
              marker="o", label="logistic regression, P W cut to rank k (SVD)")
    for (name, spread), style in zip(accuracies.items(), ("-", "--", ":", "-.")):
        axis.axhline(100 * spread["mean"], linestyle=style, color="grey",
                     label=f"{name.replace('_', ' ')} (trained): {100 * spread['mean']:.2f} %")
    axis.set_xlabel("rank k of the weight matrix")
    axis.set_ylabel("test accuracy (%)")
    axis.set_title("MNIST: what a rank limit costs a linear classifier")
    axis.grid(True, alpha=0.3)
    axis.legend(fontsize=8, loc="lower right")
    return _save(plt, figure, path)
