"""Problem 4: one-hidden-layer ReLU networks as universal approximators."""

from tfsheet.experiments.registry import P4
from tfsheet.report import format as fmt
from tfsheet.report.findings import Finding, Rule
from tfsheet.report import plots
from tfsheet.report.answers import Answer, Detail, Figure, Problem, Question

NETWORK = r"""Every network here has one input $x$, one hidden layer of ReLU units and one identity output unit."""
Q4_1 = NETWORK + r""" Write the output $\hat y$ of the two-unit network as a function of $x$ by the forward equations."""
Q4_2 = r"""Set $w^2_{00} = w^2_{10} = w^3_{00} = 1$, $w^3_{01} = -1$, $b^2_0 = -3$, $b^2_1 = -4$, $b^3_0 = 0$. Compute $\hat y$ at $x = 3$ and $x = 4$; state and sketch the function $h$."""
Q4_3 = r"""Given $c < d$, give a network for $h_{c,d}$: 0 for $x < c$, $\frac{x - c}{d - c}$ on $[c, d]$, 1 for $x > d$."""
Q4_4 = r"""Argue that for any $f$ continuous and bounded on $[0, 1]$ and any $\varepsilon > 0$ there is such a network $h$ with $|f(x) - h(x)| < \varepsilon$ on $[0, 1]$."""
Q4_5 = r"""Argue that for any weights there is an $x_0$ beyond which $h(x) = m x + n$. Is this also true with arbitrarily many hidden units?"""
Q4_6 = r"""A start-up claims a network of this kind that outputs a value greater than 0 exactly when $x$ is prime. Invest?"""


def _plot(records, key, caption, figure_dir):
    """The figure `key` of Problem 4, drawn from its results into figure_dir."""
    results = records[P4.name]["results"]
    drawings = {
        "constructions": lambda path: plots.plot_relu_constructions(results["q4_2"]["net"],
                                                                    results["q4_3"]["example"], path),
        "approximation": lambda path: plots.plot_approximation_error(results["q4_4"], path),
        "eventually_linear": lambda path: plots.plot_eventually_linear(results["q4_5"], path),
        "primes": lambda path: plots.plot_prime_detector(results["q4_6"], path),
    }
    return Figure(str(drawings[key](figure_dir / f"q4_{key}.png")), caption)


def answer_4_1(records, figure_dir):
    check = records[P4.name]["results"]["q4_1"]
    text = (
        r"Hidden unit $j$ computes $a^2_j = \mathrm{ReLU}(w^2_{j0} x + b^2_j)$ and the output unit adds them up:"
        "\n\n"
        r"$$\hat y = b^3_0 + w^3_{00}\,\mathrm{ReLU}(w^2_{00} x + b^2_0) + w^3_{01}\,\mathrm{ReLU}(w^2_{10} x + b^2_1),$$"
        "\n\n"
        r"and with $H$ hidden units $\hat y = b^3_0 + \sum_{j} w^3_{0j}\,\mathrm{ReLU}(w^2_{j0} x + b^2_j)$: a "
        r"piecewise-linear function with a kink at $x = -b^2_j / w^2_{j0}$ for each unit."
        "\n\n"
        f"**Checked:** on {check['trials']} random networks (widths 1 to {check['max_width']}) at {check['points']:,} "
        f"points in $[{fmt.number(check['interval'][0], 0)}, {fmt.number(check['interval'][1], 0)}]$, tfsheet's Keras `ReluNet` and this formula agree to a relative difference of "
        f"{fmt.scientific(check['max_relative_difference'])} (float32 arithmetic).")
    return Answer(text)


