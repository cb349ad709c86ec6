"""Embedding cache keys: keyed by a per-cache secret, shared across instances, old unkeyed rows purged once."""

import errno
import hashlib
import logging
import os
import sqlite3
import stat
import subprocess
import sys
import threading

import numpy as np
import pytest

from textmine.embed import CachedEmbedder, CacheUnavailable, EmbeddingCache, get_embedder
from textmine.embed import cache as cache_mod

SECRET_TEXT = "Kari Nordmann er sykmeldt for depresjon"


class UnitEmbedder:
    name = "unit"
    dimension = 4
    version = "v1"

    def __init__(self):
        self.seen: list[str] = []

    def encode(self, texts, *, batch_size=64, show_progress=False):
        self.seen.extend(texts)
        out = np.array([[len(t) + 1, t.count("e"), 1.0, sum(map(ord, t)) % 11] for t in texts], dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def stored_keys(path) -> set[bytes]:
    con = sqlite3.connect(path)
    try:
        return {bytes(k) for (k,) in con.execute("SELECT key FROM vectors")}
    finally:
        con.close()


def test_outsider_hashing_a_known_text_finds_no_row(tmp_path):
    path = tmp_path / "v.sqlite"
    store = EmbeddingCache(path)
    CachedEmbedder(UnitEmbedder(), store).encode([SECRET_TEXT])
    keys = stored_keys(path)
    guesses = {hashlib.blake2b(SECRET_TEXT.encode(), digest_size=n).digest() for n in (16, 32, 64)}
    guesses |= {hashlib.sha256(SECRET_TEXT.encode()).digest(), hashlib.md5(SECRET_TEXT.encode()).digest()}
    assert len(keys) == 1 and not keys & guesses
    assert keys == {store.key(SECRET_TEXT)}


def test_two_instances_on_one_path_share_the_secret_and_hit(tmp_path):
    path = tmp_path / "v.sqlite"
    first = EmbeddingCache(path)
    CachedEmbedder(UnitEmbedder(), first).encode(["a", SECRET_TEXT])
    second = EmbeddingCache(path)
    inner = UnitEmbedder()
    emb = CachedEmbedder(inner, second)
    emb.encode([SECRET_TEXT, "a"])
    assert inner.seen == [] and emb.cache_hits == 2
    assert second.key("a") == first.key("a") and first.key_path == tmp_path / "v.sqlite.key"
    other = EmbeddingCache(tmp_path / "other" / "v.sqlite")  # another cache: another secret
    assert other.key("a") != first.key("a")


def test_racing_creators_agree_on_one_secret(tmp_path):
    path = tmp_path / "v.sqlite.key"
    barrier, got = threading.Barrier(8), []

    def create():
        barrier.wait()
        got.append(cache_mod.read_or_create_secret(path))

    threads = [threading.Thread(target=create) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(got) == 8 and len(set(got)) == 1 and got[0] == path.read_bytes() and len(got[0]) == 32
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.sqlite.key"]  # no temporary files left


WORKER = """
import sys
import numpy as np
from textmine.embed.cache import EmbeddingCache
store = EmbeddingCache(sys.argv[1])
i = int(sys.argv[2])
vec = np.zeros(4, np.float32); vec[i % 4] = 1.0
store.put_many("unit|v1", [(store.key(f"svar {i}"), vec)])
print(store.key("felles").hex())
"""


def test_processes_sharing_a_cache_folder_share_secret_and_rows(tmp_path):
    path = tmp_path / "v.sqlite"
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(path), str(i)], stdout=subprocess.PIPE, text=True)
             for i in range(4)]
    keys = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0] and len(set(keys)) == 1
    store = EmbeddingCache(path)
    assert keys[0] == store.key("felles").hex()
    got = store.get_many("unit|v1", [store.key(f"svar {i}") for i in range(4)], 4)
    assert len(got) == 4 and store.count() == 4


