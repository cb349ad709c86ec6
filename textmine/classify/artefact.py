"""Save/load a coder as a directory of plain files (YAML, JSON, NumPy ``.npz`` read with allow_pickle=False).

Layout::

    manifest.json   format, kind, created_at, textmine version, codebook name/version/hash (+ yaml_as_written),
                    embedder spec/name/version/dimension (+ the fine-tuned encoder adapter's file and hash),
                    parameters, theme order, type classes
    encoder_adapter.npz  only for a coder trained with ``finetune=True``: the encoder's LoRA factors (≈ 0.7 MB)
    codebook.yaml   the exact codebook the model was trained for
    arrays.npz      coefficients, intercepts, Platt parameters, thresholds, zero-shot scales, type model,
                    confidence model and out-of-fold confusion rates (when fitted)
    metrics.json    training (out-of-fold) metrics
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from ..codebook import Codebook, codebook_diff, earlier_hashes, load_codebook, same_structure

__all__ = ["ArtefactError", "save_coder", "load_coder", "read_manifest", "checked_codebook", "FORMAT"]

FORMAT = "textmine-coder/1"
#: the manifest's codebook key marking a model saved since codebook YAML text is kept as written: its hash is
#: compared strictly; a manifest without it (an earlier version's, the shipped models') also accepts the hashes
#: :func:`textmine.codebook.earlier_hashes` gives, only for a codebook of the same structure (:func:`same_structure`)
AS_WRITTEN = "yaml_as_written"


class ArtefactError(ValueError):
    """A model directory is missing, damaged, or does not match the codebook/embedder in use."""


ADAPTER_FILE = "encoder_adapter.npz"


def _embedder_info(coder: Any) -> dict[str, Any]:
    emb = coder.embedder
    info = {"spec": coder.embedder_spec, "name": str(getattr(emb, "name", type(emb).__name__)),
            "version": str(getattr(emb, "version", "")), "dimension": int(getattr(emb, "dimension", 0))}
    adapter = getattr(emb, "adapter", None)
    if adapter is not None:
        info["adapter"] = {"file": ADAPTER_FILE, "sha256": adapter.sha256, "layers": adapter.layers,
                           "rank": adapter.rank}
    return info


def _check_embedder(model_dir: Path, info: dict[str, Any], embedder: Any, part: str = "") -> None:
    """Refuse ``embedder`` unless its name/version/dimension are those the artefact (``part`` of it) was trained
    with."""
    got = (str(getattr(embedder, "name", "")), str(getattr(embedder, "version", "")), int(getattr(embedder, "dimension", 0)))
    if got != (info["name"], info["version"], int(info["dimension"])):
        raise ArtefactError(
            f"model {model_dir}{': its ' + part if part else ''} was trained with embedder {info['name']} version "
            f"{info['version']} ({info['dimension']} dims), but the embedder in use is {got[0]} version {got[1]} "
            f"({got[2]} dims); retrain the model for this embedder")


def _stage_embedder(model_dir: Path, stage: dict[str, Any]) -> tuple[Any, str]:
    """(embedder, spec) of a cascade first stage trained on its own embedder, checked against the artefact."""
    info = stage["embedder"]
    from ..embed import get_embedder

    emb = get_embedder(info["spec"])
    _check_embedder(model_dir, info, emb, "first stage")
    return emb, info["spec"]


def _load_adapter(model_dir: Path, info: dict[str, Any]) -> Any:
    from ..embed.adapter import EncoderAdapter

    path = model_dir / str(info.get("file", ADAPTER_FILE))
    if not path.exists():
        raise ArtefactError(f"{model_dir}: the model uses a fine-tuned encoder but {path.name} is missing; the "
                            "artefact is damaged — retrain")
    try:
        adapter = EncoderAdapter.load(path)
    except (ValueError, OSError, KeyError) as exc:
        raise ArtefactError(f"{path}: damaged encoder adapter ({exc}) — retrain") from exc
    if adapter.sha256 != info.get("sha256"):
        raise ArtefactError(f"{path}: encoder adapter hash {adapter.sha256[:12]} ≠ trained "
                            f"{str(info.get('sha256'))[:12]}; the file was changed after training — retrain")
    return adapter


MODEL_FILES = ("manifest.json", "codebook.yaml", "arrays.npz", "metrics.json", ADAPTER_FILE)


def save_coder(coder: Any, model_dir: str | Path) -> Path:
    """Write ``coder`` (ZeroShotCoder or trained SupervisedCoder) to ``model_dir`` (created or replaced).

    The model is written into a temporary sibling folder and swapped in by renames, so a failure or a kill
    while saving leaves the previous model whole (never a mix of old and new files). Files of an existing
    folder that are not model files (notes, a README) are carried over."""
    out = Path(model_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists() and not out.is_dir():
        raise ArtefactError(f"{out} is a file, not a model folder")
    tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp, old = out.parent / f".{out.name}.{tag}.tmp", out.parent / f".{out.name}.{tag}.old"
    tmp.mkdir()
    try:
        _write_model(coder, tmp)
        if out.exists():
            for extra in out.iterdir():
                if extra.name not in MODEL_FILES and not (tmp / extra.name).exists():
                    (shutil.copytree if extra.is_dir() else shutil.copy2)(extra, tmp / extra.name)
            os.rename(out, old)
            try:
                os.rename(tmp, out)
            except OSError:
                os.rename(old, out)  # put the previous model back
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def _write_model(coder: Any, out: Path) -> None:
    """The model's files into the (new, empty) folder ``out``."""
    from .. import __version__
    from .supervised import SupervisedCoder
    from .zeroshot import ZeroShotCoder

    arrays: dict[str, np.ndarray] = {}
    zs = coder.zeroshot if isinstance(coder, SupervisedCoder) else coder
    if not isinstance(zs, ZeroShotCoder):
        raise TypeError(f"cannot save {type(coder).__name__}")
    if zs.theme_mean_ is not None:
        arrays["zs_theme_mean"] = zs.theme_mean_.astype(np.float32)
        arrays["zs_theme_std"] = zs.theme_std_.astype(np.float32)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "kind": coder.kind,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "textmine_version": __version__,
        "codebook": {"name": coder.codebook.name, "version": coder.codebook.version, "hash": coder.codebook.hash,
                     AS_WRITTEN: True},
        "embedder": _embedder_info(coder),
        "theme_ids": coder.codebook.theme_ids,
        "zeroshot_params": zs.params(),
    }
    metrics: dict[str, Any] = {}
    if isinstance(coder, SupervisedCoder):
        coder._check_fitted()
        manifest["params"] = coder.params()
        manifest["init_params"] = _init_params(coder)
        arrays.update(_supervised_arrays(coder))
        if coder.type_model_ is not None:
            manifest["type_classes"] = [str(c) for c in coder.type_model_.classes_]
        if coder.lexical_ is not None:  # the cascade's lexical first stage: arrays under "lexical/"
            lex = coder.lexical_
            manifest["lexical_stage"] = {"gate": coder.lexical_gate_, "params": lex.params(),
                                         "init_params": _init_params(lex),
                                         "type_classes": [str(c) for c in lex.type_model_.classes_]}
            if not lex.lexical_only:  # a first stage on its own (cheap) embedder
                manifest["lexical_stage"]["embedder"] = _embedder_info(lex)
            arrays.update({f"lexical/{k}": v for k, v in _supervised_arrays(lex).items()})
        manifest["training_data"] = [recorded_training_file(p) for p in getattr(coder, "training_data_", None) or []]
        asked = getattr(coder, "training_questions_", None)
        if asked:  # how train --survey found the answers that only repeat their question (survey wordings, no data)
            manifest["training_questions"] = asked
        metrics = {"training": coder.training_metrics_, **getattr(coder, "extra_metrics_", {})}
    adapter = getattr(coder.embedder, "adapter", None)
    if adapter is not None:
        adapter.save(out / ADAPTER_FILE)
    (out / "codebook.yaml").write_text(coder.codebook.to_yaml(), encoding="utf-8")
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False, default=_json_default),
                                      encoding="utf-8")
    np.savez_compressed(out / "arrays.npz", **arrays)


