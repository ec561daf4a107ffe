"""Problem 5: n-gram models against RNNs trained with truncated BPTT (5.1), and RTRL (5.2)."""

import math

from tfsheet.data.synthetic import PROBE_LAGS
from tfsheet.experiments.registry import P5_1_COPY, P5_1_LANGUAGE_MODEL, P5_1_PROBE, P5_1_SHAKESPEARE, P5_2
from tfsheet.report import format as fmt
from tfsheet.report.findings import BETTER, MIXED, NO_EFFECT, SEED_SEPARATED, WORSE, Finding, Rule, compare
from tfsheet.report import plots
from tfsheet.report.answers import Answer, Detail, Figure, Problem, Question
from tfsheet.results import NATS_PER_BIT, Seeded

Q5_1 = r"""TBPTT truncates the gradient computation to $k$ steps. Compare a feed-forward neural $n$-gram model trained with SGD and an RNN language model trained with TBPTT truncated to $n$ steps. Does the truncation make the RNN equivalent to the $n$-gram model, or can it learn dependencies longer than $n$, in theory or in practice?"""
Q5_2 = r"""Complete the in-order recurrence $\nabla_\theta\mathcal F = \sum_n \frac{\partial\mathcal F_n}{\partial\mathbf h_n}[\dots]$, propose the SGD algorithm it gives as an alternative to BPTT, and state its computational and memory complexity, advantages and disadvantages."""

MODELS = (("kneser_ney", "count n-gram (Kneser-Ney)"), ("neural_ngram", "neural n-gram"),
          ("rnn_tbptt_carried", "RNN, TBPTT k = n, state carried"), ("rnn_tbptt_reset", "RNN, TBPTT k = n, state reset"))

THEORY_5_1 = (
    r"**No: the truncation limits the gradient, not the model.** An $n$-gram model's prediction is a function of "
    r"the previous $n - 1$ tokens only; nothing earlier can influence it, however it is trained. An RNN's prediction "
    r"is a function of its state $\mathbf h_t$, which depends on the whole history. TBPTT($k$) with the state carried "
    r"from one window into the next still runs the forward pass over the entire stream; it only stops the "
    r"*backward* pass after $k$ steps, so the gradient never says directly how to change the weights to keep "
    r"information for more than $k$ steps. In theory the RNN can represent dependencies of any length, and it can "
    r"also *learn* some beyond $k$: whatever the weights learn to keep for $k$ steps (a slowly decaying feature, a "
    r"counter) is carried further as a side effect, and it is available to later windows. What it cannot do is get a "
    r"gradient signal for a dependency longer than $k$ that is useless within $k$. If instead the state is reset at "
    r"each window, the RNN truly sees only $k$ tokens and is no more than an $n$-gram model."
)


def findings_5_1(records):
    shakespeare = records[P5_1_SHAKESPEARE.name]["results"]
    return (*probe_findings(records[P5_1_PROBE.name]["results"]), *shakespeare_findings(shakespeare),
            *language_model_findings(records[P5_1_LANGUAGE_MODEL.name]["results"], shakespeare))


def answer_5_1(records, figure_dir):
    probe = records[P5_1_PROBE.name]["results"]
    copy = records[P5_1_COPY.name]["results"]
    shakespeare = records[P5_1_SHAKESPEARE.name]["results"]
    lm = records[P5_1_LANGUAGE_MODEL.name]["results"]
    baselines = {f"best {label}, validation": value for label, (_, value, _) in _best_ngrams(shakespeare).items()}
    probe_figure = Figure(str(plots.plot_probe(probe["rows"], probe["levels"], figure_dir / "q5_1_probe.png",
                                               probe["frozen_recurrence_nats"].mean)),
                          "Truncation probe: validation loss against k, with the three analytic levels.")
    details = (
        Detail("The truncation probe: a dependency beyond k", _probe(probe), (probe_figure,)),
        Detail("The copy task", _copy(copy), (Figure(str(plots.plot_copy_heatmap(
            copy["cells"], figure_dir / "q5_1_copy_heatmap.png")),
            "Copy task: accuracy on the copied positions against truncation k and distance L."),)),
        Detail("Tiny Shakespeare: the sheet's comparison at every n",
               _shakespeare(shakespeare, records[P5_1_SHAKESPEARE.name]["config"]),
               (Figure(str(plots.plot_bpc_against_order(shakespeare["rows"], figure_dir / "q5_1_bpc_vs_n.png")),
                       "Tiny Shakespeare: validation bits per character against n."),)),
        Detail("In practice: a strong recurrent language model", _language_model(lm, shakespeare),
               (Figure(str(plots.plot_learning_curves(lm["cells"], baselines, figure_dir / "q5_1_learning_curves.png")),
                       "Tiny Shakespeare: validation loss of the TBPTT language models after each pass."),)))
    return Answer(THEORY_5_1 + "\n\n" + _measured_5_1(records), (), details)


def _measured_5_1(records):
    """Three sentences of what the experiments show, each read from the findings."""
    short, long = PROBE_LAGS
    found = findings_5_1(records)
    between = [f for f in found if f.rule is BELOW_LEVEL]
    below = [f.claim.split(":")[0].removeprefix("probe, ") for f in between if f.verdict is True]
    shakespeare = [(f.claim.split(":")[0].removeprefix("Tiny Shakespeare, "), f.verdict) for f in found
                   if f.claim.startswith("Tiny Shakespeare")]
    rnn_wins = [order for order, verdict in shakespeare if verdict == BETTER]
    ngram_wins = [order for order, verdict in shakespeare if verdict == WORSE]
    cells = [f for f in found if f.claim.startswith("in practice")]
    cell_text = "; ".join(f"the {f.claim.split('the ', 1)[1].split(' RNN')[0]} cell: "
                          f"{ {BETTER: 'better', WORSE: 'worse', NO_EFFECT: 'no effect', MIXED: f.describe()}[f.verdict]}"
                          for f in cells)
    return (
        f"**Measured** (each verdict by the rules of the appendix). On a synthetic probe the carried-state RNN goes "
        f"below the best loss possible without lag {long} with {', '.join(below) or 'no k'} (lag {short} within "
        f"reach, lag {long} beyond it), so it uses a dependency longer than its truncation. On Tiny Shakespeare "
        f"at the sheet's $k = n$, the RNN beats the better $n$-gram model in every column at "
        f"{', '.join(rnn_wins) or 'no n'} and loses at {', '.join(ngram_wins) or 'no n'}. A larger recurrent model "
        f"with $k$ = {records[P5_1_LANGUAGE_MODEL.name]['results']['window']} against the best $n$-gram model on "
        f"validation and test: {cell_text}.")


