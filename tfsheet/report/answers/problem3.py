"""Problem 3: networks whose hidden units are linear."""

from tfsheet.experiments.registry import P3
from tfsheet.report import format as fmt
from tfsheet.report import plots
from tfsheet.report.answers import Answer, Detail, Figure, Problem, Question
from tfsheet.report.answers.problem1 import search_edges
from tfsheet.report.findings import BETTER, MIXED, NO_EFFECT, SEED_SEPARATED, WORSE, Finding, compare

Q3_1 = r"""A 784-25-10 network with identity hidden units and a softmax output, against multiclass logistic regression: which is more powerful (ignoring how hard each is to train)?"""
Q3_2 = r"""Now with only 4 hidden units: how do the two models compare, and which would you prefer?"""
Q3_3 = r"""For the 4-hidden-unit network with the cross-entropy loss, is the optimisation problem convex?"""


def _models(accuracy):
    """The model names in reading order: logistic regression, then the linear-hidden nets, widest first."""
    widths = sorted((int(name.rsplit("_", 1)[1]) for name in accuracy if name.startswith("linear_hidden_")),
                    reverse=True)
    return [name for name in ["logistic_regression", *(f"linear_hidden_{width}" for width in widths)]
            if name in accuracy]


def _accuracy_rows(accuracy):
    names = {"logistic_regression": "logistic regression (784-10)"}
    return [(names.get(name, name.replace("linear_hidden_", "linear hidden units, H = ")), fmt.seeded_percent(accuracy[name]))
            for name in _models(accuracy)]


def _name(model):
    return {"logistic_regression": "logistic regression"}.get(model, model.replace("linear_hidden_", "H = "))


def _against_logistic(records, model):
    """Logistic regression against the trained linear-hidden net `model` by test accuracy, SEED_SEPARATED."""
    accuracy = records[P3.name]["results"]["accuracy"]
    return Finding(QUESTION_OF[model], f"logistic regression against the linear-hidden net with {_name(model)}",
                   SEED_SEPARATED, (("test accuracy", compare(accuracy["logistic_regression"], accuracy[model],
                                                              lower_is_better=False)),),
                   f"logistic regression {fmt.seeded_percent(accuracy['logistic_regression'])}, {_name(model)} "
                   f"{fmt.seeded_percent(accuracy[model])}")


QUESTION_OF = {"linear_hidden_25": "3.1", "linear_hidden_4": "3.2"}


def findings_3_1(records):
    return (_against_logistic(records, "linear_hidden_25"),)


def findings_3_2(records):
    return (_against_logistic(records, "linear_hidden_4"),)


TRAINED_AGAINST = {BETTER: "ahead of", WORSE: "behind", NO_EFFECT: "within the seed spread of",
                   MIXED: "mixed against"}


def _held_equal(records):
    """What the tuning of Problem 3's models held equal, and what it did not: one sentence, and the search details."""
    config, run = records[P3.name]["config"], records[P3.name]["results"]
    models = _models(run["search"])
    chosen = {model: run["search"][model]["chosen"] for model in models}
    epochs = {chosen[model]["epochs"] for model in models}
    held = (f"Each model was trained by Adam with its learning rate chosen from the same grid "
            f"({', '.join(f'{rate:g}' for rate in config['learning_rate'])}) and its epochs as its best validation "
            f"epoch up to the same cap ({config['epochs']}), both on the validation split with the first seed; the "
            + (f"chosen epochs are the same, {epochs.pop()}." if len(epochs) == 1 else
               "chosen epochs differ (" + ", ".join(f"{_name(model)}: {chosen[model]['epochs']}" for model in models)
               + ")."))
    edges = [f"{_name(model)}: {' and '.join(found)}" for model in models
             if (found := search_edges(run["search"][model], config["epochs"]))]
    if edges:
        held += f" Choices on the edge of the search, where a better value may lie beyond it: {'; '.join(edges)}."
    details = "; ".join(f"{_name(model)}: {fmt.search(run['search'][model], _adam)}" for model in models) + "."
    return held, details


