"""The `tfsheet` command: argparse subcommands over the library (each a thin call into it)."""

import argparse
import dataclasses
import json
import pathlib
import sys

from tfsheet.errors import Preempted, TfsheetError


def _positive_int(text):
    value = _parse(int, text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}")
    return value


def _non_negative_int(text):
    value = _parse(int, text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}")
    return value


def _positive_float(text):
    value = _parse(float, text)
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return value


def _one_of(names):
    """An argparse type accepting one of `names` (choices= would also reject an empty default list)."""
    def check(text):
        if text not in names:
            raise argparse.ArgumentTypeError(f"invalid choice: {text!r} (choose from {', '.join(names)})")
        return text

    return check


def _problem_names(text):
    """Comma-separated problem names, each checked now so a typo is a usage error listing the valid ones."""
    from tfsheet.report.experiments import select

    names = [name for name in text.split(",") if name.strip()]
    try:
        select(names)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return names


def _add_distributed_flags(parser):
    from tfsheet.experiments.distributed import MODELS, DistributedConfig

    parser.add_argument("--model", choices=MODELS, default="mlp")
    parser.add_argument("--workdir", required=True,
                        help="checkpoints, weights-<task>.npz and results.json (one folder shared by all workers)")
    for field in dataclasses.fields(DistributedConfig):
        if field.name != "model":
            kind = _positive_int if field.type is int and field.name not in ("checkpoint_every", "steps_per_call",
                                                                             "seed") else \
                _non_negative_int if field.type is int else _positive_float
            parser.add_argument(f"--{field.name.replace('_', '-')}", type=kind, default=field.default,
                                help="(default: %(default)s)")


def _train_distributed(args):
    from tfsheet.experiments.distributed import DistributedConfig, run

    config = DistributedConfig(**{field.name: getattr(args, field.name)
                                  for field in dataclasses.fields(DistributedConfig)})
    results = run(config, args.workdir, verbose=True)
    print(json.dumps({key: results[key] for key in ("model", "strategy", "replicas", "steps", "train_seconds",
                                                    "examples_per_second")}))
    return 0


def _report(args):
    from tfsheet.report.runner import run_report

    outcomes, paths = run_report(args.scale, args.out, only=args.only, force=args.force,
                                 export_root=_export_root(args), stream=sys.stdout)
    failed = [outcome for outcome in outcomes if outcome.status == "failed"]
    return 1 if failed or paths.get("errors") else 0


def _parse(kind, text):
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {'an integer' if kind is int else 'a number'}, got {text!r}") from None


