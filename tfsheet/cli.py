"""The `tfsheet` command, generated from the experiment registry (tfsheet.experiments.registry).

    tfsheet report            every experiment, cached, answered in OUT/index.md and OUT/index.html
    tfsheet problem2 [PART]   one problem's experiments (sweep, appended, direct), the same way
    tfsheet export [MODEL]    train the experiments that publish these SavedModels, or --check them
    tfsheet train-softmax-regression   Problem 1 with its historical flags (= problem1 --workdir LOG_DIR)
    tfsheet train-distributed          the MLP, softmax regression or char RNN under --strategy
    tfsheet serving-config             models.config for TF Serving

Every setting of an experiment's config can be changed the same way everywhere: `--set field=value`
(`--set P2.epochs=3` for one problem only), and on a problem command also `--field value`. The
strategy (`--strategy`) is made once here and passed down. Parsing needs no TensorFlow.
"""

import argparse
import json
import os
import pathlib
import shutil
import sys
import uuid

from tfsheet import console, settings
from tfsheet.choices import STRATEGIES
from tfsheet.errors import Preempted, TfsheetError, UsageError, disk_full_hint
from tfsheet.experiments import overrides, registry
from tfsheet.runs import ALL, CHANGED, REFUSE


EXPORT_WORKDIR = "runs/export"


def _command_name(problem):
    """"P5.1" -> "problem5.1"."""
    return f"problem{problem[1:]}"


def build_parser(experiments=registry.EXPERIMENTS):
    """The parser, its problem commands and export list generated from `experiments`."""
    parser = argparse.ArgumentParser(prog="tfsheet", description="Problem Sheet 4 as TensorFlow models.")
    parser.add_argument("--strategy", choices=STRATEGIES, default=None,
                        help="tf.distribute strategy for every training run: mirrored (all GPUs, or "
                             "$TFSHEET_LOGICAL_CPUS logical CPUs) or multi-worker (TF_CONFIG); "
                             "default: $TFSHEET_STRATEGY, else one device")
    parser.add_argument("--verbose", action="store_true",
                        help=f"also show the libraries' own logs and progress bars (or set {console.VERBOSE_ENV}=1)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    report = commands.add_parser("report", help="the main job: run every experiment of the sheet and write the "
                                                "answers with their evidence (OUT/index.md, OUT/index.html)")
    _add_scale(report)
    report.add_argument("--out", type=_nonempty, default="report",
                        help="report folder: index.md, index.html, figures/, results/, runs/, tensorboard/ "
                             "(default: %(default)s)")
    report.add_argument("--only", type=_problem_names, action="extend", metavar="P2,P4",
                        help=f"only these problems ({', '.join(registry.PROBLEMS)}; P5 = both parts), "
                             "comma-separated or repeated")
    report.add_argument("--compare-with", type=_read_folder, action="append", default=[], metavar="REPORT",
                        help="another report folder (say docs/report-full) whose verdicts the appendix shows beside "
                             "this run's; repeatable")
    _add_run_flags(report)
    report.set_defaults(handler=_report, experiments_of=lambda args: registry.select(args.only, experiments))

    by_problem = registry.problems(experiments)
    for problem, members in by_problem.items():
        _add_problem_command(commands, problem, members)

    if "P1" in by_problem:
        train = commands.add_parser("train-softmax-regression",
                                    help="Problem 1: train softmax regression on MNIST and export it "
                                         "(the same as `problem1 --workdir LOG_DIR`)")
        train.add_argument("--log-dir", type=_nonempty, dest="workdir", default="runs/softmax_regression",
                           help="results, checkpoints and TensorBoard logs (default: %(default)s); "
                                "an interrupted run there is resumed")
        _add_scale(train)
        _add_field_flags(train, by_problem["P1"][0].config_class)
        _add_run_flags(train)
        train.set_defaults(handler=_problem, parts=[], experiments_of=lambda args: by_problem["P1"])

    distributed = commands.add_parser("train-distributed", help="train the MLP, softmax regression or char RNN under "
                                                                "--strategy, resumable (scripts/launch_workers.py "
                                                                "starts local workers)")
    distributed.add_argument("--workdir", type=_nonempty, required=True,
                             help="checkpoints, weights-<task>.npz and results.json (one folder shared by all workers)")
    from tfsheet.experiments.configs import DistributedConfig

    _add_field_flags(distributed, DistributedConfig)
    distributed.add_argument("--set", dest="settings", action="append", default=[], metavar="FIELD=VALUE",
                             help="change any setting of the run")
    distributed.set_defaults(handler=_train_distributed)

    export = commands.add_parser("export", help="train and export models as SavedModels for TF Serving, "
                                                "or --check the exported ones")
    exportable = registry.exporters(experiments)
    export.add_argument("models", nargs="*", type=_one_of(tuple(exportable)), metavar="MODEL",
                        help=f"any of {', '.join(exportable)} (default: all)")
    chores = export.add_mutually_exclusive_group()
    chores.add_argument("--check", action="store_true", help="check every version of the models (exit 1 on a problem)")
    chores.add_argument("--add-missing-warmup", action="store_true",
                        help="write TF Serving warm-up files into versions exported without one, then stop")
    _add_scale(export)
    export.add_argument("--export-dir", type=_nonempty, default=None,
                        help="SavedModel root (default: ./saved_models or $TFSHEET_SAVED_MODELS)")
    export.add_argument("--workdir", type=_nonempty, default=EXPORT_WORKDIR, action=_Given,
                        help="where the training runs write (default: %(default)s)")
    export.add_argument("--set", dest="settings", action=_Given, append=True, default=[], metavar="FIELD=VALUE",
                        help="change a setting of the experiments that train the models")
    export.set_defaults(handler=_export, experiments_of=lambda args: _exporting(args.models, experiments))

    config = commands.add_parser("serving-config", help="regenerate <root>/models.config for TF Serving")
    config.add_argument("--export-dir", type=_nonempty, default=None, help="SavedModel root (default: ./saved_models)")
    config.add_argument("--base-path", type=_read_path, default="/models",
                        help="where the server sees the root (default: %(default)s)")
    config.add_argument("--keep-versions", type=_positive_int, default=1, help="versions served per model")
    config.set_defaults(handler=_serving_config)
    return parser