def test_secret_file_is_private_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        store = EmbeddingCache(tmp_path / "v.sqlite")
    finally:
        os.umask(old)
    assert stat.S_IMODE(store.key_path.stat().st_mode) == 0o600


def test_without_hard_links_the_secret_is_still_created_privately(tmp_path, monkeypatch):
    def no_link(*a, **k):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_link)
    path = tmp_path / "v.sqlite.key"
    secret = cache_mod.read_or_create_secret(path)
    assert secret == path.read_bytes() and len(secret) == 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cache_mod.read_or_create_secret(path) == secret
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.sqlite.key"]


def test_a_failed_secret_write_leaves_no_file(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(CacheUnavailable, match="No space"):
        EmbeddingCache(tmp_path / "v.sqlite")
    assert list(tmp_path.iterdir()) == []


def test_damaged_secret_makes_the_cache_unavailable_with_a_reason(tmp_path):
    (tmp_path / "v.sqlite.key").write_bytes(b"short")
    with pytest.raises(CacheUnavailable, match="holds 5 bytes, expected 32"):
        EmbeddingCache(tmp_path / "v.sqlite")


def make_old_store(path, texts) -> None:
    """A store as the unkeyed version wrote it: no meta table, user_version 0, plain blake2b keys."""
    con = sqlite3.connect(path)
    with con:
        con.execute(cache_mod._SCHEMA)
        vecs = UnitEmbedder().encode(texts)
        con.executemany("INSERT INTO vectors VALUES (?, ?, ?)",
                        [("unit|v1", hashlib.blake2b(t.encode(), digest_size=16).digest(), v.tobytes())
                         for t, v in zip(texts, vecs)])
    con.close()


def test_old_unkeyed_rows_are_purged_once_with_a_log_line(tmp_path, caplog):
    path = tmp_path / "v.sqlite"
    make_old_store(path, [SECRET_TEXT, "b", "c"])
    with caplog.at_level(logging.INFO, logger="textmine.embed.cache"):
        store = EmbeddingCache(path)
    msgs = [r.getMessage() for r in caplog.records if r.name == "textmine.embed.cache" and r.levelno == logging.INFO]
    assert store.count() == 0 and len(msgs) == 1 and "dropped 3 vectors" in msgs[0] and "unkeyed" in msgs[0]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # the old store was 0644: tightened (with a warning)
    assert SECRET_TEXT not in msgs[0]
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == cache_mod._VERSION
    con.close()
    inner = UnitEmbedder()
    CachedEmbedder(inner, store).encode([SECRET_TEXT, "b"])
    assert inner.seen == [SECRET_TEXT, "b"]  # encoded again, not served from an old row
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="textmine.embed.cache"):
        again = EmbeddingCache(path)
    assert again.count() == 2 and not [r for r in caplog.records if r.name == "textmine.embed.cache"]


def test_rows_under_a_replaced_secret_are_purged(tmp_path):
    path = tmp_path / "v.sqlite"
    store = EmbeddingCache(path)
    CachedEmbedder(UnitEmbedder(), store).encode(["a", "b"])
    store.close()
    store.key_path.unlink()
    fresh = EmbeddingCache(path)
    assert fresh.count() == 0 and fresh.key("a") != store.key("a")


def test_a_newer_store_format_is_not_used(tmp_path):
    path = tmp_path / "v.sqlite"
    EmbeddingCache(path).close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.close()
    with pytest.raises(CacheUnavailable, match="format 99, newer"):
        EmbeddingCache(path)


