"""Truncated-BPTT throughput: tfsheet's engine loop against Keras model.fit, side by side in one run.

  * RNN: hidden 256, k = 64 steps per window, 64 parallel streams of Tiny Shakespeare; the engine runs
    tfsheet's RNNLanguageModel (TanhRNNCell, tf.scan) with carried state; fit runs an equivalent
    Embedding + stateful keras.layers.SimpleRNN + Dense with shuffle=False (state carried by Keras).
  * Neural n-gram (n = 8): examples per second of the engine and of fit on the same model.
Each loop trains one warm-up epoch, then the median of the timed epochs is reported.

    python benchmarks/tbptt_vs_fit.py            # about 2 minutes
    python benchmarks/tbptt_vs_fit.py --quick
"""

import argparse
import sys

import keras

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from harness import EpochTimer, median, print_table  # noqa: E402

from tfsheet.data.text import load_tiny_shakespeare  # noqa: E402
from tfsheet.data.vocabulary import CharVocabulary  # noqa: E402
from tfsheet.training.scoring import context_windows  # noqa: E402
from tfsheet.models.language_models import RNNLanguageModel, build_neural_ngram  # noqa: E402
from tfsheet.models.losses import token_cross_entropy  # noqa: E402
from tfsheet.training import ArrayData, TrainConfig, Trainer, seed_everything  # noqa: E402
from tfsheet.training.tbptt import carried_state_gradients, language_model_pairs, stream_windows  # noqa: E402


def keras_stateful_rnn(vocab_size, hidden, streams, window):
    tokens = keras.Input(batch_shape=(streams, window), dtype="int32")
    embedded = keras.layers.Embedding(vocab_size, hidden)(tokens)
    states = keras.layers.SimpleRNN(hidden, return_sequences=True, stateful=True)(embedded)
    return keras.Model(tokens, keras.layers.Dense(vocab_size)(states))


def fit_seconds(model, x, y, batch_size, epochs):
    model.compile(optimizer=keras.optimizers.Adam(2e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    timer = EpochTimer()
    model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0, callbacks=[timer])
    return timer.seconds[1:]


def engine_seconds(model, x, y, batch_size, epochs, gradients=None):
    extra = {"gradients": gradients} if gradients else {}
    trainer = Trainer(model, token_cross_entropy, keras.optimizers.Adam(2e-3),
                      TrainConfig(epochs=epochs, batch_size=batch_size, shuffle=gradients is None, verbose=False), **extra)
    return [record["seconds"] for record in trainer.fit(ArrayData(x, y))][1:]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs after one warm-up")
    parser.add_argument("--windows", type=int, default=60, help="TBPTT windows (steps) per epoch")
    parser.add_argument("--quick", action="store_true", help="smoke run: hidden 32, 5 windows, 1 repeat")
    args = parser.parse_args(argv)
    hidden, streams, window = (32, 8, 16) if args.quick else (256, 64, 64)
    if args.quick:
        args.windows, args.repeats = 5, 1

    text = load_tiny_shakespeare("train")
    vocab = CharVocabulary.from_text(text)
    inputs, targets = language_model_pairs(vocab.encode(text))
    x, y = stream_windows(inputs, targets, streams, window)
    x, y = x[:args.windows * streams], y[:args.windows * streams]
    tokens_per_epoch = x.size
    epochs = args.repeats + 1

    seed_everything(0)
    engine = engine_seconds(RNNLanguageModel(len(vocab), hidden, streams=streams), x, y, streams, epochs,
                            carried_state_gradients)
    seed_everything(0)
    fit = fit_seconds(keras_stateful_rnn(len(vocab), hidden, streams, window), x, y, streams, epochs)
    rows = [{"loop": f"RNN TBPTT (H={hidden}, k={window}, B={streams})", "unit": "tokens/s",
             "engine": tokens_per_epoch / median(engine), "fit": tokens_per_epoch / median(fit)}]

    contexts, next_tokens = context_windows(inputs, targets, 7)
    count = (20_000 if args.quick else 400_000)
    seed_everything(0)
    engine = engine_seconds(build_neural_ngram(len(vocab), 7), contexts[:count], next_tokens[:count], 256, epochs)
    seed_everything(0)
    fit = fit_seconds(build_neural_ngram(len(vocab), 7), contexts[:count], next_tokens[:count], 256, epochs)
    rows.append({"loop": "neural 8-gram (batch 256)", "unit": "examples/s", "engine": count / median(engine),
                 "fit": count / median(fit)})
    for row in rows:
        row["engine/fit"] = row["engine"] / row["fit"]
    print_table(rows, ["loop", "unit", "engine", "fit", "engine/fit"])
    return rows


if __name__ == "__main__":
    main()
