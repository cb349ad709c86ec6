"""Dask engine leftovers: no thread of the run outlives it (the no-workers watch with a hung scheduler, the connect
to a --scheduler that fails, times out or is interrupted), and scheduler addresses in messages masked but readable
(a password without a scheme, tokens and keys in the query string, IPv6 hosts)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import threading
import time

import pytest

import textmine.distributed as td
from textmine.urls import secret_values, shown_url


def _threads() -> set[int]:
    return {t.ident for t in threading.enumerate() if t.is_alive()}


def _named(name: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == name and t.is_alive()]


# ---------------------------------------------------------------------------- the no-workers watch
class HungScheduler:
    """A client whose scheduler never answers: a call with ``callback_timeout`` gives up after it (as
    ``distributed.Client`` does), one without blocks until the test ends."""

    def __init__(self):
        self.released = threading.Event()
        self.calls: list[dict] = []

    def nthreads(self, **kwargs):
        self.calls.append(kwargs)
        self.released.wait(kwargs.get("callback_timeout") or 30)
        raise TimeoutError("timed out")


@pytest.fixture()
def hung(monkeypatch):
    monkeypatch.setattr(td, "SCHEDULER_CALL_TIMEOUT_S", 0.5)
    fake = HungScheduler()
    yield fake
    fake.released.set()


def _watch(client, said: list[str]) -> td._WorkerWatch:
    return td._WorkerWatch(lambda: td._worker_count(client), "tcp://10.0.0.7:8786", 0.1, said.append,
                           lambda: (0, 1, None))


@pytest.mark.parametrize("ending", [None, RuntimeError, KeyboardInterrupt])
def test_the_watch_thread_is_gone_when_the_run_ends_while_the_scheduler_hangs(hung, ending):
    said: list[str] = []
    watch = _watch(hung, said)
    watch.said = True  # (the look at the end of a run that said so runs too)
    t0 = time.monotonic()
    try:
        with td._watching(watch, 0.05):
            deadline = time.monotonic() + 5
            while not hung.calls and time.monotonic() < deadline:
                time.sleep(0.01)
            assert hung.calls, "the watch never asked the scheduler"
            if ending is not None:
                raise ending("the run ended")
    except (RuntimeError, KeyboardInterrupt) as exc:
        assert ending is not None and isinstance(exc, ending)
    assert _named("textmine-dask-workers") == []  # joined, not left behind
    assert time.monotonic() - t0 < 5 * td.SCHEDULER_CALL_TIMEOUT_S + 2
    assert all(c.get("callback_timeout") == td.SCHEDULER_CALL_TIMEOUT_S for c in hung.calls), hung.calls
    assert said == []  # an unanswered count is no look at zero workers


def test_stopping_after_a_failure_asks_a_hung_scheduler_with_a_timeout(hung, monkeypatch):
    import distributed

    class Event:
        def __init__(self, name, client=None):
            pass

        def set(self):
            pass

        clear = set

    waited, cancelled = [], []
    hung.cancel = lambda futures: cancelled.append(list(futures))
    monkeypatch.setattr(distributed, "Event", Event)
    monkeypatch.setattr(distributed, "wait", lambda futures, timeout=None: waited.append(timeout))
    t0 = time.monotonic()
    td._stop_tasks(hung, ["f1"], "stop-x")
    assert time.monotonic() - t0 < 5
    assert hung.calls == [{"callback_timeout": td.SCHEDULER_CALL_TIMEOUT_S}]
    assert cancelled == [["f1"]]


def test_the_worker_count_is_the_schedulers_count_of_workers():
    class Client:
        def nthreads(self, **kwargs):
            return {"tcp://w:1": 1, "tcp://w:2": 4}

    assert td._worker_count(Client()) == 2


# ---------------------------------------------------------------------------- connecting to --scheduler
@pytest.fixture()
def mute_server():
    """A TCP server that accepts connections and never sends a byte; its address as tcp://host:port."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.1)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield f"tcp://127.0.0.1:{srv.getsockname()[1]}"
    stop.set()
    t.join(2)
    for c in held:
        c.close()
    srv.close()


