"""The strong GRU language model's training speed: tfsheet's engine against PyTorch's nn.GRU, side by side.

The same shapes and work on both sides: Tiny Shakespeare in S parallel streams, windows of k characters
with the state carried from window to window (truncated BPTT), Embedding(V, H) -> GRU(H) -> Dropout ->
Dense(V), token cross-entropy, Adam, one update per window. Each side trains one warm-up epoch, then the
median of the timed epochs is reported in tokens per second, with the ratio engine / PyTorch; the
repeats of the two sides are interleaved so that a busy machine slows both alike. PyTorch uses the same
number of threads as TensorFlow. The MLP's side-by-side against PyTorch is benchmarks/engine_vs_fit.py's
PyTorch column.

PyTorch is never a dependency of tfsheet: install it for this benchmark only (`pip install torch==2.13.0`,
the CPU build); without it the benchmark says so and stops.

    python benchmarks/versus_pytorch.py            # H 512, k 64, 64 streams, dropout 0.2 (a few minutes)
    python benchmarks/versus_pytorch.py --quick    # a smoke run on small shapes
"""

import argparse
import json
import os
import pathlib
import sys
import time

import keras
import numpy as np
import tensorflow as tf

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from harness import median, print_table  # noqa: E402

from tfsheet.data.text import load_tiny_shakespeare  # noqa: E402
from tfsheet.data.vocabulary import CharVocabulary  # noqa: E402
from tfsheet.models.language_models import RNNLanguageModel  # noqa: E402
from tfsheet.models.losses import token_cross_entropy  # noqa: E402
from tfsheet.training import ArrayData, TrainConfig, Trainer, seed_everything  # noqa: E402
from tfsheet.training.tbptt import carried_state_gradients, language_model_pairs, stream_windows  # noqa: E402

INSTALL = "pip install torch==2.13.0"


def engine_epochs(vocab_size, hidden, streams, dropout, x, y, epochs):
    """Seconds of each epoch of tfsheet's engine (TBPTT, state carried), the first one included."""
    seed_everything(0)
    model = RNNLanguageModel(vocab_size, hidden, cell="gru", streams=streams, dropout=dropout)
    trainer = Trainer(model, token_cross_entropy, keras.optimizers.Adam(2e-3),
                      TrainConfig(epochs=epochs, batch_size=streams, shuffle=False, verbose=False),
                      gradients=carried_state_gradients)
    return [record["seconds"] for record in trainer.fit(ArrayData(x, y))]


def pytorch_epochs(torch, vocab_size, hidden, streams, dropout, x, y, epochs):
    """Seconds of each epoch of the same model and updates in PyTorch, the first one included."""
    torch.manual_seed(0)
    nn = torch.nn

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, hidden)
            self.gru = nn.GRU(hidden, hidden, batch_first=True)
            self.dropout = nn.Dropout(dropout)
            self.readout = nn.Linear(hidden, vocab_size)

        def forward(self, tokens, state):
            outputs, state = self.gru(self.embedding(tokens), state)
            return self.readout(self.dropout(outputs)), state

    model = Model()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()
    windows = torch.from_numpy(x.astype(np.int64)).view(-1, streams, x.shape[1])      # (W, S, k)
    targets = torch.from_numpy(y.astype(np.int64)).view(-1, streams, y.shape[1])
    seconds = []
    for _ in range(epochs):
        started = time.perf_counter()
        state = torch.zeros(1, streams, hidden)
        for tokens, target in zip(windows, targets):
            logits, state = model(tokens, state)
            state = state.detach()                                      # truncate: carry the value, not the graph
            loss = loss_fn(logits.reshape(-1, vocab_size), target.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        seconds.append(time.perf_counter() - started)
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs of each side, after one warm-up")
    parser.add_argument("--windows", type=int, default=40, help="TBPTT windows (updates) per epoch")
    parser.add_argument("--quick", action="store_true", help="smoke run: H 32, k 16, 8 streams, 5 windows")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("runs/benchmarks"))
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print(f"versus_pytorch: PyTorch is not installed, so there is nothing to compare with; `{INSTALL}` "
              "installs the CPU build for this benchmark (tfsheet never needs it)", file=sys.stderr)
        return None
    hidden, window, streams, dropout = (32, 16, 8, 0.2) if args.quick else (512, 64, 64, 0.2)
    if args.quick:
        args.windows, args.repeats = 5, 1
    threads = tf.config.threading.get_intra_op_parallelism_threads() or len(os.sched_getaffinity(0))
    torch.set_num_threads(threads)

    text = load_tiny_shakespeare("train")
    vocab = CharVocabulary.from_text(text)
    x, y = stream_windows(*language_model_pairs(vocab.encode(text)), streams, window)
    x, y = x[:args.windows * streams], y[:args.windows * streams]
    engine, pytorch = [], []
    for _ in range(args.repeats):            # interleaved: each round is a warm-up epoch and a timed one per side
        engine.append(engine_epochs(len(vocab), hidden, streams, dropout, x, y, 2)[1])
        pytorch.append(pytorch_epochs(torch, len(vocab), hidden, streams, dropout, x, y, 2)[1])
    tokens = x.size
    row = {"model": f"GRU LM (H={hidden}, k={window}, S={streams}, dropout {dropout})", "threads": threads,
           "engine tokens/s": tokens / median(engine), "pytorch tokens/s": tokens / median(pytorch)}
    row["engine/pytorch"] = row["engine tokens/s"] / row["pytorch tokens/s"]
    print_table([row], list(row))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "versus_pytorch.json").write_text(json.dumps({"torch": torch.__version__, "tensorflow": tf.__version__,
                                                              "rows": [row]}, indent=2))
    return [row]


if __name__ == "__main__":
    main()
