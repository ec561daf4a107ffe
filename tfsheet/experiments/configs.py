"""The settings of every experiment of the sheet: one frozen dataclass per experiment, with named presets.

Each default carries a one-line reason. A preset is a scale of the whole report: `quick` (minutes,
CI: every model trained for real on subsets), `default` (the numbers the report quotes) and `full`
(more seeds, longer training). Any field can be changed from the command line
(tfsheet.experiments.overrides); `__post_init__` refuses values no run could use.

This module imports no TensorFlow, so the command line can list experiments and settings quickly.
"""

import dataclasses

from tfsheet.choices import HIDDEN_ACTIVATIONS, MAX_SEED, OUTPUT_ACTIVATIONS, RNN_CELLS, SCHEDULES

SCALES = ("quick", "default", "full")


SEED_FIELDS = ("seed", "seeds", "online_seeds")
MNIST_TRAIN_EXAMPLES = 55_000   # the training split; the file's last 5,000 images are the validation split


def _require(config, names, minimum):
    """Raise ValueError unless every field in `names` is an int >= minimum (and a seed at most MAX_SEED)."""
    for name in names:
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"{name} must be an int >= {minimum}. Received: {name}={value!r}")
        _require_seed_range(name, (value,))


def _require_seed_range(name, values):
    if name in SEED_FIELDS and any(value > MAX_SEED for value in values):
        raise ValueError(f"{name} must be at most {MAX_SEED} (2**31 - 1). Received: {name}={values!r}")


def _require_mnist_examples(config):
    """train_examples counts MNIST training images: 0 (all) up to the split's size."""
    if config.train_examples > MNIST_TRAIN_EXAMPLES:
        raise ValueError(f"train_examples must be at most {MNIST_TRAIN_EXAMPLES:,} (the training split; 0 means all "
                         f"of it). Received: train_examples={config.train_examples!r}")


def _require_ints(config, names, minimum):
    """Raise ValueError unless every tuple field in `names` is non-empty and holds ints >= minimum."""
    for name in names:
        values = getattr(config, name)
        if not values or any(isinstance(v, bool) or not isinstance(v, int) or v < minimum for v in values):
            raise ValueError(f"{name} must be a non-empty tuple of ints >= {minimum}. Received: {name}={values!r}")
        _require_seed_range(name, values)


def _require_positive(config, names):
    """Raise ValueError unless every float field in `names` is finite and > 0."""
    for name in names:
        value = getattr(config, name)
        if not isinstance(value, (int, float)) or not 0 < value < float("inf"):
            raise ValueError(f"{name} must be a finite number > 0. Received: {name}={value!r}")


def _require_numbers(config, name, valid, rule):
    """Raise ValueError unless the tuple field `name` is non-empty and each item is a finite number with valid(v)."""
    values = getattr(config, name)
    if not values or any(isinstance(v, bool) or not isinstance(v, (int, float)) or not float("-inf") < v < float("inf")
                         or not valid(v) for v in values):
        raise ValueError(f"{name} must be a non-empty tuple of finite numbers {rule}. Received: {name}={values!r}")


@dataclasses.dataclass(frozen=True)
class Problem1Config:
    """Training settings for Problem 1 (softmax regression with hand-derived gradients)."""

    epochs: int = 10              # the most epochs tried; the number kept is chosen on validation
    batch_size: int = 128         # the usual MNIST mini-batch
    learning_rate: tuple[float, ...] = (0.05, 0.1, 0.2)  # constant SGD rates tried on validation (one: no choice)
    seed: int = 0                 # initial weights are zero; the seed fixes the shuffle order
    train_examples: int = 0       # 0 = all 55,000 training images (the other 5,000 are the validation split)

    def __post_init__(self):
        _require(self, ("epochs", "batch_size"), 1)
        _require(self, ("seed", "train_examples"), 0)
        _require_mnist_examples(self)
        _require_numbers(self, "learning_rate", lambda v: v > 0, "> 0")


