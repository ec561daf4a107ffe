"""Problem 2: MNIST MLPs with one-hot or binary outputs, the appended layer, direct training."""

from tfsheet.experiments.registry import P2_APPENDED, P2_DIRECT, P2_SWEEP
from tfsheet.report import format as fmt
from tfsheet.report.findings import BETTER, NO_EFFECT, SEED_SEPARATED, WORSE, Finding, compare
from tfsheet.results import Seeded
from tfsheet.report import plots
from tfsheet.report.answers import Answer, Figure, Problem, Question

Q2_1 = r"""A colleague suggests binary output codes (0 = 0000, 1 = 0001, ...) so the output layer has 4 units instead of 10, and perhaps a smaller hidden layer too. What do you think?"""
Q2_2 = r"""Show that from a trained one-hot network with high accuracy you can design a network with binary outputs and roughly the same error (hint: add a layer)."""
Q2_3 = r"""What would happen if you trained the network of Q2.2 (784-H-10-4) directly?"""


def _by_width(rows):
    table = {}
    for row in rows:
        table.setdefault(row["num_hidden"], {})[row["encoding"]] = row
    return dict(sorted(table.items()))


def _describe(settings):
    return f"{settings['hidden_activation']}, Adam {settings['learning_rate']:g}"


def _narrow_widths(widths, behind):
    """Where the binary net is ahead on every seed (the narrowest widths, if any), said with how far below the widest
    net it is."""
    if not behind:
        return ""
    best_there = max(max(widths[width]["one_hot"]["accuracy"].mean, widths[width]["binary"]["accuracy"].mean)
                     for width in behind)
    widest = widths[max(widths)]["one_hot"]["accuracy"].mean
    return (f" The binary net is ahead only at {', '.join(f'$H = {width}$' for width in behind)}: with so few hidden "
            "units four outputs are easier to fit than ten, but the best net there reaches "
            f"{fmt.percent(best_there)}, {fmt.number(100 * (widest - best_there), 2)} points below the widest one-hot "
            "net, so no width that small is a way to save parameters.")


def findings_2_1(records):
    """Per width H, one-hot against binary outputs by test accuracy (SEED_SEPARATED, higher is better)."""
    widths = _by_width(records[P2_SWEEP.name]["results"]["rows"])
    return tuple(Finding("2.1", f"H = {width}: one-hot against binary outputs", SEED_SEPARATED,
                         (("test accuracy", compare(pair["one_hot"]["accuracy"], pair["binary"]["accuracy"],
                                                    lower_is_better=False)),),
                         f"one-hot {fmt.seeded_percent(pair['one_hot']['accuracy'])}, binary "
                         f"{fmt.seeded_percent(pair['binary']['accuracy'])}")
                 for width, pair in widths.items())


def findings_2_3(records):
    """The directly trained 784-H-10-4 net against the appended design over the same seeds, and against the
    textbook one-layer decoder on the one-hot net (its one seed, the search's), SEED_SEPARATED."""
    summary = records[P2_DIRECT.name]["results"]["summary"]
    textbook = Seeded.constant(records[P2_APPENDED.name]["results"]["classic_layer"]["accuracy"])
    return (Finding("2.3", "the directly trained 784-H-10-4 net against the appended design", SEED_SEPARATED,
                    (("test accuracy", compare(summary["accuracy"], summary["appended_accuracy"],
                                               lower_is_better=False)),),
                    f"direct {fmt.seeded_percent(summary['accuracy'])}, appended "
                    f"{fmt.seeded_percent(summary['appended_accuracy'])}"),
            Finding("2.3", "the directly trained 784-H-10-4 net against the textbook one-layer decoder",
                    SEED_SEPARATED, (("test accuracy", compare(summary["accuracy"], textbook, lower_is_better=False)),),
                    f"direct {fmt.seeded_percent(summary['accuracy'])}, textbook decoder "
                    f"{fmt.seeded_percent(textbook)}"))


AGAINST = {BETTER: "above", WORSE: "below", NO_EFFECT: "within the seed spread of"}