def answer_4_2(records, figure_dir):
    values = records[P4.name]["results"]["q4_2"]
    text = (
        r"$\hat y(x) = \mathrm{ReLU}(x - 3) - \mathrm{ReLU}(x - 4)$, so $\hat y(3) = 0 - 0 = 0$ and "
        r"$\hat y(4) = 1 - 0 = 1$. In general"
        "\n\n"
        r"$$h(x) = \begin{cases} 0 & x < 3 \\ x - 3 & 3 \le x \le 4 \\ 1 & x > 4 \end{cases}$$"
        "\n\n"
        "a ramp from 0 to 1 between 3 and 4 (left panel of the figure).\n\n"
        f"**Computed** by the network (`tfsheet.analysis.universal.sheet_example`, float64): $h(3)$ = {fmt.number(values['h(3)'], 1)}, "
        f"$h(4)$ = {fmt.number(values['h(4)'], 1)}.")
    return Answer(text, (_plot(records, "constructions",
                               "Left: the Q4.2 network. Right: the ramp of Q4.3 for c = 1, d = 3.", figure_dir),))


def answer_4_3(records, figure_dir):
    check = records[P4.name]["results"]["q4_3"]
    text = (
        r"Scale the Q4.2 construction: two units with kinks at $c$ and $d$,"
        "\n\n"
        r"$$h_{c,d}(x) = \frac{1}{d - c}\,\mathrm{ReLU}(x - c) - \frac{1}{d - c}\,\mathrm{ReLU}(x - d),$$"
        "\n\n"
        r"i.e. $w^2_{00} = w^2_{10} = 1$, $b^2_0 = -c$, $b^2_1 = -d$, $w^3_{00} = -w^3_{01} = \frac{1}{d - c}$, "
        r"$b^3_0 = 0$. For $x < c$ both units are off (0); on $[c, d]$ only the first is on, giving "
        r"$\frac{x - c}{d - c}$; for $x > d$ the two differ by $\frac{(x - c) - (x - d)}{d - c} = 1$."
        "\n\n"
        f"**Checked:** for {check['trials']} random pairs $c < d$ the network equals the three-piece definition to "
        f"{fmt.scientific(check['max_abs_difference'])} (float64), including at $x = c$ and $x = d$.")
    return Answer(text, (_plot(records, "constructions",
                               "Right: the ramp of Q4.3 for c = 1, d = 3 (left: the Q4.2 network).", figure_dir),))


SHORT_FACTOR = 2.0
SHORT_OF_CONSTRUCTION = Rule(
    "short of the construction", f"training falls short at a width when every seed's largest error on [0, 1] is "
    f"more than {SHORT_FACTOR:g} times the even-grid construction's at the same width (a factor, not a difference: "
    "the errors span orders of magnitude); it is below the construction when every seed's error is under the "
    "construction's, and within otherwise (seeds on both sides of a line give no verdict, as under the seed-separated "
    "rule)")


SPREAD_FACTOR = 2.0     # seeds whose largest errors differ by more than this factor are said to spread


def _errors(point):
    """Every seed's largest error of a trained point (its one median when the record has no per-seed values)."""
    return point.get("all") or [point["max_error"]]


def construction_findings(row):
    """Per width, does training fall short of the even-grid construction of the same width on every seed
    (SHORT_OF_CONSTRUCTION)?"""
    uniform = {point["width"]: point["max_error"] for point in row["uniform"]}
    columns = tuple((f"{point['width']} units", min(_errors(point)) > SHORT_FACTOR * uniform[point["width"]])
                    for point in row["trained"] if point["width"] in uniform)
    evidence = "; ".join(f"{point['width']}: trained {_seed_range(point)}, grid "
                         f"{fmt.scientific(uniform[point['width']])}" for point in row["trained"]
                         if point["width"] in uniform)
    return Finding("4.4", f"{row['function']}: training falls short of the construction of the same width",
                   SHORT_OF_CONSTRUCTION, columns, evidence)


def findings_4_4(records):
    return tuple(construction_findings(row) for row in records[P4.name]["results"]["q4_4"])


def _seed_range(point):
    """'1.2e-02 to 3.4e-02 over the seeds', or the one value of one seed."""
    errors = _errors(point)
    if len(errors) == 1:
        return fmt.scientific(errors[0])
    return f"{fmt.scientific(min(errors))} to {fmt.scientific(max(errors))} over the seeds"


def _spread(point):
    errors = _errors(point)
    return max(errors) / min(errors) if min(errors) > 0 else float("inf")


