"""Problem 5: n-gram models against RNNs trained with truncated BPTT (5.1), and RTRL (5.2)."""

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
    r"**Why, in theory.** An $n$-gram model's prediction is a function of the previous $n - 1$ tokens only; nothing "
    r"earlier can influence it, however it is trained. An RNN's prediction is a function of its state $\mathbf h_t$, "
    r"which depends on the whole history. TBPTT($k$) with the state carried from one window into the next still runs "
    r"the forward pass over the entire stream; it only stops the *backward* pass after $k$ steps, so no gradient asks "
    r"the weights to keep information for more than $k$ steps. Whatever the state holds from further back is memory "
    r"the recurrence has anyway (a random recurrence already holds some) or a side effect of what it learned to keep "
    r"within $k$; whether training adds any is what the experiments measure, against a control whose recurrence is "
    r"frozen at initialisation. If the state is reset at each window, the RNN sees only $k$ tokens and is no more "
    r"than an $n$-gram model."
)


def findings_5_1(records):
    shakespeare = records[P5_1_SHAKESPEARE.name]["results"]
    return (*probe_findings(records[P5_1_PROBE.name]["results"]), *copy_findings(records[P5_1_COPY.name]["results"]),
            *shakespeare_findings(shakespeare), carried_against_reset_finding(shakespeare),
            *language_model_findings(records[P5_1_LANGUAGE_MODEL.name]["results"], shakespeare))


def answer_5_1(records, figure_dir):
    probe = records[P5_1_PROBE.name]["results"]
    copy = records[P5_1_COPY.name]["results"]
    shakespeare = records[P5_1_SHAKESPEARE.name]["results"]
    lm = records[P5_1_LANGUAGE_MODEL.name]["results"]
    baselines = {f"best {label}, validation": value for label, (_, value, _) in _best_ngrams(shakespeare).items()}
    probe_figure = Figure(str(plots.plot_probe(probe["rows"], probe["levels"], figure_dir / "q5_1_probe.png")),
                          "Truncation probe: held-out loss against k after one pass, with the three analytic "
                          "levels.")
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
    return Answer(_measured_5_1(records) + "\n\n" + THEORY_5_1, (), details)


def _measured_5_1(records):
    """The verdict, at most three sentences, each part read from the findings."""
    _, long = PROBE_LAGS
    found = findings_5_1(records)
    used = [f.claim.split(":")[0].removeprefix("probe, ") for f in found
            if f.claim.startswith("probe, k") and "uses lag" in f.claim and f.verdict == BETTER]
    counts = _copy_counts(records[P5_1_COPY.name]["results"])
    shakespeare = [(f.claim.split(":")[0].removeprefix("Tiny Shakespeare, "), f.verdict) for f in found
                   if f.claim.startswith("Tiny Shakespeare, n") and AGAINST[SHEET_NGRAM] in f.claim]
    count_wins = [f.claim.split(":")[0].removeprefix("Tiny Shakespeare, ") for f in found
                  if f.claim.startswith("Tiny Shakespeare, n") and AGAINST[COUNT_NGRAM] in f.claim
                  and f.verdict == WORSE]
    rnn_wins = [order for order, verdict in shakespeare if verdict == BETTER]
    ngram_wins = [order for order, verdict in shakespeare if verdict == WORSE]
    mixed = [order for order, verdict in shakespeare if verdict not in (BETTER, WORSE)]
    lm = records[P5_1_LANGUAGE_MODEL.name]["results"]
    cells = [f for f in found if f.claim.startswith("in practice")]
    cell_text = "; ".join(f"the {CELL_PHRASES.get(cell, cell + ' cell')} {_practice_words(f)}"
                          for cell, f in zip(_cells(lm), cells))
    beyond = counts["beyond"][0]
    meaning = ("it learned some dependencies beyond its window" if used and beyond else
               "it learned to use a graded dependency beyond its window (measured directly), but not to copy a symbol "
               "exactly" if used else "it learned to copy beyond its window but not the probe's lag" if beyond else
               "it learned nothing beyond its window that a random recurrence does not already hold")
    return (
        "**No: the truncation limits the gradient, not the model.** Against a control whose cell is frozen at "
        f"initialisation, the trained carried-state RNN used lag {long} of the probe more than the control at "
        f"{', '.join(used) or 'no k'} in both budgets and beat it on {beyond} of {counts['beyond'][1]} copy-task cells "
        f"beyond its window: {meaning}. On Tiny Shakespeare at the sheet's $k = n$ the RNN beats the neural $n$-gram "
        f"model in every column at {', '.join(rnn_wins) or 'no n'} and loses in every column at "
        f"{', '.join(ngram_wins) or 'no n'}" + (f" (no single verdict at {', '.join(mixed)})" if mixed else "")
        + f", the Kneser-Ney count model beats it in every column at {', '.join(count_wins) or 'no n'}, and a larger "
        f"model with $k$ = {lm['window']} (beyond every $n$-gram context here, so no test of the truncation) shows "
        f"what the families reach: {cell_text} (each verdict by the rules of the appendix).")


