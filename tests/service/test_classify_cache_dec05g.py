"""``POST /classify`` texts leave no vectors in the embedding cache on disk (nothing ties them to a respondent, so no
erasure could remove them), on every path (micro-batched, with a question, with a codebook); repeats are served
from memory; a coding job of a stored wave still fills the cache, where an erasure finds its texts (the DPIA
review, 5 December, g)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import coded_job, create_survey, embedding_service, hdr, sample_frame, uploaded_wave, vectors_on_disk
from fakes import EmbeddingKeywordCoder
from sqlalchemy import select

from service.db.models import Response
from textmine.embed import normalize_text


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


@pytest.fixture
def env(sqlite_url, tmp_path, monkeypatch):
    backend = CountingBackend()
    with embedding_service(sqlite_url, tmp_path, monkeypatch, backend, EmbeddingKeywordCoder) as (client, keys, emb):
        yield client, keys, emb, backend


def test_the_default_coders_embedder_is_found(env):
    client, _, embedder, _ = env
    coders = client.app.state.coders
    assert coders.cached_embedders(coders.default()) == [embedder]


def test_classified_texts_leave_no_vectors_on_disk_and_repeats_come_from_memory(env):
    client, keys, embedder, backend = env
    texts = ["Unik klassifisering 7f3a: Kari ringte NAV om refusjon", "Unik klassifisering 7f3a: ventetid"]
    r = client.post("/classify", json={"texts": texts}, headers=hdr(keys["analyst"]))
    assert r.status_code == 200, r.text
    assert set(texts) <= set(backend.seen)  # they were embedded ...
    assert vectors_on_disk(embedder, texts) == 0  # ... but not kept on disk
    with_question = {"texts": [texts[0]], "question": "fritekst_generell"}
    seen = len(backend.seen)
    for _ in range(2):  # the question path bypasses the result cache: the vector comes from memory
        assert client.post("/classify", json=with_question, headers=hdr(keys["analyst"])).status_code == 200
    assert len(backend.seen) == seen and vectors_on_disk(embedder, texts) == 0
    assert embedder.persisting  # the mode ends with the request


def test_a_codebooks_classify_leaves_no_vectors_on_disk(env):
    client, keys, embedder, backend = env
    cb = {"name": "mini", "version": "1", "themes": [{"id": "telefon", "label": "Telefon", "keywords": ["telefon"]}]}
    cid = client.post("/codebooks", json=cb, headers=hdr(keys["analyst"])).json()["id"]
    text = "Unik klassifisering b21c: telefonen svarer ikke"
    r = client.post("/classify", json={"texts": [text], "codebook_id": cid}, headers=hdr(keys["analyst"]))
    assert r.status_code == 200, r.text
    assert text in backend.seen and vectors_on_disk(embedder, [text]) == 0


def test_a_coding_job_still_keeps_its_vectors_where_erasure_finds_them(env):
    client, keys, embedder, _ = env
    app = client.app
    sid = create_survey(client, keys["analyst"])
    wave_id = uploaded_wave(client, keys, sid, sample_frame(12), "2022")
    coded_job(client, keys, wave_id)
    with app.state.db.session() as s:
        texts = list(s.scalars(select(Response.text_redacted).where(Response.wave_id == wave_id)))
    assert vectors_on_disk(embedder, texts) == len(set(map(normalize_text, texts))) > 0
    assert client.delete(f"/waves/{wave_id}", headers=hdr(keys["admin"])).status_code == 200
    assert vectors_on_disk(embedder, texts) == 0