def _searched(search):
    """One sentence: what a validation search tried and chose, and whether the rate is at an end of the grid (a
    better one may lie beyond it)."""
    chosen = search["chosen"]
    clip = f"clipping at global norm {fmt.number(chosen['clip_norm'], 1)}" if chosen["clip_norm"] else "no clipping"
    edge = _grid_edge(search)
    return (f"learning rate {chosen['learning_rate']:g}{f' (the {edge} tried)' if edge else ''} and {clip} "
            f"(of {len(search['tried'])} candidates, on the {search['split']} data)")


def _grid_edge(search):
    """"largest" or "smallest" when the chosen learning rate is an end of the searched grid, else None."""
    rates = sorted({tried["learning_rate"] for tried in search["tried"]})
    chosen = search["chosen"]["learning_rate"]
    return None if len(rates) < 2 else "largest" if chosen == rates[-1] else "smallest" if chosen == rates[0] else None


def _seeds_text(result):
    seeds = result["seeds"]
    return (f"mean ± std over seeds {', '.join(str(seed) for seed in seeds)}" if len(seeds) > 1
            else f"one seed ({seeds[0]})")


def _best_ngrams(shakespeare):
    """{family label: (n, validation nats, test nats)} of the count and the neural n-gram, n chosen on validation."""
    best = {}
    for key, label in (("kneser_ney", "count n-gram (Kneser-Ney)"), ("neural_ngram", "neural n-gram")):
        row = min(shakespeare["rows"], key=lambda row: row["nats"]["validation"][key].mean)
        best[label] = (row["n"], row["nats"]["validation"][key].mean, row["nats"]["test"][key].mean)
    return best


def language_model_findings(lm, shakespeare):
    """Each strong RNN cell against the best n-gram model (family and n chosen on validation), SEED_SEPARATED on
    validation and on test (the count model has no seed: its one value)."""
    label, (n, validation, test) = min(_best_ngrams(shakespeare).items(), key=lambda item: item[1][1])
    ngram = {"validation": Seeded.constant(validation), "test": Seeded.constant(test)}
    return tuple(Finding(
        "5.1", f"in practice: the {CELL_NAMES.get(cell, cell)} RNN (k = {lm['window']}) against the best n-gram "
               "model", SEED_SEPARATED,
        tuple((split, compare(lm["cells"][cell]["nats"][split], ngram[split])) for split in ("validation", "test")),
        f"test nats/char: RNN {fmt.seeded(lm['cells'][cell]['nats']['test'])}, {label} (n = {n}) {fmt.number(test)}")
        for cell in _cells(lm))


CELL_AGAINST_NGRAM = {BETTER: "better than the best n-gram model on every seed", WORSE: "worse than it on every seed",
                      NO_EFFECT: "within the seed spread of it"}


CELL_NAMES = {"tanh": "tanh (the sheet's)", "gru": "GRU"}


def _cells(lm):
    """The cells of the language-model results in reading order: the sheet's tanh cell first."""
    return sorted(lm["cells"], key=lambda cell: (list(CELL_NAMES).index(cell) if cell in CELL_NAMES else 99, cell))


SCHEDULE_TEXT = {"constant": "at a constant learning rate",
                 "cosine": "with its learning rate decayed along a cosine to 0 over the run"}


def _language_model(lm, shakespeare):
    """The strong TBPTT language models against the best n-grams, on validation and, once, on test."""
    rows = [(f"RNN, {CELL_NAMES.get(cell, cell)} cell, H = {lm['hidden_size']}, TBPTT k = {lm['window']}",
             fmt.seeded(result["nats"]["validation"]), fmt.seeded(result["nats"]["test"]),
             fmt.seeded(result["bpc"]["test"]), _searched(result["search"]))
            for cell, result in ((cell, lm["cells"][cell]) for cell in _cells(lm))]
    rows += [(f"{label}, n = {n} (best on validation)", fmt.number(val), fmt.number(test),
              fmt.number(test / NATS_PER_BIT), "") for label, (n, val, test) in _best_ngrams(shakespeare).items()]
    cell = min(lm["cells"], key=lambda name: lm["cells"][name]["nats"]["validation"].mean)
    verdicts = "; ".join(
        f"the {CELL_NAMES.get(name, name)} cell scores {fmt.seeded(lm['cells'][name]['nats']['test'])} nats/char on "
        f"test, " + (CELL_AGAINST_NGRAM[finding.verdict] + " (validation and test)" if finding.verdict != MIXED else
                     ", ".join(f"{CELL_AGAINST_NGRAM[reading]} on {column}" for column, reading in finding.columns))
        for name, finding in zip(_cells(lm), language_model_findings(lm, shakespeare)))
    ngram_label, (ngram_n, _, ngram_test) = min(_best_ngrams(shakespeare).items(), key=lambda item: item[1][1])
    return (
        f"**In practice: a strong recurrent model.** The RNNs of the grid above are small and briefly trained. Trained "
        f"as a language model should be (H = {lm['hidden_size']}, TBPTT with k = {lm['window']} and the state "
        f"carried, {lm['streams']} streams, dropout {lm['dropout']:g} before the readout, {lm['epochs']} passes "
        f"keeping the one with the lowest validation loss, Adam {SCHEDULE_TEXT[lm['schedule']]}, with the "
        f"learning rate and clipping each cell's search chose on validation), against the best n-gram model "
        f"({ngram_label}, $n = {ngram_n}$, {fmt.number(ngram_test)} nats/char on test): {verdicts}. The window here "
        f"is $k = {lm['window']}$ against an n-gram context of {ngram_n - 1}, so this compares the model families at "
        "their best, not at the sheet's equal $k = n$ of the grid above."
        + f" Validation and test in nats/char ({_seeds_text(lm)}; the test split scored once per model, at the end):"
        "\n\n" + fmt.table(("model", "validation", "test", "test bits/char", "chosen on validation"), rows)
        + "\n\n" + _where_it_stands(lm, cell, shakespeare) + "\n\n" + _dynamic(lm))