def _practice_words(finding):
    """A strong cell against the best n-gram model, in words, per split when they differ."""
    words = {BETTER: "beats the best n-gram model", WORSE: "loses to the best n-gram model",
             NO_EFFECT: "is within the seed spread of the best n-gram model"}
    if finding.verdict != MIXED:
        return f"{words[finding.verdict]} on validation and test"
    return " but ".join(f"{words[reading]} on {column}" for column, reading in finding.columns)


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
CELL_PHRASES = {"tanh": "sheet's tanh cell", "gru": "GRU cell"}


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
        f"**In practice: a larger recurrent model.** Trained as a language model usually is (H = {lm['hidden_size']}, TBPTT with k = {lm['window']} and the state "
        f"carried, {lm['streams']} streams, dropout {lm['dropout']:g} before the readout, {lm['epochs']} passes "
        f"keeping the one with the lowest validation loss, Adam {SCHEDULE_TEXT[lm['schedule']]}, with the "
        f"learning rate and clipping each cell's search chose on validation), against the best n-gram model "
        f"({ngram_label}, $n = {ngram_n}$, {fmt.number(ngram_test)} nats/char on test): {verdicts}. The window here "
        f"is $k = {lm['window']}$ against an n-gram context of {ngram_n - 1}, so this compares the model families as "
        "tuned here (a wider search may do better), not at the sheet's equal $k = n$ of the grid above."
        + f" Validation and test in nats/char ({_seeds_text(lm)}; the test split scored once per model, at the end):"
        "\n\n" + fmt.table(("model", "validation", "test", "test bits/char", "chosen on validation"), rows)
        + "\n\n" + _where_it_stands(lm, cell, shakespeare) + "\n\n" + _dynamic(lm))


def _where_it_stands(lm, cell, shakespeare):
    """What the learning curves, the search and the two held-out splits say about the distance to the bar."""
    result = lm["cells"][cell]
    drop = _last_pass_drop(result)
    counts = min(shakespeare["rows"], key=lambda row: row["nats"]["validation"]["kneser_ney"].mean)
    progress, still_falling = "", False
    if drop is not None:
        still_falling = drop > STILL_FALLING
        fell = f"{fmt.number(drop)} nats/char" if abs(drop) >= 0.0005 else "less than 0.001 nats/char"
        progress = (f"In its last pass the {CELL_NAMES.get(cell, cell)} cell's validation loss fell by {fell} "
                    f"(mean over seeds), "
                    + ("so a longer run would still lower it; " if still_falling else
                       "but the cosine schedule takes the learning rate to 0 in that pass, so a small last step does "
                       "not show that a longer run would not help; " if lm["schedule"] == "cosine" else
                       "so it has levelled off at this learning rate; "))
    test, validation = result["nats"]["test"].mean, result["nats"]["validation"].mean
    gap = validation - result["nats"]["train"].mean
    remedies = ([f"a search over learning rates above {result['search']['chosen']['learning_rate']:g}, the "
                 f"largest tried"] if _grid_edge(result["search"]) == "largest" else [])
    remedies += ["a longer run"] if still_falling else []
    remedies += [f"stronger regularisation before more capacity (its training loss is {fmt.number(gap)} nats/char "
                 f"below validation even with dropout on)" if gap > 0.05 else "more capacity"]
    remedies += [f"learning from the text while reading it, which takes it to "
                 f"{fmt.number(lm['dynamic']['nats']['test'].mean)} (below)"]
    return (
        f"**Where it stands.** {progress}its training loss, measured with dropout on, is "
        f"{fmt.number(result['nats']['train'].mean)} against {fmt.number(validation)} on "
        f"validation. The test text is harder than the validation text for every model: test minus validation is "
        f"{fmt.number(test - validation)} nats/char for this RNN and "
        f"{fmt.number(counts['nats']['test']['kneser_ney'].mean - counts['nats']['validation']['kneser_ney'].mean)} "
        "for the best count "
        f"model. What these results point to, for a lower loss: " + "; ".join(remedies) + "."
        + _other_cells_still_falling(lm, cell))


STILL_FALLING = 0.005   # nats/char in the last pass: a curve still falling this fast has not levelled off


def _last_pass_drop(result):
    """The mean over seeds of the validation loss's fall in the last pass (None with one pass)."""
    last = [run["curve"][-2]["validation_nats"] - run["curve"][-1]["validation_nats"]
            for run in result["runs"] if len(run["curve"]) > 1]
    return sum(last) / len(last) if last else None


