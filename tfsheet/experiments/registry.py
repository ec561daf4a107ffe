"""Every experiment of the sheet, in one typed list: what `tfsheet report`, the problem commands,
`tfsheet export` and the report's answers are all derived from.

An experiment is a name, the sheet questions it answers, its settings (a config class of its own with
presets per scale, so a setting changes only the experiments that read it), a run function
`run(config, workdir, runtime, export_root=None[, upstream]) -> results`, the models it exports, the
datasets it reads, the experiments it needs (whose records and folders it reads, passed as `upstream`:
{name: Upstream}) and its wall time per scale on a 2-core CPU (for the time-left estimate). Adding an
experiment is one constant here, its entry in EXPERIMENTS and its module.

The run functions import their modules when called, so that listing experiments (the command
line's help) does not start TensorFlow.
"""

import dataclasses
from typing import Callable, Mapping

from tfsheet.experiments import configs, overrides

PROBLEMS = ("P1", "P2", "P3", "P4", "P5.1", "P5.2")
SCALES = configs.SCALES


@dataclasses.dataclass(frozen=True)
class Experiment:
    """One experiment.

    Attributes:
        problem: the sheet's problem, one of PROBLEMS.
        part: its name within the problem ("sweep"), or "" when it is the problem's only experiment.
        questions: the sheet's questions its results answer ("2.1", ...).
        presets: {scale: config}; the config class is the presets' type.
        run: `run(config, workdir, runtime, export_root=None) -> results dict` (JSON-able).
        exports: the SavedModels it publishes when given an export root.
        inputs: the datasets it reads ("mnist", "tiny_shakespeare"); part of the report's cache key.
        estimated_seconds: {scale: wall seconds on a 2-core CPU}.
        needs: the experiments whose results it reads; they run first, and their keys are part of its key.
    """

    problem: str
    part: str
    questions: tuple
    presets: Mapping
    run: Callable
    exports: tuple = ()
    inputs: tuple = ()
    estimated_seconds: Mapping = dataclasses.field(default_factory=dict)
    needs: tuple = ()

    @property
    def name(self):
        """"P2_sweep", or "P1" for a problem's only experiment: its name in the report, cache and logs."""
        return f"{self.problem}_{self.part}" if self.part else self.problem

    @property
    def config_class(self):
        return type(self.presets["default"])

    def config(self, scale, settings=None):
        """The config at `scale` with `settings` ({field: text}) applied."""
        if scale not in self.presets:
            raise ValueError(f"unknown scale {scale!r}; valid scales: {', '.join(self.presets)}")
        return overrides.apply(self.presets[scale], settings)


@dataclasses.dataclass(frozen=True)
class Upstream:
    """What an experiment reads of one it needs: that one's config, its results and its folder."""

    config: object
    results: Mapping
    workdir: object


def _seconds(quick, default, full):
    return {"quick": quick, "default": default, "full": full}


# The run functions: run(config, workdir, runtime, export_root=None[, upstream]), each importing its module when
# called (see the module docstring).

def _problem1(*arguments):
    from tfsheet.experiments import problem1
    return problem1.run(*arguments)


def _problem2_search(*arguments):
    from tfsheet.experiments import problem2_search
    return problem2_search.run(*arguments)


def _problem2_sweep(*arguments):
    from tfsheet.experiments import problem2
    return problem2.run_sweep(*arguments)


def _problem2_appended(*arguments):
    from tfsheet.experiments import problem2
    return problem2.run_appended(*arguments)


def _problem2_direct(*arguments):
    from tfsheet.experiments import problem2
    return problem2.run_direct(*arguments)


def _problem3(*arguments):
    from tfsheet.experiments import problem3
    return problem3.run(*arguments)


def _problem4(*arguments):
    from tfsheet.experiments import problem4
    return problem4.run(*arguments)


def _problem5_1_shakespeare(*arguments):
    from tfsheet.experiments import problem5_1
    return problem5_1.run_shakespeare(*arguments)