def _where_it_stands(lm, cell, shakespeare):
    """What the learning curves, the search and the two held-out splits say about the distance to the bar."""
    result = lm["cells"][cell]
    last = [run["curve"][-2]["validation_nats"] - run["curve"][-1]["validation_nats"]
            for run in result["runs"] if len(run["curve"]) > 1]
    counts = min(shakespeare["rows"], key=lambda row: row["nats"]["validation"]["kneser_ney"].mean)
    progress, still_falling = "", False
    if last:
        drop = sum(last) / len(last)
        still_falling = drop > 0.005
        fell = f"{fmt.number(drop)} nats/char" if abs(drop) >= 0.0005 else "less than 0.001 nats/char"
        progress = (f"In its last pass the {CELL_NAMES.get(cell, cell)} cell's validation loss fell by {fell} "
                    f"(mean over seeds), "
                    + ("so a longer run would still lower it; " if still_falling else "so it has levelled off; "))
    test, validation = result["nats"]["test"].mean, result["nats"]["validation"].mean
    gap = validation - result["nats"]["train"].mean
    remedies = ([f"a search over learning rates above {result['search']['chosen']['learning_rate']:g}, the "
                 f"largest tried"] if _grid_edge(result["search"]) == "largest" else [])
    remedies += ["a longer run"] if still_falling else []
    remedies += [f"more capacity with stronger regularisation to match (its training loss is {fmt.number(gap)} "
                 f"nats/char below validation even with dropout on)" if gap > 0.05 else "more capacity"]
    remedies += [f"learning from the text while reading it, which takes it to "
                 f"{fmt.number(lm['dynamic']['nats']['test'].mean)} (below)"]
    return (
        f"**Where it stands.** {progress}its training loss, measured with dropout on, is "
        f"{fmt.number(result['nats']['train'].mean)} against {fmt.number(validation)} on "
        f"validation. The test text is harder than the validation text for every model: test minus validation is "
        f"{fmt.number(test - validation)} nats/char for this RNN and "
        f"{fmt.number(counts['nats']['test']['kneser_ney'].mean - counts['nats']['validation']['kneser_ney'].mean)} "
        "for the best count "
        f"model. What these results point to, for a lower loss: " + "; ".join(remedies) + ".")


def dynamic_verdict(lm):
    """(the RNN's mean test nats under dynamic evaluation, the adapted count model's, whether the RNN wins on every
    seed)."""
    dynamic = lm["dynamic"]
    ngram = dynamic["kneser_ney"]["nats"]["test"]
    return dynamic["nats"]["test"].mean, ngram, dynamic["nats"]["test"].max < ngram


def _dynamic(lm):
    """Both model families learning from the text as they score it: the RNN by SGD steps, the counts by counting."""
    dynamic, cell = lm["dynamic"], lm["cells"][lm["dynamic"]["cell"]]
    counts = dynamic["kneser_ney"]
    rnn, ngram, wins = dynamic_verdict(lm)
    rows = [(f"RNN, {CELL_NAMES.get(dynamic['cell'], dynamic['cell'])} cell", fmt.seeded(cell["nats"]["validation"]),
             fmt.seeded(dynamic["nats"]["validation"]), fmt.seeded(cell["nats"]["test"]),
             fmt.seeded(dynamic["nats"]["test"]), fmt.seeded(dynamic["bpc"]["test"])),
            (f"count n-gram (Kneser-Ney), n = {counts['n']} (best on validation)",
             fmt.number(counts["static_nats"]["validation"]), fmt.number(counts["nats"]["validation"]),
             fmt.number(counts["static_nats"]["test"]), fmt.number(counts["nats"]["test"]),
             fmt.number(counts["nats"]["test"] / NATS_PER_BIT))]
    return (
        f"**Learning while reading: dynamic evaluation.** TBPTT with the state carried is in-order learning, and it "
        f"can go on at test time: score a segment of {dynamic['window']} characters, then take one SGD step on it and "
        f"carry the state on (Krause et al., 2018). Every character is predicted before anything is learned from it, "
        f"so the score is still a fair sequential log-likelihood of held-out text. The step size, "
        f"{dynamic['search']['chosen']['learning_rate']:g}, was chosen on the validation split with the first seed's "
        f"model (of {len(dynamic['search']['tried'])} candidates). The control learns the same way: the count model "
        f"adds the text it has scored to its counts, refitted every {counts['chunk']:,} characters (coarser than the "
        f"RNN's steps, to keep the refits affordable). Adapted, the "
        f"{CELL_NAMES.get(dynamic['cell'], dynamic['cell'])} RNN scores {fmt.number(rnn)} nats/char on the test split "
        f"against {fmt.number(ngram)} for the adapted count model: "
        + ("the RNN still wins, on every seed." if wins else "the adapted count model is not beaten on every seed.")
        + " In nats/char, static and adapted:\n\n"
        + fmt.table(("model", "validation", "validation, adapted", "test", "test, adapted", "test bits/char, adapted"),
                    rows))


