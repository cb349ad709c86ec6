"""The opt-in torch-bf16 engine: same encoder as the int8 graph, closer to fp32, chosen by setting, own cache key."""

import numpy as np
import pytest

from test_adapter import TEXTS, _adapter

MORE = TEXTS + ["Vet ikke", "Saksbehandlingstida er altfor lang, vi ventar i vekevis på svar frå NAV",
                "Flott oppfølging fra veileder, rask respons og god dialog om tilrettelegging for den sykmeldte",
                "ok"]


def _cos(a, b):
    return (a * b).sum(1)


def test_bf16_engine_computes_the_int8_graphs_encoder_closer_to_fp32(e5_cache, e5_fp32):
    from textmine.embed.e5 import load_e5

    onnx12 = load_e5("int8", model_dir=e5_cache, engine="onnx")
    bf12 = load_e5("int8", model_dir=e5_cache, engine="torch-bf16")
    ref = e5_fp32.encode(MORE)
    got, int8 = bf12.encode(MORE), onnx12.encode(MORE)
    assert _cos(got, ref).min() >= 0.9995  # measured 0.99997 on 3,000 answers; int8 reaches 0.9987
    assert _cos(got, ref).mean() >= _cos(int8, ref).mean()
    l6 = load_e5("int8-l6", model_dir=e5_cache, engine="onnx").encode(MORE)
    bf6 = load_e5("int8-l6", model_dir=e5_cache, engine="torch-bf16").encode(MORE)
    assert _cos(bf6, l6).min() >= 0.998
    assert _cos(bf6, got).max() < 0.99  # six layers really stop at layer six


def test_engine_comes_from_the_setting_and_shares_the_models_identity(e5_cache, monkeypatch):
    import torch

    from textmine.embed import CachedEmbedder
    from textmine.embed.e5 import load_e5

    monkeypatch.delenv("TEXTMINE_E5_ENGINE", raising=False)
    base = load_e5("int8-l6", model_dir=e5_cache)
    assert base.engine == "onnx" and base.batch_independent and base.numerics == "onnx-int8"
    monkeypatch.setenv("TEXTMINE_E5_ENGINE", "torch-bf16")
    fast = load_e5("int8-l6", model_dir=e5_cache)
    assert fast.engine == "torch-bf16" and not fast.batch_independent
    assert (fast.name, fast.version, fast.dimension) == (base.name, base.version, base.dimension)
    assert load_e5("fp32", model_dir=e5_cache).engine == "onnx"  # the reference stays on its graph
    assert CachedEmbedder(fast).model_key != CachedEmbedder(base).model_key  # vectors never mix in a cache
    assert CachedEmbedder(base).model_key == f"{base.name}|{base.version}"  # existing caches stay valid
    threads = torch.get_num_threads()
    fast.encode(MORE)
    assert torch.get_num_threads() == threads  # one intra-op thread on the pool only, never the caller's
    monkeypatch.setenv("TEXTMINE_E5_ENGINE", "gpu")
    with pytest.raises(ValueError, match="TEXTMINE_E5_ENGINE must be one of onnx, torch-bf16; got 'gpu'"):
        load_e5("int8-l6", model_dir=e5_cache)
    with pytest.raises(ValueError, match="int8 graphs only"):
        load_e5("fp32", model_dir=e5_cache, engine="torch-bf16")


def test_bf16_engine_merges_an_adapter_like_the_onnx_graph(e5_cache):
    from textmine.embed.e5 import load_e5

    ad = _adapter(scale_b=0.02, seed=1)
    onnx = load_e5("int8-l6", model_dir=e5_cache, engine="onnx", adapter=ad)
    bf = load_e5("int8-l6", model_dir=e5_cache, engine="torch-bf16", adapter=ad)
    plain = load_e5("int8-l6", model_dir=e5_cache, engine="torch-bf16")
    assert (bf.name, bf.version) == (onnx.name, onnx.version)
    got, want, base = bf.encode(MORE), onnx.encode(MORE), plain.encode(MORE)
    assert _cos(got, want).min() >= 0.998
    assert _cos(got, base).min() < 0.999  # the update really is in the weights
    with pytest.raises(ValueError, match="6 layers"):
        load_e5("int8", model_dir=e5_cache, engine="torch-bf16", adapter=ad)
