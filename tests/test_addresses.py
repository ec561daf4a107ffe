"""One reading of HOST:PORT for the gRPC client, TF_CONFIG and the worker launcher."""

import pytest

from tfsheet.addresses import is_host_port


@pytest.mark.parametrize("text", ["localhost:8500", "127.0.0.1:1", "host0:65535", "[::1]:8500"])
def test_a_host_and_a_port_in_range_is_an_address(text):
    assert is_host_port(text)


@pytest.mark.parametrize("text", ["localhost", ":8500", " :8500", "localhost:0", "localhost:65536", "localhost:\u00b2",
                                  "localhost:abc", "http://localhost:8500", "localhost:-1", None, 8500,
                                  "ho st:12", '"evil":1', "o'neil:1", "host0:012345", "host0:08500"])
def test_anything_else_is_not(text):
    assert not is_host_port(text)