def _probe(result):
    levels, rows = result["levels"], result["rows"]
    findings = probe_findings(result)
    table = fmt.table(("truncation k", "updates (one pass)", "state carried (nats)", "state reset (nats)",
                       "carried, equal updates", "reset, equal updates"),
                      [(row["k"], f"{row['updates']:,}", *(fmt.seeded(row["nats"][budget][mode])
                                                          for budget in ("one_pass", "equal_updates")
                                                          for mode in ("carried", "reset")))
                       for row in rows])
    protocol = (f" Each model: {_seeds_text(result)}, scored on a held-out stream; {_searched(result['search'])}, "
                f"chosen at k = {result['search']['k']}.")
    short, long = PROBE_LAGS
    return (
        r"**The truncation probe.** Inputs are random bits; the target is 1 with probability "
        rf"$\tfrac12 + \tfrac12[x_{{t-{short}}} = 1] - \tfrac14[x_{{t-{long}}} = 1]$. A model that uses neither "
        f"dependency scores {fmt.number(levels['none'])} nats, one that uses only lag {short} "
        f"{fmt.number(levels['only_3'])}, one that uses both {fmt.number(levels['both'])}. TBPTT($k$) sends a "
        f"gradient back at most $k - 1$ steps, so a lag is within its reach when $k > $ lag. The control is the same "
        f"RNN with its recurrence frozen at initialisation and only the readout trained: whatever it reaches is "
        f"memory the initialisation already had."
        + _probe_between_lags_text(result, findings) + _probe_beyond_both_lags_text(result, findings)
        + _probe_equal_updates_text(result, _equal_updates_finding(result)) + protocol + "\n\n" + table)


PROBE_BUDGETS = (("one_pass", "one pass"), ("equal_updates", "equal updates"))
BELOW_LEVEL = Rule(
    "every seed below the level",
    "a lag is used only when every seed's loss is below the exact loss of the best model without it")
CONTROL_WORDS = {BETTER: "below every seed of the control", NO_EFFECT: "within the spread of the control's seeds",
                 WORSE: "worse than every seed of the control"}


def _carried(row, budget):
    return row["nats"][budget]["carried"]


def probe_findings(result):
    """For every k up to the long lag: does the carried-state RNN beat the frozen control (SEED_SEPARATED), and for
    k between the lags is it below the lag-3-only level (BELOW_LEVEL), each read in both budgets; and does the
    smallest k carried beat the largest k reset at equal updates."""
    short, long = PROBE_LAGS
    control, level = result["frozen_recurrence_nats"], result["levels"]["only_3"]
    found = []
    for row in result["rows"]:
        if row["k"] > long:
            continue
        evidence = ("carried " + ", ".join(f"{label} {fmt.seeded(_carried(row, budget))}"
                                            for budget, label in PROBE_BUDGETS) + f"; control {fmt.seeded(control)}")
        found.append(Finding("5.1", f"probe, k = {row['k']}: the carried-state RNN against the frozen control",
                             SEED_SEPARATED, tuple((label, compare(_carried(row, budget), control))
                                                   for budget, label in PROBE_BUDGETS), evidence + " nats"))
        if row["k"] > short:
            found.append(Finding(
                "5.1", f"probe, k = {row['k']}: the carried-state RNN is below the lag-{short}-only level",
                BELOW_LEVEL, tuple((label, _carried(row, budget).max < level) for budget, label in PROBE_BUDGETS),
                evidence + f"; lag-{short}-only level {fmt.number(level)} nats"))
    return (*found, _equal_updates_finding(result))


def _finding(findings, claim_start):
    return next(finding for finding in findings if finding.claim.startswith(claim_start))


def _in_budgets(finding, words):
    """'X in both budgets' or 'X in one pass but Y at equal updates': a finding as words, mixed said as mixed."""
    if finding.verdict != MIXED:
        return f"{words[finding.verdict]} in both budgets"
    return " but ".join(f"{words[reading]} ({column})" for column, reading in finding.columns)


def _probe_between_lags_text(result, findings):
    """The rows whose window reaches the short lag but not the long one: below the lag-3 level, and the control?"""
    short, long = PROBE_LAGS
    rows = [row for row in result["rows"] if short < row["k"] <= long]
    if not rows:
        return ""
    control, level = result["frozen_recurrence_nats"], result["levels"]["only_3"]
    text = f" With $k$ = {' and '.join(str(row['k']) for row in rows)} (lag {short} within reach, lag {long} beyond it): "
    level_words = {True: f"below the lag-{short}-only level on every seed", False: f"not below the lag-{short}-only "
                   "level on every seed"}
    parts = []
    for row in rows:
        below = _finding(findings, f"probe, k = {row['k']}: the carried-state RNN is below")
        beats = _finding(findings, f"probe, k = {row['k']}: the carried-state RNN against")
        parts.append(f"at $k = {row['k']}$ the carried-state RNN ({fmt.seeded(_carried(row, 'one_pass'))} nats in one "
                     f"pass) is {_in_budgets(below, level_words)}, and {_in_budgets(beats, CONTROL_WORDS)}")
    text += "; ".join(parts) + ". "
    text += (f"The lag-{short}-only level is the best loss any model without $x_{{t-{long}}}$ can reach, so a loss "
             f"below it on every seed means lag {long} is used, beyond the truncation. ")
    if control.max < level:
        text += (f"The control, which learns nothing through time, is itself below that level on every seed "
                 f"({fmt.seeded(control)} nats): its random recurrence already carries some of lag {long}, so beating "
                 f"the control does not by itself show that more of lag {long} was learned; the lead may be lag "
                 f"{short} used better.")
    return text


def _probe_beyond_both_lags_text(result, findings):
    """The smallest k, below both lags: with no gradient to keep anything, does it beat the control?"""
    short, _ = PROBE_LAGS
    row = result["rows"][0]
    if row["k"] > short:
        return ""
    beats = _finding(findings, f"probe, k = {row['k']}: the carried-state RNN against")
    text = (f" With $k = {row['k']}$ both lags are beyond reach: the carried-state RNN scores "
            f"{fmt.seeded(_carried(row, 'one_pass'))} nats after one pass and "
            f"{fmt.seeded(_carried(row, 'equal_updates'))} after {result['equal_updates']:,} updates, the control "
            f"{fmt.seeded(result['frozen_recurrence_nats'])} after {row['updates']:,} (one pass at this $k$). "
            f"The carried RNN is {_in_budgets(beats, CONTROL_WORDS)}")
    meaning = {BETTER: ": training added memory the gradient never asked for.",
               NO_EFFECT: f": the lag-{short} information it uses is the memory the initialisation had, since no "
                          f"gradient asks it to keep anything for {short} steps.",
               WORSE: f": with no gradient to keep anything for {short} steps it lost some of the memory the "
                      "initialisation had.",
               MIXED: ": the verdict depends on the budget, so this probe does not settle whether training through "
                      "time added to the initial memory here."}
    return text + meaning[beats.verdict]