def _other_cells_still_falling(lm, best):
    """The other cells whose validation loss still fell fast in the last pass: their verdicts are budget-limited."""
    falling = [(cell, drop) for cell in _cells(lm) if cell != best
               for drop in [_last_pass_drop(lm["cells"][cell])] if drop is not None and drop > STILL_FALLING]
    return "".join(f" The {CELL_PHRASES.get(cell, cell)}'s validation loss still fell by {fmt.number(drop)} nats/char "
                   "in its last pass, so its verdict above is for this budget: more passes would still lower its "
                   "loss."
                   for cell, drop in falling)


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


PROBE_MODES = (("carried", "carried"), ("reset", "reset"), ("frozen", "control"))


def _probe(result):
    levels, rows = result["levels"], result["rows"]
    short, long = PROBE_LAGS
    budgets = (("one_pass", ""), ("equal_updates", ", equal updates"))
    losses = fmt.table(
        ("truncation k", "updates (one pass)", *(f"{label}{suffix} (nats)" for _, suffix in budgets
                                                 for _, label in PROBE_MODES)),
        [(row["k"], f"{row['updates']:,}", *(fmt.seeded(row["nats"][budget][mode]) for budget, _ in budgets
                                            for mode, _ in PROBE_MODES)) for row in rows])
    effects = fmt.table(
        ("truncation k", *(f"{label}{suffix}" for _, suffix in budgets for _, label in PROBE_MODES)),
        [(row["k"], *(fmt.seeded(row["lag_effects"][budget][mode][str(long)]) for budget, _ in budgets
                      for mode, _ in PROBE_MODES)) for row in rows])
    protocol = (f" Each model: {_seeds_text(result)}, scored on a held-out stream; {_searched(result['search'])}, "
                f"chosen at k = {result['search']['k']}.")
    return (
        r"**The truncation probe.** Inputs are random bits; the target is 1 with probability "
        rf"$\tfrac12 + \tfrac12[x_{{t-{short}}} = 1] - \tfrac14[x_{{t-{long}}} = 1]$. A model that uses neither "
        f"dependency scores {fmt.number(levels['none'])} nats, one that uses only lag {short} "
        f"{fmt.number(levels['only_3'])}, one that uses both {fmt.number(levels['both'])}. TBPTT($k$) sends a "
        f"gradient back at most $k - 1$ steps, so a lag is within its reach when $k > $ lag. The control is the same "
        f"RNN with its cell (input and recurrent weights) frozen at initialisation and only the readout trained, "
        f"trained as each row's RNNs are (windows of $k$ tokens, one pass and equal updates): whatever it reaches is "
        f"memory the initialisation already had, so a lead over it was learned in the cell, through time or in how inputs are "
        f"written into the state. The use of lag {long} is also measured directly: the lag-{long} "
        f"effect is how much a model's probability of a 1 moves when $x_{{t-{long}}}$ goes from 0 to 1 with "
        f"$x_{{t-{short}}}$ held fixed ({fmt.number(result['true_lag_effects'][str(long)], 2)} in the data, 0 for a "
        f"model that ignores lag {long})." + _probe_verdicts_text(result) + _failed_probe_runs_text(result)
        + protocol + "\n\n" + losses + f"\n\nThe lag-{long} effect of each model:\n\n" + effects)


PROBE_BUDGETS = (("one_pass", "one pass"), ("equal_updates", "equal updates"))
BELOW_LEVEL = Rule(
    "every seed below the level",
    "a lag is used only when every seed's loss is below the exact loss of the best model without it")
NOTHING_LEARNED = 0.005   # nats: a probe run within this of the no-dependency level learned nothing (a failed run)


def _carried(row, budget):
    return row["nats"][budget]["carried"]


def _lag_use(effects):
    """The lag-8 effect as a use (the data's effect is negative): higher is more of lag 8 used."""
    return effects[str(PROBE_LAGS[1])].map(lambda value: -value)