@dataclasses.dataclass(frozen=True)
class Problem2SearchConfig:
    """Problem 2's search: each trained design (the one-hot net, the binary net, the direct 784-H-10-4 net)
    gets the same tuning effort, its hidden activation, Adam rate and epochs chosen on the validation split;
    its winner is kept as trained. The other Problem 2 experiments read the choices, the winners and the
    shared training settings (batch size, output units, training images) from this one."""

    num_hidden: int = 256                 # the default model's hidden width
    epochs: int = 20                      # the most epochs tried; the number kept is chosen on validation
    batch_size: int = 128                 # the usual MNIST mini-batch
    learning_rate: tuple[float, ...] = (1e-3, 3e-3)        # Adam rates tried on validation, per design
    hidden_activation: tuple[str, ...] = ("relu", "tanh")  # hidden units tried on validation, per design
    output_activation: str = "sigmoid"    # the classic squared-loss network: outputs in [0, 1]
    train_examples: int = 0               # 0 = all 55,000 training images (the other 5,000 are the validation split)
    seed: int = 0                         # the search's runs (and so the winners) use this seed

    def __post_init__(self):
        _require(self, ("epochs", "num_hidden", "batch_size"), 1)
        _require(self, ("train_examples", "seed"), 0)
        _require_mnist_examples(self)
        _require_numbers(self, "learning_rate", lambda v: v > 0, "> 0")
        if not self.hidden_activation or any(name not in HIDDEN_ACTIVATIONS for name in self.hidden_activation):
            raise ValueError(f"hidden_activation must be a non-empty tuple of {', '.join(HIDDEN_ACTIVATIONS)}. "
                             f"Received: hidden_activation={self.hidden_activation!r}")
        if self.output_activation not in OUTPUT_ACTIVATIONS:
            raise ValueError(f"output_activation must be one of {', '.join(OUTPUT_ACTIVATIONS)}. "
                             f"Received: output_activation={self.output_activation!r}")


@dataclasses.dataclass(frozen=True)
class Problem2SweepConfig:
    """Q2.1: both encodings at every width, the same budget for every cell, with each encoding's search choice."""

    hidden_sizes: tuple[int, ...] = (4, 8, 16, 32, 64, 128, 256)  # the sheet's question is about shrinking H
    seeds: tuple[int, ...] = (0, 1, 2)    # three seeds give a mean and a spread
    sweep_epochs: int = 10                # every sweep cell gets the same budget

    def __post_init__(self):
        _require(self, ("sweep_epochs",), 1)
        _require_ints(self, ("hidden_sizes",), 1)
        _require_ints(self, ("seeds",), 0)


@dataclasses.dataclass(frozen=True)
class Problem2AppendedConfig:
    """Q2.2: the search's one-hot winner with the fixed one-hot-to-binary layer appended."""

    adversarial_inputs: int = 20_000      # score vectors built to break the threshold-unit winner-take-all

    def __post_init__(self):
        _require(self, ("adversarial_inputs",), 2)


@dataclasses.dataclass(frozen=True)
class Problem2DirectConfig:
    """Q2.3: the 784-H-10-4 net trained directly, against the appended design, over the same seeds."""

    seeds: tuple[int, ...] = (0, 1, 2)    # three seeds give a mean and a spread

    def __post_init__(self):
        _require_ints(self, ("seeds",), 0)


@dataclasses.dataclass(frozen=True)
class Problem3Config:
    """Settings for Problem 3; all three models get the same budget."""

    hidden_sizes: tuple[int, ...] = (25, 4)   # the sheet's two widths
    seeds: tuple[int, ...] = (0, 1, 2)        # mean and spread over three seeds
    epochs: int = 10                   # the most epochs tried; the number kept is chosen on validation, per model
    batch_size: int = 128              # the usual MNIST mini-batch
    learning_rate: tuple[float, ...] = (1e-3, 3e-3)  # Adam rates tried on validation, per model (same effort each)
    train_examples: int = 0            # 0 = all 55,000 training images (the other 5,000 are the validation split)
    hessian_examples: int = 1000       # Q3.3 curvature on a subset (float64, kept small)
    lanczos_iterations: int = 60       # enough for the extreme eigenvalues to settle

    def __post_init__(self):
        _require(self, ("epochs", "batch_size", "hessian_examples", "lanczos_iterations"), 1)
        _require(self, ("train_examples",), 0)
        _require_mnist_examples(self)
        _require_ints(self, ("hidden_sizes",), 1)
        _require_ints(self, ("seeds",), 0)
        _require_numbers(self, "learning_rate", lambda v: v > 0, "> 0")


