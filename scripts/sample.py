"""Generate text from a char_rnn SavedModel through its serving signature, with its own vocabulary.

    python scripts/sample.py saved_models/char_rnn/4 --prompt "ROMEO:" --length 300 --temperature 0.8

The vocabulary comes from the export's assets.extra/vocabulary.json (id 0 is "unknown"); the
recurrent state goes in and out of the signature explicitly; the loop is tfsheet.serving.sampling.sample.
Exit status 2: a flag is out of range; 1: the export cannot be used (not found, damaged, not a char_rnn).
"""

import argparse
import pathlib
import sys

from tfsheet import console
from tfsheet.errors import TfsheetError
from tfsheet.data.vocabulary import CharVocabulary


MAX_LENGTH = 1_000_000   # characters; one step each, so a typo of extra zeros would run for hours


def _folder_path(text):
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path; give a char_rnn version folder, e.g. saved_models/char_rnn/4")
    return pathlib.Path(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("saved_model", type=_folder_path, help="a version folder, e.g. saved_models/char_rnn/4")
    parser.add_argument("--prompt", default="ROMEO:")
    parser.add_argument("--length", type=int, default=300)
    parser.add_argument("--temperature", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not 0 <= args.length <= MAX_LENGTH:
        parser.error(f"--length must be in [0, {MAX_LENGTH:,}] characters. Received: --length {args.length}")
    if not 0 < args.temperature < float("inf"):
        parser.error(f"--temperature must be a finite number > 0. Received: --temperature {args.temperature}")
    if not args.prompt:
        parser.error("--prompt must hold at least one character (the text the sample continues)")
    if not 0 <= args.seed < 2 ** 32:
        parser.error(f"--seed must be in [0, 2**32). Received: --seed {args.seed}")

    def fail(message):           # exit status 1: the flags are fine, what they point at cannot be used
        parser.exit(1, f"{parser.prog}: error: {message}\n")

    try:
        console.quiet()             # TensorFlow's start-up lines (cuInit, cpu_feature_guard) are not the sample
    except TfsheetError as error:   # a bad TFSHEET_VERBOSE
        fail(str(error))
    if not args.saved_model.is_dir():
        what = ("a link that loops or points nowhere" if args.saved_model.is_symlink() else
                "a file, not a folder" if args.saved_model.exists() else "no such folder")
        fail(f"{args.saved_model} is {what}; give a char_rnn version folder, e.g. saved_models/char_rnn/4")
    numbered = sorted((p.name for p in args.saved_model.iterdir() if p.is_dir() and p.name.isdigit()), key=int)
    if numbered and not (args.saved_model / "saved_model.pb").exists():
        fail(f"{args.saved_model} holds versions ({', '.join(numbered)}); give one of them, e.g. "
             f"{args.saved_model / numbered[-1]}")
    vocabulary_file = args.saved_model / "assets.extra" / "vocabulary.json"
    if not vocabulary_file.is_file():
        fail(f"{vocabulary_file} not found: is {args.saved_model} a char_rnn export?")
    import tensorflow as tf         # after quiet(): importing it prints those lines

    from tfsheet.serving.sampling import sample
    try:
        vocabulary = CharVocabulary.from_json(vocabulary_file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        fail(f"{vocabulary_file} is not a vocabulary tfsheet wrote: {error}")
    try:
        serve = tf.saved_model.load(str(args.saved_model)).signatures["serving_default"]
    except (OSError, KeyError, tf.errors.OpError, ValueError, IndexError) as error:   # missing, truncated, damaged
        reason = " ".join(str(error).split())[:300]
        fail(f"{args.saved_model} does not load as a SavedModel ({type(error).__name__}: {reason}); if a file "
             "in it is damaged or truncated, export the model again (tfsheet export char_rnn)")
    inputs = serve.structured_input_signature[1]
    if "state" not in inputs:
        fail(f"{args.saved_model} takes {sorted(inputs)}, not a recurrent state: this script samples from a "
             "char_rnn export (a char_ngram export reads a fixed window of tokens instead)")
    hidden_size = inputs["state"].shape[1]
    outputs = serve.structured_outputs["next_token_probabilities"].shape[-1]
    if outputs != len(vocabulary):
        fail(f"{vocabulary_file} holds {len(vocabulary)} ids but the model predicts {outputs}: the "
             "vocabulary is not this export's own (export the model again)")

    def step(tokens, state):
        outputs = serve(tokens=tokens, state=state)
        return outputs["next_token_probabilities"], outputs["state"]

    print(sample(step, vocabulary, args.prompt, args.length, hidden_size, args.temperature, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