def _add_problem_command(commands, problem, members):
    """`tfsheet problemN [PART ...]`: the problem's experiments through the report runner."""
    parts = tuple(experiment.part for experiment in members if experiment.part)
    questions = list(dict.fromkeys(question for experiment in members for question in experiment.questions))
    parser = commands.add_parser(_command_name(problem), help=f"Problem {problem[1:]} (question"
                                                              f"{'s' if len(questions) > 1 else ''} {', '.join(questions)}):"
                                                              f" its experiments, results, figures and exports")
    if parts:
        parser.add_argument("parts", nargs="*", type=_one_of(parts), default=[], metavar="PART",
                            help=f"any of {', '.join(parts)} (default: all)")
    _add_scale(parser)
    parser.add_argument("--workdir", type=_nonempty, default=f"runs/{_command_name(problem).replace('.', '_')}",
                        help="results/, runs/, figures, index.md (default: %(default)s)")
    _add_field_flags(parser, *(experiment.config_class for experiment in registry.with_needs(members)))
    _add_run_flags(parser)
    parser.set_defaults(handler=_problem, experiments_of=lambda args: tuple(
        experiment for experiment in members if not getattr(args, "parts", None) or experiment.part in args.parts))


class _Given(argparse.Action):
    """Stores a flag's value (appends it, with append=True) and notes the flag in `args.given`: a flag given with
    its default value was still given, which a comparison with the default cannot tell."""

    def __init__(self, *args, append=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.append = append

    def __call__(self, parser, namespace, values, option_string=None):
        namespace.given = getattr(namespace, "given", frozenset()) | {self.option_strings[0]}
        setattr(namespace, self.dest, [*getattr(namespace, self.dest), values] if self.append else values)


def _add_scale(parser):
    parser.add_argument("--scale", dest="scale", choices=registry.SCALES, default="default", action=_Given,
                        help="quick: minutes (CI); default: the numbers the report quotes; full: more seeds, "
                             "longer training (default: %(default)s)")
    parser.add_argument("--preset", dest="scale", choices=registry.SCALES, action=_Given,
                        help=argparse.SUPPRESS)  # older name


def _add_run_flags(parser):
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="FIELD=VALUE",
                        help="change a setting of the experiments' configs, e.g. --set epochs=3 or "
                             "--set P2.seeds=0,1 (only Problem 2's); recorded in the results")
    replace = parser.add_mutually_exclusive_group()
    replace.add_argument("--restart", dest="replace", action="store_const", const=CHANGED, default=REFUSE,
                         help="replace the results and checkpoints of the experiments whose settings changed "
                              "(the others are reused)")
    replace.add_argument("--force", dest="replace", action="store_const", const=ALL,
                         help="re-run every experiment, unchanged ones included (one interrupted with the "
                              "same settings resumes from its checkpoints)")
    exports = parser.add_mutually_exclusive_group()
    exports.add_argument("--export-dir", type=_nonempty, default=None,
                         help="SavedModel root (default: saved_models/ inside the output folder; publishing into "
                              "the repository's saved_models/ is `tfsheet export`)")
    exports.add_argument("--no-export", action="store_true", help="train and measure only; export nothing")