@dataclasses.dataclass(frozen=True)
class Problem4Config:
    """Settings for Problem 4's experiments."""

    widths: tuple[int, ...] = (2, 4, 8, 16, 32, 64)             # a log-spaced range, where errors still move
    eps_levels: tuple[float, ...] = (0.1, 0.03, 0.01, 0.003, 0.001)  # targets for the certified construction
    seeds: tuple[int, ...] = (0, 1, 2)              # the trained nets' random starts: a median and a spread
    epochs: int = 300                               # 2,048 samples / batch 128 -> 4,800 Adam steps
    learning_rate: float = 1e-2                     # fits sin to 3e-2 with 16 units (3e-3 was slower)
    samples: int = 2048                             # training points, uniform on [0, 1]
    prime_range: int = 60                           # Q4.6: train on the integers 2..60
    prime_width: int = 128                          # enough units for one bump per prime below 60
    prime_epochs: int = 3000                        # full-batch steps on 59 points

    def __post_init__(self):
        _require(self, ("epochs", "samples", "prime_width", "prime_epochs"), 1)
        _require(self, ("prime_range",), 3)
        _require_ints(self, ("widths",), 1)
        _require_ints(self, ("seeds",), 0)
        _require_positive(self, ("learning_rate",))     # 0 would answer Q4.4 and Q4.6 from untrained nets
        if not self.eps_levels or any(not 0 < e < float("inf") for e in self.eps_levels):
            raise ValueError(f"eps_levels must be finite numbers > 0. Received: eps_levels={self.eps_levels!r}")


@dataclasses.dataclass(frozen=True)
class Problem51ShakespeareConfig:
    """Problem 5.1 on Tiny Shakespeare: n-gram models against TBPTT RNNs for each order n; each default says why."""

    orders: tuple[int, ...] = (2, 3, 5, 8, 16)  # the n of the question (n-gram context n - 1, TBPTT k = n)
    hidden_size: int = 256                    # RNN state and n-gram hidden layer
    streams: int = 64                         # TBPTT batch: parallel streams through the text
    rnn_epochs: int = 3                       # three passes over the ~1M training characters per model
    ngram_steps: int = 12_000                 # neural n-gram: Adam steps of batch 256 (~3M windows, 3 passes)
    train_chars: int = 0                      # 0 = the whole training split
    seeds: tuple[int, ...] = (0, 1, 2)        # every neural model: mean and spread over three seeds
    search_learning_rates: tuple[float, ...] = (1e-3, 3e-3)  # per family, chosen on validation data
    search_clip_norms: tuple[float, ...] = (0.0, 1.0)        # global gradient-norm clipping (0: none)
    seed: int = 0                             # each run sets its own from `seeds`

    def __post_init__(self):
        _require(self, ("hidden_size", "streams", "rnn_epochs", "ngram_steps"), 1)
        _require(self, ("train_chars", "seed"), 0)
        _require_ints(self, ("orders",), 2)
        _require_search(self)


@dataclasses.dataclass(frozen=True)
class Problem51ProbeConfig:
    """The truncation probe: a bit stream whose next bit depends on lags 3 and 8, learned with TBPTT(k)."""

    probe_truncations: tuple[int, ...] = (2, 3, 5, 8, 10, 16)  # k from below to beyond the probe's lags 3 and 8
    probe_length: int = 300_000               # training bits of the probe
    probe_hidden: int = 16                    # the probe needs little memory
    streams: int = 64                         # TBPTT batch: parallel streams through the bits
    seeds: tuple[int, ...] = (0, 1, 2)        # mean and spread over three seeds
    search_learning_rates: tuple[float, ...] = (1e-3, 3e-3)  # chosen on a validation stream
    search_clip_norms: tuple[float, ...] = (0.0, 1.0)        # global gradient-norm clipping (0: none)
    seed: int = 0                             # the data; each run sets its own from `seeds`

    def __post_init__(self):
        _require(self, ("probe_length", "probe_hidden", "streams"), 1)
        _require(self, ("seed",), 0)
        _require_ints(self, ("probe_truncations",), 1)
        _require_search(self)


