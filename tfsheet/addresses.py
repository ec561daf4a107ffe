"""A network address as every tfsheet tool takes one: HOST:PORT, with a port in 1..65535.

The gRPC client, TF_CONFIG's cluster and the worker launcher all read addresses this way, so an address one of
them accepts is one the others accept too.
"""

MAX_PORT = 65535


def is_host_port(text):
    """Whether `text` is HOST:PORT: a host that is not blank and holds no scheme ("http://"), then ':' and an ASCII
    port in 1..MAX_PORT (the last ':' splits them, so "[::1]:8500" is an IPv6 host)."""
    if not isinstance(text, str):
        return False
    host, _, port = text.rpartition(":")
    return bool(host.strip()) and "://" not in host and port.isascii() and port.isdigit() and 1 <= int(port) <= MAX_PORT
