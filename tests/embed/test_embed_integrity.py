"""Cached build artefacts that are damaged or left half-made: the e5-static table, the adapter's merged encoder and
the ``.build-*`` temps of killed builds (no real builds: the expensive builders are replaced by tiny fakes)."""

import os
import time
from pathlib import Path

import numpy as np
import pytest

from textmine.embed import e5_build

V = 384


def _fake_table(calls, dim=V):
    def build_table(layers=6, *, source=None, **kw):
        calls.append(layers)
        index = np.array([0, 1, 2, 0, 3], dtype=np.int32)
        return index, np.arange(4 * dim, dtype=np.float16).reshape(4, dim) / 1000

    return build_table


@pytest.fixture()
def static_env(tmp_path, monkeypatch):
    """A temp cache whose base model 'exists' (ensure_built is a no-op) and whose table builder is a tiny fake."""
    import textmine.embed.e5 as e5
    import textmine.embed.static as st

    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path))
    calls = []
    monkeypatch.setattr(e5_build, "ensure_built", lambda model_dir=None, **kw: e5_build.build_dir(model_dir))
    monkeypatch.setattr(st, "build_table", _fake_table(calls))
    monkeypatch.setattr(e5, "E5Tokenizer", lambda folder: None)
    return tmp_path, calls


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:  # same size, garbage in the middle of the vectors
        mid = len(data) // 2
        path.write_bytes(data[:mid] + os.urandom(64) + data[mid + 64:])


@pytest.mark.parametrize("how", ["truncated", "garbage"])
def test_damaged_static_table_is_rebuilt_with_a_warning(static_env, how):
    from textmine.embed.static import load_static

    root, calls = static_env
    first = load_static(model_dir=root)
    table = e5_build.build_dir(root) / "static" / "e5-static-s1-l6.npz"
    good = table.read_bytes()
    _damage(table, how)
    with pytest.warns(UserWarning, match="damaged.*rebuilding"):
        again = load_static(model_dir=root)
    assert calls == [6, 6] and table.read_bytes() == good
    np.testing.assert_array_equal(again.vectors, first.vectors)
    np.testing.assert_array_equal(again.index, first.index)


def test_static_table_still_damaged_after_rebuild_names_file_and_setting(static_env, monkeypatch):
    import textmine.embed.static as st

    root, calls = static_env
    monkeypatch.setattr(st, "build_table", _fake_table(calls, dim=10))  # a builder that writes a wrong table
    with pytest.raises(RuntimeError, match=r"e5-static-s1-l6\.npz.*TEXTMINE_CACHE_DIR"):
        st.load_static(model_dir=root)


def test_damaged_adapted_model_is_rebuilt_against_its_manifest(tmp_path, monkeypatch):
    import onnx
    from onnx import helper

    from textmine.embed.adapter import EncoderAdapter

    calls = []
    monkeypatch.setattr(e5_build, "ensure_built", lambda model_dir=None, **kw: e5_build.build_dir(model_dir))
    monkeypatch.setattr(e5_build, "read_model", lambda path: None)

    def graph(m, **kw):
        calls.append(kw["layers"])
        return helper.make_model(helper.make_graph([], "g", [], [], [onnx.numpy_helper.from_array(
            np.arange(4096, dtype=np.float32), "w")]))

    monkeypatch.setattr(e5_build, "_bert_graph", graph)
    adapter = EncoderAdapter(6, 1, 1.0, {})
    path = e5_build.ensure_adapted(adapter, tmp_path)
    good = path.read_bytes()
    assert e5_build.ensure_adapted(adapter, tmp_path) == path and calls == [6]  # intact: not rebuilt
    _damage(path, "garbage")  # same size: only the hash can tell
    with pytest.warns(UserWarning, match="damaged"):
        assert e5_build.ensure_adapted(adapter, tmp_path) == path
    assert calls == [6, 6] and path.read_bytes() == good


def _aged(path: Path, hours: float = 2) -> Path:
    t = time.time() - hours * 3600
    os.utime(path, (t, t))
    return path


def test_stale_build_temps_are_removed_when_a_build_takes_the_lock(tmp_path):
    root = e5_build.build_dir(tmp_path)
    (root / "static").mkdir(parents=True)
    old_file = root / "static" / ".build-old.npz"
    old_file.write_bytes(b"half")
    _aged(old_file)
    fresh = root / "static" / ".build-fresh.npz"  # a concurrent builder's temp
    fresh.write_bytes(b"busy")
    old_dir = root / "static" / ".build-olddir"
    (old_dir / "sub").mkdir(parents=True)
    _aged(old_dir)
    e5_build.build_file_once(root / "static" / "t.npz", lambda tmp: Path(tmp).write_bytes(b"ok"))
    assert (root / "static" / "t.npz").read_bytes() == b"ok"
    assert not old_file.exists() and not old_dir.exists() and fresh.exists()


def test_stale_model_build_folders_are_removed_when_the_model_is_built(tmp_path, monkeypatch):
    import json

    def build(out, *, source=None):
        out = Path(out)
        for f in e5_build.FILES[:-1]:
            (out / f).write_bytes(f.encode())
        (out / "manifest.json").write_text(json.dumps({"files": {f: e5_build._sha(out / f)
                                                                 for f in e5_build.FILES[:-1]}}))
        return out

    monkeypatch.setattr(e5_build, "build", build)
    parent = e5_build.build_dir(tmp_path).parent
    (parent / ".build-killed").mkdir(parents=True)
    _aged(parent / ".build-killed")
    (parent / ".build-running").mkdir()
    e5_build.ensure_built(tmp_path)
    assert not (parent / ".build-killed").exists() and (parent / ".build-running").exists()
