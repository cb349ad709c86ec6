"""``CachedEmbedder.memory_only()`` is a per-context switch (the hot-path review, 6 December, a): only the code that
opened it (and the threads it hands its work to with its context) keeps new vectors off disk; another thread
encoding on the same embedder at the same moment (a coding job) persists its vectors as usual."""

from __future__ import annotations

import contextvars
import threading

import numpy as np

from textmine.embed import CachedEmbedder, EmbeddingCache, normalize_text


class SlowEmbedder:
    """Unit vectors seeded by the text; every encode waits at ``barrier`` (when set) so two threads overlap."""

    name = "slow"
    dimension = 8
    version = "v1"

    def __init__(self, barrier: threading.Barrier | None = None):
        self.barrier = barrier

    def encode(self, texts, *, batch_size=64, show_progress=False):
        if self.barrier is not None:
            self.barrier.wait(5)  # both threads are inside encode here: their modes overlap in time
        out = np.stack([np.random.default_rng(sum(map(ord, t))).normal(size=self.dimension) for t in texts])
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def _on_disk(emb: CachedEmbedder, text: str) -> bool:
    store = EmbeddingCache(emb.store.path)
    try:
        return bool(store.get_many(emb.model_key, [store.key(normalize_text(text))], emb.dimension))
    finally:
        store.close()


def _in_thread(fn) -> threading.Thread:
    errors: list[BaseException] = []

    def target():
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - reported by the test through join_all
            errors.append(exc)

    t = threading.Thread(target=target)
    t.errors = errors  # type: ignore[attr-defined]
    t.start()
    return t


def _join(*threads: threading.Thread) -> None:
    for t in threads:
        t.join(10)
        assert not t.is_alive(), "a thread did not finish"
        if t.errors:  # type: ignore[attr-defined]
            raise t.errors[0]  # type: ignore[attr-defined]


def test_another_threads_encoding_at_the_same_time_is_persisted(tmp_path):
    emb = CachedEmbedder(SlowEmbedder(threading.Barrier(2)), EmbeddingCache(tmp_path / "v.sqlite"))
    a, b = "Klassifisert tekst A: Kari ringte", "Jobbtekst B: lang ventetid"

    def classify():
        with emb.memory_only():
            emb.encode([a])

    def coding_job():
        emb.encode([b])

    _join(_in_thread(classify), _in_thread(coding_job))
    assert _on_disk(emb, b)  # the job's vector is kept for later runs
    assert not _on_disk(emb, a)  # the memory-only call's vector is not
    emb.store.close()


def test_a_thread_given_the_context_keeps_the_mode_and_a_bare_thread_does_not(tmp_path):
    emb = CachedEmbedder(SlowEmbedder(), EmbeddingCache(tmp_path / "v.sqlite"))
    seen: dict[str, bool] = {}
    with emb.memory_only():
        ctx = contextvars.copy_context()  # as run_in_threadpool hands a request's work to a worker thread
        _join(_in_thread(lambda: seen.update(handed=ctx.run(lambda: emb.persisting))),
              _in_thread(lambda: seen.update(bare=emb.persisting)))
        seen["here"] = emb.persisting
    seen["after"] = emb.persisting
    assert seen == {"handed": False, "bare": True, "here": False, "after": True}
    emb.store.close()


def test_the_mode_is_per_embedder_and_nested_blocks_end_with_the_outer_one(tmp_path):
    one = CachedEmbedder(SlowEmbedder(), EmbeddingCache(tmp_path / "one.sqlite"))
    other = CachedEmbedder(SlowEmbedder(), EmbeddingCache(tmp_path / "other.sqlite"))
    with one.memory_only():
        with one.memory_only():
            assert not one.persisting and other.persisting
        assert not one.persisting  # the outer block is still open
        one.encode(["inne i den ytre blokken"])
        other.encode(["en annen innkoder"])
    assert one.persisting and not _on_disk(one, "inne i den ytre blokken")
    assert _on_disk(other, "en annen innkoder")
    one.store.close()
    other.store.close()