def _init_params(coder: Any) -> dict[str, Any]:
    """The constructor arguments as given (``get_params``), less the codebook and embedder (stored apart) and any
    value JSON would not give back as it is: what :func:`load_coder` restores so ``get_params`` is unchanged
    (``params()`` holds the settings derived from them, e.g. ``emb_scale`` 0 for ``lexical_only``)."""
    out = {}
    for k, v in coder.get_params(deep=False).items():
        if k in ("codebook", "embedder"):
            continue
        try:
            if json.loads(json.dumps(v)) == v and type(json.loads(json.dumps(v))) is type(v):
                out[k] = v
        except (TypeError, ValueError):
            pass
    return out


def _supervised_arrays(coder: Any) -> dict[str, np.ndarray]:
    arrays = {"coef": coder.coef_.astype(np.float32), "intercept": coder.intercept_.astype(np.float32),
              "platt": coder.platt_.astype(np.float64), "thresholds": coder.thresholds_.astype(np.float64),
              "trained": coder.trained_.astype(np.int8),
              "blend": (coder.blend_ if coder.blend_ is not None else coder.trained_).astype(np.float64)}
    if coder.conf_model_ is not None:
        arrays["conf_model"] = np.asarray(coder.conf_model_, dtype=np.float64)
    if coder.share_rates_ is not None:
        arrays["share_rates"] = np.asarray(coder.share_rates_, dtype=np.float64)
    if coder.type_model_ is not None:
        arrays.update(coder.type_model_.to_arrays())
    if coder.base_prior_ is not None:
        arrays["base_prior"] = np.asarray(coder.base_prior_, dtype=np.float64)
    if coder.question_priors_:  # routed questions: ids as a unicode array (no pickle), rates row by row
        qs = sorted(coder.question_priors_)
        arrays["question_ids"] = np.array(qs, dtype=str)
        arrays["question_priors"] = np.vstack([coder.question_priors_[q] for q in qs]).astype(np.float64)
    return arrays