def probe_findings(result):
    """For every k up to the long lag, each read in both budgets against the control trained at that row's budget: does
    the carried-state RNN beat the frozen control on loss, and use lag 8 more than it (the direct lag-8 effect), both
    SEED_SEPARATED; is it below the lag-3-only level (BELOW_LEVEL); and does the smallest k carried beat the largest k
    reset at equal updates."""
    short, long = PROBE_LAGS
    level = result["levels"]["only_3"]
    found = []
    for row in result["rows"]:
        if row["k"] > long:
            continue
        evidence = "; ".join(f"{label}: carried {fmt.seeded(_carried(row, budget))}, control "
                             f"{fmt.seeded(row['nats'][budget]['frozen'])}" for budget, label in PROBE_BUDGETS)
        found.append(Finding("5.1", f"probe, k = {row['k']}: the carried-state RNN's loss against the frozen control",
                             SEED_SEPARATED, tuple((label, compare(_carried(row, budget), row["nats"][budget]["frozen"]))
                                                   for budget, label in PROBE_BUDGETS), evidence + " nats"))
        effects = {budget: row["lag_effects"][budget] for budget, _ in PROBE_BUDGETS}
        found.append(Finding(
            "5.1", f"probe, k = {row['k']}: the carried-state RNN uses lag {long} more than the frozen control",
            SEED_SEPARATED, tuple((label, compare(_lag_use(effects[budget]["carried"]),
                                                  _lag_use(effects[budget]["frozen"]), lower_is_better=False))
                                  for budget, label in PROBE_BUDGETS),
            f"lag-{long} effect (data {fmt.number(result['true_lag_effects'][str(long)], 2)}): " + "; ".join(
                f"{label}: carried {fmt.seeded(effects[budget]['carried'][str(long)])}, control "
                f"{fmt.seeded(effects[budget]['frozen'][str(long)])}" for budget, label in PROBE_BUDGETS)))
        found.append(Finding(
            "5.1", f"probe, k = {row['k']}: the carried-state RNN is below the lag-{short}-only level",
            BELOW_LEVEL, tuple((label, _carried(row, budget).max < level) for budget, label in PROBE_BUDGETS),
            evidence + f" nats; lag-{short}-only level {fmt.number(level)} nats"))
    return (*found, _equal_updates_finding(result))


def _finding(findings, claim_start):
    return next(finding for finding in findings if finding.claim.startswith(claim_start))


def _in_budgets(finding, words):
    """'X in both budgets' or 'X (one pass) but Y (equal updates)': a finding as words, mixed said as mixed."""
    if finding.verdict != MIXED:
        return f"{words[finding.verdict]} in both budgets"
    return " but ".join(f"{words[reading]} ({column})" for column, reading in finding.columns)


LOSS_WORDS = {BETTER: "lower than every seed of the control", NO_EFFECT: "within the control's seed spread",
              WORSE: "higher than every seed of the control"}
USE_WORDS = {BETTER: "more than every seed of the control", NO_EFFECT: "no more than the control (seeds overlap)",
             WORSE: "less than every seed of the control"}
LEVEL_WORDS = {True: "below the lag-3-only level on every seed", False: "not below the lag-3-only level on every seed"}


def _probe_verdicts_text(result):
    """Per k up to the long lag: the loss against the control, the direct use of lag 8, and the level; then the
    equal-updates comparison of carried and reset."""
    short, long = PROBE_LAGS
    findings = probe_findings(result)
    parts = []
    for row in (row for row in result["rows"] if row["k"] <= long):
        k = row["k"]
        loss = _finding(findings, f"probe, k = {k}: the carried-state RNN's loss")
        use = _finding(findings, f"probe, k = {k}: the carried-state RNN uses")
        text = f"$k = {k}$: loss {_in_budgets(loss, LOSS_WORDS)}; lag {long} used {_in_budgets(use, USE_WORDS)}"
        text += f"; {_in_budgets(_finding(findings, f'probe, k = {k}: the carried-state RNN is below'), LEVEL_WORDS)}"
        parts.append(text)
    used = [row["k"] for row in result["rows"] if row["k"] <= long
            and _finding(findings, f"probe, k = {row['k']}: the carried-state RNN uses").verdict == BETTER]
    return (f" Read per $k$ up to {long} (the carried-state RNN): " + "; ".join(parts) + ". So training with a "
            f"gradient that reaches back fewer than {long} steps made the RNN use lag {long} more than its initial "
            "memory does at "
            + (f"$k$ = {', '.join(str(k) for k in used)} in both budgets" if used else "no $k$ in both budgets")
            + ". " + _probe_equal_updates_text(result, findings[-1]))


def _failed_probe_runs_text(result):
    """The runs that learned nothing although they could (a carried state can hold lag 3 at any k, as the control
    shows; a reset window only when k > 3): their loss within NOTHING_LEARNED of the no-dependency level. When every
    seed of a setting failed and the same k and mode learned at the other budget, the failure is the setting's
    (its budget with the rate chosen elsewhere), not a limit of k; otherwise this probe does not say why."""
    short, _ = PROBE_LAGS
    none = result["levels"]["none"]

    def failed_seeds(row, budget, mode):
        value = row["nats"][budget][mode]
        return [seed for seed, nats in zip(value.seeds, value.values) if nats > none - NOTHING_LEARNED]

    other = {"one_pass": "equal_updates", "equal_updates": "one_pass"}
    parts = []
    for row in result["rows"]:
        for budget, label in PROBE_BUDGETS:
            for mode in ("carried", "reset"):
                seeds = failed_seeds(row, budget, mode)
                if not seeds or (mode == "reset" and row["k"] <= short):
                    continue
                everyone = len(seeds) == len(row["nats"][budget][mode].values)
                learned_elsewhere = not failed_seeds(row, other[budget], mode)
                why = (f"every seed, while the same $k$ learned at {dict(PROBE_BUDGETS)[other[budget]]}: a failure of "
                       f"this budget with the rate chosen at $k = {result['search']['k']}$, not a limit of $k$"
                       if everyone and learned_elsewhere else "seeds " + ", ".join(map(str, seeds)))
                parts.append(f"$k = {row['k']}$ {mode}, {label} ({why})")
    if not parts:
        return ""
    return (f" Runs that learned nothing although they could (loss within {NOTHING_LEARNED} nats of the "
            f"no-dependency level; a carried state can hold lag {short} at any $k$, as the control shows): "
            + "; ".join(parts) + ".")