def build_parser():
    parser = argparse.ArgumentParser(prog="tfsheet", description="Problem Sheet 4 as TensorFlow models.")
    parser.add_argument("--strategy", choices=("default", "mirrored", "multi-worker"), default=None,
                        help="tf.distribute strategy for every training run: mirrored (all GPUs, or "
                             "$TFSHEET_LOGICAL_CPUS logical CPUs) or multi-worker (TF_CONFIG); "
                             "default: $TFSHEET_STRATEGY, else one device")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    report = commands.add_parser("report", help="the main job: run every experiment of the sheet and write the "
                                                "answers with their evidence (OUT/index.md, OUT/index.html)")
    report.add_argument("--scale", choices=("quick", "default", "full"), default="default",
                        help="quick: minutes (CI); default: the numbers the docs quote; full: more seeds, longer "
                             "training (default: %(default)s)")
    report.add_argument("--out", default="report", help="report folder: index.md, index.html, figures/, results/, "
                                                        "runs/, tensorboard/ (default: %(default)s)")
    report.add_argument("--only", type=_problem_names, action="extend", metavar="P2,P4",
                        help="only these problems (P1, P2, P3, P4, P5.1, P5.2; P5 = both), comma-separated or repeated")
    report.add_argument("--force", action="store_true", help="re-run experiments whose cached results still match")
    _add_export(report)
    report.set_defaults(handler=_report)

    distributed = commands.add_parser("train-distributed", help="train the MLP, softmax regression or char RNN under "
                                                                "--strategy, resumable (scripts/launch_workers.py "
                                                                "starts local workers)")
    _add_distributed_flags(distributed)
    distributed.set_defaults(handler=_train_distributed)

    train = commands.add_parser("train-softmax-regression",
                                help="Problem 1: train softmax regression on MNIST and export it.")
    _add_preset(train, "starting values for the settings below")
    train.add_argument("--epochs", type=_positive_int)
    train.add_argument("--batch-size", type=_positive_int)
    train.add_argument("--learning-rate", type=_positive_float)
    train.add_argument("--seed", type=_non_negative_int)
    train.add_argument("--train-examples", type=_non_negative_int, help="use only the first N training images")
    train.add_argument("--log-dir", default="runs/softmax_regression",
                       help="TensorBoard logs, checkpoints and results.json (default: %(default)s); "
                            "an existing run there is resumed")
    _add_export(train)
    train.set_defaults(handler=_train_softmax_regression)

    problem2 = _experiment_command(commands, "problem2", "Problem 2: one-hot vs binary MLPs, the appended layer, "
                                   "direct training; writes results JSON and exports the MLPs.", _problem2,
                                   experiments=PROBLEM2_EXPERIMENTS)
    problem2.add_argument("--epochs", type=_positive_int, help="epochs of the exported H = 256 models")
    problem2.add_argument("--sweep-epochs", type=_positive_int, help="epochs of each Q2.1 sweep run")
    problem3 = _experiment_command(commands, "problem3", "Problem 3: linear hidden units vs logistic regression "
                                   "(accuracy, exact maps, rank, convexity); exports H = 25 and 4.", _problem3)
    problem3.add_argument("--epochs", type=_positive_int, help="epochs for every model")
    _experiment_command(commands, "problem4", "Problem 4: ReLU nets as universal approximators "
                        "(constructions, error vs width, asymptotes, primes).", _problem4)
    _experiment_command(commands, "problem5.1", "Problem 5.1: count and neural n-grams vs an RNN trained with "
                        "truncated BPTT (Tiny Shakespeare, probe, copy task).", _problem5_1,
                        experiments=PROBLEM5_1_EXPERIMENTS)
    _experiment_command(commands, "problem5.2", "Problem 5.2: RTRL vs BPTT gradients, online learning, SnAp-1.",
                        _problem5_2, exports=False)

    export = commands.add_parser("export", help="train and export models as SavedModels for TF Serving, "
                                                "or --check the exported ones")
    export.add_argument("models", nargs="*", metavar="MODEL", help=f"any of {', '.join(EXPORTABLE)} (default: all)")
    export.add_argument("--check", action="store_true", help="check every version of the models (exit 1 on a problem)")
    export.add_argument("--add-missing-warmup", action="store_true",
                        help="write TF Serving warm-up files into versions exported without one, then stop")
    _add_preset(export, "training scale")
    export.add_argument("--export-dir", default=None,
                        help="SavedModel root (default: ./saved_models or $TFSHEET_SAVED_MODELS)")
    export.add_argument("--workdir", default="runs", help="where training runs write (default: %(default)s)")
    export.set_defaults(handler=_export)

    config = commands.add_parser("serving-config", help="regenerate <root>/models.config for TF Serving")
    config.add_argument("--export-dir", default=None, help="SavedModel root (default: ./saved_models)")
    config.add_argument("--base-path", default="/models", help="where the server sees the root (default: %(default)s)")
    config.add_argument("--keep-versions", type=_positive_int, default=1, help="versions served per model")
    config.set_defaults(handler=_serving_config)
    return parser


# model name -> the experiment that trains and exports it (several models may share one)
EXPORTABLE = {"softmax_regression": "problem1", "mlp_onehot": "problem2", "mlp_binary": "problem2",
              "mlp_onehot_to_binary": "problem2", "linear_hidden_25": "problem3", "linear_hidden_4": "problem3",
              "relu_sheet_example": "constructions", "relu_ramp": "constructions", "char_rnn": "problem5_1",
              "char_ngram": "problem5_1"}


