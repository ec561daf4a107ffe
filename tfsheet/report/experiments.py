"""The experiments a report runs: each is one function of tfsheet.experiments, called with a preset.

`estimated_seconds` are wall times measured on a 2-core CPU at each scale; the runner uses them,
corrected by how fast this machine turns out to be, for its time-left estimate.
"""

import dataclasses
import importlib

SCALES = ("quick", "default", "full")
PROBLEMS = ("P1", "P2", "P3", "P4", "P5.1", "P5.2")


@dataclasses.dataclass(frozen=True)
class ReportExperiment:
    """One experiment of the report.

    Attributes:
        name: its name in the report, the cache and the log dir, e.g. "P2_sweep".
        problem: the sheet's problem it answers, one of PROBLEMS.
        module, function: `tfsheet.experiments.<module>.<function>(config, workdir, ...)`.
        exports: whether it takes `export_root` (it trains models that are published).
        inputs: the datasets it reads ("mnist", "tiny_shakespeare"); part of the cache key.
        estimated_seconds: {scale: seconds} on a 2-core CPU.
        options: further keyword arguments of the function (e.g. verbose=False).
    """

    name: str
    problem: str
    module: str
    function: str
    exports: bool
    inputs: tuple
    estimated_seconds: dict
    options: tuple = ()          # (name, value) pairs: a frozen dataclass keeps them hashable

    def _module(self):
        return importlib.import_module(f"tfsheet.experiments.{self.module}")

    def config(self, scale):
        """The experiment's configuration (a frozen dataclass) at `scale`."""
        return self._module().PRESETS[scale]

    def run(self, scale, workdir, export_root=None):
        """Run it at `scale`, writing into `workdir`; return its results dict."""
        kwargs = {"export_root": export_root} if self.exports else {}
        return getattr(self._module(), self.function)(self.config(scale), workdir, **kwargs, **dict(self.options))


def _seconds(quick, default, full):
    return {"quick": quick, "default": default, "full": full}


EXPERIMENTS = (
    ReportExperiment("P1", "P1", "problem1", "run", True, ("mnist",), _seconds(8, 6, 15), (("verbose", False),)),
    ReportExperiment("P2_sweep", "P2", "problem2", "run_sweep", False, ("mnist",), _seconds(8, 195, 1000)),
    ReportExperiment("P2_appended", "P2", "problem2", "run_appended", True, ("mnist",), _seconds(6, 40, 80)),
    ReportExperiment("P2_direct", "P2", "problem2", "run_direct", False, ("mnist",), _seconds(5, 70, 250)),
    ReportExperiment("P3", "P3", "problem3", "run", True, ("mnist",), _seconds(10, 30, 150)),
    ReportExperiment("P4", "P4", "problem4", "run", True, (), _seconds(16, 95, 200)),
    ReportExperiment("P5.1_shakespeare", "P5.1", "problem5_1", "run_shakespeare", True, ("tiny_shakespeare",),
                     _seconds(15, 400, 1500)),
    ReportExperiment("P5.1_probe", "P5.1", "problem5_1", "run_probe", False, (), _seconds(5, 22, 80)),
    ReportExperiment("P5.1_copy", "P5.1", "problem5_1", "run_copy", False, (), _seconds(8, 210, 1200)),
    ReportExperiment("P5.2", "P5.2", "problem5_2", "run", False, (), _seconds(12, 60, 400)),
)


def select(only=None, experiments=EXPERIMENTS):
    """The experiments of the problems named in `only` (None: all), in the sheet's order.

    Names are P1, P2, P3, P4, P5.1, P5.2, or P5 for both parts of Problem 5; case and the
    leading P are optional ("p2", "5.1").

    Raises:
        ValueError: naming the valid problems, for an unknown name.
    """
    if not only:
        return tuple(experiments)
    wanted = set()
    for text in only:
        name = text.strip().upper()
        name = name if name.startswith("P") else f"P{name}"
        matches = [problem for problem in PROBLEMS if problem == name or problem.startswith(f"{name}.")]
        if not matches:
            raise ValueError(f"unknown problem {text!r}; valid problems: {', '.join(PROBLEMS)} (P5 = P5.1 and P5.2)")
        wanted.update(matches)
    return tuple(experiment for experiment in experiments if experiment.problem in wanted)