def _trained_cell(point, width=True):
    """"median (min-max) at W units": the trained column of Q4.4's tables."""
    errors = _errors(point)
    spread = f" ({fmt.scientific(min(errors))} to {fmt.scientific(max(errors))})" if len(errors) > 1 else ""
    return f"{fmt.scientific(point['max_error'])}{spread}" + (f" at {point['width']} units" if width else "")


def _units(widths):
    return ", ".join(str(width) for width in widths) + " units"


def _training_sentence(row, finding):
    """Per function: the widths where training falls short of the grid on every seed (the finding), where every
    seed beats it, where neither (within), and where its seeds spread over more than SPREAD_FACTOR."""
    short = {int(column.split()[0]) for column, reading in finding.columns if reading}
    uniform = {point["width"]: point["max_error"] for point in row["uniform"]}
    trained = [point for point in row["trained"] if point["width"] in uniform]
    beats = [point["width"] for point in trained if max(_errors(point)) < uniform[point["width"]]]
    within = [point["width"] for point in trained if point["width"] not in short and point["width"] not in beats]
    parts = [f"{label} {_units(widths)}" for label, widths in (
        ("short at", sorted(short)), ("below the grid's error on every seed at", beats),
        (f"within {SHORT_FACTOR:g}× at", within)) if widths]
    spread = [point["width"] for point in row["trained"] if _spread(point) > SPREAD_FACTOR]
    if spread:
        parts.append(f"seeds more than {SPREAD_FACTOR:g}× apart at {_units(spread)}")
    return f"{row['function'].replace('|', chr(92) + '|')}: " + ", ".join(parts)


def _seed_count(study):
    return max(len(_errors(point)) for row in study for point in row["trained"])


def _seeds(study):
    """What the trained column of the tables shows: 'the median of 3 seeds' or 'one seed'."""
    count = _seed_count(study)
    return f"the median of {count} seeds" if count > 1 else "one seed"


def _recipe(config, study):
    """The one training recipe of Q4.4, read from its config: fixed, not tuned on validation."""
    count = _seed_count(study)
    return (f"Adam at rate {config['learning_rate']:g}, {config['epochs']:,} epochs, {config['samples']:,} evenly "
            f"spaced points, squared loss, {count} seed{'s' if count > 1 else ''}")


