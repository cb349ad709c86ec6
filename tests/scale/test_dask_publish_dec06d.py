"""Publishing a Dask run's output (``_publish``) never loses the earlier output: a move that fails midway puts the
earlier files back and says where the complete new output is; a long run's stage is kept fresh so another run into
the same folder does not take it for a killed run's and delete it."""

import os
import time

import pytest

import textmine.distributed as td


def _files(folder, names, tag):
    folder.mkdir(parents=True, exist_ok=True)
    for n in names:
        (folder / n).write_text(f"{tag}:{n}", encoding="utf-8")


def _info(out, parts):
    return td.DaskRunInfo(out_dir=str(out), n_rows=1, n_partitions=len(parts), parts=tuple(str(out / p) for p in parts))


def test_publish_replaces_the_earlier_output(tmp_path):
    out, stage = tmp_path / "out", tmp_path / "out" / ".textmine-run-ab.tmp"
    _files(out, ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet", td.MANIFEST], "old")
    _files(stage, ["part-00000.parquet", "part-00001.parquet", td.MANIFEST], "new")
    info = td._publish(stage, out, _info(stage, ["part-00000.parquet", "part-00001.parquet"]))
    assert sorted(p.name for p in out.iterdir()) == [td.MANIFEST, "part-00000.parquet", "part-00001.parquet"]
    assert all(p.read_text(encoding="utf-8").startswith("new:") for p in out.iterdir())
    assert info.parts == (str(out / "part-00000.parquet"), str(out / "part-00001.parquet"))


def test_a_failed_move_restores_the_earlier_output_and_keeps_the_new_one(tmp_path, monkeypatch):
    out, stage = tmp_path / "out", tmp_path / "out" / ".textmine-run-ab.tmp"
    old = {"part-00000.parquet", "part-00001.parquet", "part-00002.parquet", td.MANIFEST}
    _files(out, sorted(old), "old")
    _files(stage, ["part-00000.parquet", "part-00001.parquet", td.MANIFEST], "new")
    real, calls = os.replace, []

    def flaky(src, dst):
        calls.append((str(src), str(dst)))
        if str(src) == str(stage / "part-00001.parquet") and str(dst) == str(out / "part-00001.parquet"):
            raise PermissionError(13, "Permission denied")  # e.g. a reader holds the file open (Windows)
        return real(src, dst)

    monkeypatch.setattr(td.os, "replace", flaky)
    with pytest.raises(OSError, match=r"earlier output in .* is as it was; the complete new output is in .*run-ab"):
        td._publish(stage, out, _info(stage, ["part-00000.parquet", "part-00001.parquet"]))
    monkeypatch.setattr(td.os, "replace", real)
    shown = {p.name for p in out.iterdir() if p.is_file()}
    assert shown == old and all((out / n).read_text(encoding="utf-8") == f"old:{n}" for n in old)
    assert {p.name for p in stage.iterdir() if p.is_file()} == {"part-00000.parquet", "part-00001.parquet",
                                                                td.MANIFEST}
    assert all((stage / n).read_text(encoding="utf-8").startswith("new:") for n in ("part-00000.parquet", td.MANIFEST))


def test_a_running_stage_is_kept_fresh(tmp_path):
    stage = tmp_path / ".textmine-run-cdcdcdcdcdcd.tmp"
    stage.mkdir()
    past = time.time() - 2 * td.STALE_STAGE_S
    os.utime(stage, (past, past))
    assert td._stage_dirs(tmp_path, older_than=td.STALE_STAGE_S) == [stage]
    with td._kept_fresh(stage, 0.05):
        time.sleep(0.3)
        assert td._stage_dirs(tmp_path, older_than=td.STALE_STAGE_S) == []
    assert stage.stat().st_mtime > past + td.STALE_STAGE_S


class _SlowClient:
    """Stands in for ``dask.distributed.Client``: connects after ``delay`` seconds; records its closing."""

    made: list["_SlowClient"] = []
    delay = 0.8

    def __init__(self, address, timeout=None):
        time.sleep(self.delay)
        self.closed = False
        _SlowClient.made.append(self)

    def close(self):
        self.closed = True


def _late_clients(monkeypatch):
    import dask.distributed

    _SlowClient.made = []
    monkeypatch.setattr(dask.distributed, "Client", _SlowClient)
    monkeypatch.setattr(td, "CONNECT_GRACE_S", 0.1)


def _mute_handshake(monkeypatch):
    """The scheduler's handshake never comes (a server of another protocol): ``_open_comm`` waits for ever."""
    import asyncio

    async def mute(address, timeout):
        await asyncio.sleep(3600)

    monkeypatch.setattr(td, "_open_comm", mute)


def test_no_client_is_made_after_the_deadline(monkeypatch):
    """The handshake is tried first, with a deadline, and the client made only once it answered: none connects in
    the background after the caller gave up (dec06g: the connect thread of old could outlive the call)."""
    _late_clients(monkeypatch)
    _mute_handshake(monkeypatch)
    with pytest.raises(ValueError, match="did not answer as a Dask scheduler"):
        td._connect("tcp://127.0.0.1:1", 0.1)
    time.sleep(_SlowClient.delay + 0.2)
    assert _SlowClient.made == []


def test_no_client_is_made_after_ctrl_c(monkeypatch):
    import os
    import signal
    import threading

    _late_clients(monkeypatch)
    _mute_handshake(monkeypatch)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            td._connect("tcp://127.0.0.1:1", 5.0)
    finally:
        timer.cancel()
        timer.join()
    time.sleep(_SlowClient.delay + 0.2)
    assert _SlowClient.made == []


def test_the_client_warns_about_implausible_zero_shot_shares_over_all_parts(tmp_path):
    """Warnings raised on the workers never reach the client: the share check of zero-shot coding runs on the
    whole output (theme and non-answer columns of the parts) instead."""
    import types

    import pandas as pd

    from textmine.codebook import Codebook

    cb = Codebook.from_dict({"name": "t", "version": "1", "language": "nb", "themes": [
        {"id": "a", "label": "A", "description": "a"}, {"id": "b", "label": "B", "description": "b"},
        {"id": "c", "label": "C", "description": "c"}]})
    parts = []
    for k in range(3):  # 60 answers and 15 non-answers in all; theme a on 45 of the 60 answers
        n = 25
        frame = pd.DataFrame({"theme_a": [1] * 15 + [0] * 10, "theme_b": [0] * 15 + [1] * 5 + [0] * 5,
                              "theme_c": 0, "is_non_answer": [0] * 20 + [1] * 5})
        path = tmp_path / f"part-{k:05d}.parquet"
        frame.iloc[:n].to_parquet(path)
        parts.append(str(path))
    zero_shot = types.SimpleNamespace(kind="zeroshot", codebook=cb)
    msg = td._zero_shot_share_warning(zero_shot, parts)
    assert msg and "'a' to 75% of the 60 answers" in msg
    assert td._zero_shot_share_warning(types.SimpleNamespace(kind="supervised", codebook=cb), parts) is None