def _problem5_1_probe(*arguments):
    from tfsheet.experiments import problem5_1
    return problem5_1.run_probe(*arguments)


def _problem5_1_copy(*arguments):
    from tfsheet.experiments import problem5_1
    return problem5_1.run_copy(*arguments)


def _problem5_1_language_model(*arguments):
    from tfsheet.experiments import problem5_1_lm
    return problem5_1_lm.run(*arguments)


def _problem5_2(*arguments):
    from tfsheet.experiments import problem5_2
    return problem5_2.run(*arguments)


P1 = Experiment("P1", "", ("1",), configs.PROBLEM1_PRESETS, _problem1, exports=("softmax_regression",),
                inputs=("mnist",), estimated_seconds=_seconds(8, 7, 15))
P2_SEARCH = Experiment("P2", "search", ("2.1", "2.2", "2.3"), configs.presets(
    configs.Problem2SearchConfig, configs.PROBLEM2_SCALES), _problem2_search, inputs=("mnist",),
    estimated_seconds=_seconds(6, 60, 200))
P2_SWEEP = Experiment("P2", "sweep", ("2.1",), configs.presets(configs.Problem2SweepConfig, configs.PROBLEM2_SCALES),
                      _problem2_sweep, inputs=("mnist",), estimated_seconds=_seconds(8, 170, 950), needs=(P2_SEARCH,))
P2_APPENDED = Experiment("P2", "appended", ("2.2", "2.3"), configs.presets(configs.Problem2AppendedConfig,
                                                                           configs.PROBLEM2_SCALES),
                         _problem2_appended, exports=("mlp_onehot", "mlp_binary", "mlp_onehot_to_binary"),
                         inputs=("mnist",), estimated_seconds=_seconds(3, 5, 10), needs=(P2_SEARCH,))
P2_DIRECT = Experiment("P2", "direct", ("2.3",), configs.presets(configs.Problem2DirectConfig, configs.PROBLEM2_SCALES),
                       _problem2_direct, inputs=("mnist",), estimated_seconds=_seconds(3, 60, 200), needs=(P2_SEARCH,))
P3 = Experiment("P3", "", ("3.1", "3.2", "3.3"), configs.PROBLEM3_PRESETS, _problem3,
                exports=("linear_hidden_25", "linear_hidden_4"), inputs=("mnist",),
                estimated_seconds=_seconds(10, 25, 150))
P4 = Experiment("P4", "", ("4.1", "4.2", "4.3", "4.4", "4.5", "4.6"), configs.PROBLEM4_PRESETS, _problem4,
                exports=("relu_sheet_example", "relu_ramp"), estimated_seconds=_seconds(16, 120, 300))
P5_1_SHAKESPEARE = Experiment("P5.1", "shakespeare", ("5.1",), configs.presets(
    configs.Problem51ShakespeareConfig, configs.PROBLEM5_1_SCALES), _problem5_1_shakespeare, exports=("char_ngram",),
    inputs=("tiny_shakespeare",), estimated_seconds=_seconds(16, 820, 3500))
P5_1_LANGUAGE_MODEL = Experiment("P5.1", "language_model", ("5.1",), configs.presets(
    configs.Problem51LanguageModelConfig, configs.PROBLEM5_1_SCALES), _problem5_1_language_model,
    exports=("char_rnn",), inputs=("tiny_shakespeare",), estimated_seconds=_seconds(25, 1740, 4800))
P5_1_PROBE = Experiment("P5.1", "probe", ("5.1",), configs.presets(configs.Problem51ProbeConfig,
                                                                   configs.PROBLEM5_1_SCALES),
                        _problem5_1_probe, estimated_seconds=_seconds(8, 90, 400))
P5_1_COPY = Experiment("P5.1", "copy", ("5.1",), configs.presets(configs.Problem51CopyConfig, configs.PROBLEM5_1_SCALES),
                       _problem5_1_copy, estimated_seconds=_seconds(9, 230, 1400))
P5_2 = Experiment("P5.2", "", ("5.2",), configs.PROBLEM5_2_PRESETS, _problem5_2, estimated_seconds=_seconds(16, 185, 1000))

