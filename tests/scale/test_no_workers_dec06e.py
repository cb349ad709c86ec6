"""A Dask run whose cluster has lost every worker says so: while the run waits for results, the client watches the
scheduler's worker count; after ``no_workers_grace_s`` seconds at zero it gives one message through ``warn`` (the
scheduler's address with any password masked, the partitions done) and one more line when workers are back. The
output is the same as without the outage."""

from __future__ import annotations

import re
import threading
import time

import pandas as pd
import pytest

import textmine.distributed as td
from textmine.distributed import code_with_dask, read_coded_parts
from textmine.paths import DEFAULT_CODEBOOK, FAST_MODEL_DIR

from ..clitools import run_cli

MODEL = str(FAST_MODEL_DIR)
ADDRESS = "tcp://10.0.0.7:8786"


class FakeScheduler:
    """The worker count a watch sees (an exception: the scheduler cannot be asked) and a clock the test moves."""

    def __init__(self, workers: int = 2):
        self.workers: int | BaseException = workers
        self.now = 1000.0

    def count(self) -> int:
        if isinstance(self.workers, BaseException):
            raise self.workers
        return self.workers

    def clock(self) -> float:
        return self.now


def _watch(fake: FakeScheduler, said: list[str], address: str = ADDRESS, state=lambda: (3, 7, 10)):
    return td._WorkerWatch(fake.count, address, 30.0, said.append, state, clock=fake.clock)


def _look(watch, fake: FakeScheduler, workers, after: float) -> None:
    fake.now += after
    fake.workers = workers
    watch.check()


def test_one_message_after_the_grace_period_without_workers_and_one_when_they_are_back():
    fake, said = FakeScheduler(), []
    watch = _watch(fake, said)
    _look(watch, fake, 2, 5)
    _look(watch, fake, 0, 5)  # the first look at no workers
    _look(watch, fake, 0, 25)
    assert said == []  # 25 s without workers: within the grace period
    _look(watch, fake, 0, 5)
    assert len(said) == 1
    msg = said[0]
    assert msg.startswith(f"no Dask workers connected to {ADDRESS} for 30 s; 3 of 10 partitions done"), msg
    assert "the run waits" in msg and "Ctrl-C" in msg and "\n" not in msg
    for _ in range(5):  # still none: said once, not on every look
        _look(watch, fake, 0, 5)
    assert len(said) == 1
    _look(watch, fake, 3, 5)
    assert len(said) == 2
    assert said[1].startswith(f"Dask workers are back at {ADDRESS} (3 connected)"), said[1]
    _look(watch, fake, 3, 5)
    assert len(said) == 2


def test_a_short_outage_says_nothing_and_the_grace_starts_again_after_it():
    fake, said = FakeScheduler(), []
    watch = _watch(fake, said)
    _look(watch, fake, 0, 5)
    _look(watch, fake, 0, 20)
    _look(watch, fake, 1, 5)  # back before the grace period ended
    _look(watch, fake, 0, 5)
    _look(watch, fake, 0, 25)
    assert said == []  # 25 s since this outage began (45 s of looks in all)
    _look(watch, fake, 0, 10)
    assert len(said) == 1 and "for 35 s" in said[0], said


def test_an_unanswered_count_is_not_zero_workers():
    fake, said = FakeScheduler(), []
    watch = _watch(fake, said)
    for _ in range(10):
        _look(watch, fake, OSError("Timed out trying to connect"), 10)
    assert said == []  # the scheduler itself is unreachable: its own errors say so


def test_partitions_read_so_far_when_the_total_is_not_known():
    fake, said = FakeScheduler(), []
    watch = _watch(fake, said, state=lambda: (2, 5, None))  # CSV input: partitions are counted as they are read
    _look(watch, fake, 0, 5)
    _look(watch, fake, 0, 31)
    assert len(said) == 1 and "2 of the 5 partitions read so far done" in said[0], said


@pytest.mark.parametrize("address", ["tls://textmine:s3cr3t@sched.example:8786",
                                     "tcp://sched.example:8786?password=s3cr3t"])
def test_a_password_in_the_scheduler_address_is_never_shown(address):
    fake, said = FakeScheduler(), []
    watch = _watch(fake, said, address=address)
    _look(watch, fake, 0, 5)
    _look(watch, fake, 0, 30)
    _look(watch, fake, 1, 5)
    assert len(said) == 2
    for msg in said:
        assert "s3cr3t" not in msg and "***" in msg and "sched.example:8786" in msg, msg


@pytest.mark.parametrize("grace", [0, -5, float("nan"), "30"])
def test_a_grace_period_that_is_not_a_positive_number_is_refused(tmp_path, grace):
    src = tmp_path / "in.csv"
    src.write_text("id,svar\n1,Lang kø\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no_workers_grace_s"):
        code_with_dask(src, tmp_path / "out", DEFAULT_CODEBOOK, None, "svar", no_workers_grace_s=grace)
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------- a real cluster losing its worker
TEXTS = ["Lang ventetid på telefon", "Bra service", "vet ikke", "Treg saksbehandling av refusjon", "",
         "Veilederen var hyggelig og ga gode svar", "Ring meg på 912 34 567", "Ok"]


