"""Assemble the report: index.md (Markdown with $math$) and index.html (self-contained) from the records.

The report opens with how it was made (command, scale, when the experiments ran, machine, library
versions, each experiment's wall time) and a table of contents, then has one section per question
of the sheet: the question in brief, the answer with the numbers from this run's records, and the
figures. A question whose experiment failed shows the error instead; a question whose experiments
were not selected is left out. It closes with an appendix of every verdict the answers render
(their findings), with the rule each is read by, at this scale and at any other scale compared with.
"""

import datetime
import pathlib
import shutil

from tfsheet.experiments.registry import EXPERIMENTS, for_question
from tfsheet.report import format as fmt
from tfsheet.report.answers import all_problems
from tfsheet.report.html import markdown_to_html
from tfsheet.errors import TfsheetError, disk_full_hint
from tfsheet.results import as_written, typed, write_atomically


TITLE = "Problem Sheet 4, answered by tfsheet"


def check_pages_are_ours(out):
    """Raise TfsheetError when OUT/index.md or OUT/index.html exists but was not written by tfsheet: a report
    replaces its own pages, never a user's files of the same name."""
    for name, mark in (("index.md", f"# {TITLE}"), ("index.html", f"<title>{TITLE}</title>")):
        path = pathlib.Path(out) / name
        if not path.exists():
            continue
        try:
            ours = path.is_file() and mark in path.read_text(errors="replace")[:4096]
        except OSError:
            ours = False
        if not ours:
            raise TfsheetError(f"{path} is not a page tfsheet wrote; a report here would replace it. Move it away or "
                               "choose another --out / --workdir.")


def section_id(number):
    return f"q{number.replace('.', '-')}"


def write_report(out, records, scale, experiments=EXPERIMENTS, compare_with=None):
    """Write OUT/index.md, OUT/index.html and OUT/figures/; return their paths and any section errors.

    compare_with: {scale: records} of other runs (the committed report of another scale), whose
    verdicts the appendix shows beside this run's.

    Returns:
        {"markdown": path, "html": path, "errors": [(question number, message), ...]}: errors lists
        the sections that could not be answered (their experiment failed, or the answer raised).
    """
    out = pathlib.Path(out)
    # as results/*.json hold them (the page follows from those), their Seeded numbers typed
    records = [typed(as_written(record)) for record in records]
    figure_dir = out / "figures"
    figure_dir.mkdir(parents=True, exist_ok=True)
    by_name = {record["experiment"]: record for record in records}
    needs = {question.number: [experiment.name for experiment in for_question(question.number, experiments)]
             for problem in all_problems() for question in problem.questions}
    others = {other: {record["experiment"]: record for record in (typed(as_written(r)) for r in other_records)}
              for other, other_records in (compare_with or {}).items()}
    other_findings = {other: {number: _findings(question, needs[number], by_other)
                              for number, question in _questions(needs)}
                      for other, by_other in others.items()}
    parts, errors, contents, findings = [_header(records, scale)], [], [], {}
    for problem in all_problems():
        questions = [question for question in problem.questions
                     if any(name in by_name for name in needs[question.number])]
        if not questions:
            continue
        parts.append(f"## Problem {problem.number}: {problem.title}")
        for question in questions:
            contents.append(f"[{question.number}](#{section_id(question.number)})")
            findings[question.number] = _findings(question, needs[question.number], by_name)
            body, error = _section(question, needs[question.number], by_name, figure_dir, out)
            if error:
                errors.append((question.number, error))
            note = _other_scales_note(scale, question.number, findings[question.number], other_findings)
            parts.append(f'<a id="{section_id(question.number)}"></a>\n\n### {question.number} {question.title}\n\n'
                         f"> **Question.** {question.question}\n\n{body}" + note)
    parts.insert(1, "**Contents:** " + " · ".join(contents) + " · [Appendix: every verdict](#verdicts)")
    parts.append(_appendix(scale, findings, other_findings))
    markdown = "\n\n".join(parts) + "\n"
    check_pages_are_ours(out)
    markdown_path = out / "index.md"
    write_atomically(markdown_path, markdown)
    html_path = out / "index.html"
    write_atomically(html_path, markdown_to_html(markdown, out, title=TITLE))
    return {"markdown": markdown_path, "html": html_path, "errors": errors}


