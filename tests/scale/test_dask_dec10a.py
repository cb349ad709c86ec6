"""`textmine code --engine dask` of 2026-12-10: a zero-shot run's fingerprint holds the built e5 cache it codes with
(a rerun with another build is refused, not resumed; one differing only in its build time resumes); a run that
finishes removes the hidden folders of unfinished runs that no run holds and that kept no coded partition (never a
locked one, also not by the start's clean-up; never a symlink or a name that is no run key), saying so in one line,
and names those it cannot remove in another; the lock on a run's own hidden folder is never released and taken again;
a failed fingerprint leaves no --out folder. models/fast (and e5 for zero-shot) on a one-worker in-process cluster."""

from __future__ import annotations

import json
import os
import time

import pandas as pd
import pytest

import textmine.distributed as distributed
from textmine.distributed import RESUME, code_with_dask
from textmine.paths import DEFAULT_CODEBOOK, FAST_MODEL_DIR, SAMPLE_DIR

pytestmark = pytest.mark.skipif(not (FAST_MODEL_DIR / "manifest.json").exists(), reason="models/fast not built")
Q = "fritekst_generell"
MODEL = str(FAST_MODEL_DIR)
ROWS = 20


@pytest.fixture
def wave(tmp_path):
    src = tmp_path / "wave.csv"
    pd.read_csv(SAMPLE_DIR / "arbeidsgiver_2023.csv", dtype=str, keep_default_na=False).head(60).to_csv(
        src, index=False)
    return src


def _code(src, out, cluster, model=MODEL, **kw):
    kw.setdefault("rows_per_partition", ROWS)
    return code_with_dask(src, out, DEFAULT_CODEBOOK, model, Q, cluster.scheduler_address, **kw)


def _interrupted(src, out, cluster, model=MODEL) -> None:
    def ctrl_c(done, total, seconds):
        if done >= ROWS:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _code(src, out, cluster, model=model, progress=ctrl_c, warn=lambda m: None)


def _stages(out):
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".textmine-run-"))


