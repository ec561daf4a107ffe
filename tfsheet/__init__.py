"""tfsheet: Problem Sheet 4 (neural networks) as trainable, exportable, servable TensorFlow models.

Each problem of the sheet has a home:
  Problem 1    softmax regression, backprop by hand   -> tfsheet.softmax_regression, tfsheet.layers
  Problem 2    one-hot vs binary MLPs, fixed layer    -> tfsheet.models.mlp, tfsheet.layers.OneHotToBinary
  Problem 3    linear hidden units                    -> tfsheet.linear_nets, tfsheet.convexity
  Problem 4    ReLU nets as universal approximators   -> tfsheet.universal, tfsheet.models.relu_net
  Problem 5.1  n-gram vs truncated-BPTT LMs           -> tfsheet.ngram_counts, tfsheet.models.language_models
  Problem 5.2  real-time recurrent learning           -> tfsheet.rtrl
  shared       data, encodings, training engine       -> tfsheet.data, tfsheet.training
  shared       export, servability, TF Serving client -> tfsheet.export, tfsheet.servable, tfsheet.serving
  experiments  one module per problem                 -> tfsheet.experiments
"""

__version__ = "0.1.0"
