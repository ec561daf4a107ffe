"""One seed for a whole run: Python, NumPy and TensorFlow RNGs, plus deterministic TF ops."""

import keras
import tensorflow as tf

from tfsheet.choices import MAX_SEED


def seed_everything(seed):
    """Seed every RNG and turn on op determinism, so a run with the same seed repeats exactly."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be an int from 0 to {MAX_SEED} (2**31 - 1). Received: seed={seed!r}")
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def seed_generator_states(model):
    """The state variables of every Keras SeedGenerator in the model (Dropout and the like).

    Keras does not checkpoint these with the model; the engine adds them to its checkpoint so a
    resumed run draws the same dropout masks as one that was never interrupted.
    """
    return [generator.state
            for layer in model._flatten_layers(include_self=True)
            for generator in getattr(layer, "_seed_generators", [])]