def _other_build(fresh_cache, tag, change):
    """A cache whose e5 build is the same model files under a manifest that ``change(manifest)`` edited (as after a
    rebuild elsewhere)."""
    cache = fresh_cache(tag)
    shared = (cache / "e5-small").resolve()
    (cache / "e5-small").unlink()
    for version in shared.iterdir():
        if not version.is_dir():
            continue
        mine = cache / "e5-small" / version.name
        mine.mkdir(parents=True)
        for entry in version.iterdir():
            if entry.name != "manifest.json":
                (mine / entry.name).symlink_to(entry)
        manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
        change(manifest)
        (mine / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return cache


def _other_onnx_hash(manifest):
    manifest["files"]["model-fp32.onnx"] = "0" * 64  # (a model file other weights made; not one ensure_built checks)


def _later_build_time(manifest):
    manifest["build_seconds"] = float(manifest.get("build_seconds", 0)) + 1.0


def test_a_zero_shot_fingerprint_holds_the_e5_build_and_a_rerun_with_another_is_refused(
        tmp_path, wave, cluster, fresh_cache, in_cache):
    first, other = fresh_cache("zs-a"), _other_build(fresh_cache, "zs-b", _other_onnx_hash)
    out = tmp_path / "out"
    with in_cache(first):
        _interrupted(wave, out, cluster, model=None)
    kept = _stages(out)
    assert len(kept) == 1
    with in_cache(other), pytest.raises(ValueError, match=r"differs: the embedder\)"):
        _code(wave, out, cluster, model=None)
    assert _stages(out) == kept  # refused: nothing resumed, nothing removed
    prints = []
    for cache in (first, other):
        with in_cache(cache):
            prints.append(distributed.run_fingerprint(wave, {"model_dir": None}, ROWS, 1, None, "e5")["embedder"])
    assert prints[0].startswith("e5@r") and "/onnx/manifest-" in prints[0] and prints[0] != prints[1]


def test_a_finished_run_removes_other_runs_unheld_folders_without_parts_and_keeps_locked_or_resumable_ones(
        tmp_path, wave, cluster):
    fcntl = pytest.importorskip("fcntl")
    out = tmp_path / "out"
    out.mkdir()
    unrecorded = out / ".textmine-run-aaaaaaaaaaaa.tmp"  # a run killed before it recorded its settings (fresh)
    unrecorded.mkdir()
    other = out / ".textmine-run-bbbbbbbbbbbb.tmp"
    locked = out / ".textmine-run-cccccccccccc.tmp"
    resumable = out / ".textmine-run-dddddddddddd.tmp"  # another settings' run, stopped with a coded partition
    holder = []

    def others_appear(done, total, seconds):  # runs with other settings start while this one codes
        if holder:
            return
        other.mkdir()
        (other / RESUME).write_text(json.dumps({"key": "bbbbbbbbbbbb", "fingerprint": {}, "done": {}}))
        resumable.mkdir()
        (resumable / RESUME).write_text(json.dumps({"key": "dddddddddddd", "fingerprint": {},
                                                    "done": {"0": {"path": "part-00000.parquet"}}}))
        locked.mkdir()
        fh = open(locked / "_lock", "w", encoding="utf-8")
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        holder.append(fh)

    said: list[str] = []
    try:
        info = _code(wave, out, cluster, progress=others_appear, warn=said.append)
        assert info.n_rows == 60 and (out / distributed.MANIFEST).exists()
        assert _stages(out) == [locked.name, resumable.name]  # the held one and the resumable one kept
        lines = [m for m in said if m.startswith("removed ")]
        assert lines == [f"removed 2 stale run folder(s) from {out} (unfinished runs that kept no coded partition, "
                         f"no run writing to them): {unrecorded.name}, {other.name}"], said
    finally:
        for fh in holder:
            fh.close()


def test_the_start_clean_up_never_removes_a_locked_folder(tmp_path, wave, cluster):
    fcntl = pytest.importorskip("fcntl")
    out = tmp_path / "out"
    out.mkdir()
    old = time.time() - 2 * distributed.STALE_STAGE_S
    for name in ("dddddddddddd", "eeeeeeeeeeee"):
        (out / f".textmine-run-{name}.tmp").mkdir()
    with open(out / ".textmine-run-eeeeeeeeeeee.tmp" / "_lock", "w", encoding="utf-8") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a live run, quiet for long, without its record yet
        for name in ("dddddddddddd", "eeeeeeeeeeee"):
            os.utime(out / f".textmine-run-{name}.tmp", (old, old))
        said: list[str] = []
        with pytest.raises(ValueError, match="another textmine run is writing to"):
            _code(wave, out, cluster, warn=said.append)
        assert _stages(out) == [".textmine-run-eeeeeeeeeeee.tmp"]
        assert [m for m in said if m.startswith("removed ")] == [
            f"removed 1 stale run folder(s) from {out} (left by runs killed before they recorded their settings): "
            f".textmine-run-dddddddddddd.tmp"], said


def test_a_resumed_runs_own_folder_lock_is_held_on_without_a_gap(tmp_path, wave, cluster, monkeypatch):
    fcntl = pytest.importorskip("fcntl")
    out = tmp_path / "out"
    _interrupted(wave, out, cluster)
    (own,) = _stages(out)
    real, calls, racer = distributed._lock_stage, [], []

    def lock_stage(stage, out_dir):
        if stage.name == own and calls:  # lock released and taken again: another run takes it in between
            fh = open(stage / "_lock", "a+", encoding="utf-8")
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fh.write("started in the gap, process 4242")
                fh.flush()
            except OSError:
                fh.close()
            else:
                racer.append(fh)
        if stage.name == own:
            calls.append(stage)
        return real(stage, out_dir)

    monkeypatch.setattr(distributed, "_lock_stage", lock_stage)
    said: list[str] = []
    try:
        info = _code(wave, out, cluster, warn=said.append)
    finally:
        for fh in racer:
            fh.close()
    assert len(calls) == 1 and not racer
    assert info.n_rows == 60 and "resumed: 1 of 3 partitions already coded" in " ".join(said), said


def test_a_failed_fingerprint_leaves_no_out_folder(tmp_path, wave, cluster, monkeypatch):
    monkeypatch.setenv("TEXTMINE_E5_ENGINE", "gpu")  # (the zero-shot fingerprint asks for the engine: refused)
    out = tmp_path / "new" / "out"
    with pytest.raises(ValueError, match="TEXTMINE_E5_ENGINE must be one of"):
        _code(wave, out, cluster, model=None, warn=lambda m: None)
    assert not (tmp_path / "new").exists()


def test_a_rebuild_differing_only_in_build_time_resumes(tmp_path, wave, cluster, fresh_cache, in_cache):
    first, rebuilt = fresh_cache("zs-c"), _other_build(fresh_cache, "zs-d", _later_build_time)
    out = tmp_path / "out"
    with in_cache(first):
        _interrupted(wave, out, cluster, model=None)
    said: list[str] = []
    with in_cache(rebuilt):
        info = _code(wave, out, cluster, model=None, warn=said.append)
    assert info.n_rows == 60 and "resumed: 1 of 3 partitions already coded" in " ".join(said), said


def test_the_e5_spec_is_lower_cased_in_the_fingerprint():
    assert distributed._zero_shot_embedder("E5") == distributed._zero_shot_embedder("e5")
    assert distributed._zero_shot_embedder("E5").startswith("e5@")


def test_the_sweeps_skip_symlinks_and_names_that_are_no_run_key(tmp_path):
    out, outside = tmp_path / "out", tmp_path / "precious"
    out.mkdir()
    outside.mkdir()
    (outside / "data.txt").write_text("keep me")
    link = out / ".textmine-run-abcdefabcdef.tmp"
    link.symlink_to(outside)
    short = out / ".textmine-run-abc123.tmp"  # (a run's key has 12 hex digits)
    short.mkdir()
    old = time.time() - 2 * distributed.STALE_STAGE_S
    for p in (outside, link, short):
        os.utime(p, (old, old), follow_symlinks=False)
    said: list[str] = []
    assert distributed._stage_dirs(out) == []
    assert distributed._sweep_stages(out, None, said.append, unrecorded_older_than=distributed.STALE_STAGE_S) == []
    assert distributed._sweep_stages(out, "0" * 12, said.append) == []
    assert said == [] and link.is_symlink() and short.is_dir()
    assert sorted(p.name for p in outside.iterdir()) == ["data.txt"]  # (no _lock written through the link)


def test_the_final_sweep_keeps_a_stage_with_coded_parts(tmp_path):
    out = tmp_path / "out"
    names = {k: out / f".textmine-run-{k * 12}.tmp" for k in "abcd"}
    for stage in names.values():
        stage.mkdir(parents=True)
    done = {"b": {}, "c": {"0": {"path": "part-00000.parquet"}}}  # (a: no record; d: this run's)
    for k, parts in done.items():
        (names[k] / RESUME).write_text(json.dumps({"key": k * 12, "fingerprint": {}, "done": parts}))
    said: list[str] = []
    removed = distributed._sweep_stages(out, "d" * 12, said.append)
    assert removed == [names["a"].name, names["b"].name] and _stages(out) == [names["c"].name, names["d"].name]
    assert said == [f"removed 2 stale run folder(s) from {out} (unfinished runs that kept no coded partition, no run "
                    f"writing to them): {names['a'].name}, {names['b'].name}"]


def test_a_stage_that_cannot_be_removed_is_named_in_one_line(tmp_path, monkeypatch):
    pytest.importorskip("fcntl")
    out = tmp_path / "out"
    no_lock, stuck = out / f".textmine-run-{'a' * 12}.tmp", out / f".textmine-run-{'b' * 12}.tmp"
    for stage in (no_lock, stuck):
        (stage / "sub").mkdir(parents=True)
        (stage / "sub" / "answers.txt").write_text("Kari Nordmann, 12345678")
    real_open, real_unlink = open, os.unlink

    def refused_open(path, *a, **k):  # (another user's folder)
        if str(path).startswith(str(no_lock)):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *a, **k)

    def refused_unlink(path, *a, **k):
        if str(path) == "answers.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return real_unlink(path, *a, **k)

    monkeypatch.setattr(distributed, "open", refused_open, raising=False)
    monkeypatch.setattr(os, "unlink", refused_unlink)
    said: list[str] = []
    try:
        assert distributed._sweep_stages(out, None, said.append) == []
    finally:
        monkeypatch.undo()
    assert _stages(out) == [no_lock.name, stuck.name]
    assert said == [f"could not remove 2 stale run folder(s) from {out} (check their permissions, or remove them by "
                    f"hand): {no_lock.name}, {stuck.name}"]