def _equal_updates_finding(result):
    """The probe's smallest k carried against its largest k reset, each trained for the same number of updates."""
    small, large = result["rows"][0], result["rows"][-1]
    carried, reset = _carried(small, "equal_updates"), large["nats"]["equal_updates"]["reset"]
    return Finding("5.1", f"probe, equal updates: carried k = {small['k']} against reset k = {large['k']}",
                   SEED_SEPARATED, (("equal updates", compare(carried, reset)),),
                   f"{fmt.seeded(carried)} vs {fmt.seeded(reset)} nats")


def _probe_equal_updates_text(result, finding):
    small, large = result["rows"][0], result["rows"][-1]
    verdict = {BETTER: "the carried state wins on every seed, so its lead does not come from the extra updates a "
                       "small $k$ gets per pass.",
               NO_EFFECT: "the two overlap within the seed spread: no effect.",
               WORSE: "at equal updates the longer window wins on every seed."}[finding.verdict]
    return (f" With every model trained for the same {result['equal_updates']:,} updates (one pass at "
            f"$k = {large['k']}$), the carried-state RNN with $k = {small['k']}$ scores "
            f"{fmt.seeded(_carried(small, 'equal_updates'))} nats and the RNN reset every {large['k']} steps "
            f"{fmt.seeded(large['nats']['equal_updates']['reset'])}: " + verdict)


def _copy(result):
    cells, chance = result["cells"], result["chance_accuracy"]
    beyond = [cell for cell in cells if cell["L"] > cell["k"]]
    rows = [(cell["k"], cell["L"], *(fmt.seeded_percent(cell["learners"][name]["copy_accuracy"], 1)
                                     for name in COPY_LEARNERS)) for cell in cells]
    carried_wins = [cell for cell in beyond if _copy_accuracy(cell, "rnn_tbptt_carried") > chance + 0.1]
    bounded = max((max(_copy_accuracy(cell, "neural_ngram"), _copy_accuracy(cell, "rnn_tbptt_reset"))
                   for cell in beyond), default=float("nan"))
    found = (", ".join(f"k = {cell['k']}, L = {cell['L']} ({fmt.percent(_copy_accuracy(cell, 'rnn_tbptt_carried'), 1)})"
                       for cell in carried_wins) if carried_wins else "none of the cells")
    return (
        f"**The copy task.** Each copy position repeats the token $L$ steps back ({round(1 / chance)} symbols, chance "
        f"{fmt.percent(chance, 0)}). When $L > k$ the $n$-gram model (context $k$) and the reset RNN cannot see the "
        f"token; their best accuracy on such cells is {fmt.percent(bounded, 1)}. The carried-state RNN beats chance "
        f"by more than 10 points at $L > k$ in: {found}. " + _frozen_copy_text(beyond, chance)
        + "\"Full BPTT\" back-propagates through windows of w = max(4L, 32) steps from h = 0 and makes as many "
        "updates as TBPTT($k$) makes in one pass; it and the reset RNN are scored with resets every w (or k) steps, "
        "on the copy positions whose source lies inside the window (all copy positions for the reset RNN when "
        "$L > k$, where none does)."
        + f" Every learner: {_seeds_text(result)}, scored on a held-out stream; the RNNs with "
        f"{_searched(result['search']['rnn_tbptt'])}, the n-gram net with "
        f"{_searched(result['search']['neural_ngram'])}." + "\n\n"
        + fmt.table(("k", "L", *COPY_LEARNERS.values()), rows))


def _copy_accuracy(cell, learner):
    """A learner's mean accuracy on the copy positions of one (k, L) cell."""
    return cell["learners"][learner]["copy_accuracy"].mean


COPY_LEARNERS = {"neural_ngram": "neural n-gram", "rnn_tbptt_carried": "RNN, carried", "rnn_tbptt_reset": "RNN, reset",
                 "rnn_frozen_recurrence": "control: recurrence frozen", "rnn_full_bptt": "RNN, full BPTT"}


def _frozen_copy_text(beyond, chance):
    """Where the trained carried-state RNN beats the frozen-recurrence control, cell by cell (L > k)."""
    if not beyond:
        return ""
    ahead = [cell for cell in beyond
             if _copy_accuracy(cell, "rnn_tbptt_carried") > _copy_accuracy(cell, "rnn_frozen_recurrence") + 0.05]
    best = max(_copy_accuracy(cell, "rnn_frozen_recurrence") for cell in beyond)
    where = ", ".join(f"k = {cell['k']}, L = {cell['L']}" for cell in ahead)
    return (f"The control with its recurrence frozen at initialisation reaches at most {fmt.percent(best, 1)} at "
            f"$L > k$ (chance {fmt.percent(chance, 0)}); the trained carried-state RNN is more than 5 points ahead of "
            f"it in {len(ahead)} of those {len(beyond)} cells"
            + (f" ({where}), so there it learned through "
               "time what the initial memory alone could not give. " if ahead else
               ", so nothing here separates learning through time from the initial memory. "))


SPLIT_BUDGETS = (("validation", "rnn_tbptt_carried", "validation, equal tokens"),
                 ("test", "rnn_tbptt_carried", "test, equal tokens"),
                 ("validation", "rnn_tbptt_carried_equal_updates", "validation, equal updates"),
                 ("test", "rnn_tbptt_carried_equal_updates", "test, equal updates"))
