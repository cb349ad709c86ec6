"""A ``--scheduler`` address with a scheme Dask has no transport for (``tpc://``, the dashboard's ``http(s)://``)
is refused before any connection, with distributed's own message or one pointing at the dashboard
(``textmine.distributed._check_address``), not as "something answers, but its reply is no Dask handshake"."""

from __future__ import annotations

import distributed.comm
import pytest

import textmine.distributed as td


@pytest.fixture
def no_connect(monkeypatch):
    """Fails the test if a connection is tried."""
    tried: list[str] = []

    async def connect(address, *args, **kwargs):
        tried.append(address)
        raise OSError("no connection may be tried")

    monkeypatch.setattr(distributed.comm, "connect", connect)
    return tried


def test_an_unknown_scheme_keeps_distributeds_message(no_connect):
    with pytest.raises(ValueError) as e:
        td._connect("tpc://127.0.0.1:8786", 2.0)
    msg = str(e.value)
    assert "unknown address scheme 'tpc'" in msg and "known schemes" in msg and "'tcp'" in msg, msg
    assert "--scheduler 'tpc://127.0.0.1:8786'" in msg and "tcp://HOST:8786" in msg, msg
    assert "something answers" not in msg and "could not reach" not in msg, msg
    assert no_connect == []


@pytest.mark.parametrize("address", ["http://127.0.0.1:8787", "https://dask.example.org:8786",
                                     "HTTP://u:s3cr3t@127.0.0.1:8787/status"])
def test_a_web_address_is_named_as_the_dashboards(no_connect, address):
    with pytest.raises(ValueError) as e:
        td._connect(address, 2.0)
    msg = str(e.value)
    assert "dashboard" in msg and "tcp://HOST:8786" in msg, msg
    assert "something answers" not in msg and "s3cr3t" not in msg, msg
    assert no_connect == []


def test_a_location_that_is_no_host_and_port_is_said_as_such(no_connect):
    with pytest.raises(ValueError) as e:
        td._connect("tcp://[::1:8786", 2.0)
    msg = str(e.value)
    assert "invalid address" in msg and "could not reach" not in msg and "something answers" not in msg, msg
    assert no_connect == []


def test_a_readable_address_passes_the_check():
    for address in ("tcp://127.0.0.1:8786", "tls://sched.example:8786", "127.0.0.1:8786", "ws://h:8786"):
        td._check_address(address)  # no error
    with pytest.raises(ValueError):
        td._check_address("ws://h:port")