def answer_2_1(records, figure_dir):
    sweep = records[P2_SWEEP.name]["results"]
    widths = _by_width(sweep["rows"])
    rows, gaps = [], {}
    for width, pair in widths.items():
        one_hot, binary = pair["one_hot"], pair["binary"]
        gaps[width] = 100 * (one_hot["accuracy"].mean - binary["accuracy"].mean)
        rows.append((width, f"{one_hot['parameters']:,}", fmt.seeded_percent(one_hot["accuracy"]),
                     f"{binary['parameters']:,}", fmt.seeded_percent(binary["accuracy"]),
                     fmt.percent(binary["invalid_share"].mean)))
    largest = max(widths)
    saving = 1 - widths[largest]["binary"]["parameters"] / widths[largest]["one_hot"]["parameters"]
    verdicts = {width: finding.verdict for width, finding in zip(widths, findings_2_1(records))}
    better, behind, even = ([width for width, verdict in verdicts.items() if verdict == reading]
                            for reading in (BETTER, WORSE, NO_EFFECT))
    smallest = min(widths)
    shrink = 100 * (widths[largest]["one_hot"]["accuracy"].mean - widths[smallest]["one_hot"]["accuracy"].mean)
    seeds = fmt.over_seeds(widths[largest]["one_hot"]["accuracy"])
    text = (
        "**Not a good idea.** The saving is small: the output layer has $4(H + 1)$ weights instead of $10(H + 1)$, "
        "but the hidden layer has $785H$, so the network hardly shrinks "
        f"(at $H = {largest}$ the binary net has {fmt.percent(saving)} fewer parameters). "
        "What it costs is accuracy. A one-hot output unit answers \"is this a 3?\", a question the hidden "
        "features can be shaped for; a binary output unit answers a union of unrelated digits (the lowest bit is "
        "\"is it 1, 3, 5, 7 or 9?\"), which is much harder to make linearly separable, and one wrong bit gives another "
        "digit or one of the six codes 10-15 that name no digit. The argmax of ten outputs has a margin instead: a near "
        "miss still reads as the right digit. Shrinking the hidden layer as well costs accuracy whatever the outputs.\n\n"
        f"**Measured** (test accuracy on the 10,000 MNIST test images, {seeds}, squared loss as in the "
        f"sheet): the one-hot net is more accurate than the binary net on every seed at {len(better)} of "
        f"{len(gaps)} widths, the binary net at {len(behind)}"
        + (f", and at {', '.join(f'$H = {width}$' for width in even)} their seeds overlap (no effect)" if even else "")
        + "; "
        f"its lead is {fmt.number(gaps[largest], 2)} points at $H = {largest}$ and {fmt.number(gaps[smallest], 2)} "
        f"points at $H = {smallest}$; shrinking the one-hot net from $H = {largest}$ to $H = {smallest}$ costs "
        f"{fmt.number(shrink, 2)} points, and the binary net outputs invalid codes for up to "
        f"{fmt.percent(max(pair['binary']['invalid_share'].mean for pair in widths.values()))} of the images."
        + _narrow_widths(widths, behind) + "\n\n"
        + fmt.table(("hidden units H", "one-hot: parameters", "one-hot: accuracy", "binary: parameters",
                     "binary: accuracy", "binary: invalid codes"), rows))
    text += ("\n\nSettings of each encoding (the same search for both, at the default width): " + "; ".join(
        f"{encoding.replace('_', '-')}: {fmt.search(sweep['search'][encoding], _describe)}"
        for encoding in ("one_hot", "binary"))
        + f". Every cell of the sweep then trains for the same number of epochs, "
        f"{records[P2_SWEEP.name]['config']['sweep_epochs']}.")
    plot = plots.plot_accuracy_against_hidden(sweep["rows"], figure_dir / "q2_1_accuracy_vs_hidden.png")
    return Answer(text, (Figure(str(plot), "Test accuracy against hidden width, one-hot vs binary outputs "
                                               "(error bars: std over seeds)."),))