@dataclasses.dataclass(frozen=True)
class Problem51CopyConfig:
    """The copy task: a symbol to repeat L steps later, learned with TBPTT(k), against controls."""

    copy_truncations: tuple[int, ...] = (4, 8)  # k for the copy-task grid
    copy_distance_factors: tuple[float, ...] = (0.5, 1, 2, 4, 8)  # L = factor * k
    copy_length: int = 200_000                # training tokens of each copy task
    copy_vocab: int = 16                      # chance 1/16: a random (frozen) recurrence cannot hold the symbol long
    copy_hidden: int = 32                     # enough state to hold a few symbols of 4 bits
    streams: int = 64                         # TBPTT batch: parallel streams through the tokens
    seeds: tuple[int, ...] = (0, 1, 2)        # mean and spread over three seeds
    search_learning_rates: tuple[float, ...] = (1e-3, 3e-3)  # per family, chosen on a validation stream
    search_clip_norms: tuple[float, ...] = (0.0, 1.0)        # global gradient-norm clipping (0: none)
    seed: int = 0                             # the data; each run sets its own from `seeds`

    def __post_init__(self):
        _require(self, ("copy_length", "copy_hidden", "streams"), 1)
        _require(self, ("copy_vocab",), 2)
        _require(self, ("seed",), 0)
        _require_ints(self, ("copy_truncations",), 1)
        _require_numbers(self, "copy_distance_factors", lambda v: v > 0, "> 0")
        _require_search(self)


@dataclasses.dataclass(frozen=True)
class Problem51LanguageModelConfig:
    """Problem 5.1 "in practice": the strongest TBPTT language model here against the n-gram models."""

    lm_cells: tuple[str, ...] = ("tanh", "gru")  # the strong language model: the sheet's cell and a gated one
    lm_hidden: int = 512                      # wide enough to beat the n-grams, small enough for 2 CPU cores
    lm_window: int = 64                       # TBPTT k: long enough for words and line breaks
    lm_streams: int = 64                      # parallel streams (the batch)
    lm_dropout: float = 0.2                   # before the readout: the net over-fits the 1M characters without it
    lm_epochs: int = 5                        # passes per seed (the report's hour); the learning curve shows where it stands
    lm_schedule: str = "constant"             # learning rate over a run: "constant" or "cosine" (to 0 at the last pass)
    lm_search_epochs: int = 1                 # passes per candidate of the learning-rate / clipping search
    lm_dynamic_learning_rates: tuple[float, ...] = (0.03, 0.1, 0.3)  # dynamic evaluation's SGD step, on validation
    lm_dynamic_ngram_chunk: int = 4096        # the count model's dynamic evaluation refits its counts this often
    orders: tuple[int, ...] = (2, 3, 5, 8, 16)  # the Kneser-Ney orders the adapted count model chooses from
    train_chars: int = 0                      # 0 = the whole training split
    seeds: tuple[int, ...] = (0, 1, 2)        # mean and spread over three seeds
    search_learning_rates: tuple[float, ...] = (1e-3, 3e-3)  # per cell, chosen on validation data
    search_clip_norms: tuple[float, ...] = (0.0, 1.0)        # global gradient-norm clipping (0: none)

    def __post_init__(self):
        _require(self, ("lm_hidden", "lm_window", "lm_streams", "lm_epochs", "lm_search_epochs",
                        "lm_dynamic_ngram_chunk"), 1)
        _require(self, ("train_chars",), 0)
        _require_ints(self, ("orders",), 2)
        _require_search(self)
        _require_numbers(self, "lm_dynamic_learning_rates", lambda v: v > 0, "> 0")
        if not self.lm_cells or any(cell not in RNN_CELLS for cell in self.lm_cells):
            raise ValueError(f"lm_cells must be a non-empty tuple of {', '.join(RNN_CELLS)}. "
                             f"Received: lm_cells={self.lm_cells!r}")
        if self.lm_schedule not in SCHEDULES:
            raise ValueError(f"lm_schedule must be one of {', '.join(SCHEDULES)}. "
                             f"Received: lm_schedule={self.lm_schedule!r}")
        if not 0 <= self.lm_dropout < 1:
            raise ValueError(f"lm_dropout must be in [0, 1). Received: lm_dropout={self.lm_dropout!r}")


