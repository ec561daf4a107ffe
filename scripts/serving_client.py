"""Send MNIST test images to a running TF Serving and print the accuracy of its answers.

    python scripts/serving_client.py --model softmax_regression --rest http://localhost:8501
    python scripts/serving_client.py --model mlp_onehot --grpc localhost:8500 --count 2000

Start the server as the README shows (saved_models/ mounted at /models, --model_config_file).
"""

import argparse
import sys

import numpy as np

from tfsheet import console
from tfsheet.errors import TfsheetError
from tfsheet.serving.client import GrpcClient, RestClient
from tfsheet.serving.names import MODEL_NAME


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="softmax_regression", help="a served MNIST model (output `digit`)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--rest", default="http://localhost:8501", help="REST base URL (default: %(default)s)")
    where.add_argument("--grpc", help="gRPC target host:port, instead of REST")
    parser.add_argument("--count", type=int, default=1000, help="test images to send")
    parser.add_argument("--batch", type=int, default=200, help="images per request")
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args(argv)
    if not 1 <= args.count <= 10_000 or args.batch < 1:
        parser.error("--count must be in 1..10000 and --batch >= 1")
    if not MODEL_NAME.fullmatch(args.model):
        parser.error(f"--model must be a served model's name: letters, digits, '_', '.' and '-'. Received: "
                     f"{args.model!r}")
    try:
        client = (GrpcClient(args.grpc, timeout=args.timeout) if args.grpc is not None else
                  RestClient(args.rest, timeout=args.timeout))
    except ValueError as error:
        parser.error(str(error))
    try:
        console.quiet()             # TensorFlow's start-up lines are not the answer
    except TfsheetError as error:   # a bad TFSHEET_VERBOSE
        parser.exit(1, f"{parser.prog}: error: {error}\n")
    from tfsheet.data import load_mnist   # imports TensorFlow: after quiet()

    test = load_mnist("test").take(args.count)
    try:
        digits = np.concatenate([client.predict(args.model, {"pixels": test.images[start:start + args.batch]})["digit"]
                                 for start in range(0, args.count, args.batch)])
    except (TfsheetError, ValueError) as error:      # ValueError: a --model no server could have
        print(f"serving_client: {error}", file=sys.stderr)
        return 1
    print(f"{args.model}: accuracy {np.mean(digits == test.labels):.4f} on {args.count} MNIST test images "
          f"via {'gRPC ' + args.grpc if args.grpc else 'REST ' + args.rest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