NGRAM_FAMILIES = ("kneser_ney", "neural_ngram")


def shakespeare_findings(result):
    """Per order n, the sheet's comparison: the carried-state RNN with TBPTT k = n against the better n-gram model of
    the same n (the family chosen on validation), SEED_SEPARATED, on validation and test at both budgets."""
    found = []
    for row in result["rows"]:
        ngram = min(NGRAM_FAMILIES, key=lambda family: row["bpc"]["validation"][family].mean)
        columns = tuple((label, compare(row["bpc"][split][rnn], row["bpc"][split][ngram]))
                        for split, rnn, label in SPLIT_BUDGETS)
        found.append(Finding(
            "5.1", f"Tiny Shakespeare, n = {row['n']}: the carried-state RNN (k = n) against the better n-gram model",
            SEED_SEPARATED, columns, f"test bits/char: RNN {fmt.seeded(row['bpc']['test']['rnn_tbptt_carried'])}, "
            f"{dict(MODELS)[ngram]} {fmt.seeded(row['bpc']['test'][ngram])}"))
    return tuple(found)


RNN_AGAINST_NGRAM = {BETTER: "the RNN is better", WORSE: "the n-gram model is better", NO_EFFECT: "no effect"}


def _shakespeare(result, config):
    rows = result["rows"]
    smallest, largest = rows[0], rows[-1]
    models = MODELS + EQUAL_UPDATE_MODELS
    table = fmt.table(("n", "RNN updates (equal tokens)", *(label for _, label in models)),
                      [(row["n"], f"{row['rnn_updates']:,}",
                        *(fmt.seeded(row["bpc"]["validation"][key]) for key, _ in models)) for row in rows])
    table += ("\n\nThe same models on the test split, each scored once at the end (bits/char; every choice above "
              "was made on validation):\n\n"
              + fmt.table(("n", *(label for _, label in models)),
                          [(row["n"], *(fmt.seeded(row["bpc"]["test"][key]) for key, _ in models)) for row in rows]))
    protocol = (f"Neural models: {_seeds_text(result)}; the n-gram nets with "
                f"{_searched(result['search']['neural_ngram'])}, the RNNs with "
                f"{_searched(result['search']['rnn_tbptt'])}, each chosen at n = {result['search']['rnn_tbptt']['n']}.")
    findings = shakespeare_findings(result)
    verdicts = "; ".join(f"$n = {row['n']}$: {_in_columns(finding)}" for row, finding in zip(rows, findings))
    ngram_wins = [row["n"] for row, finding in zip(rows, findings) if WORSE in dict(finding.columns).values()]
    why = (f" Where an n-gram model wins, the RNN is the smaller and more briefly trained model, not one held back by "
           f"its truncation alone: it has {config['hidden_size']} hidden units and {config['rnn_epochs']} passes over "
           "the text, while the count model's tables hold every context of the training text and the neural n-gram "
           "sees its whole window at once; the strong RNN below shows what a larger, longer-trained recurrent model "
           "does." if ngram_wins else "")
    return (
        f"**Tiny Shakespeare** (characters, {result['train_chars']:,} for training, vocabulary {result['vocab_size']}; "
        f"bits per character, lower is better). The sheet's comparison at every order, the carried-state RNN with "
        f"TBPTT $k = n$ against the better $n$-gram model of the same $n$ (chosen on validation), read by the "
        f"seed-separated rule: {verdicts}." + why + " " + _carried_against_reset(result, smallest, largest)
        + protocol + "\n\n" + table)


def _in_columns(finding):
    """A finding's verdict, or its reading per column when the columns disagree."""
    if finding.verdict != MIXED:
        return f"{RNN_AGAINST_NGRAM[finding.verdict]} in every column"
    return ", ".join(f"{RNN_AGAINST_NGRAM[reading]} ({column})" for column, reading in finding.columns)


EQUAL_UPDATE_MODELS = (("rnn_tbptt_carried_equal_updates", "RNN, state carried, equal updates"),
                       ("rnn_tbptt_reset_equal_updates", "RNN, state reset, equal updates"))


def _carried_against_reset(result, smallest, largest):
    """The RNN with carried state and the smallest k against the RNN reset every largest-k characters, at
    equal tokens (the same passes over the text: the smaller k makes more updates) and at equal updates."""
    small, large = smallest["n"], largest["n"]
    text = ""
    for protocol, (carried_model, reset_model), budget in (
            ("equal tokens", ("rnn_tbptt_carried", "rnn_tbptt_reset"), None),
            ("equal updates", ("rnn_tbptt_carried_equal_updates", "rnn_tbptt_reset_equal_updates"),
             result["equal_updates"])):
        carried = smallest["bpc"]["validation"][carried_model]
        reset = largest["bpc"]["validation"][reset_model]
        when = (f"At {protocol} ({budget:,} updates each)" if budget else
                f"At {protocol} ({smallest['rnn_updates']:,} updates for $k = {small}$, "
                f"{largest['rnn_updates']:,} for $k = {large}$)")
        verdict = {BETTER: f"the carried state with $k = {small}$ beats the window of {large} on every seed",
                   WORSE: f"the window of {large} beats the carried state with $k = {small}$ on every seed",
                   NO_EFFECT: "their seeds overlap: no effect"}[compare(carried, reset)]
        text += (f"{when}, on validation, carried with $k = {small}$ scores {fmt.seeded(carried)} and reset every "
                 f"{large} characters {fmt.seeded(reset)}: {verdict}. ")
    return text


def _settings(learner):
    """'0.003, clip 1' or '0.001, no clipping': the learner's chosen learning rate and clipping."""
    clip = f"clip {learner['clip_norm']:g}" if learner["clip_norm"] else "no clipping"
    return f"{learner['learning_rate']:g}, {clip}"


