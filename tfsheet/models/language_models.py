"""Problem 5's language models behind one call signature: tokens (B, T) -> next-token logits.

  * RNNLanguageModel: the TanhRNNCell (or a GRU) and an output layer y_n = W_hy h_n + b_y, with the
    recurrent state passed in and out explicitly (what truncated BPTT carries between windows and
    what a server needs to generate step by step); a non-trainable `carried_state` holds it for
    the engine between windows and is checkpointed with the model;
  * build_neural_ngram: Bengio et al. (2003): embeddings of the previous n - 1 tokens, concatenated,
    a tanh hidden layer and a softmax over the vocabulary;
  * the count-based Kneser-Ney model lives in tfsheet.models.kneser_ney.
"""

import weakref

import keras
import tensorflow as tf

from tfsheet.layers.tanh_rnn_cell import TanhRNNCell

CELLS = ("tanh", "gru")
_COMPILED_CALLS = weakref.WeakKeyDictionary()


@keras.saving.register_keras_serializable(package="tfsheet")
class RNNLanguageModel(keras.Model):
    """(tokens (B, T) int, initial_state (B, H)) -> (logits (B, T, V_out), final_state (B, H)).

    Args:
        vocab_size: input tokens V.  hidden_size: H.  output_size: target classes (V by default).
        cell: "tanh" (the sheet's cell, shared with RTRL) or "gru".
        streams: rows of `carried_state`, the number of parallel streams TBPTT trains on.
        dropout: rate of the dropout applied in training to the hidden states before the readout
            (and, for the GRU, to its input embeddings); the recurrent path itself is left intact.
    """

    def __init__(self, vocab_size, hidden_size, output_size=None, cell="tanh", streams=1, dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}. Received: cell={cell!r}")
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout must be in [0, 1). Received: dropout={dropout!r}")
        self.vocab_size, self.hidden_size, self.cell_type, self.streams = vocab_size, hidden_size, cell, streams
        self.dropout_rate = dropout
        self.output_size = output_size or vocab_size
        dtype = kwargs.get("dtype")
        if cell == "tanh":
            self.cell = TanhRNNCell(vocab_size, hidden_size, name="cell", dtype=dtype)
            self.cell.build()
        else:
            self.embedding = keras.layers.Embedding(vocab_size, hidden_size, name="embedding", dtype=dtype)
            self.cell = keras.layers.GRU(hidden_size, return_sequences=True, return_state=True, name="cell",
                                         dtype=dtype)
        self.dropout = keras.layers.Dropout(dropout, seed=0, name="dropout", dtype=dtype) if dropout else None
        self.readout = keras.layers.Dense(self.output_size, name="readout", dtype=dtype)
        # Under tf.distribute every replica holds the whole (streams, H) state and writes back the
        # all-gathered rows (tfsheet.training.stream_state): the copies agree, so the first replica's stands.
        self.carried_state = self.add_weight(name="carried_state", shape=(streams, hidden_size),
                                             initializer="zeros", trainable=False, aggregation="only_first_replica")
        self(tf.zeros([1, 1], tf.int32), self.zero_state(1))  # build every layer

    def compiled_call(self):
        """`call` as one tf.function for every batch and length: tokens (B, T) int32, state (B, H) -> (logits, state).

        Made once per model and reused, by sequence scoring and by sampling; it holds the model weakly.
        """
        if self not in _COMPILED_CALLS:     # kept outside the model, so that it is never saved with it
            model = weakref.ref(self)      # a strong reference here would keep the model alive for ever
            _COMPILED_CALLS[self] = tf.function(
                lambda tokens, state: model()(tokens, state),
                input_signature=[tf.TensorSpec([None, None], tf.int32, name="tokens"),
                                 tf.TensorSpec([None, self.hidden_size], self.compute_dtype, name="state")])
        return _COMPILED_CALLS[self]

    def zero_state(self, batch_size):
        return tf.zeros([batch_size, self.hidden_size], self.compute_dtype)

    def call(self, tokens, initial_state, training=False):
        tokens = tf.cast(tokens, tf.int32)
        if self.cell_type == "tanh":
            states, final = self.cell(tokens, initial_state)                   # (B, T, H), (B, H)
        else:
            embedded = self.embedding(tokens)
            if self.dropout is not None:
                embedded = self.dropout(embedded, training=training)
            states, final = self.cell(embedded, initial_state=initial_state, training=training)
        if self.dropout is not None:
            states = self.dropout(states, training=training)
        return self.readout(states), final                                     # (B, T, V_out), (B, H)

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "hidden_size": self.hidden_size,
                "output_size": self.output_size, "cell": self.cell_type, "streams": self.streams,
                "dropout": self.dropout_rate}


def build_neural_ngram(vocab_size, context, output_size=None, embedding_dim=32, hidden_size=256):
    """Bengio-style n-gram net: context (B, n - 1) ids -> logits (B, V) of the next token."""
    if not isinstance(context, int) or context < 1:
        raise ValueError(f"context must be an int >= 1 (n - 1 tokens). Received: context={context!r}")
    tokens = keras.Input(shape=(context,), dtype="int32", name="tokens")
    embedded = keras.layers.Embedding(vocab_size, embedding_dim, name="embedding")(tokens)   # (B, n-1, d)
    joined = keras.layers.Flatten(name="concatenate")(embedded)                              # (B, (n-1) d)
    hidden = keras.layers.Dense(hidden_size, activation="tanh", name="hidden")(joined)
    logits = keras.layers.Dense(output_size or vocab_size, name="logits")(hidden)
    return keras.Model(tokens, logits, name=f"neural_ngram_{context + 1}")