def _add_field_flags(parser, *config_classes):
    """One flag per field of the config classes (--learning-rate for learning_rate), parsed by the field's type;
    a field several classes share is one flag that sets it in each.

    A field whose flag the command already has (say a field called `scale`) is left to --set.
    """
    names = ", ".join(dict.fromkeys(config_class.__name__ for config_class in config_classes))
    group = parser.add_argument_group(f"settings ({names}; also --set FIELD=VALUE)")
    for config_class in config_classes:
        defaults = config_class()
        for name, kind in overrides.field_types(config_class).items():
            flag = f"--{name.replace('_', '-')}"
            if flag in parser._option_string_actions:
                continue
            group.add_argument(flag, dest=f"field_{name}", type=_field_text(name, kind), metavar=name.upper(),
                               default=None, help=f"(default preset: {_shown(getattr(defaults, name))})")


def _shown(value):
    return ",".join(str(item) for item in value) if isinstance(value, tuple) else str(value)


def _field_text(name, kind):
    """An argparse type that checks `text` parses as the field's type and keeps the text."""
    def check(text):
        try:
            overrides.parse_value(text, kind, name)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
        return text

    return check


def _settings(args):
    """{field: text} from --set and the generated --field flags."""
    changes = overrides.parse_assignments(getattr(args, "settings", []))
    flags = {key[len("field_"):]: value for key, value in vars(args).items()
             if key.startswith("field_") and value is not None}
    clashes = sorted(name for name, value in flags.items() if name in changes and changes[name] != value)
    if clashes:
        raise ValueError("conflicting values for " + ", ".join(
            f"{name} (--{name.replace('_', '-')} {flags[name]} and --set {name}={changes[name]})" for name in clashes)
            + "; give each setting once")
    changes.update(flags)
    return changes


def _check_settings(parser, args):
    """Usage errors for settings no experiment of the command has, or values its config refuses."""
    try:
        changes = _settings(args)
        if args.handler is _train_distributed:
            from tfsheet.experiments.configs import DistributedConfig

            overrides.apply(DistributedConfig(), changes)
            return
        chosen = registry.with_needs(args.experiments_of(args))
        registry.check_settings(changes, chosen)
        for experiment in chosen:
            experiment.config(args.scale, registry.settings_for(experiment, changes))
    except ValueError as error:
        parser.error(str(error))


def _run_and_render(args, strategy, out, stream, verbose=False, export_root=None, compare_with=None):
    """Run the command's experiments into `out`, render their page, print the summary; (outcomes, paths)."""
    from tfsheet.report.document import check_pages_are_ours, write_report
    from tfsheet.runs.runner import run_experiments, summary_table

    check_pages_are_ours(out)                # before any training: a user's index.md is never replaced
    chosen = args.experiments_of(args)
    outcomes = run_experiments(args.scale, out, replace=args.replace, experiments=chosen, export_root=export_root,
                               stream=stream, settings=_settings(args), strategy=strategy, verbose=verbose)
    paths = write_report(out, [outcome.record for outcome in outcomes], args.scale, chosen, compare_with)
    print(summary_table(outcomes, paths, pathlib.Path(out).resolve()), file=stream, flush=True)
    return outcomes, paths


def _report(args, strategy):
    compare_with = _compared_reports(args.compare_with)
    _writable_folder(args.out, "--out")
    outcomes, paths = _run_and_render(args, strategy, args.out, sys.stdout, export_root=_export_root(args),
                                      compare_with=compare_with)
    failed = [outcome for outcome in outcomes if outcome.status == "failed"]
    return 1 if failed or paths.get("errors") else 0