def _section(question, needs, by_name, figure_dir, out):
    """The section's Markdown body, and an error message when it could not be answered."""
    selected = {name: by_name[name] for name in needs if name in by_name}
    failed = {name: record for name, record in selected.items() if record.get("status") != "ok"}
    if failed:
        lines = [f"- **{name}** failed: `{record['error']['type']}: {_one_line(record['error']['message'])}` "
                 f"(traceback in `results/{name}.json`)" for name, record in failed.items()]
        return ("**Not answered: an experiment it needs failed in this run.**\n\n" + "\n".join(lines),
                "; ".join(f"{name} failed" for name in failed))
    missing = [name for name in needs if name not in by_name]
    try:
        answer = question.answer(selected, figure_dir)
    except Exception as error:  # noqa: BLE001 - a broken section must not take the report down
        return (f"**Not answered: writing this section failed** with `{type(error).__name__}: "
                f"{_one_line(str(error))}`{disk_full_hint(error)}.", f"{type(error).__name__}: {error}")
    body = [answer.text]
    for figure in answer.figures:
        body.append(_figure(figure, figure_dir, out))
    for detail in answer.details:
        folded = [detail.text, *(_figure(figure, figure_dir, out) for figure in detail.figures)]
        body.append(f"<details>\n<summary>{detail.title}</summary>\n\n" + "\n\n".join(folded)
                    + "\n\n</details>")
    sources = ", ".join(f"{name} ({fmt.seconds(record.get('seconds'))}, `results/{name}.json`)"
                        for name, record in selected.items())
    body.append(f"*Measured by {sources}.*" + (f" *Not run here: {', '.join(missing)}.*" if missing else ""))
    return "\n\n".join(body), None


def _questions(needs):
    return [(question.number, question) for problem in all_problems() for question in problem.questions
            if question.number in needs]


def _findings(question, needs, by_name):
    """The question's findings from these records, or None when an experiment it needs is missing or failed."""
    selected = {name: by_name.get(name) for name in needs}
    if any(record is None or record.get("status") != "ok" for record in selected.values()):
        return None
    try:
        return question.findings(selected)
    except Exception:  # noqa: BLE001 - its section reports the error; the appendix leaves the question out
        return None


def _other_scales_note(scale, number, found, other_findings):
    """A folded list, at the end of an answer, of its verdicts that another scale reads differently: what the answer
    states holds at its own scale only."""
    lines = []
    for other, by_number in other_findings.items():
        theirs = {finding.claim: finding for finding in (by_number.get(number) or ())}
        for finding in found or ():
            match = theirs.get(finding.claim)
            if match is not None and match.describe() != finding.describe():
                only = "" if _disagree(finding, match) else " (they agree in every column both read)"
                lines.append(f"- {finding.claim}: {scale} scale: {finding.describe()}; {other} scale: "
                             f"{match.describe()}{only}")
    if not lines:
        return ""
    return ("\n\n" + _folded(f"Where the other scale reads differently ({len(lines)} verdicts): each holds at its own "
                             "scale only", lines))


def _appendix(scale, findings, others):
    """One table of every verdict: the claim, its rule, the numbers it rests on here, and its verdict at this scale
    and at each scale compared with ("not measured" where that run has no such finding)."""
    scales = [scale, *others]
    rows, rules, disagreements, wider = [], {}, [], []
    for number, found in findings.items():
        for finding in found or ():
            rules[finding.rule.name] = finding.rule.reason
            elsewhere, differs, widens = [], False, False
            for other in others.values():
                match = [f for f in (other.get(number) or ()) if f.claim == finding.claim]
                elsewhere.append(match[0].describe() if match else "not measured")
                differs = differs or bool(match and _disagree(finding, match[0]))
                widens = widens or bool(match and match[0].describe() != finding.describe())
            rows.append((f"[{number}](#{section_id(number)})", finding.claim, finding.rule.name, finding.evidence,
                         finding.describe(), *elsewhere))
            line = f"- [{number}](#{section_id(number)}) {finding.claim}: " + "; ".join(
                f"{name} scale: {verdict}" for name, verdict in zip(scales, (finding.describe(), *elsewhere)))
            if differs:
                disagreements.append(line)
            elif widens:
                wider.append(line)
    text = ('<a id="verdicts"></a>\n\n## Appendix: every verdict\n\n'
            "Each verdict the answers above render, as computed from the results by its rule (a verdict read in several "
            "columns, such as one pass and equal updates or validation and test, is *mixed* when the columns "
            "disagree)" + (", beside the same verdict from the report at the other scale" if others else "") + ". "
            "The rules: " + "; ".join(f"*{name}*: {reason}" for name, reason in rules.items()) + ".")
    table = fmt.table(("question", "claim", "rule", f"numbers ({scale} scale)",
                       *(f"verdict, {name} scale" for name in scales)), rows)
    if not others:
        return text + "\n\n" + table
    where = ("\n\n### Where the scales disagree\n\n" + (
        f"{len(disagreements)} verdicts differ between the scales in a column both read. Neither reading is settled "
        "by these experiments: each answer states its verdicts as they stand at its own scale and lists, folded at "
        "its end, those the other scale reads differently.\n\n" + _folded("The verdicts that differ", disagreements)
        if disagreements else "Every verdict is the same at both scales."))
    if wider:
        where += (f"\n\n{len(wider)} more agree in every column both scales read, but one scale reads more columns "
                  "(such as widths only the full scale tries), so the overall verdict differs.\n\n"
                  + _folded("The verdicts that differ only in columns one scale lacks", wider))
    return text + "\n\n" + table + where


