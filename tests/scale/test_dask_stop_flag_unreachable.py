"""The Dask run's stop flag when a worker cannot ask it: a partition whose task cannot ask the run's stop ``Event``
(scheduler unreachable, no client on the worker) when its part is ready does not put the part in place — it could
outlive the clean-up of a run that failed — but fails with one line naming the partition (never its text), and
``textmine code --engine dask`` exits 1 with no part and no manifest. Asking before coding may go unanswered
(nothing is written then): the partition is coded and the question asked again before its part is put in place."""

from __future__ import annotations

import re

import distributed as dask_distributed
import pandas as pd
import pytest

import textmine.distributed as td
from textmine.distributed import read_coded_parts
from textmine.paths import DEFAULT_CODEBOOK, FAST_MODEL_DIR

from ..clitools import run_cli

SECRET = "Ring meg på 912 34 567"
STOP = "textmine-stop-test"


def _part() -> pd.DataFrame:
    return pd.DataFrame({"id": ["R2", "R3"], "svar": [SECRET, "Treg saksbehandling"], td.ROW_COL: [2, 3]})


def _kwargs() -> dict:
    return {"text_col": "svar", "model_dir": None, "codebook_path": None, "_stop": STOP, "_csv": True}


@pytest.fixture()
def coded(monkeypatch):
    """``code_partition`` replaced by a fake coder (no model): returns how many partitions it coded."""
    calls = []

    def fake(part, **kw):
        calls.append(len(part))
        return part.assign(theme_a=0, themes="", confidence=0.0, needs_review=0, type="")

    monkeypatch.setattr(td, "code_partition", fake)
    return calls


def _event_lookup(monkeypatch, *, raises: BaseException | None = None, is_set: bool = False) -> None:
    """The task's ``Event(name)`` lookup (no ``client=``) raises ``raises`` or answers ``is_set``; the client's
    lookups (``Event(name, client=…)``, see ``_stop_tasks``) reach the real Event."""
    real = dask_distributed.Event

    class Flag:
        def is_set(self):
            return is_set

    def lookup(name=None, client=None):
        if client is not None:
            return real(name, client=client)
        if raises is not None:
            raise raises
        return Flag()

    monkeypatch.setattr(dask_distributed, "Event", lookup)


@pytest.mark.parametrize("cause", [OSError("Timed out trying to connect to tcp://10.0.0.9:8786 after 30 s"),
                                   ValueError("No clients found"), RuntimeError("scheduler closed")])
def test_task_that_cannot_ask_the_stop_flag_does_not_put_its_part_in_place(tmp_path, monkeypatch, coded, cause):
    _event_lookup(monkeypatch, raises=cause)
    with pytest.raises(td.PartitionError) as err:  # (not the cause's ValueError/OSError, re-raised as bad input)
        td._code_and_write(_part(), 1, str(tmp_path), _kwargs())
    msg = str(err.value)
    assert msg.startswith("StopFlagUnreachable: "), msg
    assert "part-00001.parquet was not put in place" in msg and type(cause).__name__ in msg, msg
    assert "\n" not in msg and "912 34 567" not in msg and "Ring meg" not in msg
    assert coded == [2]  # asking before coding went unanswered: coded, then refused at the rename
    assert list(tmp_path.iterdir()) == []  # no part, and no temporary file left


def test_unanswered_question_before_coding_is_not_a_stop(monkeypatch):
    _event_lookup(monkeypatch, raises=OSError("unreachable"))
    assert td._stopped(STOP) is False
    with pytest.raises(td.StopFlagUnreachable, match=r"part-00007\.parquet"):
        td._stopped_before_writing(STOP, 7)
    assert td._stopped(None) is False and td._stopped_before_writing(None, 7) is False  # no stop Event: go on


@pytest.mark.parametrize("is_set", [False, True])
def test_stop_flag_answered_puts_the_part_in_place_or_drops_it(tmp_path, monkeypatch, coded, is_set):
    _event_lookup(monkeypatch, is_set=is_set)
    got = td._code_and_write(_part(), 1, str(tmp_path), _kwargs())
    if is_set:  # stopped before coding: nothing coded, nothing written
        assert got == {"path": None, "rows": 0, "stopped": True} and coded == []
        assert list(tmp_path.iterdir()) == []
    else:
        assert got["path"] == str(tmp_path / "part-00001.parquet") and got["rows"] == 2
        assert [p.name for p in tmp_path.iterdir()] == ["part-00001.parquet"]


def test_stop_flag_set_while_coding_drops_the_part(tmp_path, monkeypatch):
    answers = iter([False, True])  # not stopped before coding, stopped before the rename

    class Flag:
        def is_set(self):
            return next(answers)

    monkeypatch.setattr(td, "code_partition", lambda part, **kw: part.assign(theme_a=0, themes=""))
    monkeypatch.setattr(td, "_stop_event", lambda name: Flag())
    assert td._code_and_write(_part(), 1, str(tmp_path), _kwargs())["stopped"] is True
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not (FAST_MODEL_DIR / "manifest.json").exists(), reason="models/fast not built")
def test_cli_run_whose_workers_cannot_ask_the_stop_flag_fails_naming_the_partition(tmp_path, cluster, monkeypatch):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["R0", "R1", "R2", "R3", "R4"],
                  "svar": ["Lang kø", "Bra", SECRET, "Treg saksbehandling", "Ok"]}).to_csv(src, index=False)
    _event_lookup(monkeypatch, raises=OSError("Timed out trying to connect to tcp://10.0.0.9:8786 after 30 s"))
    out = tmp_path / "out"
    res = run_cli("code", src, "--codebook", DEFAULT_CODEBOOK, "--model", FAST_MODEL_DIR, "--text-col", "svar",
                  "--out", out, "--engine", "dask", "--scheduler", cluster.scheduler_address, "--partition-rows", "2",
                  "--batch-size", "2")

    assert res.exit_code == 1, res.output  # the run failed (not the input): exit 1
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in res.output, res.output
    m = re.search(r"partition (\d+) \(_row \d+–\d+\) failed on a Dask worker: StopFlagUnreachable: could not ask "
                  r"the scheduler whether the run was stopped \(OSError\), so part-(\d{5})\.parquet was not put in "
                  r"place; the run did not finish", lines[0])
    assert m and int(m.group(1)) == int(m.group(2)), lines[0]
    assert "912 34 567" not in res.output and "Ring meg" not in res.output
    assert not out.exists() or not [p.name for p in out.iterdir() if p.name.startswith(("part-", ".part-"))]
    assert not (out / "_manifest.json").exists()
    with pytest.raises((ValueError, FileNotFoundError)):
        read_coded_parts(out)