@pytest.mark.skipif(not (FAST_MODEL_DIR / "manifest.json").exists(), reason="models/fast not built")
def test_a_run_whose_workers_all_left_says_so_and_finishes_when_one_joins(tmp_path):
    from dask.distributed import Client, LocalCluster

    src = tmp_path / "in.csv"
    pd.DataFrame({"id": [f"R{i}" for i in range(len(TEXTS))], "svar": TEXTS}).to_csv(src, index=False)
    local = run_cli("code", src, "--codebook", DEFAULT_CODEBOOK, "--model", MODEL, "--text-col", "svar",
                    "--out", tmp_path / "local.parquet", "--batch-size", "2")
    assert local.exit_code == 0, local.output

    grace = 2.0
    said: list[str] = []
    news = threading.Condition()

    def warn(msg: str) -> None:
        with news:
            said.append(msg)
            news.notify_all()

    def wait_for(n: int, timeout: float) -> bool:
        with news:
            return news.wait_for(lambda: len(said) >= n, timeout)

    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0")
    watcher = Client(cluster)
    first_done, workers_gone = threading.Event(), threading.Event()

    def progress(rows: int, total, seconds: float) -> None:  # the first partition done: hold until none is left
        first_done.set()
        workers_gone.wait(30)

    box: dict = {}

    def run() -> None:
        try:
            box["info"] = code_with_dask(src, tmp_path / "dask", DEFAULT_CODEBOOK, MODEL, "svar",
                                         cluster.scheduler_address, rows_per_partition=2, batch_size=2, warn=warn,
                                         progress=progress, no_workers_grace_s=grace)
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread
            box["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    try:
        t.start()
        assert first_done.wait(30), "no partition finished"
        cluster.scale(0)
        deadline = time.monotonic() + 20
        while watcher.nthreads() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not watcher.nthreads(), "the worker did not leave"
        gone_at = time.monotonic()
        workers_gone.set()
        assert wait_for(1, grace + 10), f"no message within {grace + 10:g} s: {said}"
        assert time.monotonic() - gone_at >= grace
        msg = said[0]
        assert msg.startswith(f"no Dask workers connected to {cluster.scheduler_address} for "), msg
        assert re.search(r"; 1 of \d partitions done; the run waits", msg), msg  # (a CSV's rows are counted first)
        t.join(grace)
        assert t.is_alive()  # it waits, and says nothing more while it does
        assert len(said) == 1, said
        cluster.scale(1)
        t.join(60)
        assert not t.is_alive(), "the run did not finish after a worker joined"
    finally:
        workers_gone.set()
        watcher.close()
        cluster.close()
    assert "error" not in box, repr(box.get("error"))
    assert len(said) == 2 and said[1].startswith(f"Dask workers are back at {cluster.scheduler_address}"), said
    assert box["info"].n_rows == len(TEXTS)
    want = pd.read_parquet(tmp_path / "local.parquet")
    got = read_coded_parts(tmp_path / "dask")
    assert list(got.columns) == list(want.columns)
    for c in want.columns:
        assert got[c].astype("string").fillna("").tolist() == want[c].astype("string").fillna("").tolist(), c


def test_a_look_that_fails_does_not_stop_the_run_and_a_watch_that_said_so_looks_once_more_at_the_end():
    looks = []

    class Failing:
        said = True

        def check(self):
            looks.append(time.monotonic())
            raise RuntimeError("warnings turned into errors")

    with td._watching(Failing(), 0.05):
        time.sleep(0.3)
    assert len(looks) >= 3  # every 0.05 s while the block ran, then once at its end, none raising


@pytest.mark.parametrize("address, shown", [("localhost:8786", "localhost:8786"),
                                            ("tcp://10.0.0.7:8786", "tcp://10.0.0.7:8786"),
                                            ("tls://u:pw@h:8786", "tls://u:***@h:8786")])
def test_scheduler_addresses_are_shown_as_given_but_for_a_password(address, shown):
    assert td._shown_address(address) == shown


def test_stopping_without_workers_does_not_wait(monkeypatch):
    """Ctrl-C while every worker is gone: nothing can run, so the stop cancels at once instead of waiting
    STOP_WAIT_S (120 s) for tasks that never start (code review dec06e); the stop Event stays set."""
    import distributed

    from textmine import distributed as td

    events, waited, cancelled = [], [], []

    class FakeEvent:
        def __init__(self, name, client=None):
            self.name = name

        def set(self):
            events.append(("set", self.name))

        def clear(self):
            events.append(("clear", self.name))

    class FakeClient:
        def __init__(self, workers):
            self.workers = workers

        def nthreads(self, **kwargs):  # (asked with a callback_timeout)
            return self.workers

        def cancel(self, futures):
            cancelled.append(list(futures))

    monkeypatch.setattr(distributed, "Event", FakeEvent)
    monkeypatch.setattr(distributed, "wait", lambda futures, timeout=None: waited.append(timeout))
    td._stop_tasks(FakeClient({}), ["f1", "f2"], "stop-x")
    assert waited == [] and cancelled == [["f1", "f2"]] and events == [("set", "stop-x")]
    events.clear(), cancelled.clear()
    td._stop_tasks(FakeClient({"tcp://w:1": 2}), ["f1"], "stop-y")
    assert waited == [td.STOP_WAIT_S] and cancelled == [["f1"]] and events == [("set", "stop-y"), ("clear", "stop-y")]
