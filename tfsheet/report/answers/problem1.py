"""Problem 1: backpropagation for multiclass logistic regression."""

from tfsheet.experiments.registry import P1
from tfsheet.report import format as fmt
from tfsheet.report.answers import Answer, Detail, Figure, Problem, Question
from tfsheet.report.plots import plot_training_history

QUESTION = r"""With $\mathbf z = \mathbf W\mathbf x + \mathbf b$ ($\mathbf W$ is $C \times D$), $\mathbf a = \mathrm{softmax}(\mathbf z)$ and the cross-entropy loss $\ell = -\log a_y$, write $\partial\ell/\partial\mathbf a$, $\partial\ell/\partial\mathbf z$, $\partial\ell/\partial\mathbf W$ and $\partial\ell/\partial\mathbf b$ for one training point $(\mathbf x, y)$, using the backpropagation equations."""

DERIVATION = r"""**Derivation.** Going backwards through the forward pass:

$$\frac{\partial \ell}{\partial \mathbf a} = -\frac{\mathbf e_y}{a_y}$$

since $\ell$ depends on $\mathbf a$ only through $a_y$. The softmax Jacobian is $\partial a_i/\partial z_j = a_i([i = j] - a_j)$, so

$$\frac{\partial \ell}{\partial z_j} = \sum_i \frac{\partial \ell}{\partial a_i}\frac{\partial a_i}{\partial z_j} = -\frac{1}{a_y}\,a_y([y = j] - a_j) = a_j - [j = y], \qquad \frac{\partial \ell}{\partial \mathbf z} = \mathbf a - \mathbf e_y .$$

Because $z_i = \sum_k W_{ik} x_k + b_i$,

$$\frac{\partial \ell}{\partial \mathbf W} = (\mathbf a - \mathbf e_y)\,\mathbf x^\top \quad (C \times D), \qquad \frac{\partial \ell}{\partial \mathbf b} = \mathbf a - \mathbf e_y .$$

The gradient is the prediction error $\mathbf a - \mathbf e_y$, spread over the weights in proportion to the input; a mini-batch update averages it over the batch. In code the step through $\partial\ell/\partial\mathbf a$ is never taken: dividing by $a_y$ overflows when the model is confidently wrong, so the training ops go from $\mathbf z$ straight to $\mathbf a - \mathbf e_y$ and compute $\log\mathbf a = \mathbf z - \operatorname{logsumexp}(\mathbf z)$."""


def search_edges(found, epochs_cap, name="learning_rate", label="learning rate"):
    """The sentence-parts saying where a validation search's choice sits on the edge of what it tried: the largest
    `name` tried, or the epochs at `epochs_cap` (a better value may then lie beyond the grid); [] when neither."""
    chosen = found["chosen"]
    edges = []
    if len(found["tried"]) > 1 and chosen[name] == max(row[name] for row in found["tried"]):
        edges.append(f"its {label} ({chosen[name]:g}) is the largest tried")
    if "epochs" in chosen and chosen["epochs"] >= epochs_cap:
        edges.append(f"its epochs ({chosen['epochs']}) are the cap")
    return edges


def answer(records, figure_dir):
    run = records[P1.name]["results"]
    config = records[P1.name]["config"]
    check = run["gradient_check"]
    errors = check["max_relative_error"]
    history = run["history"]
    met = "meets" if run["test_accuracy"] >= run["accuracy_bar"] else "misses"
    edges = search_edges(run["search"], config["epochs"])
    rows = [
        ("hand-derived equations (numpy `backprop`) against autodiff, largest relative error",
         fmt.scientific(errors["hand_derived_numpy"])),
        ("the layer's custom-gradient ops against autodiff, largest relative error",
         fmt.scientific(errors["custom_gradient_ops"])),
        ("test accuracy of softmax regression trained with these gradients (SGD)", fmt.percent(run["test_accuracy"])),
        ("test cross-entropy", f"{fmt.number(run['test_loss'])} nats"),
        ("epochs, training time", f"{len(history)}, {fmt.seconds(run['train_seconds'])}"),
    ]
    text = (
        r"**$\partial\ell/\partial\mathbf a = -\mathbf e_y / a_y$, $\partial\ell/\partial\mathbf z = \mathbf a - "
        r"\mathbf e_y$, $\partial\ell/\partial\mathbf W = (\mathbf a - \mathbf e_y)\,\mathbf x^\top$ and "
        r"$\partial\ell/\partial\mathbf b = \mathbf a - \mathbf e_y$**, with $\mathbf e_y$ the one-hot vector of class "
        r"$y$. "
        f"They match TensorFlow's automatic differentiation to a relative error of at most "
        f"{fmt.scientific(max(errors.values()))}, and softmax regression trained on MNIST with nothing but them reaches "
        f"{fmt.percent(run['test_accuracy'])} on the 10,000 test images, which {met} the "
        f"{fmt.percent(run['accuracy_bar'], 0)} expected of multiclass logistic regression.\n\n"
        + fmt.table(("measured", "value"), rows) + "\n\n"
        + f"The check: at the trained weights, on {check['examples']} test images in float64, against the automatic "
        r"differentiation of $-\log\mathrm{softmax}(\mathbf W\mathbf x + \mathbf b)_y$. "
        + (f"The SGD setting chosen on validation is on the edge of its search: {' and '.join(edges)}, so a better "
           "value may lie beyond the grid (details below).\n\n" if edges else "\n\n")
        + DERIVATION)
    search = ("SGD learning rate and epochs " + fmt.search(run["search"], lambda settings: f"rate {settings['learning_rate']:g}")
              + f"; the epochs were capped at {config['epochs']}."
              + (f" The choice is on the edge of the search: {' and '.join(edges)}." if edges else ""))
    plot = plot_training_history(history, figure_dir / "q1_training.png",
                                 "Softmax regression on MNIST, hand-derived gradients")
    return Answer(text, (Figure(str(plot), "Training loss and accuracy per epoch."),),
                  (Detail("Training: the validation search", search),))


PROBLEM = Problem("1", "Backpropagation for multiclass logistic regression", (P1.problem,), (
    Question("1", "The four derivatives", QUESTION, answer),
))
