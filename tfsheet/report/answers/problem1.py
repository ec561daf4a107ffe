"""Problem 1: backpropagation for multiclass logistic regression."""

from tfsheet.experiments.registry import P1
from tfsheet.report import format as fmt
from tfsheet.report.answers import Answer, Figure, Problem, Question
from tfsheet.report.plots import plot_training_history

QUESTION = r"""With $\mathbf z = \mathbf W\mathbf x + \mathbf b$ ($\mathbf W$ is $C \times D$), $\mathbf a = \mathrm{softmax}(\mathbf z)$ and the cross-entropy loss $\ell = -\log a_y$, write $\partial\ell/\partial\mathbf a$, $\partial\ell/\partial\mathbf z$, $\partial\ell/\partial\mathbf W$ and $\partial\ell/\partial\mathbf b$ for one training point $(\mathbf x, y)$, using the backpropagation equations."""

DERIVATION = r"""Let $\mathbf e_y$ be the one-hot vector of class $y$. Going backwards through the forward pass:

$$\frac{\partial \ell}{\partial \mathbf a} = -\frac{\mathbf e_y}{a_y}$$

since $\ell$ depends on $\mathbf a$ only through $a_y$. The softmax Jacobian is $\partial a_i/\partial z_j = a_i([i = j] - a_j)$, so

$$\frac{\partial \ell}{\partial z_j} = \sum_i \frac{\partial \ell}{\partial a_i}\frac{\partial a_i}{\partial z_j} = -\frac{1}{a_y}\,a_y([y = j] - a_j) = a_j - [j = y], \qquad \frac{\partial \ell}{\partial \mathbf z} = \mathbf a - \mathbf e_y .$$

Because $z_i = \sum_k W_{ik} x_k + b_i$,

$$\frac{\partial \ell}{\partial \mathbf W} = (\mathbf a - \mathbf e_y)\,\mathbf x^\top \quad (C \times D), \qquad \frac{\partial \ell}{\partial \mathbf b} = \mathbf a - \mathbf e_y .$$

The gradient is the prediction error $\mathbf a - \mathbf e_y$, spread over the weights in proportion to the input; a mini-batch update averages it over the batch. In code the step through $\partial\ell/\partial\mathbf a$ is never taken: dividing by $a_y$ overflows when the model is confidently wrong, so the training ops go from $\mathbf z$ straight to $\mathbf a - \mathbf e_y$ and compute $\log\mathbf a = \mathbf z - \operatorname{logsumexp}(\mathbf z)$."""


def answer(records, figure_dir):
    run = records[P1.name]["results"]
    check = run["gradient_check"]
    errors = check["max_relative_error"]
    history = run["history"]
    met = "meets" if run["test_accuracy"] >= run["accuracy_bar"] else "misses"
    rows = [
        ("hand-derived equations (numpy `backprop`) against autodiff, largest relative error",
         fmt.scientific(errors["hand_derived_numpy"])),
        ("the layer's custom-gradient ops against autodiff, largest relative error",
         fmt.scientific(errors["custom_gradient_ops"])),
        ("test accuracy of softmax regression trained with these gradients (SGD)", fmt.percent(run["test_accuracy"])),
        ("test cross-entropy", f"{fmt.number(run['test_loss'])} nats"),
        ("epochs, training time", f"{len(history)}, {fmt.seconds(run['train_seconds'])}"),
    ]
    rows.append(("SGD learning rate and epochs", fmt.search(
        run["search"], lambda settings: f"rate {settings['learning_rate']:g}")))
    text = (DERIVATION + "\n\n"
            + f"**Checked.** At the trained weights, on {check['examples']} test images in float64, the equations above "
            f"give the same $\\partial\\ell/\\partial\\mathbf W$ and $\\partial\\ell/\\partial\\mathbf b$ as TensorFlow's "
            f"automatic differentiation of $-\\log\\mathrm{{softmax}}(\\mathbf W\\mathbf x + \\mathbf b)_y$, to the "
            f"relative errors below. Trained on MNIST with nothing but these gradients, the model reaches "
            f"{fmt.percent(run['test_accuracy'])} on the 10,000 test images, which {met} the "
            f"{fmt.percent(run['accuracy_bar'], 0)} expected of multiclass logistic regression.\n\n"
            + fmt.table(("measured", "value"), rows))
    plot = plot_training_history(history, figure_dir / "q1_training.png",
                                 "Softmax regression on MNIST, hand-derived gradients")
    return Answer(text, (Figure(str(plot), "Training loss and accuracy per epoch."),))


PROBLEM = Problem("1", "Backpropagation for multiclass logistic regression", (P1.problem,), (
    Question("1", "The four derivatives", QUESTION, answer),
))