def answer_2_2(records, figure_dir):
    run = records[P2_APPENDED.name]["results"]
    width = run["one_hot"]["num_hidden"]
    premise, classic, appended = run["premise"], run["classic_layer"], run["appended"]
    epochs = {design: run["search"][design]["chosen"]["epochs"] for design in ("binary", "one_hot")}
    rows = [
        (f"one-hot 784-{width}-10 net, argmax", fmt.percent(run["one_hot"]["accuracy"])),
        ("appended net, decoded bits", fmt.percent(appended["accuracy"])),
        ("test images where the appended net's digit equals the one-hot net's argmax",
         fmt.percent(appended["agrees_with_one_hot_argmax"])),
        ("test images with a tie for the largest output", str(appended["ties_at_the_top"])),
        ("trainable parameters added", str(appended["trainable_parameters_added"])),
        (f"binary 784-{width}-4 net, trained for the epochs its own search chose ({epochs['binary']}; the one-hot "
         f"net {epochs['one_hot']})", fmt.percent(run["binary"]["accuracy"])),
        ("images meeting the textbook premise (top output ≥ 0.99, others < 0.01)", fmt.percent(premise["share_meeting"])),
        ("textbook one-layer version, all images", fmt.percent(classic["accuracy"])),
        ("textbook version where the premise fails", fmt.percent(classic["accuracy_where_premise_failed"])),
        ("appended net where the premise fails", fmt.percent(run["appended_where_premise_failed"])),
    ]
    adversarial = appended["adversarial"]
    checked = sum(check["inputs"] for check in adversarial)
    agreed = sum(check["agree"] for check in adversarial)
    text = (
        r"Append a fixed network of threshold units (`tfsheet.layers.OneHotToBinary`; each unit outputs "
        r"$\mathrm{step}(z) = [z > 0]$ of its own pre-activation $z = \mathbf w \cdot \mathbf x + b$; nothing is trained) "
        r"to the trained one-hot net. With the outputs $\hat y_1, \dots, \hat y_{10}$:"
        "\n\n"
        r"1. 90 comparison units $c_{ij} = \mathrm{step}(\hat y_i - \hat y_j)$, one per ordered pair $i \ne j$;" "\n"
        r"2. 10 winner units $w_i = \mathrm{step}\big(\sum_{j \ne i} c_{ij} - 8.5\big)$: 1 exactly when "
        r"$\hat y_i$ beats all nine others;" "\n"
        r"3. the winners relayed, $r_i = \mathrm{step}(w_i - \tfrac12)$, and one unit $t = \mathrm{step}(\tfrac12 - "
        r"\sum_i w_i)$ that fires when nobody won;" "\n"
        r"4. 4 bit units $\mathrm{bits} = \mathrm{step}(\mathbf B^\top \mathbf r + t\,\mathbf 1 - \tfrac12)$, where row $i$ "
        r"of the $10 \times 4$ matrix $\mathbf B$ holds the bits of output $i$'s digit (row 0 = 0001 for digit 1, ..., "
        r"row 9 = 0000 for digit 0, the last one-hot component)."
        "\n\n"
        r"If the largest output is unique, exactly one $w_i$ is 1 (every other output loses at least to the winner), "
        r"$t = 0$, and the bits are the code of the one-hot net's digit: the 784-H-10-4 network makes the one-hot net's "
        r"decisions, so its error *is* the one-hot net's error. On an exact tie for the largest output no unit wins, "
        r"$t = 1$, and the bits read 1111, an invalid code, rather than a guess. "
        + f"The added network is {appended['depth']} layers of threshold units with {appended['fixed_parameters']:,} "
        "fixed weights and biases. "
        + r"The textbook answer is the last layer alone on the raw outputs, $\mathrm{step}(\mathbf B^\top \hat{\mathbf y} "
        r"- \tfrac12)$. It is exact whenever the largest output exceeds $\tfrac12$ and the others sum to less than "
        r"$\tfrac12$ (with outputs in $[0, 1]$, a bit's sum then crosses $\tfrac12$ exactly when the winner's code has "
        r"that bit); the textbook premise (the right output ≥ 0.99, the others < 0.01) is one case of that. Nothing "
        "makes a trained net meet it on every image, and where it fails the bits of two digits can mix.\n\n"
        f"**Measured** ($H = {width}$, test set): the appended net scores {fmt.percent(appended['accuracy'])}, the "
        f"one-hot net {fmt.percent(run['one_hot']['accuracy'])}, and they name the same digit on "
        f"{fmt.percent(appended['agrees_with_one_hot_argmax'])} of the images"
        + f"; on {checked:,} score vectors built to break it (near-ties one float32 step apart, magnitudes from "
        f"1e-30 to 1e30, all-negative rows) its bits equal those of numpy's argmax on {agreed:,}"
        + f". Only {fmt.percent(premise['share_meeting'])} of the images meet the textbook premise; where it fails, "
        f"the textbook version scores {fmt.percent(classic['accuracy_where_premise_failed'])} and the appended network "
        f"{fmt.percent(run['appended_where_premise_failed'])}.\n\n"
        + fmt.table(("measured on the 10,000 test images", "value"), rows))
    return Answer(text)


