"""Names the settings choose from, written once: the command line, the configs (which import no
TensorFlow) and the code that acts on each name all read them from here."""

STRATEGIES = ("default", "mirrored", "multi-worker")   # tf.distribute strategies (tfsheet.training.distribution)
SCHEDULES = ("constant", "cosine")                      # learning rate over a run (tfsheet.training.tbptt)
HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid")        # hidden units Problem 2 may try
RNN_CELLS = ("tanh", "gru")                             # the sheet's cell and a gated one (Problem 5.1's language model)
OUTPUT_ACTIVATIONS = ("sigmoid", "softmax", "linear")   # Problem 2's output units (squared loss)
LARGEST_INT = 2**31 - 1     # the largest count, size or seed any setting takes: TF's op seeds are int32,
                            # and a count past it is a slip (a typo of extra zeros), not a plan
MAX_SEED = LARGEST_INT      # the largest seed every random generator here takes