def _exponents_text(cost):
    """The fitted exponents with the range each is fitted over, read against theory's 4 and 2."""
    fitted, last = cost["exponents"], (cost["local_exponents"] or [None])[-1]
    text = (f"Fitted over n = {', '.join(str(n) for n in cost['fitted_over'])}, RTRL's time per step grows as "
            f"$n^{{{fmt.number(fitted['rtrl_step_ms'], 2)}}}$ and BPTT's as $n^{{{fmt.number(fitted['bptt_step_ms'], 2)}}}$"
            " (theory, once the arithmetic dominates the fixed cost of a call: 4 and 2).")
    if last is None:
        return text
    reached = [name for name, key, theory in (("RTRL's", "rtrl_step_ms", 4), ("BPTT's", "bptt_step_ms", 2))
               if abs(last[key] - theory) <= 0.5]
    return (text + f" Between the two largest sizes, n = {last['from']} and {last['to']}, the local exponents are "
            f"{fmt.number(last['rtrl_step_ms'], 2)} (RTRL) and {fmt.number(last['bptt_step_ms'], 2)} (BPTT): "
            + (f"{' and '.join(reached)} within 0.5 of theory there." if reached else
               "neither is within 0.5 of theory yet, so these sizes are still too small to show the asymptote.")
            + _throughput_text(cost["rows"]) + " Larger sizes and peak memory: benchmarks/rtrl_cost.py.")


def _throughput_text(rows):
    """Why an exponent falls short of 4: RTRL's arithmetic rate (2 n^4 FLOPs per step) still rising with n.

    Time per step is FLOPs / rate, so the local time exponent is 4 minus the rate's local exponent
    log(rate_b / rate_a) / log(n_b / n_a): the rate still rises in the sense that matters when its exponent
    exceeds 0.5, which keeps the time exponent more than 0.5 below theory."""
    first, last = rows[0], rows[-1]
    growth = (math.log(last["rtrl_gflops"] / rows[-2]["rtrl_gflops"]) / math.log(last["n"] / rows[-2]["n"])
              if len(rows) > 1 else 0.0)
    return (f" An RTRL step does 2n^4 floating-point operations; its rate goes from "
            f"{fmt.number(first['rtrl_gflops'], 3)} GFLOP/s at n = {first['n']} to "
            f"{fmt.number(last['rtrl_gflops'], 2)} at n = {last['n']}, growing as $n^{{{fmt.number(growth, 2)}}}$ "
            f"between the two largest sizes"
            + (": still rising, so the fixed cost of a step still hides part of the n^4 growth, which is why the "
               "exponent is below 4." if growth > 0.5 else
               ": levelled off, so there time grows with the arithmetic."))


def _uoro_text(rows):
    """UORO's measured quality, from its rows."""
    return ("UORO (an unbiased rank-one estimate of the sensitivities, $O(n^2)$ per step) is noisy: one estimate has "
            f"cosine {', '.join(fmt.number(row['single_cosine_mean'], 2) for row in rows)} with the exact gradient "
            f"(mean of 8 draws, same sizes); the mean of {rows[0]['samples']} estimates reaches "
            f"{', '.join(fmt.number(row['mean_cosine'], 3) for row in rows)}, as an unbiased estimate must, and "
            "one estimate's variance is "
            f"{', '.join(fmt.number(row['relative_variance'], 0) for row in rows)} times the squared norm of the "
            "gradient.")


def findings_5_2(records):
    """Online RTRL against TBPTT(k) with the state carried, on the copy task beyond k, at both budgets (accuracy on
    the copy positions, higher is better)."""
    online = records[P5_2.name]["results"]["online"]
    learners, k = online["learners"], online["truncation"]
    rtrl = learners["rtrl_online"]["copy_accuracy"]
    budgets = (("equal tokens", f"tbptt_k{k}_carried"), ("equal updates", f"tbptt_k{k}_carried_equal_updates"))
    return (Finding("5.2", f"online RTRL against TBPTT k = {k} on the copy task at L = {online['distance']}",
                    SEED_SEPARATED, tuple((label, compare(rtrl, learners[name]["copy_accuracy"], lower_is_better=False))
                                          for label, name in budgets),
                    f"copy accuracy: RTRL {fmt.seeded_percent(rtrl, 1)}, TBPTT " + ", ".join(
                        f"{label} {fmt.seeded_percent(learners[name]['copy_accuracy'], 1)}" for label, name in budgets)),)


