"""Scoring a language model on held-out tokens, one interface for every kind of model.

Each scorer answers `log_probs(inputs, targets)`: log P(targets[t] | inputs[.. t]) in nats for
every t (NaN where the model has too little context to score), and `predictions(inputs, targets)`:
those log-probabilities with the model's argmax guess of each target. So scoring is one loop over
{name: scorer}, whatever the models are:

    RecurrentScorer(rnn)                  the state carried over the whole sequence
    RecurrentScorer(rnn, reset_every=k)   the state reset to 0 every k steps (TBPTT reset, full BPTT)
    WindowScorer(ngram_net, context)      a feed-forward net on the last `context` tokens
    CountScorer(kneser_ney_counts, n)     the interpolated Kneser-Ney n-gram

The losses are means of -log P over a range of positions (mean_loss), the same for all of them.
"""

import dataclasses

import numpy as np

from tfsheet.training.tbptt import log_softmax_at, sequence_log_probs, sequence_predictions


def context_windows(inputs, targets, context):
    """x[i] = inputs[t - context + 1 .. t], y[i] = targets[t] for t >= context - 1."""
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(inputs, np.int32), context)  # (N - c + 1, c)
    return windows, np.asarray(targets, np.int32)[context - 1:]


@dataclasses.dataclass(frozen=True)
class RecurrentScorer:
    """An RNN language model run over the sequence, its state reset every `reset_every` steps (None: never)."""

    model: object
    reset_every: int | None = None

    def log_probs(self, inputs, targets):
        return sequence_log_probs(self.model, inputs, targets, reset_every=self.reset_every)

    def predictions(self, inputs, targets):
        return sequence_predictions(self.model, inputs, targets, self.reset_every)


@dataclasses.dataclass(frozen=True)
class WindowScorer:
    """A feed-forward net that reads the last `context` tokens (a neural n-gram, n = context + 1)."""

    model: object
    context: int

    def _logits(self, inputs, targets):
        x, y = context_windows(inputs, targets, self.context)
        return self.model.predict(x, batch_size=4096, verbose=0), y

    def log_probs(self, inputs, targets):
        logits, y = self._logits(inputs, targets)
        return np.concatenate([np.full(self.context - 1, np.nan), log_softmax_at(logits, y)])

    def predictions(self, inputs, targets):
        logits, y = self._logits(inputs, targets)
        return (np.concatenate([np.full(self.context - 1, np.nan), log_softmax_at(logits, y)]),
                np.concatenate([np.full(self.context - 1, -1), np.argmax(logits, axis=1)]))


@dataclasses.dataclass(frozen=True)
class CountScorer:
    """Interpolated Kneser-Ney counts (tfsheet.models.kneser_ney.KneserNeyCounts) of order `order`."""

    counts: object
    order: int

    def log_probs(self, inputs, targets):
        ids = np.concatenate([np.asarray(inputs)[:1], np.asarray(targets)])   # the sequence the pairs came from
        return self.counts.log_probs(ids, self.order)[1:]


def mean_loss(log_probs, start, stop):
    """-mean(log_probs[start:stop]): the loss in nats per token over those positions."""
    return float(-np.mean(log_probs[start:stop]))


def copy_scores(log_probs, predicted, targets, mask):
    """{"copy_accuracy", "copy_nats"} of a model's log P(target) and argmax predictions on the masked targets."""
    mask = mask[:len(log_probs)]
    return {"copy_accuracy": float(np.mean(predicted[mask] == targets[:len(predicted)][mask])),
            "copy_nats": float(-np.mean(log_probs[mask]))}