def _require_search(config):
    """The seeds and the (learning rate, clipping) grid every Problem 5 search shares."""
    _require_ints(config, ("seeds",), 0)
    _require_numbers(config, "search_learning_rates", lambda v: v > 0, "> 0")
    _require_numbers(config, "search_clip_norms", lambda v: v >= 0, ">= 0 (0: no clipping)")


@dataclasses.dataclass(frozen=True)
class Problem52Config:
    """Settings for Problem 5.2."""

    check_sizes: tuple[int, ...] = (4, 16, 32)      # hidden sizes n for the float64 agreement check
    check_lengths: tuple[int, ...] = (1, 10, 100)   # sequence lengths T
    distance: int = 16                        # copy-task distance L, four times the truncation
    truncation: int = 4                       # the TBPTT k that RTRL is compared with
    hidden_size: int = 32                     # online learners' state size (RTRL costs H^4 per step)
    streams: int = 16                         # parallel streams, one token each per update
    copy_length: int = 120_000                # training tokens of the copy task
    copy_vocab: int = 4                       # chance accuracy 1/4 on copy positions
    online_seeds: tuple[int, ...] = (0, 1, 2)  # every online comparison: mean and spread over three seeds
    search_learning_rates: tuple[float, ...] = (1e-3, 3e-3)  # per learner, chosen on a validation sequence
    search_clip_norms: tuple[float, ...] = (0.0, 1.0)        # global gradient-norm clipping (0: none)
    snap_sizes: tuple[int, ...] = (8, 16, 32)  # gradient-quality check of SnAp-1 and UORO
    uoro_samples: int = 256                   # UORO estimates averaged to show it unbiased (error ~ 1/sqrt)
    cost_sizes: tuple[int, ...] = (8, 16, 32, 64, 128, 256)  # hidden sizes n timed per step (RTRL grows as n^4)
    seed: int = 0                             # initial weights and data

    def __post_init__(self):
        _require(self, ("distance", "truncation", "hidden_size", "streams", "copy_length", "uoro_samples"), 1)
        _require(self, ("copy_vocab",), 2)
        _require(self, ("seed",), 0)
        _require_ints(self, ("check_sizes", "check_lengths", "snap_sizes", "cost_sizes"), 1)
        _require_ints(self, ("online_seeds",), 0)
        _require_numbers(self, "search_learning_rates", lambda v: v > 0, "> 0")
        _require_numbers(self, "search_clip_norms", lambda v: v >= 0, ">= 0 (0: no clipping)")


PROBLEM1_PRESETS = {"quick": Problem1Config(epochs=5), "default": Problem1Config(), "full": Problem1Config(epochs=30)}

# A problem's scales change fields of several of its experiments' configs: each table lists the changes
# once, and presets() gives each config class the ones it has (a test checks every change lands somewhere).
PROBLEM2_SCALES = {
    "quick": dict(hidden_sizes=(8, 64), seeds=(0,), sweep_epochs=2, epochs=3, train_examples=20_000,
                  hidden_activation=("relu",)),
    "default": {},
    "full": dict(seeds=(0, 1, 2, 3, 4), sweep_epochs=20, epochs=40),
}


def presets(config_class, scales):
    """{scale: config_class with the changes of `scales[scale]` that are its fields}."""
    names = {field.name for field in dataclasses.fields(config_class)}
    return {scale: config_class(**{name: value for name, value in changes.items() if name in names})
            for scale, changes in scales.items()}


PROBLEM3_PRESETS = {"quick": Problem3Config(seeds=(0,), epochs=2, train_examples=20_000, lanczos_iterations=30),
                    "default": Problem3Config(),
                    "full": Problem3Config(seeds=(0, 1, 2, 3, 4), epochs=30)}

PROBLEM4_PRESETS = {"quick": Problem4Config(widths=(4, 16), eps_levels=(0.1, 0.01), seeds=(0,), epochs=40,
                                           prime_epochs=300),
                    "default": Problem4Config(),
                    "full": Problem4Config(widths=(2, 4, 8, 16, 32, 64, 128, 256), seeds=(0, 1, 2), epochs=1000,
                                           eps_levels=(0.1, 0.03, 0.01, 0.003, 0.001, 0.0003))}