def answer_3_1(records, figure_dir):
    run = records[P3.name]["results"]
    maps = run["q3_1"]
    (trained,) = findings_3_1(records)
    held, details = _held_equal(records)
    text = (
        r"**Equally powerful: they represent exactly the same functions.** With identity hidden units the logits are "
        r"$\mathbf W_2(\mathbf W_1\mathbf x + \mathbf b_1) + \mathbf b_2 = (\mathbf W_2\mathbf W_1)\mathbf x + (\mathbf W_2\mathbf b_1 + \mathbf b_2)$, "
        r"a logistic regression with $\mathbf W = \mathbf W_2\mathbf W_1$ and $\mathbf b = \mathbf W_2\mathbf b_1 + \mathbf b_2$. "
        r"Conversely any $10 \times 784$ matrix $\mathbf W$ has rank at most 10 and factors as $\mathbf W_2\mathbf W_1$ "
        r"with $\mathbf W_2$ of size $10 \times 25$ (for example $\mathbf W_1$ = $\mathbf W$ padded with zero rows), "
        r"so every logistic regression is such a network. Since softmax is unchanged by adding a constant to all logits, "
        r"even 9 hidden units suffice. The extra layer adds parameters, not power.""\n\n"
        f"**Measured** on the 10,000 test images: collapsing each trained network into one logistic regression changes "
        f"no probability by more than {fmt.scientific(max(maps['collapse'].values()))}, and expanding the trained logistic "
        f"regression into networks with 25 and 9 hidden units by more than "
        f"{fmt.scientific(max(maps['expand_to'].values()))} (float32 rounding). "
        f"As trained ({fmt.over_seeds(run['accuracy']['logistic_regression'])}), logistic regression is "
        f"{TRAINED_AGAINST[trained.verdict]} the 25-unit net"
        + (" on every seed; since the two represent the same functions, a likely reason, not measured here, is how "
           "each was trained" if trained.verdict in (BETTER, WORSE) else "") + ". " + held + "\n\n"
        + fmt.table(("model", "test accuracy"), _accuracy_rows(run["accuracy"])))
    return Answer(text, details=(Detail("The validation search of each model", details),))


def _adam(settings):
    return f"Adam {settings['learning_rate']:g}"


def answer_3_2(records, figure_dir):
    run = records[P3.name]["results"]
    rank = run["q3_2"]
    ranks4 = rank["linear_hidden_product_ranks"]["linear_hidden_4"]
    cut = {point["rank"]: point["accuracy"] for point in rank["truncated_svd_accuracy"]}
    accuracy = run["accuracy"]
    lost = 100 * (accuracy["logistic_regression"].mean - accuracy["linear_hidden_4"].mean)
    text = (
        r"**The 4-unit network is strictly less powerful.** Its logits are $(\mathbf W_2\mathbf W_1)\mathbf x + \mathbf b$ "
        r"with $\mathbf W_2\mathbf W_1$ of rank at most 4, so it is exactly a logistic regression whose weight matrix is "
        r"restricted to rank 4; a logistic regression can use rank up to 10 (9 after removing the part softmax ignores). "
        r"Every 4-unit network is a logistic regression, not the other way round. **Prefer logistic regression**: it is "
        r"at least as expressive, and its loss is convex (Q3.3), so every local minimum is a global one. (Not strictly "
        r"convex: adding the same vector to every class's weights and bias leaves the softmax unchanged, so the minimisers "
        r"form a set, and training that stops after a few epochs ends near that set, not on one point of it.) "
        f"The 4-unit net ({run['q3_3']['hessian_at_trained']['dimension']:,} parameters against $785 \\times 10$) only "
        "makes sense when a 4-dimensional bottleneck is wanted for its own sake."
        "\n\n"
        f"**Measured:** the trained 4-unit nets have $\\mathrm{{rank}}(\\mathbf W_2\\mathbf W_1)$ = "
        f"{', '.join(str(value) for value in ranks4)}; the trained logistic regression uses rank "
        f"{rank['logistic_centred_rank']} (after centring). Cutting its weights to rank 4 by truncated SVD leaves "
        f"{fmt.percent(cut.get(4))} test accuracy, against {fmt.percent(cut.get(max(cut)))} at full rank, and the "
        f"trained 4-unit networks reach {fmt.seeded_percent(accuracy['linear_hidden_4'])}, {fmt.number(lost, 2)} points "
        f"{'below' if lost >= 0 else 'above'} logistic regression in the mean; logistic regression is "
        f"{TRAINED_AGAINST[findings_3_2(records)[0].verdict]} them"
        + (" on every seed" if findings_3_2(records)[0].verdict in (BETTER, WORSE) else "") + ".\n\n"
        + fmt.table(("model", "test accuracy"), _accuracy_rows(accuracy)) + "\n\n"
        + fmt.table(("rank k of the cut logistic-regression weights", "test accuracy"),
                    [(k, fmt.percent(value)) for k, value in sorted(cut.items())]))
    plot = plots.plot_accuracy_against_rank(run["q3_2"]["truncated_svd_accuracy"], run["accuracy"],
                                            figure_dir / "q3_accuracy_vs_rank.png")
    return Answer(text, (Figure(str(plot), "Test accuracy of logistic regression with its weight matrix cut to rank "
                                             "k, and the trained models."),))


