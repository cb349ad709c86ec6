"""--scheduler at an address where something accepts connections but never answers as a Dask scheduler (another
service, a dashboard port) is refused in one line within the timeout and its grace, instead of hanging."""
from __future__ import annotations

import socket
import threading
import time

import pytest

import textmine.distributed as td


@pytest.fixture()
def mute_server():
    """A TCP server that accepts connections and never sends a byte; its address as tcp://host:port."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        srv.settimeout(0.2)
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


def test_a_mute_server_is_refused_within_the_deadline(mute_server, monkeypatch):
    monkeypatch.setattr(td, "CONNECT_GRACE_S", 1.0)
    t0 = time.monotonic()
    with pytest.raises(ValueError) as e:
        td._connect(mute_server, 2.0)
    assert time.monotonic() - t0 < 10
    msg = str(e.value)
    assert mute_server in msg and "did not answer as a Dask scheduler" in msg and "\n" not in msg


def test_only_stage_folders_left_long_ago_count_as_stale(tmp_path):
    """A second run into the same --out removes a killed run's stage folder, not one a run is still writing."""
    import os

    old, fresh = tmp_path / ".textmine-run-0123456789ab.tmp", tmp_path / ".textmine-run-ba9876543210.tmp"
    old.mkdir()
    fresh.mkdir()
    (tmp_path / ".textmine-run-x.tmp").mkdir()  # not a stage name
    hour_ago = time.time() - td.STALE_STAGE_S - 5
    os.utime(old, (hour_ago, hour_ago))
    assert td._stage_dirs(tmp_path, older_than=td.STALE_STAGE_S) == [old]
    assert sorted(td._stage_dirs(tmp_path)) == [old, fresh]
