"""tfsheet: Problem Sheet 4 (neural networks) as trainable, exportable, servable TensorFlow models.

Each problem of the sheet has a home:
  Problem 1  softmax regression, backprop by hand  -> tfsheet.softmax_regression, tfsheet.layers
  shared     data, target encodings                -> tfsheet.data
  shared     the GradientTape training engine      -> tfsheet.training
  shared     SavedModel export for TF Serving      -> tfsheet.export
"""

__version__ = "0.1.0"
