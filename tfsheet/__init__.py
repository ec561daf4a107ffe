"""tfsheet: Problem Sheet 4 (neural networks) as trainable, exportable, servable TensorFlow models.

The layers, lowest first; each imports only those below it:

  data/         MNIST (IDX or TFDS), target encodings, Tiny Shakespeare, vocabulary, synthetic sequences
  layers/       one custom Keras layer per file, with the math it implements (softmax backprop, Problem 1)
  models/       model builders per problem; every loss and metric in models/losses.py
  training/     the engine: one GradientTape loop on one device or under any tf.distribute strategy
                (runtime.py passes the strategy down), batching, checkpoints, TBPTT, RTRL
  analysis/     what the sheet proves rather than trains: linear-net maps, convexity, universal
                approximation, one-hot-likeness, the RTRL cost model
  serving/      export (the only code that knows signatures), fresh-process load checks, models.config,
                the TF Serving client, sampling text
  experiments/  the registry of every experiment, their configs and presets, one module per problem
  report/       the runner (cache, progress) and the answers, rendered from results; figures drawn from results
  cli.py        the `tfsheet` command, generated from the registry

Each problem of the sheet has a home:
  Problem 1    softmax regression, backprop by hand   -> layers.softmax_backprop, layers.SoftmaxRegression
  Problem 2    one-hot vs binary MLPs, fixed layer    -> models.mlp, layers.OneHotToBinary
  Problem 3    linear hidden units                    -> models.linear_hidden, analysis.linear_nets, analysis.convexity
  Problem 4    ReLU nets as universal approximators   -> models.relu_net, analysis.universal
  Problem 5.1  n-gram vs truncated-BPTT LMs           -> models.kneser_ney, models.language_models, training.tbptt
  Problem 5.2  real-time recurrent learning           -> training.rtrl, analysis.rtrl_cost
"""

__version__ = "0.4.0"