def _nonempty(text):
    """A path flag's value as given; an empty one is refused (it would mean the current folder, never what was
    meant, and what the command writes would land among the user's files)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path; give a folder (it is made if missing)")
    return text


def _path(text):
    return pathlib.Path(_nonempty(text))


def _read_path(text):
    """A folder read, never made (--compare-with, --base-path): an empty one is refused without 'made if missing'."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path; give the folder")
    return text


def _read_folder(text):
    return pathlib.Path(_read_path(text))


def _compared_reports(folders):
    """{scale: records} of the report folders given to --compare-with; a clear error for one that holds none."""
    compared = {}
    for folder in folders:
        paths = sorted((folder / "results").glob("*.json"))
        records = []
        for path in paths:
            try:
                records.append(json.loads(path.read_text()))
            except (OSError, ValueError) as error:
                raise TfsheetError(f"--compare-with {folder}: {path} is unreadable ({error})") from None
        strange = [path.name for path, record in zip(paths, records)
                   if not isinstance(record, dict) or not {"experiment", "scale"} <= set(record)]
        if strange:
            raise TfsheetError(f"--compare-with {folder}: results/{strange[0]} is not a results record tfsheet wrote "
                               "(a JSON object naming its experiment and scale); give a report folder such as "
                               "docs/report-full")
        if not records:
            raise TfsheetError(f"--compare-with {folder}: no results/*.json there; give a report folder such as "
                               "docs/report-full")
        compared[records[0].get("scale", str(folder))] = records
    return compared


def _problem(args, strategy):
    """A problem's experiments (or some parts) run and rendered like the report, into --workdir."""
    _writable_folder(args.workdir, "--log-dir" if args.command == "train-softmax-regression" else "--workdir")
    outcomes, paths = _run_and_render(args, strategy, args.workdir, sys.stderr, verbose=True,
                                      export_root=_export_root(args))
    summary = {"results": {outcome.name: str(outcome.record_path) for outcome in outcomes},
               "report": str(paths.get("markdown")), "status": {outcome.name: outcome.status for outcome in outcomes},
               "saved_models": {name: path for outcome in outcomes
                                for name, path in outcome.record.get("results", {}).get("saved_models", {}).items()}}
    for outcome in outcomes:
        headline = outcome.record.get("results", {})
        summary.update({key: headline[key] for key in ("test_accuracy", "test_loss") if key in headline})
    print(json.dumps(summary, indent=2))
    return 0 if all(outcome.status != "failed" for outcome in outcomes) else 1


def _exporting(models, experiments):
    """The experiments that train and export `models` (all exportable models when empty), in order."""
    exportable = registry.exporters(experiments)
    wanted = models or list(exportable)
    return tuple(experiment for experiment in experiments if any(exportable[model] is experiment for model in wanted))