def _restore_supervised(coder: Any, arrays: dict[str, np.ndarray], type_classes: list[str] | None,
                        model_dir: Path, what: str) -> None:
    """Set a SupervisedCoder's fitted parts from ``arrays``; checks shapes against the codebook/embedder."""
    from .typefacet import TypeClassifier

    coder.coef_, coder.intercept_ = arrays["coef"], arrays["intercept"]
    coder.platt_, coder.thresholds_ = arrays["platt"], arrays["thresholds"]
    coder.trained_ = arrays["trained"].astype(bool)
    coder.blend_ = arrays["blend"] if "blend" in arrays else coder.trained_.astype(np.float64)
    coder.conf_model_ = arrays.get("conf_model")
    coder.share_rates_ = arrays.get("share_rates")
    coder.base_prior_ = arrays.get("base_prior")
    qids, qpri = arrays.get("question_ids"), arrays.get("question_priors")
    if (qids is None) != (qpri is None) or (qids is not None and (qpri.shape != (len(qids), len(coder.codebook))
                                                                or coder.base_prior_ is None)):
        raise ArtefactError(f"{model_dir}: arrays.npz holds inconsistent {what} question priors; the artefact is "
                            "damaged — retrain")
    coder.question_priors_ = {} if qids is None else {str(q): qpri[i] for i, q in enumerate(qids.tolist())}
    if coder.confidence == "stacked" and coder.conf_model_ is None:
        raise ArtefactError(f"{model_dir}: arrays.npz lacks the {what} confidence model; the artefact is damaged — "
                            "retrain")
    if "type_coef" in arrays:
        coder.type_model_ = TypeClassifier.from_arrays(arrays, type_classes)
    k = len(coder.codebook)
    width = (int(getattr(coder.embedder, "dimension", 0)) + coder.hash_features + coder.char_features
             + k * (2 if coder.zero_shot_prior else 1))
    if coder.coef_.shape != (k, width):
        raise ArtefactError(f"{model_dir}: arrays.npz holds {what} coefficients of shape {coder.coef_.shape}, "
                            f"expected ({k}, {width}) for this codebook/embedder; the artefact is damaged — retrain")


def _json_default(v: Any) -> Any:
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, np.ndarray):
        return v.tolist()
    raise TypeError(type(v).__name__)


#: a training file's name that holds personal data, as a model's manifest records it (its suffix kept)
HIDDEN_FILE_NAME = "(navn skjult)"
_TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".sav", ".parquet", ".pq", ".json")


def recorded_training_file(path: str | Path) -> str:
    """A training (or corrections) file as a model's manifest records it (``training_data``): the path as given
    (absolute for models trained now: ``review --corrections`` and the report find the file anywhere), only its
    name when a folder on the way holds an identifying number (:func:`_identifying_number`; a name alone keeps it), and «(navn skjult).csv» when the name itself does
    (:func:`textmine.pipeline.personal_name`, an id read as words too: "kari_nordmann_15038512363.csv"), as the
    coded file's record names a model. Applied again to what it returns, it returns the same."""
    from ..pipeline import personal_name

    p = Path(str(path))
    if personal_name(p.name):
        suffix = p.suffix.lower()  # a table's suffix only: in "ola.nordmann" the "suffix" is the surname
        return HIDDEN_FILE_NAME + (suffix if suffix in _TABLE_SUFFIXES else "")
    folders = p.parts[:-1][1:] if p.anchor else p.parts[:-1]
    return p.name if any(_identifying_number(f) for f in folders) else str(path)