def _equal_updates_finding(result):
    """The probe's smallest k carried against its largest k reset, each trained for the same number of updates."""
    small, large = result["rows"][0], result["rows"][-1]
    carried, reset = _carried(small, "equal_updates"), large["nats"]["equal_updates"]["reset"]
    return Finding("5.1", f"probe, equal updates: carried k = {small['k']} against reset k = {large['k']}",
                   SEED_SEPARATED, (("equal updates", compare(carried, reset)),),
                   f"{fmt.seeded(carried)} vs {fmt.seeded(reset)} nats")


def _probe_equal_updates_text(result, finding):
    small, large = result["rows"][0], result["rows"][-1]
    verdict = {BETTER: "the carried state wins on every seed.",
               NO_EFFECT: "the two overlap within the seed spread: no effect.",
               WORSE: "the longer window wins on every seed."}[finding.verdict]
    return (f"With every model trained for the same {result['equal_updates']:,} updates (one pass at "
            f"$k = {large['k']}$), the carried-state RNN with $k = {small['k']}$ scores "
            f"{fmt.seeded(_carried(small, 'equal_updates'))} nats and the RNN reset every {large['k']} steps "
            f"{fmt.seeded(large['nats']['equal_updates']['reset'])}: " + verdict)


def copy_findings(result):
    """Per (k, L) cell: the trained carried-state RNN against the frozen control on copy accuracy (higher is better),
    SEED_SEPARATED: learning through time beyond what a random recurrence holds; and beyond the window (L > k), full
    BPTT against the carried-state RNN (the same updates): whether the task is learnable when the gradient spans L."""
    def accuracy_finding(claim, a, b, cell):
        first, second = (cell["learners"][name]["copy_accuracy"] for name in (a, b))
        return Finding("5.1", claim, SEED_SEPARATED, (("accuracy", compare(first, second, lower_is_better=False)),),
                       f"{COPY_LEARNERS[a]} {fmt.seeded_percent(first, 1)}, {COPY_LEARNERS[b]} "
                       f"{fmt.seeded_percent(second, 1)}")

    found = []
    for cell in result["cells"]:
        where = "inside the window" if cell["L"] <= cell["k"] else "beyond the window"
        found.append(accuracy_finding(f"copy, k = {cell['k']}, L = {cell['L']} ({where}): the carried-state RNN "
                                      "against the frozen control", "rnn_tbptt_carried", "rnn_frozen_recurrence", cell))
        if cell["L"] > cell["k"]:
            found.append(accuracy_finding(f"copy, k = {cell['k']}, L = {cell['L']}: full BPTT against the "
                                          "carried-state RNN", "rnn_full_bptt", "rnn_tbptt_carried", cell))
    return tuple(found)


def _copy_counts(result):
    """{(inside the window?): (cells where the carried RNN beats the control, cells)} and, beyond the window, (cells
    where full BPTT beats the carried RNN, cells)."""
    found = copy_findings(result)
    against_control = [f for f in found if "frozen control" in f.claim]
    inside = [f for f in against_control if "inside the window" in f.claim]
    beyond = [f for f in against_control if "beyond the window" in f.claim]
    full = [f for f in found if "full BPTT" in f.claim]
    return {"inside": (sum(f.verdict == BETTER for f in inside), len(inside)),
            "beyond": (sum(f.verdict == BETTER for f in beyond), len(beyond)),
            "beyond_worse": sum(f.verdict == WORSE for f in beyond),
            "full_bptt": (sum(f.verdict == BETTER for f in full), len(full))}