def _export(args):
    from tfsheet import settings
    from tfsheet.servable import check_saved_models
    from tfsheet.serving_config import write_serving_config

    root = pathlib.Path(args.export_dir or settings.saved_models_dir())
    unknown = sorted(set(args.models) - set(EXPORTABLE))
    if unknown:
        raise ValueError(f"unknown models {unknown}; exportable: {', '.join(EXPORTABLE)}")
    if args.add_missing_warmup:
        from tfsheet.export import add_missing_warmup

        print("\n".join(str(path) for path in add_missing_warmup(root)) or "every version has a warm-up file")
        return 0
    if args.check:
        report = check_saved_models(root, args.models or None)
        for row in report:
            print(f"{'ok  ' if row['ok'] else 'FAIL'} {row['model']}/{row['version']}"
                  + ("" if row["ok"] else f": {row['problem']}"))
        return 0 if all(row["ok"] for row in report) else 1
    for experiment in sorted({EXPORTABLE[name] for name in (args.models or EXPORTABLE)}):
        _EXPORTERS[experiment](args.preset, pathlib.Path(args.workdir), root)
    print(json.dumps({"saved_models": str(root), "models_config": str(write_serving_config(root))}, indent=2))
    return 0


def _export_constructions(preset, workdir, root):
    from tfsheet import universal
    from tfsheet.export import export_model, scalar_function_signature

    for name, net in (("relu_sheet_example", universal.sheet_example()), ("relu_ramp", universal.ramp(0.0, 1.0))):
        export_model(net, name, {"serving_default": scalar_function_signature(net)}, root=root)


def _run_experiment(module, function, preset, workdir, root, **kwargs):
    import importlib

    experiments = importlib.import_module(f"tfsheet.experiments.{module}")
    return getattr(experiments, function)(experiments.PRESETS[preset], workdir / module, export_root=root, **kwargs)


_EXPORTERS = {
    "problem1": lambda preset, workdir, root: _run_experiment("problem1", "run", preset, workdir, root),
    "problem2": lambda preset, workdir, root: _run_experiment("problem2", "run_appended", preset, workdir, root),
    "problem3": lambda preset, workdir, root: _run_experiment("problem3", "run", preset, workdir, root),
    "constructions": _export_constructions,
    "problem5_1": lambda preset, workdir, root: _run_experiment("problem5_1", "run_shakespeare", preset, workdir, root),
}


def _serving_config(args):
    from tfsheet import settings
    from tfsheet.serving_config import write_serving_config

    path = write_serving_config(args.export_dir or settings.saved_models_dir(), args.base_path, args.keep_versions)
    print(path)
    return 0


def _problem5_2(args):
    from tfsheet.experiments import problem5_2

    results = problem5_2.run(problem5_2.PRESETS[args.preset], args.workdir)
    summary = {"max_relative_error": max(row["relative_error"] for row in results["agreement"]),
               "online_copy_accuracy": {name: value["copy_accuracy"] for name, value in results["online"].items()
                                        if isinstance(value, dict)},
               "wall_seconds": results["wall_seconds"], "results": f"{args.workdir}/q5_2.json"}
    print(json.dumps(summary, indent=2))
    return 0


PROBLEM5_1_EXPERIMENTS = ("shakespeare", "probe", "copy")


def _problem5_1(args):
    from tfsheet.experiments import problem5_1

    config = problem5_1.PRESETS[args.preset]
    runners = {"shakespeare": lambda: problem5_1.run_shakespeare(config, args.workdir, _export_root(args)),
               "probe": lambda: problem5_1.run_probe(config, args.workdir),
               "copy": lambda: problem5_1.run_copy(config, args.workdir)}
    summary = {}
    for name in args.experiments or PROBLEM5_1_EXPERIMENTS:
        results = runners[name]()
        summary[name] = {key: results[key] for key in ("wall_seconds", "plot", "saved_models") if key in results}
    summary["results"] = args.workdir
    print(json.dumps(summary, indent=2))
    return 0


def _problem4(args):
    from tfsheet.experiments import problem4

    results = problem4.run(problem4.PRESETS[args.preset], args.workdir, export_root=_export_root(args))
    summary = {"q4_2": results["q4_2"], "q4_6": {detector: {key: results["q4_6"][detector][key] for key in (
        "accuracy_on_range", "first_failure_beyond_range", "counterexample")} for detector in ("trained", "constructed")},
        "wall_seconds": results["wall_seconds"], "results": f"{args.workdir}/q4.json",
        "plots": results["plots"], "saved_models": results.get("saved_models", {})}
    print(json.dumps(summary, indent=2))
    return 0