def answer_2_3(records, figure_dir):
    direct = records[P2_DIRECT.name]["results"]
    summary, middle = direct["summary"], direct["appended_middle_layer"]
    appended_accuracy = fmt.seeded_percent(summary["appended_accuracy"])
    appended_mean = summary["appended_accuracy"].mean
    rows = [
        ("test accuracy", fmt.seeded_percent(summary["accuracy"]), appended_accuracy),
        ("invalid codes (10-15)", fmt.seeded_percent(summary["invalid_share"]), "0.00 %"),
        ("10-unit layer: images whose winning unit names the label, best one-to-one unit→digit map",
         fmt.seeded_percent(summary["middle"]["best_assignment_agreement"]), fmt.percent(middle["best_assignment_agreement"])),
        ("10-unit layer: mean share of the activation in the largest unit (1 = one-hot, 0.1 = uniform)",
         fmt.seeded(summary["middle"]["concentration"], 2), fmt.number(middle["concentration"], 2)),
        ("10-unit layer: images meeting the one-hot premise", fmt.seeded_percent(summary["middle"]["premise_share"]),
         fmt.percent(middle["premise_share"])),
    ]
    gap = 100 * (appended_mean - summary["accuracy"].mean)
    against_appended, against_textbook = findings_2_3(records)
    appended = records[P2_APPENDED.name]["results"]
    text = (
        "The network of Q2.2 is the one-hot net with the fixed threshold layers appended. Those step units have "
        "zero gradient almost everywhere, so nothing can be trained through them: trained directly, the "
        "784-H-10-4 net needs a differentiable 10-unit middle layer, here sigmoid units like the four outputs "
        f"(the same $H = {appended['one_hot']['num_hidden']}$; its hidden activation, rate and epochs chosen on "
        "validation as the one-hot net's were). "
        "Trained directly from random weights on the binary targets, the 784-H-10-4 net has no reason to make its "
        "10-unit layer one-hot: the loss only asks that four sigmoid units can read the bits from it, and any "
        "10-dimensional code that allows that will do. Gradient descent finds a distributed code, not the one-hot "
        "solution, which is one point in a large set of solutions, easy to build by hand from a one-hot-trained net "
        "and very unlikely to be reached from random weights. The bit targets also give the middle layer a harder job "
        "than \"which digit is it?\", so the net is less accurate than the designed one.\n\n"
        f"**Measured** (test set, {fmt.over_seeds(summary['accuracy'])}): trained directly it reaches "
        f"{fmt.seeded_percent(summary['accuracy'])}, {AGAINST[against_appended.verdict]} the appended design over "
        f"the same seeds ({appended_accuracy}, {fmt.number(abs(gap), 2)} points apart) and "
        f"{AGAINST[against_textbook.verdict]} the textbook one-layer decoder on the one-hot net "
        f"({fmt.percent(appended['classic_layer']['accuracy'])}, the search's seed). Its 10-unit layer is far from "
        "one-hot: the largest "
        f"unit carries {fmt.seeded(summary['middle']['concentration'], 2)} of the activation (one-hot: 1), "
        "against "
        f"{fmt.number(middle['concentration'], 2)} in the one-hot net that the layer is appended to.\n\n"
        + fmt.table(("", "784-H-10-4 trained directly", "appended design (Q2.2)"), rows)
        + f"\n\nSettings of the direct net: {fmt.search(direct['search'], _describe)}; of the one-hot net it is "
        f"compared with: {fmt.search(appended['search']['one_hot'], _describe)}.")
    return Answer(text)


PROBLEM = Problem("2", "Digit classification using MLPs: one-hot or binary outputs", (P2_SWEEP.problem,), (
    Question("2.1", "Binary outputs and a smaller hidden layer?", Q2_1, answer_2_1, findings_2_1),
    Question("2.2", "A binary network with the same error, by design", Q2_2, answer_2_2),
    Question("2.3", "Training the 784-H-10-4 network directly", Q2_3, answer_2_3, findings_2_3),
))
