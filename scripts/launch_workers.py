"""Start a multi-worker tf.distribute run on this machine: one process per worker, each with its TF_CONFIG.

    python scripts/launch_workers.py --workers 2 -- \\
        python scripts/train_distributed.py --strategy multi-worker --workdir runs/two_workers

Each worker runs the command after `--` with TF_CONFIG naming the whole cluster (127.0.0.1 on
free ports) and its own index; output lines are prefixed with the worker's name. If a worker
fails, the others are stopped; the exit status is the first non-zero one. On several machines,
run the same command on each with the TF_CONFIG this prints:

    python scripts/launch_workers.py --print-tf-config host0:12345 host1:12345
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time

from tfsheet.addresses import is_host_port

MAX_WORKERS = 16      # local workers: each is a TensorFlow process of its own on this one machine


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def checked_address(text):
    """`text` if it is HOST:PORT with a port in 1..65535, else a ValueError saying so."""
    if not is_host_port(text):
        raise ValueError(f"{text!r} is not HOST:PORT with a port in 1..65535 (e.g. host0:12345)")
    return text


def tf_configs(addresses):
    """One TF_CONFIG (JSON text) per worker of the cluster `addresses` ("host:port" each)."""
    cluster = {"worker": list(addresses)}
    return [json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
            for index in range(len(addresses))]


def _relay(name, stream, out):
    for line in iter(stream.readline, ""):
        out.write(f"[{name}] {line}")
        out.flush()


def launch(command, workers, timeout=None, environment=None, out=sys.stdout):
    """Run `command` once per worker with its TF_CONFIG; return the first non-zero exit status, or 0."""
    configs = tf_configs([f"127.0.0.1:{port}" for port in free_ports(workers)])
    processes, relays = [], []
    for index, config in enumerate(configs):
        env = {**os.environ, **(environment or {}), "TF_CONFIG": config}
        try:
            process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        except OSError:
            for started in processes:              # none of the cluster runs without all its workers
                started.kill()
                started.wait()
            raise
        relay = threading.Thread(target=_relay, args=(f"worker{index}", process.stdout, out), daemon=True)
        relay.start()
        processes.append(process)
        relays.append(relay)
    deadline = None if timeout is None else time.monotonic() + timeout
    status = 0
    while any(process.poll() is None for process in processes):
        failed = [process.returncode for process in processes if process.returncode not in (None, 0)]
        if failed or (deadline is not None and time.monotonic() > deadline):
            status = failed[0] if failed else 124
            for process in processes:
                if process.poll() is None:
                    process.terminate()
            break
        time.sleep(0.2)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for relay in relays:
        relay.join(timeout=5)
    return shell_status(status or next((process.returncode for process in processes if process.returncode), 0))


def shell_status(returncode):
    """A worker's exit status as a shell reports it: killed by signal N (Popen's -N) is 128 + N."""
    return 128 - returncode if returncode < 0 else returncode


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    command = argv[argv.index("--") + 1:] if "--" in argv else []
    options = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=None, help="stop every worker after this many seconds")
    parser.add_argument("--print-tf-config", nargs="+", metavar="HOST:PORT",
                        help="print the TF_CONFIG of each worker of this cluster, then stop")
    args = parser.parse_args(options)
    if args.print_tf_config and (command or "--workers" in options or "--timeout" in options):
        parser.error("--print-tf-config only prints each worker's TF_CONFIG (you start them on their hosts); "
                     "--workers, --timeout and a command after -- start local workers instead: give one or the other")
    if args.print_tf_config:
        try:
            [checked_address(address) for address in args.print_tf_config]
        except ValueError as error:
            parser.error(str(error))
        if len(set(args.print_tf_config)) != len(args.print_tf_config):
            parser.error(f"every worker needs its own HOST:PORT. Received: {' '.join(args.print_tf_config)}")
        for index, config in enumerate(tf_configs(args.print_tf_config)):
            print(f"# worker {index} ({args.print_tf_config[index]}):\nexport TF_CONFIG='{config}'")
        return 0
    if not command or not command[0].strip():
        parser.error("give the command to run after --")
    if not 1 <= args.workers <= MAX_WORKERS:
        parser.error(f"--workers must be from 1 to {MAX_WORKERS} (each worker is a whole TensorFlow process on "
                     f"this machine). Received: {args.workers}")
    if args.timeout is not None and not 0 < args.timeout < float("inf"):
        parser.error(f"--timeout must be a finite number of seconds > 0. Received: {args.timeout}")
    try:
        status = launch(command, args.workers, args.timeout)
    except OSError as error:      # the command cannot be started: 127 (not found) or 126, as a shell says
        parser.exit(127 if isinstance(error, FileNotFoundError) else 126,
                    f"{parser.prog}: error: cannot run {command[0]!r}: {error.strerror or error}\n")
    if status == 124 and args.timeout is not None:
        print(f"launch_workers: stopped every worker after --timeout {args.timeout:g} s", file=sys.stderr)
    elif status:
        print(f"launch_workers: a worker exited with status {status}, so every other was stopped (its output is "
              "above, prefixed [workerN])", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