def _export(args, strategy):
    from tfsheet.runs.runner import run_experiments, summary_table
    from tfsheet.serving.load_check import check_saved_models
    from tfsheet.serving.export import publish_staged, version_dir, versions
    from tfsheet.serving.model_card import CARD_FILE, MODEL_CARD, card, write_card, write_model_card
    from tfsheet.serving.models_config import write_serving_config

    root = pathlib.Path(args.export_dir or settings.saved_models_dir())
    if args.check or args.add_missing_warmup:
        _refuse_training_flags(args)
        _existing_models(root)
    if args.add_missing_warmup:
        from tfsheet.serving.export import add_missing_warmup

        added, skipped = add_missing_warmup(root, args.models, report=lambda path: print(
            f"added a warm-up file to {path}", flush=True))
        for path, why in skipped:
            print(f"tfsheet: skipped {path}: {why}", file=sys.stderr)
        if not added and not skipped:
            print("every version has a warm-up file")
        return 1 if skipped else 0
    if args.check:
        report = check_saved_models(root, args.models or None)
        for row in report:
            where = row["model"] if row["version"] is None else f"{row['model']}/{row['version']}"
            print(f"{'ok  ' if row['ok'] else 'FAIL'} {where}"
                  + ("" if row["ok"] else f": {row['problem']}"))
        return 0 if all(row["ok"] for row in report) else 1
    from_environment = not args.export_dir and os.environ.get(settings.SAVED_MODELS_ENV, "").strip()
    _writable_folder(root, f"${settings.SAVED_MODELS_ENV} (the default --export-dir)" if from_environment
                     else "--export-dir")
    _model_folders_free(root, args.models or registry.exporters(args.experiments_of(args)))
    from tfsheet.serving.models_config import CONFIG_FILE

    if (root / CONFIG_FILE).is_dir():            # published models would go unserved; said before the training
        raise TfsheetError(f"{root / CONFIG_FILE} is a folder; remove it, and the server's config file is written "
                           "there.")
    _writable_folder(args.workdir, "--workdir")
    # every model is exported into a staging folder beside the published ones and published only when every
    # experiment succeeded: an export that fails half-way leaves saved_models/ and models.config as they were
    staging = root / f".tmp-export-{uuid.uuid4().hex[:8]}"
    try:
        outcomes = run_experiments(args.scale, args.workdir, replace=ALL, export_root=staging,
                                   experiments=args.experiments_of(args), stream=sys.stderr, settings=_settings(args),
                                   strategy=strategy)
        print(summary_table(outcomes, {}, pathlib.Path(args.workdir).resolve()), file=sys.stderr, flush=True)
        if any(outcome.status == "failed" for outcome in outcomes):
            print(f"tfsheet: nothing was published into {root}: an experiment failed", file=sys.stderr)
            return 1
        records = {outcome.name: outcome.record for outcome in outcomes}
        staged = [path for path in staging.iterdir() if path.is_dir()] if staging.is_dir() else []
        for model_dir in staged:       # each version carries its card before it is published: a kill cannot split them
            try:
                experiment = registry.exporters()[model_dir.name]
                facts = card(model_dir.name, records[experiment.name], [records[n.name] for n in experiment.needs])
                for version in versions(model_dir):
                    write_card(version_dir(model_dir, version), facts)
            except (OSError, KeyError, TypeError, ValueError) as error:   # published and served anyway
                print(f"tfsheet: warning: {model_dir.name} is published without its card ({type(error).__name__}: "
                      f"{error})", file=sys.stderr)
        published = publish_staged(staging, root, args.models) if staging.is_dir() else {}
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for model, path in published.items():
        try:
            write_model_card(path.parent)
        except (OSError, ValueError) as error:         # the model is published, with its card.json, and served anyway
            print(f"tfsheet: warning: {path.parent / MODEL_CARD} was not rewritten ({type(error).__name__}: {error}); "
                  f"the card of {path} is in it as {CARD_FILE}", file=sys.stderr)
    config_path, skipped = write_serving_config(root)
    for model, version, problem in skipped:
        print(f"tfsheet: warning: {model}/{version} fails the check and is not served ({problem})", file=sys.stderr)
    print(json.dumps({"saved_models": str(root), "published": {name: str(path) for name, path in published.items()},
                      "models_config": str(config_path)}, indent=2))
    return 0


def _train_distributed(args, strategy):
    from tfsheet.experiments.distributed import run
    from tfsheet.experiments.configs import DistributedConfig

    config = overrides.apply(DistributedConfig(), _settings(args))
    _writable_folder(args.workdir, "--workdir")
    results = run(config, args.workdir, strategy, verbose=True)
    print(json.dumps({key: results[key] for key in ("model", "strategy", "replicas", "steps", "train_seconds",
                                                    "examples_per_second")}))
    return 0


def _serving_config(args, strategy):
    from tfsheet.serving.models_config import write_serving_config

    root = _existing_models(pathlib.Path(args.export_dir or settings.saved_models_dir()))
    path, skipped = write_serving_config(root, args.base_path, args.keep_versions)
    for model, version, problem in skipped:
        print(f"tfsheet: warning: {model}/{version} fails the check and is not served ({problem})", file=sys.stderr)
    print(path)
    return 0


def _refuse_training_flags(args):
    """--check and --add-missing-warmup read the published versions and train nothing: a training flag given with
    them would be silently ignored, so it is an error instead."""
    chore = "--check" if args.check else "--add-missing-warmup"
    given = [flag for flag in ("--scale", "--preset", "--workdir", "--set") if flag in getattr(args, "given", ())]
    if given:
        raise UsageError(f"{chore} reads the versions under --export-dir and trains nothing, so {', '.join(given)} "
                         f"would have no effect; leave {'it' if len(given) == 1 else 'them'} out.")