def answer_3_3(records, figure_dir):
    run = records[P3.name]["results"]
    convex = run["q3_3"]
    chord = convex["chord"]
    trained, midpoint = convex["hessian_at_trained"], convex["hessian_at_midpoint"]
    rows = [
        (r"loss at the trained weights $\theta$ and at its sign-flipped twin $\theta'$",
         f"{fmt.number(chord['loss_a'], 4)} and {fmt.number(chord['loss_b'], 4)} nats"),
        (r"loss at the midpoint $(\theta + \theta')/2$", f"{fmt.number(chord['loss_at_mixture'], 4)} nats"),
        ("convexity would require the midpoint loss to be at most", f"{fmt.number(chord['mixture_of_losses'], 4)} nats"),
        ("smallest / largest Hessian eigenvalue at the trained weights",
         f"{fmt.number(trained['smallest'], 4)} / {fmt.number(trained['largest'], 4)}"),
        ("smallest / largest Hessian eigenvalue at the midpoint",
         f"{fmt.number(midpoint['smallest'], 4)} / {fmt.number(midpoint['largest'], 4)}"),
        ("smallest Hessian eigenvalue of logistic regression's loss, as computed (3 points; exactly 0 in exact "
         "arithmetic, so these are the solver's residuals)",
         ", ".join(fmt.scientific(value) for value in convex["logistic_hessian_smallest"])),
    ]
    text = (
        r"**No.** A convex function lies on or below its chords. Take the trained network "
        r"$\theta = (\mathbf W_1, \mathbf b_1, \mathbf W_2, \mathbf b_2)$ and its twin "
        r"$\theta' = (-\mathbf W_1, -\mathbf b_1, -\mathbf W_2, \mathbf b_2)$: the signs cancel in "
        r"$\mathbf W_2(\mathbf W_1\mathbf x + \mathbf b_1)$, so both compute the same function and have the same loss. "
        r"Their midpoint has $\mathbf W_1 = \mathbf 0$, $\mathbf W_2 = \mathbf 0$: it ignores the input and predicts "
        r"$\mathrm{softmax}(\mathbf b_2)$ for every image, with a much larger loss. The loss is above the chord, so it is "
        r"not convex. (Logistic regression's loss, by contrast, is convex in $(\mathbf W, \mathbf b)$: its Hessian is "
        r"positive semi-definite everywhere. Its smallest eigenvalue is exactly 0, not positive: adding one vector to "
        r"every class's weights leaves the softmax, and so the loss, unchanged, a null space of the Hessian; the "
        r"small numbers in the table are what Lanczos returns for 0.) A likely general reason, an explanation "
        r"not measured here: permuting the hidden units, or scaling $\mathbf W_1$ up and $\mathbf W_2$ down, also gives "
        r"other weights with the same loss, so the minima come in families, and a straight line between two of them "
        r"need not stay low.""\n\n"
        f"**Measured** on {convex['examples']:,} training images with $H = {convex['num_hidden']}$ (float64; Hessian "
        f"eigenvalues by Lanczos over all {trained['dimension']:,} parameters): the midpoint's loss exceeds the chord by "
        f"{fmt.number(chord['gap'], 3)} nats, and the Hessian has a negative eigenvalue at the trained weights "
        f"({fmt.number(trained['smallest'], 4)}) and at the midpoint ({fmt.number(midpoint['smallest'], 4)}), which a "
        "convex function's Hessian never has.\n\n" + fmt.table(("", "value"), rows))
    return Answer(text)


PROBLEM = Problem("3", "Neural nets with linear activation functions", (P3.problem,), (
    Question("3.1", "25 linear hidden units against logistic regression", Q3_1, answer_3_1, findings_3_1),
    Question("3.2", "4 linear hidden units", Q3_2, answer_3_2, findings_3_2),
    Question("3.3", "Is the 4-unit problem convex?", Q3_3, answer_3_3),
))
