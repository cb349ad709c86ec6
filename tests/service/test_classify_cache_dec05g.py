"""``POST /classify`` texts leave no vectors in the embedding cache on disk (nothing ties them to a respondent, so no
erasure could remove them), on every path (micro-batched, with a question, with a codebook); repeats are served
from memory; a coding job of a stored wave still fills the cache, where an erasure finds its texts (the DPIA
review, 5 December, g)."""

from __future__ import annotations


import numpy as np
import pytest
from conftest import coded_job, create_survey, hdr, issue_keys, make_settings, sample_frame, uploaded_wave
from fakes import KeywordCoder, keyword_coder_factory
from fastapi.testclient import TestClient
from sqlalchemy import select

from service import erasure
from service.db.models import Response
from service.coders import cached_embedders
from textmine.embed import CachedEmbedder, EmbeddingCache, normalize_text


class CountingBackend:
    name = "counting"
    dimension = 8
    version = "v1"

    def __init__(self):
        self.seen: list[str] = []

    def encode(self, texts, *, batch_size=64, show_progress=False):
        self.seen.extend(texts)
        out = np.stack([np.random.default_rng(sum(map(ord, t)) + len(t)).normal(size=self.dimension)
                        for t in texts]).astype(np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


class EmbeddingKeywordCoder(KeywordCoder):
    """The keyword test double, embedding its texts first as the library's coders do (one shared embedder)."""

    def __init__(self, codebook, embedder):
        super().__init__(codebook)
        self._embedder = embedder

    def predict(self, texts, questions=None):
        self._embedder.encode(list(texts))
        return super().predict(texts, questions)


@pytest.fixture
def env(sqlite_url, tmp_path, monkeypatch):
    cache_path = tmp_path / "emb" / "vectors.sqlite"
    monkeypatch.setenv(erasure.EMBED_CACHE_ENV, str(cache_path))
    backend = CountingBackend()
    embedder = CachedEmbedder(backend, EmbeddingCache(cache_path))

    def factory(codebook, model_dir):
        return EmbeddingKeywordCoder(keyword_coder_factory(codebook, model_dir).codebook, embedder)

    factory.train = keyword_coder_factory.train
    app = create_app_with(make_settings(sqlite_url, tmp_path, coder_factory=factory))
    with TestClient(app) as client:
        assert app.state.coders.ready.wait(30)
        yield client, issue_keys(app), embedder, backend
    embedder.store.close()


def create_app_with(settings):
    from service.app import create_app

    return create_app(settings)


def _on_disk(embedder: CachedEmbedder, texts) -> int:
    """How many of ``texts`` have a vector in the cache file (read through a connection of its own)."""
    store = EmbeddingCache(embedder.store.path)
    try:
        keys = [store.key(normalize_text(t)) for t in dict.fromkeys(texts)]
        return len(store.get_many(embedder.model_key, keys, embedder.dimension))
    finally:
        store.close()


def test_the_default_coders_embedder_is_found(env):
    client, _, embedder, _ = env
    assert cached_embedders(client.app.state.coders.default()) == [embedder]


def test_classified_texts_leave_no_vectors_on_disk_and_repeats_come_from_memory(env):
    client, keys, embedder, backend = env
    texts = ["Unik klassifisering 7f3a: Kari ringte NAV om refusjon", "Unik klassifisering 7f3a: ventetid"]
    r = client.post("/classify", json={"texts": texts}, headers=hdr(keys["analyst"]))
    assert r.status_code == 200, r.text
    assert set(texts) <= set(backend.seen)  # they were embedded ...
    assert _on_disk(embedder, texts) == 0  # ... but not kept on disk
    with_question = {"texts": [texts[0]], "question": "fritekst_generell"}
    seen = len(backend.seen)
    for _ in range(2):  # the question path bypasses the result cache: the vector comes from memory
        assert client.post("/classify", json=with_question, headers=hdr(keys["analyst"])).status_code == 200
    assert len(backend.seen) == seen and _on_disk(embedder, texts) == 0
    assert embedder.persisting  # the mode ends with the request


def test_a_codebooks_classify_leaves_no_vectors_on_disk(env):
    client, keys, embedder, backend = env
    cb = {"name": "mini", "version": "1", "themes": [{"id": "telefon", "label": "Telefon", "keywords": ["telefon"]}]}
    cid = client.post("/codebooks", json=cb, headers=hdr(keys["analyst"])).json()["id"]
    text = "Unik klassifisering b21c: telefonen svarer ikke"
    r = client.post("/classify", json={"texts": [text], "codebook_id": cid}, headers=hdr(keys["analyst"]))
    assert r.status_code == 200, r.text
    assert text in backend.seen and _on_disk(embedder, [text]) == 0


def test_a_coding_job_still_keeps_its_vectors_where_erasure_finds_them(env):
    client, keys, embedder, _ = env
    app = client.app
    sid = create_survey(client, keys["analyst"])
    wave_id = uploaded_wave(client, keys, sid, sample_frame(12), "2022")
    coded_job(client, keys, wave_id)
    with app.state.db.session() as s:
        texts = list(s.scalars(select(Response.text_redacted).where(Response.wave_id == wave_id)))
    assert _on_disk(embedder, texts) == len(set(map(normalize_text, texts))) > 0
    assert client.delete(f"/waves/{wave_id}", headers=hdr(keys["admin"])).status_code == 200
    assert _on_disk(embedder, texts) == 0


