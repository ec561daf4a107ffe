"""The Problem 1 layer: z = W x + b, a = softmax(z), backpropagated with the hand-derived equations."""

import keras
import tensorflow as tf

from tfsheet.layers.softmax_backprop import affine


@keras.saving.register_keras_serializable(package="tfsheet")
class SoftmaxRegression(keras.layers.Layer):
    """Multiclass logistic regression as one layer, W (C x D) and b (C) as the sheet writes them.

    Returns a dict: `logits` z (N, C) and `probabilities` a (N, C). Training uses the logits with
    `tfsheet.layers.softmax_backprop.softmax_cross_entropy`, so the whole backward pass (dl/dz = a - e_y,
    dl/dW = dl/dz x^T, dl/db = dl/dz) is the hand-written one, not TensorFlow's autodiff.

    Args:
        num_classes: C, the number of classes.
        initializer: initializer for W (b starts at zero); the problem is convex, zeros are fine.
    """

    def __init__(self, num_classes, initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(num_classes, int) or num_classes < 2:
            raise ValueError(f"num_classes must be an int >= 2. Received: num_classes={num_classes!r}")
        self.num_classes = num_classes
        self.initializer = keras.initializers.get(initializer)

    def build(self, input_shape):
        num_features = input_shape[-1]
        self.W = self.add_weight(name="W", shape=(self.num_classes, num_features), initializer=self.initializer)
        self.b = self.add_weight(name="b", shape=(self.num_classes,), initializer="zeros")

    def call(self, x):
        z = affine(x, tf.convert_to_tensor(self.W), tf.convert_to_tensor(self.b))  # (N, C)
        return {"logits": z, "probabilities": tf.nn.softmax(z)}

    def compute_output_shape(self, input_shape):
        shape = (*input_shape[:-1], self.num_classes)
        return {"logits": shape, "probabilities": shape}

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "initializer": keras.initializers.serialize(self.initializer)}