def _copy(result):
    cells, chance = result["cells"], result["chance_accuracy"]
    rows = [(cell["k"], cell["L"], *(fmt.seeded_percent(cell["learners"][name]["copy_accuracy"], 1)
                                     for name in COPY_LEARNERS)) for cell in cells]
    counts = _copy_counts(result)
    full = [f for f in copy_findings(result) if "full BPTT" in f.claim]
    learnable = [f.claim.split(":")[0].removeprefix("copy, ") for f in full if f.verdict == BETTER]
    unlearned = [f.claim.split(":")[0].removeprefix("copy, ") for f in full if f.verdict != BETTER]
    search = result["search"]
    tried = [candidate["validation_nats"] for candidate in search["rnn_tbptt"]["tried"]]
    return (
        f"**The copy task.** Each copy position repeats the token $L$ steps back ({round(1 / chance)} symbols, chance "
        f"{fmt.percent(chance, 0)}). The control is the same RNN with its recurrence frozen at initialisation: what it "
        "reaches is memory a random recurrence holds, so only a lead over it, on every seed, is learning through "
        f"time. Inside the window ($L \\le k$) the trained carried-state RNN beats the control in "
        f"{counts['inside'][0]} of {counts['inside'][1]} cells; beyond it ($L > k$) in {counts['beyond'][0]} of "
        f"{counts['beyond'][1]}"
        + (f", and it is below the control on every seed in {counts['beyond_worse']} (after training it holds less "
           "than its random initialisation did)" if counts["beyond_worse"] else "")
        + ". Full BPTT back-propagates through windows of w = max(4L, 32) steps from h = 0 and makes as many updates "
        "as TBPTT($k$) makes in one pass, so it sees w/k times the tokens, with the carried RNN's learning rate; it "
        f"beats the carried-state RNN on every seed in {counts['full_bptt'][0]} of {counts['full_bptt'][1]} cells "
        "beyond the window"
        + (f" ({'; '.join(learnable)}): there a gradient that spans $L$, given that much more text, learns the copy"
           if learnable else "")
        + (f"; at {'; '.join(unlearned)} it does not" if unlearned else "") + ". The reset RNN and full BPTT are "
        "scored with resets every k (or w) steps, only on the copy positions whose source lies inside the window "
        "(all copy positions for the reset RNN when $L > k$, where none does): fewer positions than the carried "
        "models, so their columns are not directly comparable with those."
        + f" Every learner: {_seeds_text(result)}, scored on a held-out stream; the RNNs with "
        f"{_searched(search['rnn_tbptt'])}, the n-gram net with {_searched(search['neural_ngram'])}, chosen at "
        f"k = {search['k']}, L = {search['L']}, where the source is inside the window and the RNN candidates' "
        f"validation losses range from {fmt.number(min(tried))} to {fmt.number(max(tried))} nats." + "\n\n"
        + fmt.table(("k", "L", *COPY_LEARNERS.values()), rows))


COPY_LEARNERS = {"neural_ngram": "neural n-gram", "rnn_tbptt_carried": "RNN, carried", "rnn_tbptt_reset": "RNN, reset",
                 "rnn_frozen_recurrence": "control: recurrence frozen", "rnn_full_bptt": "RNN, full BPTT"}


SPLIT_BUDGETS = (("validation", "rnn_tbptt_carried", "validation, equal tokens"),
                 ("test", "rnn_tbptt_carried", "test, equal tokens"),
                 ("validation", "rnn_tbptt_carried_equal_updates", "validation, equal updates"),
                 ("test", "rnn_tbptt_carried_equal_updates", "test, equal updates"))
NGRAM_FAMILIES = ("kneser_ney", "neural_ngram")


SHEET_NGRAM, COUNT_NGRAM = "neural_ngram", "kneser_ney"
AGAINST = {SHEET_NGRAM: "the neural n-gram model (the sheet's comparison)",
           COUNT_NGRAM: "the Kneser-Ney count model"}


def shakespeare_findings(result):
    """Per order n, the carried-state RNN with TBPTT k = n against the sheet's feed-forward neural n-gram model of
    the same n, and against the Kneser-Ney count model (the stronger n-gram baseline), SEED_SEPARATED, on validation
    and test at both budgets."""
    return tuple(Finding(
        "5.1", f"Tiny Shakespeare, n = {row['n']}: the carried-state RNN (k = n) against {AGAINST[ngram]}",
        SEED_SEPARATED, tuple((label, compare(row["bpc"][split][rnn], row["bpc"][split][ngram]))
                              for split, rnn, label in SPLIT_BUDGETS),
        f"test bits/char: RNN {fmt.seeded(row['bpc']['test']['rnn_tbptt_carried'])}, {dict(MODELS)[ngram]} "
        f"{fmt.seeded(row['bpc']['test'][ngram])}")
        for ngram in (SHEET_NGRAM, COUNT_NGRAM) for row in result["rows"])


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
    per_family = {ngram: [f for f in findings if AGAINST[ngram] in f.claim] for ngram in AGAINST}
    verdicts = {ngram: "; ".join(f"$n = {row['n']}$: {_in_columns(finding)}" for row, finding in zip(rows, found))
                for ngram, found in per_family.items()}
    ngram_wins = [f for f in findings if WORSE in dict(f.columns).values()]
    why = (" The truncation alone does not explain where an n-gram model wins: a likely reason (not measured here) is "
           f"capacity, since the RNN must compress its history into {config['hidden_size']} hidden units after "
           f"{config['rnn_epochs']} passes, while the count model's tables hold every context of the training text."
           if ngram_wins else "")
    return (
        f"**Tiny Shakespeare** (characters, {result['train_chars']:,} for training, vocabulary {result['vocab_size']}; "
        f"bits per character, lower is better). The sheet's comparison at every order, the carried-state RNN with "
        f"TBPTT $k = n$ against the feed-forward neural $n$-gram model of the same $n$, read by the seed-separated "
        f"rule: {verdicts[SHEET_NGRAM]}. Against the Kneser-Ney count model, the stronger $n$-gram baseline here: "
        f"{verdicts[COUNT_NGRAM]}." + why + " " + _carried_against_reset(result, smallest, largest)
        + protocol + "\n\n" + table)