def _experiment_command(commands, name, help_text, handler, experiments=None, exports=True):
    """A subcommand running one problem's experiments: [EXPERIMENT ...] --preset --workdir [--export-dir]."""
    parser = commands.add_parser(name, help=help_text)
    if experiments:
        parser.add_argument("experiments", nargs="*", type=_one_of(experiments), default=[], metavar="EXPERIMENT",
                            help=f"any of {', '.join(experiments)} (default: all)")
    _add_preset(parser, "scale of the experiments")
    parser.add_argument("--workdir", default=f"runs/{name.replace('.', '_')}",
                        help="results, plots and logs (default: %(default)s)")
    if exports:
        _add_export(parser)
    parser.set_defaults(handler=handler)
    return parser


def _add_preset(parser, what):
    parser.add_argument("--preset", choices=("quick", "default", "full"), default="default",
                        help=f"{what} (default: %(default)s)")


def _add_export(parser):
    parser.add_argument("--export-dir", default=None,
                        help="SavedModel root (default: ./saved_models or $TFSHEET_SAVED_MODELS)")
    parser.add_argument("--no-export", action="store_true", help="train and measure only; export nothing")


def _export_root(args):
    from tfsheet import settings

    return None if args.no_export else (args.export_dir or settings.saved_models_dir())


def _problem3(args):
    from tfsheet.experiments import problem3

    overrides = {"epochs": args.epochs} if args.epochs is not None else {}
    config = dataclasses.replace(problem3.PRESETS[args.preset], **overrides)
    results = problem3.run(config, args.workdir, export_root=_export_root(args))
    summary = {"accuracy": {name: round(spread["mean"], 4) for name, spread in results["accuracy"].items()},
               "wall_seconds": results["wall_seconds"], "results": f"{args.workdir}/q3.json",
               "plot": results["plot"], "saved_models": results.get("saved_models", {})}
    print(json.dumps(summary, indent=2))
    return 0


PROBLEM2_EXPERIMENTS = ("sweep", "appended", "direct")


def _problem2(args):
    from tfsheet.experiments import problem2

    overrides = {name: getattr(args, name) for name in ("epochs", "sweep_epochs") if getattr(args, name) is not None}
    config = dataclasses.replace(problem2.PRESETS[args.preset], **overrides)
    export_root = _export_root(args)
    runners = {"sweep": lambda: problem2.run_sweep(config, args.workdir, verbose=True),
               "appended": lambda: problem2.run_appended(config, args.workdir, export_root=export_root),
               "direct": lambda: problem2.run_direct(config, args.workdir)}
    summary = {}
    for name in args.experiments or PROBLEM2_EXPERIMENTS:
        results = runners[name]()
        summary[name] = {"wall_seconds": results["wall_seconds"]}
        summary[name].update({key: results[key] for key in ("saved_models", "plot") if key in results})
    summary["results"] = args.workdir
    print(json.dumps(summary, indent=2))
    return 0


def _train_softmax_regression(args):
    from tfsheet.experiments import problem1

    overrides = {name: getattr(args, name) for name in ("epochs", "batch_size", "learning_rate", "seed",
                                                      "train_examples") if getattr(args, name) is not None}
    config = dataclasses.replace(problem1.PRESETS[args.preset], **overrides)
    export_root = _export_root(args)
    results = problem1.run(config, args.log_dir, export_root=export_root)
    summary = {key: results[key] for key in ("test_accuracy", "test_loss", "wall_seconds")}
    summary["results"] = f"{args.log_dir}/results.json"
    if "saved_model" in results:
        summary["saved_model"] = results["saved_model"]
    print(json.dumps(summary, indent=2))
    return 0


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        from tfsheet.training.distribution import strategy_name, training_scope

        if args.command != "train-distributed" and strategy_name(args.strategy) == "multi-worker":
            raise TfsheetError(f"`tfsheet {args.command}` runs on one machine (default or mirrored strategy); its "
                               "experiments write results and exports that several workers would race for. Train "
                               "with several workers through `tfsheet train-distributed` (scripts/launch_workers.py).")
        with training_scope(args.strategy):
            return args.handler(args)
    except Preempted as stop:
        print(f"tfsheet: {stop}", file=sys.stderr)
        return stop.exit_code
    except (TfsheetError, ValueError) as error:
        print(f"tfsheet: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