def answer_4_4(records, figure_dir):
    study = records[P4.name]["results"]["q4_4"]
    config = records[P4.name]["config"]
    seeds = _seeds(study)
    rows = []
    for row in study:
        adaptive = " / ".join(f"{point['width']:,}" for point in row["adaptive"])
        certified = (" / ".join(f"{point['width']:,}" for point in row["certified"]) if row["certified"]
                     else "no Lipschitz constant")
        uniform = row["uniform"][-1]
        rows.append((row["function"].replace("|", "\\|"), adaptive, certified,
                     f"{fmt.scientific(uniform['max_error'])} at {uniform['width']} units", _trained_cell(row["trained"][-1])))
    eps = " / ".join(f"{point['eps']:g}" for point in study[0]["adaptive"])
    met = all(point["held_out_error"] < point["eps"] for row in study for point in row["adaptive"])
    found = findings_4_4(records)
    short_somewhere = [row["function"] for row, finding in zip(study, found) if True in dict(finding.columns).values()]
    text = (
        r"**Yes: $f$ is uniformly continuous on $[0, 1]$, so its linear interpolant on knots close enough together is "
        r"within $\varepsilon$ of it, and that interpolant is a one-hidden-layer ReLU network with one unit per "
        r"piece.** "
        + (f"The networks built this way meet every $\\varepsilon$ tried ({eps}) at points they were not built on, for "
           f"all {len(study)} functions below. " if met else
           "Built this way, some networks miss their $\\varepsilon$ at points they were not built on (table). ")
        + ("Training from random weights with one fixed recipe is another matter: on every seed it falls more than "
           f"{SHORT_FACTOR:g} times short of the even-grid construction of the same width at some widths for "
           f"{len(short_somewhere)} of {len(study)} functions." if short_somewhere else
           "Training from random weights got within reach of the construction at every width here, but nothing "
           "guarantees it does.") + "\n\n"
        + fmt.table(("f on [0, 1]", f"units for ε = {eps} (checked)", f"units for ε = {eps} (proved from L)",
                     "even grid: max error", f"trained: max error, {seeds}" + (" (min to max)" if "median" in seeds else "")),
                    rows) + "\n\n"
        r"1. $f$ is continuous on the closed, bounded interval $[0, 1]$, hence *uniformly* continuous: there is "
        r"$\delta > 0$ with $|f(x) - f(y)| < \varepsilon/2$ whenever $|x - y| < \delta$." "\n"
        r"2. Take knots $0 = x_0 < x_1 < \dots < x_n = 1$ closer than $\delta$ and let $g$ interpolate $f$ linearly "
        r"between them. On $[x_i, x_{i+1}]$, $g(x)$ is a weighted mean of $f(x_i)$ and $f(x_{i+1})$, both within "
        r"$\varepsilon/2$ of $f(x)$, so $|f(x) - g(x)| < \varepsilon$ on all of $[0, 1]$." "\n"
        r"3. $g$ is a network of our class: with $s_i$ the slope on piece $i$, "
        r"$g(x) = f(x_0) + s_0\,\mathrm{ReLU}(x - x_0) + \sum_{i=1}^{n-1} (s_i - s_{i-1})\,\mathrm{ReLU}(x - x_i)$ on "
        r"$[0, 1]$ (the constant is the output bias), a sum of the ramps $h_{x_i, x_{i+1}}$ of Q4.3 scaled by "
        r"$f(x_{i+1}) - f(x_i)$: $n$ hidden units, one per piece." "\n\n"
        "Universality says what networks can represent, not that gradient descent finds it. Training used one "
        f"fixed recipe ({_recipe(config, study)}), not tuned on validation, so \"falls short\" is about this recipe, "
        "not about what gradient descent can find. Per function, against the even grid of the same width (short: "
        f"every seed's largest error above {SHORT_FACTOR:g} times the grid's; below: every seed's under it; within "
        "otherwise): "
        + "; ".join(_training_sentence(row, finding) for row, finding in zip(study, found)) + ".")
    detail = (
        "`tfsheet.analysis.universal.approximate(f, eps)` builds the network, placing knots where $f$ bends, and checks "
        "it on a dense grid in float64; given a Lipschitz constant $L$ it also proves the bound (linear interpolation "
        r"errs by at most $L\ell/2$ on a piece of length $\ell$). The largest error on $[0, 1]$ per width, even grid "
        f"against training ({_seeds(study)}, min to max):\n\n"
        + fmt.table(("f", "width", "even grid", "trained: median (min-max)"),
                    [(row["function"].replace("|", "\\|"), point["width"],
                      fmt.scientific({grid["width"]: grid["max_error"] for grid in row["uniform"]}.get(point["width"])),
                      _trained_cell(point, width=False)) for row in study for point in row["trained"]]))
    return Answer(text, (_plot(records, "approximation", "Largest error on [0, 1] against the number of hidden "
                                                         "units: construction, even grid and training.", figure_dir),),
                  (Detail("How the networks were built, and every width", detail),))