def _folded(summary, lines):
    return f"<details>\n<summary>{summary}</summary>\n\n" + "\n".join(lines) + "\n\n</details>"


def _disagree(finding, other):
    """Whether two runs read a finding differently in a column both have (a column only one has, such as a width
    only the full scale tries, is no disagreement)."""
    mine, theirs = dict(finding.columns), dict(other.columns)
    return any(mine[column] != theirs[column] for column in mine.keys() & theirs.keys())


def _figure(figure, figure_dir, out):
    source = pathlib.Path(figure.path)
    target = figure_dir / source.name
    if not source.is_file():
        return f"**Figure missing:** `{source}`."
    if source.resolve() != target.resolve():
        shutil.copyfile(source, target)
    relative = target.relative_to(out).as_posix()
    return f"![{figure.caption}]({relative})\n\n*Figure: {figure.caption}*"


def _one_line(text):
    text = " ".join(str(text).split())
    return text if len(text) <= 300 else text[:297] + "..."


def _header(records, scale):
    ok = [record for record in records if record.get("status") == "ok"]
    environment = (ok or records or [{}])[0].get("environment", {})
    total = sum(record.get("seconds", 0.0) for record in records)
    rows = [(record["experiment"], record.get("status", "?"), fmt.seconds(record.get("seconds")), _memory(record),
             record.get("started_at", "?"), _seeds(record), record.get("strategy", "?")) for record in records]
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    ran = _when_ran(records)
    failed = [record["experiment"] for record in records if record.get("status") != "ok"]
    lines = [
        f"# {TITLE}",
        f"Written {today} by `tfsheet report --scale {scale}`{ran}. Every number below is read from these results "
        "files (`results/*.json`), and every model was trained for this report; TensorBoard logs are in "
        "`tensorboard/`.",
        f"**Machine:** {environment.get('processor', '?')}, {environment.get('cpu_count', '?')} CPUs, "
        f"{environment.get('platform', '?')}. **Libraries:** Python {environment.get('python', '?')}, TensorFlow "
        f"{environment.get('tensorflow', '?')}, Keras {environment.get('keras', '?')}, NumPy "
        f"{environment.get('numpy', '?')}. **Wall time of the experiments:** {fmt.seconds(total)}.",
    ]
    if failed:
        lines.append(f"**Failed in this run:** {', '.join(failed)}; their sections say why.")
    kept = [record["experiment"] for record in records if record.get("carried_over")]
    if kept:
        lines.append(f"**Kept from an earlier run:** {', '.join(kept)}: their code and settings did not change when "
                     "tfsheet's version did, so their records were kept (each row says when it ran) and the others "
                     "ran again. Memory was not yet measured when they ran.")
    lines.append(fmt.table(("experiment", "status", "wall time", "peak memory (RSS)", "started", "seeds",
                            "tf.distribute"), rows))
    return "\n\n".join(lines)


def _memory(record):
    """The experiment's peak resident memory as measured (records made before it was measured say so)."""
    memory = record.get("memory")
    return f"{memory['peak_rss_mib']:,} MiB" if memory else "not measured"


def _when_ran(records):
    """' from experiments that ran from A to B (UTC)': the first start and the last end among the records."""
    spans = []
    for record in records:
        try:
            start = datetime.datetime.fromisoformat(record["started_at"])
        except (KeyError, TypeError, ValueError):
            continue
        spans.append((start, start + datetime.timedelta(seconds=record.get("seconds") or 0.0)))
    if not spans:
        return ""
    first, last = min(start for start, _ in spans), max(end for _, end in spans)
    return f" from experiments that ran from {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC"


def _seeds(record):
    seeds = record.get("seed", {})
    values = seeds.get("seeds", seeds.get("seed"))
    if isinstance(values, (list, tuple)):
        return ", ".join(str(value) for value in values)
    if values is None and record.get("needs"):
        return f"those of {', '.join(record['needs'])}"
    return "" if values is None else str(values)