def _export_root(args):
    """Where this command exports (checked writable now, not after training), or None with --no-export: --export-dir,
    else saved_models/ inside the command's own output folder, so that a report or a problem's run writes only
    where it is told (only `tfsheet export` publishes into the repository's saved_models/)."""
    if args.no_export:
        return None
    output = args.out if hasattr(args, "out") else args.workdir
    root = _writable_folder(args.export_dir or pathlib.Path(output) / "saved_models", "--export-dir")
    _model_folders_free(root, registry.exporters(registry.with_needs(args.experiments_of(args))))
    return root


def _model_folders_free(root, models):
    """Refuse, before hours of training, a root where a model's folder is a file: its export would fail at the end."""
    for model in models:
        if (root / model).exists() and not (root / model).is_dir():
            raise TfsheetError(f"{root / model} is a file, not the folder of {model}'s versions; move it away first.")


def _writable_folder(path, flag):
    """`path` as a folder this process can write (made if missing), or a TfsheetError naming the flag."""
    path = pathlib.Path(path)
    if path.is_symlink() and not path.exists():
        raise TfsheetError(f"{flag} {path} is a link that loops or points nowhere; give a folder (it is made if "
                           "missing).")
    if path.exists() and not path.is_dir():
        raise TfsheetError(f"{flag} {path} is a file, not a folder; give a folder (it is made if missing).")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TfsheetError(f"{flag} {path} cannot be made: {error.strerror}.") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise TfsheetError(f"{flag} {path} is not writable; give a folder you can write to.")
    return path


def _existing_models(root):
    """`root` as a folder holding at least one model's versions, or a TfsheetError saying how to make one."""
    models = [child for child in root.iterdir() if child.is_dir() and not child.name.startswith(".")] \
        if root.is_dir() else []
    if not models:
        why = "it is empty" if root.is_dir() else "it is a file, not a folder" if root.exists() else "no such folder"
        raise TfsheetError(f"no SavedModels under {root}: {why}. "
                           "Export models first (tfsheet export, or tfsheet report), or give --export-dir.")
    from tfsheet.serving.export import version_number

    if all(version_number(model.name) is not None for model in models):
        raise TfsheetError(f"{root} is one model's folder (its subfolders are versions); give the folder that holds "
                           f"the models, {root.parent}.")
    return root


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}")
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
    names = [name for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"name at least one problem ({', '.join(registry.PROBLEMS)}). "
                                         f"Received: {text!r}")
    try:
        registry.select(names)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return names


def _make_strategy(args):
    """The strategy the command trains under; commands that do not train get none."""
    if args.handler is _serving_config or getattr(args, "check", False) or getattr(args, "add_missing_warmup", False):
        return None
    from tfsheet.training.distribution import make_strategy

    if args.handler is not _train_distributed and settings.strategy_name(args.strategy) == "multi-worker":
        raise UsageError(f"`tfsheet {args.command}` runs on one machine (default or mirrored strategy); its "
                         "experiments write results and exports that several workers would race for. Train "
                         "with several workers through `tfsheet train-distributed` (scripts/launch_workers.py).")
    return make_strategy(args.strategy)


def main(argv=None, experiments=registry.EXPERIMENTS):
    parser = build_parser(experiments)
    args = parser.parse_args(argv)
    if hasattr(args, "experiments_of") or args.handler is _train_distributed:
        _check_settings(parser, args)
    try:
        console.quiet(args.verbose)
        return args.handler(args, _make_strategy(args))
    except Preempted as stop:
        print(f"tfsheet: {stop}", file=sys.stderr)
        return stop.exit_code
    except KeyboardInterrupt:
        print("\ntfsheet: interrupted. Everything written so far is whole (results, checkpoints and exports are "
              "written atomically); run the same command again to continue from it.", file=sys.stderr)
        return 130                    # 128 + SIGINT
    except UsageError as error:
        print(f"tfsheet: error: {error}", file=sys.stderr)
        return error.exit_code
    except (TfsheetError, ValueError) as error:
        print(f"tfsheet: error: {error}", file=sys.stderr)
        return 1
    except OSError as error:          # a file or folder the command could not read or write
        where = f": {error.filename}" if error.filename else ""
        print(f"tfsheet: error: {error.strerror or error}{where}{disk_full_hint(error)}", file=sys.stderr)
        return 1
    except Exception as error:        # TensorFlow's own error types (loading a damaged SavedModel, ...)
        if not type(error).__module__.startswith("tensorflow"):
            raise
        print(f"tfsheet: error: {type(error).__name__}: {' '.join(str(error).split())[:500]}{disk_full_hint(error)}",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