def _ctrl_c_after(seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    return timer


@pytest.fixture()
def warm(mute_server, monkeypatch):
    """Threads alive before a connect (after one connect that warmed up dask's own shared pools)."""
    monkeypatch.setattr(td, "CONNECT_GRACE_S", 0.3)
    with pytest.raises(ValueError):
        td._connect(mute_server, 0.3)
    time.sleep(0.2)
    return _threads()


def test_no_thread_is_left_after_a_connect_to_a_server_that_never_answers(mute_server, warm):
    with pytest.raises(ValueError) as e:
        td._connect(mute_server, 0.3)
    assert "did not answer as a Dask scheduler" in str(e.value) and mute_server in str(e.value)
    assert _threads() <= warm, [t.name for t in threading.enumerate() if t.ident not in warm]


def test_no_thread_is_left_after_ctrl_c_during_a_connect(mute_server, warm):
    timer = _ctrl_c_after(0.3)
    try:
        with pytest.raises(KeyboardInterrupt):
            td._connect(mute_server, 5.0)
    finally:
        timer.cancel()
        timer.join()
    assert _threads() <= warm, [t.name for t in threading.enumerate() if t.ident not in warm]


def test_a_blocking_handshake_is_given_up_and_leaves_no_thread(monkeypatch):
    monkeypatch.setattr(td, "CONNECT_GRACE_S", 0.2)
    entered = []

    async def blocking(address, timeout):
        entered.append(address)
        await asyncio.sleep(3600)

    monkeypatch.setattr(td, "_open_comm", blocking)
    before = _threads()
    t0 = time.monotonic()
    with pytest.raises(ValueError, match="did not answer as a Dask scheduler"):
        td._connect("tcp://10.0.0.7:8786", 0.3)
    assert time.monotonic() - t0 < 3 and entered == ["tcp://10.0.0.7:8786"]
    assert _threads() <= before
    timer = _ctrl_c_after(0.3)  # Ctrl-C while it waits
    try:
        with pytest.raises(KeyboardInterrupt):
            td._connect("tcp://10.0.0.7:8786", 30.0)
    finally:
        timer.cancel()
        timer.join()
    assert _threads() <= before


def test_a_refused_connect_leaves_no_thread_and_masks_the_password(monkeypatch):
    async def refused(address, timeout):
        raise OSError(f"Timed out trying to connect to {address} after {timeout} s")

    monkeypatch.setattr(td, "_open_comm", refused)
    before = _threads()
    with pytest.raises(ValueError) as e:
        td._connect("tls://textmine:s3cr3t@sched.example:8786", 0.3)
    msg = str(e.value)
    assert "s3cr3t" not in msg and "tls://textmine:***@sched.example:8786" in msg and "could not reach" in msg, msg
    assert _threads() <= before


def test_a_scheduler_without_workers_is_closed_and_its_address_masked(monkeypatch):
    async def answered(address, timeout):
        return None

    closed = []

    class Client:
        def __init__(self, address, timeout=None):
            pass

        def wait_for_workers(self, n, timeout=None):
            raise TimeoutError("no workers")

        def close(self):
            closed.append(True)

    import dask.distributed

    monkeypatch.setattr(td, "_open_comm", answered)
    monkeypatch.setattr(dask.distributed, "Client", Client)
    with pytest.raises(ValueError) as e:
        td._connect("tcp://u:s3cr3t@h:8786?token=abc123", 0.3)
    msg = str(e.value)
    assert "s3cr3t" not in msg and "abc123" not in msg and "has no workers" in msg, msg
    assert "`dask worker tcp://u:***@h:8786?token=***`" in msg, msg
    assert closed == [True]


def test_ctrl_c_while_waiting_for_workers_closes_the_client(monkeypatch):
    async def answered(address, timeout):
        return None

    closed = []

    class Client:
        def __init__(self, address, timeout=None):
            pass

        def wait_for_workers(self, n, timeout=None):
            raise KeyboardInterrupt

        def close(self):
            closed.append(True)

    import dask.distributed

    monkeypatch.setattr(td, "_open_comm", answered)
    monkeypatch.setattr(dask.distributed, "Client", Client)
    with pytest.raises(KeyboardInterrupt):
        td._connect("tcp://h:8786", 0.3)
    assert closed == [True]


# ---------------------------------------------------------------------------- addresses in messages
@pytest.mark.parametrize("url, shown", [
    # scheme-less Dask addresses
    ("localhost:8786", "localhost:8786"),
    ("10.0.0.7:8786", "10.0.0.7:8786"),
    ("user:secret@host:8786", "user:***@host:8786"),
    ("user@host:8786", "user@host:8786"),
    ("[::1]:8786", "[::1]:8786"),
    ("user:secret@[::1]:8786", "user:***@[::1]:8786"),
    ("host:8786?token=abc", "host:8786?token=***"),
    # with a scheme
    ("tcp://[::1]:8786", "tcp://[::1]:8786"),
    ("tcp://[2001:db8::7]:8786", "tcp://[2001:db8::7]:8786"),
    ("tls://u:p%40ss@[fe80::1%25eth0]:8786", "tls://u:***@[fe80::1%25eth0]:8786"),
    ("ws://host:8786/?token=abc", "ws://host:8786/?token=***"),
    ("tls://host:8786?access_token=abc&x=1", "tls://host:8786?access_token=***&x=1"),
    ("tcp://host:8786?TOKEN=abc&Api_Key=k&SECRET=s&Password=p&user=u",
     "tcp://host:8786?TOKEN=***&Api_Key=***&SECRET=***&Password=***&user=u"),
    ("ws://host:8786/?key=abc&keyword=ok", "ws://host:8786/?key=***&keyword=ok"),
    ("ws://u:pw@host:8786/path?id_token=abc#frag", "ws://u:***@host:8786/path?id_token=***#frag"),
    ("tcp://host:8786?token", "tcp://host:8786?token"),  # no value: nothing to mask
    # database URLs, as before
    ("postgresql+psycopg://tm:S3cr%40t@db:5432/tm", "postgresql+psycopg://tm:***@db:5432/tm"),
    ("postgresql+psycopg:///tm?host=db&password=S3cr3tQ&sslpassword=S3cr3tK&user=tm",
     "postgresql+psycopg:///tm?host=db&password=***&sslpassword=***&user=tm"),
    ("sqlite:////srv/textmine/textmine.db", "sqlite:////srv/textmine/textmine.db"),
    ("sqlite://", "sqlite://"),
    # unreadable: never echoed
    ("::S3cr3t not a url::", "<invalid url>"),
    ("host=db password=S3cr3t", "<invalid url>"),
    ("tcp://u:S3cr3t@host:port", "<invalid url>"),
    ("", "<invalid url>"),
    ("tcp://u:1234#x@h:8786", "<invalid url>"),  # a password holding "#", "?" or "/" unescaped: not cut in two
    ("tcp://u:p@ss#1@h:8786", "<invalid url>"),
    ("tcp://u:12/34@h:8786", "<invalid url>"),
    ("u:12?34@h:8786", "<invalid url>"),
])
def test_addresses_are_shown_masked_and_readable(url, shown):
    assert shown_url(url) == shown
    if shown != "<invalid url>":
        assert td._shown_address(url) == shown


@pytest.mark.parametrize("address, shown", [
    ("not an address", "not an address"),  # no user part, no secret's name: as given, to say what is wrong
    ("tcp://u:S3cr3t@host:port", "<invalid url>"),
    ("host=db password=S3cr3t", "<invalid url>"),
    ("tcp://host:port?api_KEY=S3cr3t", "<invalid url>"),
])
def test_a_scheduler_address_that_cannot_be_read_is_echoed_only_when_it_cannot_hold_a_secret(address, shown):
    assert td._shown_address(address) == shown


def test_the_no_workers_message_reads_well_for_an_address_without_a_scheme():
    said: list[str] = []
    watch = td._WorkerWatch(lambda: 0, "user:secret@host:8786", 1.0, said.append, lambda: (1, 2, 4),
                            clock=iter([0.0, 5.0]).__next__)
    watch.check()
    watch.check()
    assert said and said[0].startswith("no Dask workers connected to user:***@host:8786 for 5 s; 1 of 4"), said
    assert "`dask worker user:***@host:8786`" in said[0] and "secret" not in said[0]


@pytest.mark.parametrize("url, secrets", [
    ("tcp://u:s3cr3t@h:8786?token=abc&x=1&api_key=k9", ["s3cr3t", "abc", "k9"]),
    ("u:s3cr3t@[::1]:8786", ["s3cr3t"]),
    ("tcp://h:8786", []),
    ("::S3cr3t not a url::", []),
])
def test_the_secrets_an_address_holds(url, secrets):
    assert sorted(secret_values(url)) == sorted(secrets)


@pytest.mark.parametrize("address", ["tcp://u:s3cr3t@127.0.0.1:1", "u:s3cr3t@127.0.0.1:1",
                                     "tcp://127.0.0.1:1?token=s3cr3t", "tcp://u:s3cr3t@h:port"])
def test_an_error_quoting_a_piece_of_the_address_is_masked_too(monkeypatch, address):
    """distributed's errors quote the address without its scheme (``invalid address 'u:pw@h:1'``) or a piece of it
    (``invalid literal for int(): '1?token=…'``)."""
    async def refused(addr, timeout):
        rest = addr.partition("://")[2] or addr
        port = rest.rpartition(":")[2]
        raise ValueError(f"invalid address {rest!r}; invalid literal for int() with base 10: {port!r}")

    monkeypatch.setattr(td, "_open_comm", refused)
    with pytest.raises(ValueError) as e:
        td._connect(address, 0.3)
    msg = str(e.value)
    assert "s3cr3t" not in msg and "could not reach a Dask scheduler" in msg, msg