def answer_4_5(records, figure_dir):
    result = records[P4.name]["results"]["q4_5"]
    right, left = result["right"], result["left"]
    text = (
        r"**Yes to both: beyond its largest kink every network of this class is a line $m x + n$, whatever its weights "
        r"and however many hidden units it has, as long as they are finitely many.** Only an infinite hidden layer "
        r"could escape it. "
        r"Each unit has one kink, at $k_j = -b^2_j / w^2_{j0}$ (a unit with $w^2_{j0} = 0$ is constant). Let $x_0$ be "
        r"the largest kink. For $x \ge x_0$ every unit with $w^2_{j0} > 0$ is on and every unit with $w^2_{j0} < 0$ is "
        r"off, so"
        "\n\n"
        r"$$h(x) = \Big(\sum_{j:\,w^2_{j0} > 0} w^3_{0j} w^2_{j0}\Big)\,x + b^3_0 + \sum_{j:\,w^2_{j0} > 0} w^3_{0j} b^2_j + \sum_{j:\,w^2_{j0} = 0} w^3_{0j}\,\mathrm{ReLU}(b^2_j), \qquad x \ge x_0,$$"
        "\n\n"
        "a line $m x + n$. With arbitrarily many hidden units the argument is unchanged as long as there are finitely "
        "many, as in any actual network: finitely many kinks have a largest one. (Likewise $h$ is linear left of its "
        "smallest kink.)\n\n"
        f"**Measured** on a {result['width']}-unit net trained on sin(2πx) over [0, 1] (`tfsheet.analysis.universal.asymptote` reads $x_0$, $m$, "
        f"$n$ off the weights): beyond $x_0$ = {fmt.number(right['x0'], 2)} it is the line with slope "
        f"{fmt.number(right['slope'], 3)} and intercept {fmt.number(right['intercept'], 3)} (largest deviation "
        f"{fmt.scientific(result['max_deviation_beyond_x0'])} up to $x_0 + 1000$), and before "
        f"$x_0$ = {fmt.number(left['x0'], 2)} the line with slope {fmt.number(left['slope'], 3)} (deviation "
        f"{fmt.scientific(result['max_deviation_before_left_x0'])}). Outside its training interval it does not continue "
        "the sine at all.")
    return Answer(text, (_plot(records, "eventually_linear", "A trained net and the lines it becomes beyond its "
                                                             "outermost kinks.", figure_dir),))


def answer_4_6(records, figure_dir):
    result = records[P4.name]["results"]["q4_6"]
    low, high = result["range"]
    rows = []
    for name, label in (("constructed", "constructed: interpolates +1 at primes, -1 elsewhere"),
                        ("trained", "trained by Adam")):
        detector = result[name]
        rows.append((f"{label}, {detector['width']} units", fmt.percent(detector["accuracy_on_range"], 1),
                     str(detector["first_failure_beyond_range"]),
                     f"{detector['counterexample']} ({'prime' if detector['counterexample_is_prime'] else 'composite'}, "
                     f"h = {fmt.number(detector['output_at_counterexample'], 2)})"))
    text = (
        "**Do not invest.** By Q4.5, whatever the width and the weights, $h(x) = m x + n$ for all $x$ beyond some "
        r"$x_0$, so for large $x$ the sign of $h$ is constant: either $h > 0$ for every large $x$ ($m > 0$, or $m = 0$ "
        r"and $n > 0$) or for none. Primes and composites both go on for ever, so beyond $x_0$ (and beyond the line's "
        r"zero) there is a composite with $h > 0$ or a prime with $h \le 0$. No network of this class is positive "
        "exactly on the primes; a blockchain or a cloud does not change the function class. What can be done is "
        f"fitting a finite range, which is how a demo could look convincing. `tfsheet.analysis.universal.prime_counterexample` "
        "finds, for any such network, an integer on which the claim fails.\n\n"
        f"**Measured** with detectors fitted on the integers {low} to {high}:\n\n"
        + fmt.table(("detector", f"correct on {low}..{high}", f"first failure after {high}", "counterexample past x₀"),
                    rows))
    return Answer(text, (_plot(records, "primes", "Prime detectors fitted on a finite range, and where they fail.", figure_dir),))


PROBLEM = Problem("4", "Neural networks as universal function approximators", (P4.problem,), (
    Question("4.1", "The forward equations", Q4_1, answer_4_1),
    Question("4.2", "The sheet's weights", Q4_2, answer_4_2),
    Question("4.3", "A ramp from c to d", Q4_3, answer_4_3),
    Question("4.4", "Approximating any continuous function on [0, 1]", Q4_4, answer_4_4, findings_4_4),
    Question("4.5", "Eventually linear", Q4_5, answer_4_5),
    Question("4.6", "A prime detector?", Q4_6, answer_4_6),
))