def _identifying_number(folder: str) -> bool:
    """A folder name holding a fødselsnummer, phone, account … (also read as an id's words). A name alone does not
    count: analysts' home folders are named after them ("/home/kari"), and the path lets ``review --corrections``
    find the file again."""
    from ..disclosure import identifier_words
    from ..labelcheck import personal_data_counts

    kinds = {**personal_data_counts(folder), **personal_data_counts(identifier_words(folder))}
    return any(k != "navn" for k in kinds)


def recorded_paths(recorded: str | Path, model_dir: str | Path | None = None) -> list[Path]:
    """Where a training file a model records (``training_data``) is now, existing places only, first choice
    first: an absolute path as recorded (models trained now); else relative to the working directory, then to the
    model directory or one of its three parents (older models recorded the path as typed)."""
    p = Path(str(recorded))
    if p.is_absolute():
        return [p] if p.exists() else []
    cands = [p]
    if model_dir is not None:
        m = Path(model_dir).resolve()
        cands += [b / p for b in [m, *m.parents][:4]]
    return [c for c in cands if c.exists()]


def read_manifest(model_dir: str | Path) -> dict[str, Any]:
    """A model folder's manifest.json (:class:`ArtefactError` when missing, damaged or of another format)."""
    path = Path(model_dir) / "manifest.json"
    if not path.exists():
        raise ArtefactError(f"{model_dir}: not a textmine model directory (no manifest.json)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ArtefactError(f"{path}: damaged manifest ({exc})") from exc
    if manifest.get("format") != FORMAT:
        raise ArtefactError(f"{path}: unsupported model format {manifest.get('format')!r} (expected {FORMAT!r})")
    return manifest


#: the end of the message refusing a model trained for another codebook (no CLI option named: library callers get
#: it too; the CLI rewrites it to fit what was given, ``textmine.cli.stats._coding_warning``)
CODEBOOK_MISMATCH_HINT = "retrain the model for this codebook, or code zero-shot"


def checked_codebook(model_dir: str | Path,
                     codebook: Codebook | str | Path | None = None) -> tuple[dict[str, Any], Codebook]:
    """The artefact's manifest and stored codebook, without loading the model. Refuses (:class:`ArtefactError`)
    a folder that is not a model, a codebook.yaml edited after training, and — when ``codebook`` is given — a
    model trained for another codebook (naming what differs)."""
    model_dir = Path(model_dir)
    manifest = read_manifest(model_dir)
    stored_cb = load_codebook(model_dir / "codebook.yaml")
    want = manifest["codebook"]
    earlier = want.get(AS_WRITTEN) is not True  # trained by an earlier version, which read YAML its own way
    # such a model recorded the hash of its codebook.yaml as that version read it
    if stored_cb.hash != want["hash"] and not (earlier and want["hash"] in earlier_hashes(stored_cb)):
        raise ArtefactError(f"{model_dir}: codebook.yaml was edited after training (hash {stored_cb.hash[:12]} ≠ "
                            f"trained {want['hash'][:12]}); retrain with `textmine train`")
    if codebook is not None:
        cb = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
        # a codebook file this model was trained for by an earlier version, which read its YAML another way
        # (``label: 1.10`` was '1.1'): the hash it recorded is among that file's earlier readings, and only texts
        # differ (never a theme id, parent, exclusive flag or replaces: ``id: 010`` was '8')
        if cb.hash != stored_cb.hash and not (earlier and same_structure(cb, stored_cb)
                                              and {want["hash"], stored_cb.hash} & earlier_hashes(cb)):
            diff = _codebook_diff(stored_cb, cb)
            raise ArtefactError(
                f"model {model_dir} was trained for codebook {stored_cb.name!r} v{stored_cb.version} "
                f"(hash {stored_cb.hash[:12]}), but the codebook given is {cb.name!r} v{cb.version} "
                f"(hash {cb.hash[:12]}){diff}; {CODEBOOK_MISMATCH_HINT}.")
    return manifest, stored_cb


def load_coder(model_dir: str | Path, *, codebook: Codebook | str | Path | None = None, embedder: Any = None) -> Any:
    """Load a coder directory. Refuses when ``codebook`` (if given) or the embedder does not match the artefact.

    ``embedder``: an embedder object to use (its name/version must match the artefact); by default the
    artefact's embedder spec is loaded with :func:`textmine.embed.get_embedder` and checked.
    """
    from .supervised import SupervisedCoder
    from .zeroshot import ZeroShotCoder

    model_dir = Path(model_dir)
    manifest, stored_cb = checked_codebook(model_dir, codebook)
    info = manifest["embedder"]
    adapter = _load_adapter(model_dir, info["adapter"]) if info.get("adapter") else None
    if embedder is None:
        from ..embed import get_embedder

        embedder = get_embedder(info["spec"], adapter=adapter)
    _check_embedder(model_dir, info, embedder)
    try:
        with np.load(model_dir / "arrays.npz", allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except FileNotFoundError:
        raise ArtefactError(f"{model_dir}: arrays.npz is missing; the artefact is incomplete — retrain") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ArtefactError(f"{model_dir}: arrays.npz is damaged ({exc.__class__.__name__}: {exc}) — retrain") from None
    zp = manifest.get("zeroshot_params", {})
    if manifest["kind"] == "zeroshot":
        coder = ZeroShotCoder(stored_cb, embedder, embedder_spec=info["spec"], **zp)
        zs = coder
    elif manifest["kind"] == "supervised":
        # artefacts from before these options existed: their settings then
        def make(params: dict[str, Any], emb: Any = embedder, spec: str = info["spec"],
                 given: dict[str, Any] | None = None) -> SupervisedCoder:
            p = {"char_features": 0, "threshold_count_weight": 0.0, "confidence": "product", "lexical_share": 0.0,
                 "lexical_type_gate": 0.0, "question_priors": False, "first_stage": "lexical",
                 "keyword_expansions": False, **params}
            fixed = p.pop("fixed_review_threshold", None)
            review = p.pop("review_threshold")
            c = SupervisedCoder(stored_cb, emb, embedder_spec=spec, review_threshold=fixed, **p)
            c.review_threshold = float(review)
            if given:  # the arguments as given (artefacts from before: as derived, which builds the same model)
                c._init_params = {**c._init_params, **{k: v for k, v in given.items() if k in c._init_params}}
            return c

        coder = make(manifest["params"], given=manifest.get("init_params"))
        _restore_supervised(coder, arrays, manifest.get("type_classes"), model_dir, "theme")
        stage = manifest.get("lexical_stage")
        if stage is not None:
            own = _stage_embedder(model_dir, stage) if "embedder" in stage else ()  # else the model's embedder
            lex = make(stage["params"], *own, given=stage.get("init_params"))
            sub = {k[len("lexical/"):]: v for k, v in arrays.items() if k.startswith("lexical/")}
            if not sub:
                raise ArtefactError(f"{model_dir}: arrays.npz lacks the lexical stage; the artefact is damaged — "
                                    "retrain")
            _restore_supervised(lex, sub, stage["type_classes"], model_dir, "lexical-stage")
            coder.attach_lexical_stage(lex, float(stage["gate"]))
        coder.training_data_ = manifest.get("training_data", [])
        coder.training_questions_ = manifest.get("training_questions")
        metrics_path = model_dir / "metrics.json"
        coder.training_metrics_ = (json.loads(metrics_path.read_text(encoding="utf-8")).get("training", {})
                                   if metrics_path.exists() else {})
        zs = coder.zeroshot
        for k, v in zp.items():
            setattr(zs, k, v)
        coder.n_train_ = int(coder.training_metrics_.get("n_train", 0))
    else:
        raise ArtefactError(f"{model_dir}: unknown model kind {manifest['kind']!r}")
    if "zs_theme_mean" in arrays:
        zs.theme_mean_, zs.theme_std_ = arrays["zs_theme_mean"], arrays["zs_theme_std"]
    coder.manifest_ = manifest
    return coder


def _codebook_diff(a: Codebook, b: Codebook) -> str:
    """How codebook ``b`` differs from ``a`` (the model's), for a refusal (:func:`~textmine.codebook.codebook_diff`):
    new, missing and changed themes, else the order or the other fields (name, version, …)."""
    diff = codebook_diff(a, b)
    return " — " + (diff.describe(fields=False) or diff.describe())