def _in_columns(finding):
    """A finding's verdict, or its reading per column when the columns disagree."""
    if finding.verdict != MIXED:
        return f"{RNN_AGAINST_NGRAM[finding.verdict]} in every column"
    return ", ".join(f"{RNN_AGAINST_NGRAM[reading]} ({column})" for column, reading in finding.columns)


EQUAL_UPDATE_MODELS = (("rnn_tbptt_carried_equal_updates", "RNN, state carried, equal updates"),
                       ("rnn_tbptt_reset_equal_updates", "RNN, state reset, equal updates"))


def _carried_and_reset(result):
    """[(budget, carried RNN with the smallest k, RNN reset every largest-k characters)], validation bits/char, at
    equal tokens (the same passes: the smaller k makes more updates) and at equal updates."""
    smallest, largest = result["rows"][0], result["rows"][-1]
    return [(label, smallest["bpc"]["validation"][carried], largest["bpc"]["validation"][reset])
            for label, carried, reset in (("equal tokens", "rnn_tbptt_carried", "rnn_tbptt_reset"),
                                          ("equal updates", "rnn_tbptt_carried_equal_updates",
                                           "rnn_tbptt_reset_equal_updates"))]


def _pairs_text(pairs):
    return "; ".join(f"{label}: {fmt.seeded(carried)} vs {fmt.seeded(reset)}" for label, carried, reset in pairs)


def carried_against_reset_finding(result):
    """The carried state with the smallest k against a window of the largest k reset each time, SEED_SEPARATED, on
    validation at both budgets (_carried_and_reset)."""
    pairs = _carried_and_reset(result)
    return Finding("5.1", f"Tiny Shakespeare: carried state with k = {result['rows'][0]['n']} against a window of "
                          f"{result['rows'][-1]['n']} reset each time", SEED_SEPARATED,
                   tuple((label, compare(carried, reset)) for label, carried, reset in pairs),
                   "validation bits/char, " + _pairs_text(pairs))


CARRIED_WORDS = {BETTER: "the carried state is better on every seed", WORSE: "the longer window is better on every seed",
                 NO_EFFECT: "the seeds overlap: no effect"}


def _carried_against_reset(result, smallest, largest):
    finding = carried_against_reset_finding(result)
    readings = "; ".join(f"at {column}, {CARRIED_WORDS[reading]}" for column, reading in finding.columns)
    return (f"Carried state with $k = {smallest['n']}$ against a window of {largest['n']} characters reset each time "
            f"(validation bits/char, {_pairs_text(_carried_and_reset(result))}; {smallest['rnn_updates']:,} and "
            f"{largest['rnn_updates']:,} updates at equal tokens, {result['equal_updates']:,} each at equal updates): "
            f"{readings}. ")


def _settings(learner):
    """'0.003, clip 1' or '0.001, no clipping': the learner's chosen learning rate and clipping."""
    clip = f"clip {learner['clip_norm']:g}" if learner["clip_norm"] else "no clipping"
    return f"{learner['learning_rate']:g}, {clip}"


def _exponents_text(cost):
    """The fitted exponents with the range each is fitted over, read against theory's 4 and 2."""
    fitted, last = cost["exponents"], (cost["local_exponents"] or [None])[-1]
    text = (f"Fitted over n = {', '.join(str(n) for n in cost['fitted_over'])}, RTRL's time per step grows as "
            f"$n^{{{fmt.number(fitted['rtrl_step_ms'], 2)}}}$ and BPTT's as $n^{{{fmt.number(fitted['bptt_step_ms'], 2)}}}$"
            " (theory: 4 and 2).")
    if last is None:
        return text
    reached = [name for name, key, theory in (("RTRL's", "rtrl_step_ms", 4), ("BPTT's", "bptt_step_ms", 2))
               if abs(last[key] - theory) <= 0.5]
    return (text + f" Between the two largest sizes, n = {last['from']} and {last['to']} (one pair of timings, so "
            "noisy), the local exponents are "
            f"{fmt.number(last['rtrl_step_ms'], 2)} (RTRL) and {fmt.number(last['bptt_step_ms'], 2)} (BPTT): "
            + (f"{' and '.join(reached)} within 0.5 of theory there." if reached else
               "neither is within 0.5 of theory yet, so these sizes are still too small to show the asymptote.")
            + " This report does not measure why the exponents fall short; larger sizes and peak memory: "
            "benchmarks/rtrl_cost.py.")