EXPERIMENTS = (P1, P2_SEARCH, P2_SWEEP, P2_APPENDED, P2_DIRECT, P3, P4, P5_1_SHAKESPEARE, P5_1_LANGUAGE_MODEL,
               P5_1_PROBE, P5_1_COPY, P5_2)


def with_needs(experiments):
    """`experiments` with every experiment they need (and those need) added, each before the ones needing it."""
    ordered = []

    def add(experiment):
        for needed in experiment.needs:
            add(needed)
        if experiment not in ordered:
            ordered.append(experiment)

    for experiment in experiments:
        add(experiment)
    return tuple(ordered)


def select(only=None, experiments=EXPERIMENTS):
    """The experiments of the problems named in `only` (None: all), in the sheet's order.

    Names are P1, P2, P3, P4, P5.1, P5.2, or P5 for both parts of Problem 5; case and the
    leading P are optional ("p2", "5.1").

    Raises:
        ValueError: naming the valid problems, for an unknown name.
    """
    if not only:
        return tuple(experiments)
    problems = sorted({experiment.problem for experiment in experiments}, key=_sheet_order)
    wanted = set()
    for text in only:
        name = text.strip().upper()
        name = name if name.startswith("P") else f"P{name}"
        matches = [problem for problem in problems if problem == name or problem.startswith(f"{name}.")]
        if not matches:
            raise ValueError(f"unknown problem {text!r}; valid problems: {', '.join(problems)} (P5 = P5.1 and P5.2)")
        wanted.update(matches)
    return tuple(experiment for experiment in experiments if experiment.problem in wanted)


def problems(experiments=EXPERIMENTS):
    """{problem: its experiments, in order}, for the problems that have any."""
    grouped = {}
    for experiment in experiments:
        grouped.setdefault(experiment.problem, []).append(experiment)
    return {problem: tuple(members) for problem, members in grouped.items()}


def exporters(experiments=EXPERIMENTS):
    """{model name: the experiment that trains and exports it}."""
    return {model: experiment for experiment in experiments for model in experiment.exports}


def for_question(number, experiments=EXPERIMENTS):
    """The experiments whose results answer question `number` ("2.1")."""
    return tuple(experiment for experiment in experiments if number in experiment.questions)


def settings_for(experiment, assignments):
    """The subset of `assignments` ({"field" or "P2.field": text}) that applies to `experiment`.

    A bare field applies to every experiment whose config has it; "P2.field" (or "P2_sweep.field")
    only to that problem's (or that experiment's) config.
    """
    fields = overrides.field_types(experiment.config_class)
    chosen, source = {}, {}
    for key, value in assignments.items():
        scope, _, field = key.rpartition(".") if _scoped(key) else ("", "", key)
        if scope and scope.upper() not in (experiment.problem.upper(), experiment.name.upper()):
            continue
        if field in fields:
            if chosen.get(field, value) != value:
                raise ValueError(f"{source[field]}={chosen[field]} and {key}={value} both set {experiment.name}'s "
                                 f"{field}; give it once")
            chosen[field], source[field] = value, key
    return chosen


def check_settings(assignments, experiments):
    """Raise ValueError for a setting that no experiment in `experiments` has, listing the valid ones."""
    for key in assignments:
        if not any(key.rpartition(".")[2] in settings_for(experiment, {key: ""}) for experiment in experiments):
            valid = sorted({field for experiment in experiments
                            for field in overrides.field_types(experiment.config_class)})
            raise ValueError(f"unknown setting {key!r} for {', '.join(e.name for e in experiments)}; "
                             f"valid settings: {', '.join(valid)}")


def _scoped(key):
    """Whether `key` is "P2.field": a problem or experiment name, a dot, a field (P5.1.x has two dots)."""
    head = key.rpartition(".")[0]
    return head.upper().startswith("P") and head[1:2].isdigit()


def _sheet_order(problem):
    return PROBLEMS.index(problem) if problem in PROBLEMS else len(PROBLEMS)