PROBLEM5_1_SCALES = {
    "quick": dict(orders=(2, 5), hidden_size=64, streams=32, rnn_epochs=1, ngram_steps=300, train_chars=100_000,
                  probe_truncations=(3, 10), probe_length=60_000, copy_truncations=(4,),
                  copy_distance_factors=(1, 2), copy_length=40_000, seeds=(0,), search_clip_norms=(1.0,),
                  lm_hidden=64, lm_window=32, lm_streams=32, lm_epochs=2, lm_dynamic_learning_rates=(0.1,),
                  lm_dynamic_ngram_chunk=16_384),
    "default": {},
    "full": dict(rnn_epochs=10, ngram_steps=40_000, probe_length=1_000_000, copy_length=600_000,
                 copy_truncations=(4, 8, 16), search_learning_rates=(1e-3, 2e-3, 4e-3), lm_epochs=12,
                 lm_schedule="cosine", lm_search_epochs=3),
}

PROBLEM5_2_PRESETS = {
    "quick": Problem52Config(check_sizes=(4, 8), check_lengths=(1, 10), distance=8, hidden_size=16, streams=8,
                             copy_length=16_000, online_seeds=(0,), snap_sizes=(8,), cost_sizes=(8, 16, 32),
                             search_clip_norms=(1.0,)),
    "default": Problem52Config(),
    "full": Problem52Config(copy_length=400_000, check_sizes=(4, 16, 32, 64),
                            cost_sizes=(8, 16, 32, 64, 128, 256, 384)),
}


DISTRIBUTED_MODELS = ("mlp", "softmax_regression", "char_rnn")


CHARS_PER_EXAMPLE = 10     # train-distributed's char_rnn: characters of Tiny Shakespeare per train_examples
DISTRIBUTED_WINDOW = 8     # ... and the length of its TBPTT windows


@dataclasses.dataclass(frozen=True)
class DistributedConfig:
    """`tfsheet train-distributed`: what to train; small by default, so that runs on a 2-core CPU take seconds."""

    model: str = "mlp"             # one of DISTRIBUTED_MODELS
    epochs: int = 2                # enough to see the loss fall
    batch_size: int = 128          # the global batch, split across the replicas
    train_examples: int = 12_800   # MNIST images (or, for char_rnn, characters / CHARS_PER_EXAMPLE)
    num_hidden: int = 64           # small, so that a step takes milliseconds
    learning_rate: float = 1e-3    # Adam's usual rate
    checkpoint_every: int = 10     # steps between checkpoints (0: only at epoch ends)
    steps_per_call: int = 0        # steps per compiled call (0: up to the next checkpoint or epoch end)
    seed: int = 0                  # initial weights and data order

    def __post_init__(self):
        if self.model not in DISTRIBUTED_MODELS:
            raise ValueError(f"unknown model {self.model!r}; valid models: {', '.join(DISTRIBUTED_MODELS)}")
        _require(self, ("epochs", "batch_size", "train_examples", "num_hidden"), 1)
        _require(self, ("checkpoint_every", "steps_per_call", "seed"), 0)
        _require_positive(self, ("learning_rate",))
        if self.model != "char_rnn":             # MNIST images: no more than the training split holds
            _require_mnist_examples(self)
            if self.batch_size > self.train_examples:
                raise ValueError(f"batch_size {self.batch_size} is larger than train_examples {self.train_examples}, so "
                                 "every epoch would be one step on all of them; lower batch_size or raise "
                                 "train_examples")
        elif self.train_examples * CHARS_PER_EXAMPLE - 1 < self.batch_size * DISTRIBUTED_WINDOW:
            needed = -(-(self.batch_size * DISTRIBUTED_WINDOW + 1) // CHARS_PER_EXAMPLE)
            raise ValueError(f"char_rnn reads train_examples x {CHARS_PER_EXAMPLE} characters as batch_size streams of "
                             f"{DISTRIBUTED_WINDOW}-character windows, so batch_size={self.batch_size} needs "
                             f"train_examples >= {needed}. Received: train_examples={self.train_examples}; raise it or "
                             "lower batch_size")
