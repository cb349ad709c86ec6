"""/classify's hot path (the review of 6 December, a): the coder's caching embedders are found once per loaded
coder, not by a walk of its object graph on every request; the memory-only mode follows the request's work onto the
micro-batcher's thread, and only there: a coding job encoding at the same moment still persists its vectors."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest
from conftest import hdr, issue_keys, make_settings
from fakes import KeywordCoder, keyword_coder_factory
from fastapi.testclient import TestClient

from service import erasure
from service.batcher import MicroBatcher
from textmine.embed import CachedEmbedder, EmbeddingCache, normalize_text


class Backend:
    name = "hot"
    dimension = 8
    version = "v1"

    def __init__(self):
        self.barrier: threading.Barrier | None = None

    def encode(self, texts, *, batch_size=64, show_progress=False):
        if self.barrier is not None:
            self.barrier.wait(5)
        out = np.stack([np.random.default_rng(sum(map(ord, t))).normal(size=self.dimension) for t in texts])
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


class WalkCountingCoder(KeywordCoder):
    """The keyword double with a lazily-looked-up ``embedder`` (as the library's coders have), counting lookups."""

    lookups = 0

    def __init__(self, codebook, embedder):
        super().__init__(codebook)
        self._embedder = embedder

    @property
    def embedder(self):
        type(self).lookups += 1
        return self._embedder

    def predict(self, texts, questions=None):
        self._embedder.encode(list(texts))
        return super().predict(texts, questions)


def _on_disk(emb: CachedEmbedder, texts) -> int:
    store = EmbeddingCache(emb.store.path)
    try:
        keys = [store.key(normalize_text(t)) for t in dict.fromkeys(texts)]
        return len(store.get_many(emb.model_key, keys, emb.dimension))
    finally:
        store.close()


@pytest.fixture
def env(sqlite_url, tmp_path, monkeypatch):
    cache_path = tmp_path / "emb" / "vectors.sqlite"
    monkeypatch.setenv(erasure.EMBED_CACHE_ENV, str(cache_path))
    embedder = CachedEmbedder(Backend(), EmbeddingCache(cache_path))

    def factory(codebook, model_dir):
        return WalkCountingCoder(keyword_coder_factory(codebook, model_dir).codebook, embedder)

    factory.train = keyword_coder_factory.train
    from service.app import create_app

    app = create_app(make_settings(sqlite_url, tmp_path, coder_factory=factory))
    with TestClient(app) as client:
        assert app.state.coders.ready.wait(30)
        yield client, issue_keys(app), embedder
    embedder.store.close()


def test_classify_walks_the_coder_once_not_on_every_request(env):
    client, keys, embedder = env
    texts = [f"Unik hotpath-tekst {i}: telefonen svarer ikke" for i in range(4)]
    bodies = [{"texts": [texts[0]]}, {"texts": [texts[1]], "question": "fritekst_generell"}]
    for body in bodies:  # each path once: the embedders are found
        assert client.post("/classify", json=body, headers=hdr(keys["analyst"])).status_code == 200
    after_first = WalkCountingCoder.lookups
    for body in ({"texts": [texts[2]]}, {"texts": [texts[3]], "question": "fritekst_generell"}, *bodies):
        assert client.post("/classify", json=body, headers=hdr(keys["analyst"])).status_code == 200
    assert WalkCountingCoder.lookups == after_first  # no further walk of the coder's graph
    assert _on_disk(embedder, texts) == 0  # and still nothing on disk


def _run(make_coro):
    """asyncio.run on a thread of its own: other tests (the browser ones) leave an event loop running here."""
    box: dict = {}

    def target():
        try:
            box["value"] = asyncio.run(make_coro())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            box["error"] = exc

    t = threading.Thread(target=target)
    t.start()
    t.join(30)
    if "error" in box:
        raise box["error"]
    return box.get("value")


@pytest.mark.parametrize("max_texts", [256, 1], ids=["micro-batched", "straight-through"])
def test_the_mode_holds_on_the_batcher_thread_and_not_for_a_job_beside_it(tmp_path, max_texts):
    backend = Backend()
    emb = CachedEmbedder(backend, EmbeddingCache(tmp_path / "v.sqlite"))
    batcher = MicroBatcher(lambda texts: list(texts) if emb.encode(texts) is not None else [], max_texts=max_texts)
    backend.barrier = threading.Barrier(2)  # the batch and the job encode at the same moment
    job_text, request_text = "Jobbtekst ved siden av", "Forespørselstekst på batcher-tråden"
    job = threading.Thread(target=lambda: emb.encode([job_text]))
    job.start()

    async def main():
        with emb.memory_only():  # as /classify's off_disk opens it around its step
            out = await batcher.predict([request_text])
        await batcher.close()
        return out

    assert _run(main) == [request_text]
    job.join(10)
    assert _on_disk(emb, [request_text]) == 0 and _on_disk(emb, [job_text]) == 1
    emb.store.close()


def test_a_batch_holding_one_memory_only_request_keeps_all_its_vectors_off_disk(tmp_path):
    emb = CachedEmbedder(Backend(), EmbeddingCache(tmp_path / "v.sqlite"))
    started, release = threading.Event(), threading.Event()

    def predict(texts):
        if texts == ["blokkerer"]:
            started.set()
            release.wait(5)
        emb.encode(texts)
        return list(texts)

    batcher = MicroBatcher(predict, max_texts=256)

    async def main():
        first = asyncio.ensure_future(batcher.predict(["blokkerer"]))  # holds the thread: the next two queue up
        await asyncio.get_running_loop().run_in_executor(None, started.wait, 5)
        with emb.memory_only():
            private = asyncio.ensure_future(batcher.predict(["privat tekst"]))
        plain = asyncio.ensure_future(batcher.predict(["vanlig tekst"]))
        await asyncio.sleep(0.05)
        release.set()
        out = await asyncio.gather(first, private, plain)
        await batcher.close()
        return out

    assert _run(main) == [["blokkerer"], ["privat tekst"], ["vanlig tekst"]]
    assert _on_disk(emb, ["privat tekst", "vanlig tekst"]) == 0  # shared a call: the private one's mode holds
    emb.store.close()


def test_a_cancelled_step_keeps_its_threads_vectors_off_disk(tmp_path):
    """A request that goes away (client gone) while its worker thread still encodes: the thread keeps the mode."""
    from starlette.concurrency import run_in_threadpool

    from service.routers.classify import off_disk

    emb = CachedEmbedder(Backend(), EmbeddingCache(tmp_path / "v.sqlite"))
    entered, release = threading.Event(), threading.Event()

    def encode(part):
        entered.set()
        release.wait(5)
        emb.encode(part)
        return part

    async def main():
        step = asyncio.ensure_future(off_disk([emb], lambda part: run_in_threadpool(encode, part))(["forlatt tekst"]))
        await asyncio.get_running_loop().run_in_executor(None, entered.wait, 5)
        step.cancel()
        await asyncio.sleep(0.05)
        release.set()
        try:
            await step
        except asyncio.CancelledError:
            pass
        for _ in range(100):  # until the worker thread has encoded
            if emb.encoded_texts:
                break
            await asyncio.sleep(0.01)

    _run(main)
    assert emb.encoded_texts == 1 and _on_disk(emb, ["forlatt tekst"]) == 0
    emb.store.close()