def _uoro_text(rows):
    """UORO's measured quality, from its rows."""
    return ("UORO (an unbiased rank-one estimate of the sensitivities, $O(n^2)$ per step) is noisy: one estimate has "
            f"cosine {', '.join(fmt.number(row['single_cosine_mean'], 2) for row in rows)} with the exact gradient "
            f"(mean of 8 draws, same sizes); the mean of {rows[0]['samples']} estimates reaches "
            f"{', '.join(fmt.number(row['mean_cosine'], 3) for row in rows)}, as an unbiased estimate must, and "
            "one estimate's variance is "
            f"{', '.join(fmt.number(row['relative_variance'], 0) for row in rows)} times the squared norm of the "
            "gradient.")


def _edges_text(searches, labels):
    """The learners whose chosen rate is an end of the searched grid: a better one may lie beyond it."""
    edges = [(labels.get(name, name), _grid_edge(search)) for name, search in searches.items() if _grid_edge(search)]
    if not edges:
        return ""
    return (" Chosen at an end of the grid, so a better rate may lie beyond it: "
            + "; ".join(f"{label} (the {edge} rate tried)" for label, edge in edges) + ".")


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
        r"output layer's local gradient)."
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
        "values, so the gradient is slightly stale.")
    measured = (
        f"RTRL's gradient equals BPTT's: the largest relative difference over {len(agreement)} "
        f"configurations (float64) is {fmt.scientific(max(row['relative_error'] for row in agreement))}. Online on a "
        f"copy task at distance $L = {online['distance']}$, beyond TBPTT's truncation $k = {online['truncation']}$, "
        f"RTRL's accuracy on the copy positions against TBPTT's is {online_verdict.describe()} at both budgets "
        f"(chance {fmt.percent(online['chance_accuracy'], 0)}; the table below).")
    online_text = (
        measured + "\n\n" + fmt.table(("learner", "accuracy on copy positions", "loss there (nats)", "updates", "tokens seen",
                   "training time", "learning rate, clipping"), online_rows)
        + f"\n\n{_seeds_text(online).capitalize()}, the same tokens for "
        "every seed; every learner is scored with its state carried over the same held-out sequence. The "
        "online learners update once per token of each stream; TBPTT and full BPTT once per window, so with one "
        "pass they see the same tokens and make fewer updates, and with as many passes as their window is long "
        "they make as many updates and see that many times the tokens."
        + " Each learner's learning rate and clipping were chosen by a search over "
        f"{len(next(iter(online['search'].values()))['tried'])} candidates on a separate validation sequence (a "
        "third of the tokens, the first seed); the scores are on another held-out sequence. The equal-updates runs "
        "reuse their one-pass run's choice, not searched again." + _edges_text(online["search"], labels)
        + "\n\nFor the tanh cell $\\mathbf h_n = \\tanh(\\mathbf W_{hh}\\mathbf h_{n-1} + \\mathbf W_{xh}\\mathbf x_n + "
        "\\mathbf b)$, $\\frac{\\partial\\mathbf h_n}{\\partial\\mathbf h_{n-1}} = \\mathrm{diag}(1 - \\mathbf h_n^2)\\,"
        "\\mathbf W_{hh}$. Approximations such as SnAp-1 (keep only the entries of $\\mathbf P$ a parameter touches "
        "directly) cut the cost to BPTT's order at the price of a biased gradient."
        + f" SnAp-1's gradient has cosine similarity {', '.join(fmt.number(value, 2) for value in cosines)} with "
        f"the exact one (hidden sizes {', '.join(str(row['n']) for row in result['snap1'])}). "
        + _uoro_text(result["uoro"]))
    cost_text = (
        f"Time per step, batch 1, BPTT over T = {cost['length']}:\n\n"
        + fmt.table(("n", "RTRL step (ms)", "BPTT per step (ms)", "RTRL / BPTT", "RTRL sensitivities (MiB)"),
                    cost_rows)
        + "\n\n" + _exponents_text(cost))
    plot = plots.plot_rtrl_cost(cost["rows"], cost["rows"], figure_dir / "q5_2_cost_vs_n.png")
    return Answer(text, (), (
        Detail("Measured: RTRL's gradient against BPTT's, and online learning against TBPTT", online_text),
        Detail("The cost per step, measured", cost_text,
               (Figure(str(plot), "Time per step of RTRL, its contraction, and BPTT, against n."),))))


PROBLEM = Problem("5", "Recurrent neural networks", (P5_1_PROBE.problem, P5_2.problem), (
    Question("5.1", "Does truncation make an RNN an n-gram model?", Q5_1, answer_5_1, findings_5_1),
    Question("5.2", "The in-order recurrence: real-time recurrent learning", Q5_2, answer_5_2, findings_5_2),
))
