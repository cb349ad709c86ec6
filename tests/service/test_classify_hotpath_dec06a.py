"""/classify's hot path (the review of 6 December, a): the coder's caching embedders are found once per loaded
coder, not by a walk of its object graph on every request; the memory-only mode follows the request's work onto the
micro-batcher's thread, and only there: a coding job encoding at the same moment still persists its vectors."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest
from conftest import embedding_service, hdr, run_async, vectors_on_disk
from fakes import EmbeddingKeywordCoder

from service.batcher import MicroBatcher
from textmine.embed import CachedEmbedder, EmbeddingCache


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


class WalkCountingCoder(EmbeddingKeywordCoder):
    """The embedding keyword double with a lazily-looked-up ``embedder`` (as the library's coders have), counting
    lookups."""

    lookups = 0

    @property
    def embedder(self):
        type(self).lookups += 1
        return self._embedder


@pytest.fixture
def env(sqlite_url, tmp_path, monkeypatch):
    with embedding_service(sqlite_url, tmp_path, monkeypatch, Backend(), WalkCountingCoder) as service:
        yield service


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
    assert vectors_on_disk(embedder, texts) == 0  # and still nothing on disk


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

    assert run_async(main, timeout=30) == [request_text]
    job.join(10)
    assert vectors_on_disk(emb, [request_text]) == 0 and vectors_on_disk(emb, [job_text]) == 1
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

    assert run_async(main, timeout=30) == [["blokkerer"], ["privat tekst"], ["vanlig tekst"]]
    assert vectors_on_disk(emb, ["privat tekst", "vanlig tekst"]) == 0  # shared a call: the private one's mode holds
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

    run_async(main, timeout=30)
    assert emb.encoded_texts == 1 and vectors_on_disk(emb, ["forlatt tekst"]) == 0
    emb.store.close()