def test_unwritable_cache_folder_degrades_to_memory(tmp_path, monkeypatch):
    def denied(path, data):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(cache_mod, "_write_exclusive", denied)  # as root a chmod would not stop the write
    with pytest.warns(RuntimeWarning, match="TEXTMINE_CACHE_DIR"):
        emb = get_embedder("lexical", cache_dir=tmp_path)
    assert emb.store is None and not (tmp_path / "embeddings" / "vectors.sqlite").exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_cache_folder_degrades_gracefully(tmp_path):
    folder = tmp_path / "embeddings"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(CacheUnavailable, match="writable"):
            EmbeddingCache(folder / "vectors.sqlite")
        with pytest.warns(RuntimeWarning, match="TEXTMINE_CACHE_DIR"):
            emb = get_embedder("lexical", cache_dir=tmp_path)
        assert emb.store is None
    finally:
        folder.chmod(0o755)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_with_a_filled_cache_never_crashes(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    texts = ["a", SECRET_TEXT]
    store = EmbeddingCache(folder / "v.sqlite")
    ref = CachedEmbedder(UnitEmbedder(), store).encode(texts)
    store.close()
    folder.chmod(0o555)
    try:
        try:
            ro = EmbeddingCache(folder / "v.sqlite")
        except CacheUnavailable:
            ro = None
        got = CachedEmbedder(UnitEmbedder(), ro).encode(texts)
        assert np.array_equal(got, ref)
    finally:
        folder.chmod(0o755)


def test_vectors_are_byte_identical_to_a_cache_less_encode(tmp_path):
    texts = [SECRET_TEXT, "Bra", "Bra", "Lang ventetid på telefon", ""]
    plain = np.asarray(UnitEmbedder().encode(texts), dtype=np.float32)
    path = tmp_path / "v.sqlite"
    first = CachedEmbedder(UnitEmbedder(), EmbeddingCache(path)).encode(texts)
    inner = UnitEmbedder()
    second = CachedEmbedder(inner, EmbeddingCache(path)).encode(texts)
    memory = CachedEmbedder(UnitEmbedder()).encode(texts)
    assert inner.seen == []
    for got in (first, second, memory):
        assert got.dtype == np.float32 and got.tobytes() == plain.tobytes()


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_cache_folder_store_and_key_are_private_under_umask_022(tmp_path):
    folder = tmp_path / "ny" / "embeddings"
    old = os.umask(0o022)
    try:
        store = EmbeddingCache(folder / "vectors.sqlite")
        CachedEmbedder(UnitEmbedder(), store).encode([SECRET_TEXT])  # the WAL now holds the row
    finally:
        os.umask(old)
    assert {p.name: _mode(p) for p in folder.iterdir()} == {
        "vectors.sqlite": 0o600, "vectors.sqlite-wal": 0o600, "vectors.sqlite-shm": 0o600,
        "vectors.sqlite.key": 0o600}
    assert _mode(folder) == 0o700 and _mode(folder.parent) == 0o700
    store.close()


def test_an_existing_folder_keeps_its_mode(tmp_path):
    folder = tmp_path / "felles"
    folder.mkdir()
    folder.chmod(0o755)
    EmbeddingCache(folder / "v.sqlite")
    assert _mode(folder) == 0o755 and _mode(folder / "v.sqlite") == 0o600


def test_loose_existing_key_and_store_are_tightened_with_a_warning(tmp_path, caplog):
    path = tmp_path / "v.sqlite"
    store = EmbeddingCache(path)
    CachedEmbedder(UnitEmbedder(), store).encode([SECRET_TEXT])
    secret = store.key_path.read_bytes()
    store.close()
    store.key_path.chmod(0o644)
    path.chmod(0o664)
    with caplog.at_level(logging.WARNING, logger="textmine.embed.cache"):
        again = EmbeddingCache(path)
    assert _mode(store.key_path) == 0o600 and _mode(path) == 0o600
    assert again.key_path.read_bytes() == secret and again.count() == 1  # same secret, rows kept
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("v.sqlite.key had mode 644" in m for m in warned), warned
    assert any("v.sqlite had mode 664" in m for m in warned), warned


def test_a_private_key_is_not_touched_and_nothing_is_logged(tmp_path, caplog):
    path = tmp_path / "v.sqlite"
    EmbeddingCache(path).close()
    with caplog.at_level(logging.WARNING, logger="textmine.embed.cache"):
        EmbeddingCache(path)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
