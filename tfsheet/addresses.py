"""A network address as every tfsheet tool takes one: HOST:PORT, with a port in 1..65535.

The gRPC client, TF_CONFIG's cluster and the worker launcher all read addresses this way, so an address one of
them accepts is one the others accept too.
"""

import re

MAX_PORT = 65535


HOST = re.compile(r"[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\]")   # a name, an IPv4 address, or an IPv6 one in brackets
PORT = re.compile(r"[1-9][0-9]{0,4}")                      # ASCII digits, no sign and no leading zero


def is_host_port(text):
    """Whether `text` is HOST:PORT: a host name or address (no spaces, quotes or scheme; "[::1]" for IPv6), then ':'
    and a port in 1..MAX_PORT written without leading zeros, so that one port has one spelling."""
    if not isinstance(text, str):
        return False
    host, _, port = text.rpartition(":")
    return bool(HOST.fullmatch(host)) and bool(PORT.fullmatch(port)) and int(port) <= MAX_PORT