def answer_5_2(records, figure_dir):
    (online_verdict,) = findings_5_2(records)
    result = records[P5_2.name]["results"]
    agreement = result["agreement"]
    online, cost = result["online"], result["cost"]
    order = ("rtrl_online", "snap1_online", "uoro_online", f"tbptt_k{online['truncation']}_carried",
             f"tbptt_k{online['truncation']}_carried_equal_updates", "full_bptt", "full_bptt_equal_updates")
    learners = {name: online["learners"][name] for name in sorted(
        online["learners"], key=lambda name: (order.index(name) if name in order else len(order), name))}
    k, window = online["truncation"], online["full_bptt_window"]
    labels = {"rtrl_online": "RTRL, online", "snap1_online": "SnAp-1, online", "uoro_online": "UORO, online",
              f"tbptt_k{k}_carried": f"TBPTT k = {k}, state carried",
              f"tbptt_k{k}_carried_equal_updates": f"TBPTT k = {k}, state carried, {k} passes (equal updates)",
              "full_bptt": f"full BPTT, windows of {window}",
              "full_bptt_equal_updates": f"full BPTT, windows of {window}, {window} passes (equal updates)"}
    online_rows = [(labels.get(name, name), fmt.seeded_percent(value["copy_accuracy"], 1),
                    fmt.seeded(value["copy_nats"]), f"{value['updates']:,}", f"{value['tokens']:,}",
                    fmt.seconds(value["train_seconds"]), _settings(value)) for name, value in learners.items()]
    cost_rows = [(row["n"], fmt.number(row["rtrl_step_ms"], 2), fmt.number(row["bptt_step_ms"], 3),
                  fmt.number(row["rtrl_step_ms"] / row["bptt_step_ms"], 0), fmt.number(row["sensitivity_mib"], 3))
                 for row in cost["rows"]]
    cosines = [row["cosine_similarity"] for row in result["snap1"]]
    text = (
        r"The parameters are shared by every step, and $\mathbf h_n$ depends on them directly (through $\theta_n$) and "
        r"through $\mathbf h_{n-1}$. So $\frac{d\mathbf h_n}{d\theta} = \frac{\partial\mathbf h_n}{\partial\theta_n} + "
        r"\frac{\partial\mathbf h_n}{\partial\mathbf h_{n-1}}\frac{d\mathbf h_{n-1}}{d\theta}$ with "
        r"$\frac{d\mathbf h_0}{d\theta} = 0$, and"
        "\n\n"
        r"$$\nabla_\theta\mathcal F = \sum_{n=1}^N \frac{\partial\mathcal F_n}{\partial\mathbf h_n}\left[\frac{\partial\mathbf h_n}{\partial\theta_n} + \frac{\partial\mathbf h_n}{\partial\mathbf h_{n-1}}\,\frac{d\mathbf h_{n-1}}{d\theta}\right].$$"
        "\n\n"
        r"**The algorithm (real-time recurrent learning).** Carry the sensitivities $\mathbf P_n = d\mathbf h_n/d\theta$ "
        r"forward with the state. At each step compute $\mathbf h_n$, update "
        r"$\mathbf P_n = \frac{\partial\mathbf h_n}{\partial\theta_n} + \frac{\partial\mathbf h_n}{\partial\mathbf h_{n-1}}\mathbf P_{n-1}$, "
        r"and take an SGD step along $\frac{\partial\mathcal F_n}{\partial\mathbf h_n}\mathbf P_n$ at once (plus the "
        r"output layer's local gradient). For the tanh cell $\mathbf h_n = \tanh(\mathbf W_{hh}\mathbf h_{n-1} + "
        r"\mathbf W_{xh}\mathbf x_n + \mathbf b)$, $\frac{\partial\mathbf h_n}{\partial\mathbf h_{n-1}} = "
        r"\mathrm{diag}(1 - \mathbf h_n^2)\,\mathbf W_{hh}$."
        "\n\n"
        r"**Complexity.** With $n$ hidden units, $\mathbf P$ holds $n \times n^2$ numbers for $\mathbf W_{hh}$: "
        r"$O(n^3)$ memory, whatever the sequence length $T$. Updating it multiplies an $n \times n$ matrix into an "
        r"$n \times n^2$ one: $O(n^4)$ time per step, $O(n^4 T)$ per sequence. BPTT needs $O(n^2)$ per step, "
        r"$O(n^2 T)$ in all, but $O(nT)$ memory for the states of its backward pass."
        "\n\n"
        "**Advantages:** the gradient is available at every step, so learning is online, on streams without end; no "
        "truncation, so a dependency of any length gets a gradient; memory does not grow with $T$. "
        r"**Disadvantages:** $n^2$ times BPTT's arithmetic per step, which rules it out beyond a few hundred units; "
        r"$O(n^3)$ memory; and online, the parameters change while $\mathbf P$ still mixes sensitivities to older "
        "values, so the gradient is slightly stale. Approximations such as SnAp-1 (keep only the entries of "
        r"$\mathbf P$ a parameter touches directly) cut the cost to BPTT's order at the price of a biased gradient."
        "\n\n"
        f"**Measured.** RTRL's gradient equals BPTT's: the largest relative difference over {len(agreement)} "
        f"configurations (float64) is {fmt.scientific(max(row['relative_error'] for row in agreement))}. Online on a "
        f"copy task at distance $L = {online['distance']}$, beyond TBPTT's truncation $k = {online['truncation']}$, "
        f"RTRL's accuracy on the copy positions against TBPTT's is {online_verdict.describe()} at both budgets "
        f"(chance {fmt.percent(online['chance_accuracy'], 0)}; the table below).")
    online_text = (
        fmt.table(("learner", "accuracy on copy positions", "loss there (nats)", "updates", "tokens seen",
                   "training time", "learning rate, clipping"), online_rows)
        + f"\n\n{_seeds_text(online).capitalize()}, the same tokens for "
        "every seed; every learner is scored with its state carried over the same held-out sequence. The "
        "online learners update once per token of each stream; TBPTT and full BPTT once per window, so with one "
        "pass they see the same tokens and make fewer updates, and with as many passes as their window is long "
        "they make as many updates and see that many times the tokens."
        + " Each learner's learning rate and clipping were chosen by a search over "
        f"{len(next(iter(online['search'].values()))['tried'])} candidates on a separate validation sequence (a "
        "third of the tokens, the first seed); the scores are on another held-out sequence."
        + f"\n\nSnAp-1's gradient has cosine similarity {', '.join(fmt.number(value, 2) for value in cosines)} with "
        f"the exact one (hidden sizes {', '.join(str(row['n']) for row in result['snap1'])}). "
        + _uoro_text(result["uoro"]))
    cost_text = (
        f"Time per step, batch 1, BPTT over T = {cost['length']}:\n\n"
        + fmt.table(("n", "RTRL step (ms)", "BPTT per step (ms)", "RTRL / BPTT", "RTRL sensitivities (MiB)"),
                    cost_rows)
        + "\n\n" + _exponents_text(cost))
    plot = plots.plot_rtrl_cost(cost["rows"], cost["rows"], figure_dir / "q5_2_cost_vs_n.png")
    return Answer(text, (), (
        Detail("Online learning on the copy task, and the cheaper estimates", online_text),
        Detail("The cost per step, measured", cost_text,
               (Figure(str(plot), "Time per step of RTRL, its contraction, and BPTT, against n."),))))


PROBLEM = Problem("5", "Recurrent neural networks", (P5_1_PROBE.problem, P5_2.problem), (
    Question("5.1", "Does truncation make an RNN an n-gram model?", Q5_1, answer_5_1, findings_5_1),
    Question("5.2", "The in-order recurrence: real-time recurrent learning", Q5_2, answer_5_2, findings_5_2),
))
