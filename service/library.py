"""Thin adapter over the textmine library: the only place the service touches library signatures."""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd
import yaml

from service.errors import ApiError
from service.settings import DEFAULT_MIN_CELL_FLOOR
from textmine.codebook import content_hash  # noqa: F401  (the service's codebook identity: Codebook.hash)
from textmine.labelcheck import (  # noqa: F401  (re-exported: the service's callers and tests use them here)
    only_names,
    personal_data_counts,
    stem_first_names,
    stem_surnames,
)
from textmine.pipeline import SERVICE_CORRECTIONS_CODER

CLEAN_COLUMNS = ("text_clean", "pii_count", "health_flag", "language", "is_non_answer")


# ---------------------------------------------------------------- codebooks
def codebook_from_dict(content: dict[str, Any]):
    """Validate a codebook dict (library ``Codebook.from_dict``); errors become a 422."""
    from textmine.codebook import Codebook, CodebookError

    try:
        return Codebook.from_dict(content)
    except (CodebookError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ApiError(422, "invalid_codebook", f"invalid codebook: {redact_name(_short(str(exc), 600))}") from None


def codebook_from_yaml(text: str):
    """Parse (:func:`codebook_content_from_yaml`) and validate codebook YAML; errors become a 422."""
    return codebook_from_dict(codebook_content_from_yaml(text))


#: the Content-Types ``POST /codebooks`` reads as codebook YAML (as a codebook file is written); JSON otherwise
YAML_MEDIA = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})
#: a quoted fragment of a YAML error message kept as it is: PyYAML's token names ('<block end>'), a character
#: ('-', '\t') or a codebook field name ('keywords'); any other (a tag, a key, an alias) may be uploaded text
#: (a name typed as a key: 'olanordmann') and is left out
_KEPT_QUOTE = re.compile(r"<[a-z ]{1,30}>|.{1,2}", re.S)
_FIELD_NAMES = frozenset({"name", "version", "language", "description", "types", "themes", "id", "label",
                          "keywords", "examples", "parent", "exclusive", "replaces"})


def codebook_content_from_yaml(text: str | bytes) -> dict[str, Any]:
    """Codebook YAML parsed as the library reads a codebook file (:func:`textmine.codebook.load_codebook`: one
    line naming the line, «line 48: the YAML structure is broken here (check the indentation …)», a key given
    twice refused, text fields kept as written: ``version: 1.10``, ``id: no``), not validated yet. Errors are a 422
    ``invalid_codebook`` that quotes no uploaded text: line and column numbers, PyYAML's token names."""
    from textmine.codebook import CodebookError, _yaml_data

    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = text.count(b"\n", 0, exc.start) + 1
            raise ApiError(422, "invalid_codebook", f"line {line}: byte 0x{exc.object[exc.start]:02x} is not valid "
                           "UTF-8; save the codebook as UTF-8", {"line": line}) from None
    try:
        content = _yaml_data(text)
    except CodebookError as exc:
        message = re.sub(r"'([^'\n]*)'", _kept_quote, str(exc))
        raise ApiError(422, "invalid_codebook", _short(message, 600)) from None
    if not isinstance(content, dict):
        raise ApiError(422, "invalid_codebook", "codebook YAML must be a mapping (name:, version:, themes: …)")
    return content


def _kept_quote(match: re.Match) -> str:
    """A quoted fragment of a YAML error as an API message may show it (:data:`_KEPT_QUOTE`), else ``'…'``."""
    quoted = match[1]
    return match[0] if _KEPT_QUOTE.fullmatch(quoted) or quoted in _FIELD_NAMES else "'…'"


def codebook_to_dict(codebook) -> dict[str, Any]:
    return codebook.to_dict()


def default_codebook_dict() -> dict[str, Any]:
    from textmine.codebook import load_codebook
    from textmine.paths import DEFAULT_CODEBOOK

    return load_codebook(DEFAULT_CODEBOOK).to_dict()


@lru_cache(maxsize=1)
def default_codebook_identity() -> tuple[str, str, str]:
    """The bundled codebook's name, version and content hash (``Codebook.hash``; the file ships with the
    package, so it is read once)."""
    from textmine.codebook import load_codebook
    from textmine.paths import DEFAULT_CODEBOOK

    cb = load_codebook(DEFAULT_CODEBOOK)
    return cb.name, str(cb.version), cb.hash


def codebook_difference(stored: dict[str, Any], codebook) -> dict[str, Any]:
    """What differs from a stored codebook (its normalised content) to ``codebook`` (validated), for a message and
    an error's details (:func:`textmine.codebook.codebook_diff`: theme ids and field names, never texts):
    ``text`` ("new themes ['a']; changed themes ['b']; description differs"), ``added``, ``removed``, ``changed``
    (theme id -> fields) and ``fields``. Only the hashes where the stored content no longer validates."""
    from textmine.codebook import Codebook, CodebookError, codebook_diff

    out: dict[str, Any] = {"stored_hash": content_hash(stored), "hash": codebook.hash}
    try:
        diff = codebook_diff(Codebook.from_dict(stored), codebook)
    except (CodebookError, ValueError, TypeError, KeyError, AttributeError):
        return {"text": "", **out}
    return {"text": diff.describe(), "added": diff.added, "removed": diff.removed, "changed": diff.changed,
            "fields": diff.fields, **out}


# ---------------------------------------------------------------- coders
def check_default_model(model_dir: str | Path | None) -> Path | None:
    """``model_dir`` (the service's default model setting) as a Path, refused with a clear message unless it is
    a model directory for the bundled default codebook; None stays None (= ``models/default``)."""
    if model_dir is None:
        return None
    from textmine.classify.artefact import ArtefactError, checked_codebook
    from textmine.paths import DEFAULT_CODEBOOK

    path = Path(model_dir)
    try:
        checked_codebook(path, DEFAULT_CODEBOOK)
    except ArtefactError as exc:
        raise ValueError(f"default model {str(path)!r} cannot serve the default codebook "
                         f"(e.g. models/default or models/fast can): {exc}") from exc
    return path


def default_model_identity(model_dir: str | Path | None) -> str:
    """What identifies the default model a coding job used (``model_dir``, None = ``models/default``):
    ``sha256:<hex>`` over the model's files (manifest with its creation stamp and codebook hash, arrays, codebook,
    metrics, encoder adapter), so it changes whenever the model is rebuilt or the setting points at another model,
    and stays the same for the same files under another path. ``zero-shot:<codebook hash>`` where there is no
    model directory (the default coder then codes zero-shot for the bundled default codebook)."""
    import hashlib

    from textmine.classify.artefact import MODEL_FILES
    from textmine.paths import DEFAULT_MODEL_DIR

    path = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
    if not (path / "manifest.json").is_file():
        from textmine.codebook import load_codebook
        from textmine.paths import DEFAULT_CODEBOOK

        return "zero-shot:" + str(load_codebook(DEFAULT_CODEBOOK).hash)[:64]
    digest = hashlib.sha256()
    for name in MODEL_FILES:
        file = path / name
        if not file.is_file():
            continue
        digest.update(name.encode("utf-8") + b"\0")
        with file.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()


def textmine_version() -> str:
    """The installed textmine package's version (``textmine.__version__``, as ``pyproject.toml`` sets it)."""
    import textmine

    return str(getattr(textmine, "__version__", "") or "unknown")


def wordlists_digest(directory: str | Path | None = None) -> str:
    """``sha256:<16 hex>`` over the word lists ``textmine.preprocess`` loads (every file under
    ``data/wordlists``, or ``directory``: names and bytes, in name order): changes when any list is edited, added
    or removed, and is the same on every machine with the same files. ``missing`` without the folder."""
    import hashlib

    from textmine.paths import WORDLIST_DIR

    folder = Path(directory) if directory is not None else WORDLIST_DIR
    if not folder.is_dir():
        return "missing"
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(file.relative_to(folder).as_posix().encode("utf-8") + b"\0" + file.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()[:16]


@lru_cache(maxsize=None)
def lexicon_version() -> str:
    """The word-list (lexicon) version this process runs with: :func:`wordlists_digest` of the bundled lists,
    computed once per process (the lists are read once, at the first Cleaner, and not reloaded)."""
    return wordlists_digest()


def run_versions() -> dict[str, str]:
    """What a coding or training job records it ran with: the textmine version and the word-list version."""
    return {"textmine_version": textmine_version(), "lexicon_version": lexicon_version()}


def model_identity_label(identity: str | None) -> str:
    """A default model's identity, short, for messages (``sha256:0123456789ab``)."""
    if not identity:
        return ""
    kind, _, value = identity.partition(":")
    return f"{kind}:{value[:12]}" if value else identity[:24]


def make_coder(codebook=None, model_dir: str | Path | None = None, factory=None,
               default_model: str | Path | None = None):
    """A coder: injected ``factory`` (tests) > trained model dir > zero-shot for a codebook > the default coder
    (``default_model``, else ``models/default``)."""
    if factory is not None:
        return factory(codebook, model_dir)
    from textmine import classify

    if model_dir is not None:
        from textmine.classify.artefact import read_manifest

        spec = read_manifest(Path(model_dir)).get("embedder", {}).get("spec", "e5")
        return classify.load_coder(model_dir, embedder=shared_embedder(spec))
    if codebook is None:
        # a configured default model must load as it is (no silent zero-shot fallback)
        coder = classify.default_coder(default_model, strict=default_model is not None)
        if getattr(coder, "embedder", None) is not None:  # share the default coder's embedder with other coders
            _EMBEDDERS.setdefault(coder.embedder_spec, coder.embedder)
        return coder
    return classify.ZeroShotCoder(codebook, embedder=shared_embedder(ZERO_SHOT_EMBEDDER))


#: the embedder spec a codebook without a trained model (other than the bundled one) is coded zero-shot with
ZERO_SHOT_EMBEDDER = "e5"


_EMBEDDERS: dict[str, Any] = {}


def shared_embedder(spec: str = "e5"):
    """One embedder object per backend spec and process, shared by all coders the service builds."""
    if spec not in _EMBEDDERS:
        from textmine.embed import get_embedder

        _EMBEDDERS[spec] = get_embedder(spec)
    return _EMBEDDERS[spec]


def coder_codebook(coder):
    return getattr(coder, "codebook", None)


def predict(coder, texts: Sequence[str], questions: Sequence[str] | str | None = None) -> pd.DataFrame:
    """Coder output with the contract columns, same order as ``texts``; ``questions``: the survey question each
    text answers (one string for all), for coders that know routed questions' theme rates."""
    out = coder.predict(list(texts)) if questions is None else _predict_with_questions(coder, list(texts), questions)
    return out.reset_index(drop=True)


def _predict_with_questions(coder, texts: list[str], questions: Sequence[str] | str) -> pd.DataFrame:
    import inspect

    if "questions" in inspect.signature(coder.predict).parameters:
        return coder.predict(texts, questions)
    return coder.predict(texts)  # a coder without question support (test doubles, plug-ins)


def train_supervised(codebook, texts: Sequence[str], labels: Sequence[Sequence[str]], model_dir: Path,
                     factory=None, types: Sequence[str] | None = None,
                     questions: Sequence[str] | None = None,
                     progress: Callable[[str], None] | None = None,
                     stop_check: Callable[[], None] | None = None) -> dict[str, Any]:
    """Fit a supervised coder on human-coded texts (and the survey question each answers) and save it; the
    backend follows :func:`textmine.classify.supervised.embedder_for_labels`. Returns metrics/metadata.
    ``progress``: told each stage as it starts (the library fit's messages, then :data:`SAVING_MESSAGE`); an
    exception it raises stops the training there. ``stop_check``: called between embedding batches
    (:class:`CheckedEmbedder`); an exception it raises stops the training there too."""
    if factory is not None and hasattr(factory, "train"):
        return _factory_train(factory, codebook, texts, labels, model_dir, progress)
    from textmine.classify import SupervisedCoder
    from textmine.classify.supervised import embedder_for_labels

    spec = embedder_for_labels(sum(1 for lab in labels if lab))
    embedder = shared_embedder(spec)
    if stop_check is not None:
        embedder = CheckedEmbedder(embedder, stop_check)
    coder = SupervisedCoder(codebook, embedder=embedder, embedder_spec=spec)
    coder.fit(list(texts), [list(x) for x in labels], types=list(types) if types else None,
              questions=list(questions) if questions is not None else None, progress=progress)
    if progress is not None:
        progress(SAVING_MESSAGE)
    model_dir.mkdir(parents=True, exist_ok=True)
    coder.save(model_dir)
    return {"n_training": len(texts), "embedder": spec, **held_out_metrics(coder)}


#: training metrics reported (``SupervisedCoder.training_metrics_``, out-of-fold = held out in cross-validation)
HELD_OUT_METRICS = ("n_train", "oof_macro_f1", "oof_micro_f1", "oof_weighted_f1", "oof_exact_match",
                    "oof_auto_coded_share", "oof_accuracy_at_60pct_coverage", "cv_folds", "review_threshold")


def held_out_metrics(coder) -> dict[str, Any]:
    """The held-out (out-of-fold) figures a trained :class:`SupervisedCoder` records (``training_metrics_``)."""
    trained = getattr(coder, "training_metrics_", {}) or {}
    return {k: trained[k] for k in HELD_OUT_METRICS if isinstance(trained.get(k), (int, float))}


@dataclass
class BaseTraining:
    """The default model's recorded training files as one labelled frame (``frame``: text, themes, type, question,
    group = the file), or why they cannot be used (``missing``)."""

    frame: pd.DataFrame | None = None
    files: list[str] = field(default_factory=list)
    missing: str | None = None
    earlier: pd.DataFrame | None = None  # the corrections the model keeps (corrections.csv), trained on again
    sources: list[str] = field(default_factory=list)  # the corrections files those came from (manifest)


def base_training(codebook, default_model: str | Path | None = None) -> BaseTraining:
    """The default model's (``default_model``, else ``models/default``) recorded training files
    (``training_data`` in its manifest, found as :func:`textmine.classify.artefact.recorded_paths` finds them),
    read and checked against ``codebook`` like ``textmine review --corrections`` reads them; usable only when the
    model was trained for this codebook and every file is on disk. A model that ``review --corrections`` retrained
    keeps its corrections in its folder (``earlier``, hash-checked: :func:`textmine.review.read_kept_corrections`);
    their source files (``sources``) are not training files, as in the CLI."""
    from textmine.classify.artefact import ArtefactError, checked_codebook, recorded_paths
    from textmine.paths import DEFAULT_MODEL_DIR
    from textmine.review import CORRECTIONS_FILE, read_kept_corrections, read_labelled

    model_dir = Path(default_model) if default_model is not None else DEFAULT_MODEL_DIR
    try:
        manifest, _ = checked_codebook(model_dir, codebook)
    except (ArtefactError, OSError, ValueError):
        return BaseTraining(missing=f"the default model ({model_dir.name}) is not a model for this codebook")
    try:
        earlier, sources = read_kept_corrections(model_dir, manifest, shown=f"{model_dir.name}/{CORRECTIONS_FILE}")
    except ValueError as exc:
        return BaseTraining(missing=f"the default model's corrections cannot be used: {exc}")
    # corrections files of earlier rounds are kept in the model folder (corrections.csv), not read again (as the CLI)
    recorded = [str(p) for p in manifest.get("training_data") or [] if str(p) not in sources]
    if not recorded:
        return BaseTraining(missing=f"the default model ({model_dir.name}) records no training files")
    found = {p: recorded_paths(p, model_dir) for p in recorded}
    gone = [Path(p).name for p, hits in found.items() if not hits]
    if gone:
        return BaseTraining(missing=f"the default model's training file(s) {', '.join(gone)} are not on disk")
    quiet = lambda msg: None  # noqa: E731 - files the default model was trained on; their notes are known
    # the question column the model was trained with (train --question-col), so its echoes are found again
    question_col = (manifest.get("training_questions") or {}).get("question_col") or "question"
    try:
        frames = [read_labelled(hits[0], codebook=codebook, where=Path(p).name, warn=quiet, question_col=question_col)
                  .assign(group=str(hits[0].resolve())) for p, hits in found.items()]
    except (ValueError, OSError) as exc:
        return BaseTraining(missing=f"the default model's training files cannot be read: {_short(str(exc), 200)}")
    return BaseTraining(frame=pd.concat(frames, ignore_index=True), files=[Path(p).name for p in recorded],
                        earlier=earlier, sources=sources)


def train_with_corrections(codebook, corrections: pd.DataFrame, model_dir: Path, *, base: BaseTraining,
                           base_coder=None, factory=None,
                           progress: Callable[[str], None] | None = None,
                           stop_check: Callable[[], None] | None = None, job_id: int | None = None) -> dict[str, Any]:
    """Train a supervised coder as ``textmine review --corrections`` retrains (:func:`textmine.review.
    apply_corrections`): the base training data (``base.frame``: the default model's recorded training files)
    plus ``corrections`` (text, themes, type, question), a correction replacing the base label of the same text;
    the corrections alone when there is no base. The default model's kept corrections (``base.earlier``) are trained
    on again (a newer correction of the same text wins), and all of them are kept in the new model's folder
    (:func:`textmine.review.keep_corrections`) as the CLI keeps them, with the record the CLI writes beside them
    (:func:`corrections_record`; ``job_id``: the training job). Saves it to ``model_dir``; returns the held-out
    (out-of-fold) training metrics as the library reports them. ``progress``: told each stage as it starts (the
    library's messages, then :data:`SAVING_MESSAGE`; :class:`TrainingSteps` counts them); an exception it raises
    stops the training there (the caller removes ``model_dir``). ``stop_check``: called between the batches the
    texts are embedded in (:class:`CheckedEmbedder`: preparing the rows is one long step), an exception it raises
    stopping the training as ``progress``'s does; ``base_coder`` is then retrained through a private copy
    (:func:`checked_copy`), never changed."""
    if factory is not None and hasattr(factory, "train"):  # test doubles: the merged rows, no metrics
        merged = _merged_plain(base.frame, corrections)
        return _factory_train(factory, codebook, merged["text"].tolist(),
                              [[t for t in str(x).split(";") if t] for x in merged["themes"]], model_dir,
                              progress) or {}
    from textmine.classify import SupervisedCoder

    if base.frame is not None and isinstance(base_coder, SupervisedCoder):
        from textmine.review import CORRECTIONS_FILE, apply_corrections, keep_corrections

        previous = checked_copy(base_coder, stop_check) if stop_check is not None else base_coder
        result = apply_corrections(previous, corrections, train=base.frame, where="corrections", id_col=None,
                                   warn=lambda msg: None, earlier=base.earlier,
                                   earlier_where=f"the default model's {CORRECTIONS_FILE}", progress=progress)
        coder = result.coder
        coder.training_data_ = sorted(set(base.frame["group"].astype(str)))
        if progress is not None:
            progress(SAVING_MESSAGE)
        model_dir.mkdir(parents=True, exist_ok=True)
        coder.save(model_dir)
        keep_corrections(model_dir, result.corrections, base.sources)  # the default model's and these
        if result.corrections is not None:  # beside them the record the CLI writes there
            write_corrections_record(model_dir / CORRECTIONS_FILE,
                                     corrections_record(codebook, len(result.corrections), job_id))
        optimistic = {k: v for k, v in result.after.items() if k.startswith("corrections_")}  # seen in training
        # how quality moved, as the CLI says it: the previous model on the corrected answers beside the new one
        # (in-sample: it trained on them), and what the corrections changed
        before = {f"{k}_before": v for k, v in result.before.items() if k.startswith("corrections_")
                  and isinstance(v, int | float)}
        from textmine.review import effect_text

        moved = (effect_text(result.effect) + " The held-out figures are the cross-validated oof_* metrics.") \
            if result.effect else ""
        return {**held_out_metrics(coder), **optimistic, **before, "quality_moved": moved,
                "embedder": getattr(coder, "embedder_spec", None) or ""}
    types = corrections["type"].astype(str).tolist()
    return train_supervised(codebook, corrections["text"].tolist(),
                            [[t for t in str(x).split(";") if t] for x in corrections["themes"]], model_dir,
                            types=types if all(types) else None,
                            questions=corrections["question"].astype(str).tolist(), progress=progress,
                            stop_check=stop_check)


#: who coded a service-trained model's corrections, as its records say (``textmine review``'s say
#: :data:`textmine.pipeline.REVIEW_CORRECTIONS_CODER`)
CORRECTIONS_CODED_BY = SERVICE_CORRECTIONS_CODER


def corrections_record(codebook, n_corrections: int, job_id: int | None) -> dict[str, Any]:
    """What ``textmine review --corrections`` records beside a retrained model's corrections
    (:func:`textmine.pipeline.coded_identity`: the codebook's name, version, hash and YAML, the textmine version,
    the time, coded by :data:`CORRECTIONS_CODED_BY`), with how many corrections and the training job (None: ``textmine
    store train``). Never a text, an API key or a user."""
    from textmine.pipeline import coded_identity

    return {**coded_identity(codebook, None, "text", coded_by=CORRECTIONS_CODED_BY),
            "n_corrections": int(n_corrections), "training_job_id": job_id}


def write_corrections_record(path: Path, record: dict[str, Any]) -> Path:
    """``record`` (:func:`corrections_record`) beside the corrections file ``path``, where the CLI writes it
    (``PATH.textmine.json``, :func:`textmine.pipeline.identity_path`: ``summary --coded`` checks its codebook)."""
    import json

    from textmine.pipeline import identity_path

    out = identity_path(path)
    out.write_text(json.dumps(record, indent=1, ensure_ascii=False), encoding="utf-8")
    return out


#: texts a training embeds per batch (:class:`CheckedEmbedder`), and the least seconds between two of its checks
CHECKED_BATCH = 256
CHECK_EVERY_SECONDS = 2.0


class CheckedEmbedder:
    """An embedder that encodes through ``embedder`` in batches of ``batch`` texts and calls ``check()`` between two
    batches, at most once per ``every`` seconds: preparing a training's rows (embedding every training text, its
    longest step) then stops at the next batch when ``check`` raises (a cancelled job), not minutes later. The
    vectors are those ``embedder`` gives (each text's own); name, version, dimension and the rest are its own."""

    def __init__(self, embedder: Any, check: Callable[[], None], batch: int | None = None,
                 every: float | None = None, clock: Callable[[], float] | None = None):
        import time

        self._embedder = embedder  # not "inner": textmine.classify.base would take this for the backend inside
        self._check = check
        self._batch = max(1, int(batch if batch is not None else CHECKED_BATCH))
        self._every = float(every if every is not None else CHECK_EVERY_SECONDS)
        self._clock = clock or time.monotonic
        self._checked: float | None = None  # when check() last ran

    def __getattr__(self, name: str) -> Any:
        try:
            embedder = self.__dict__["_embedder"]
        except KeyError:
            raise AttributeError(name) from None
        return getattr(embedder, name)

    def encode(self, texts: Sequence[str], **options: Any):
        """``embedder.encode`` batch by batch (``options``: batch_size, show_progress … passed on as given)."""
        import numpy as np

        if isinstance(texts, str) or len(texts) <= self._batch:  # (a bare string: the embedder's own error)
            return self._embedder.encode(texts, **options)
        items = list(texts)
        parts = []
        for start in range(0, len(items), self._batch):
            if start:
                self._between_batches()
            parts.append(np.asarray(self._embedder.encode(items[start:start + self._batch], **options),
                                    dtype=np.float32))
        return np.vstack(parts)

    def _between_batches(self) -> None:
        now = self._clock()
        if self._checked is None or now - self._checked >= self._every:
            self._checked = now
            self._check()


def checked_copy(coder: Any, check: Callable[[], None]) -> Any:
    """A private copy of a loaded ``coder`` whose embedding goes through :class:`CheckedEmbedder` (``check``): the
    server's own coder, which coding jobs use meanwhile, is never changed. The copy shares the coder's embedder
    and cleaner (``copy.deepcopy`` as the library defines it for coders leaves both out, to be rebuilt on first
    use: seconds that are not needed)."""
    import copy

    embedder = coder.embedder
    twin = copy.deepcopy(coder, {id(embedder): embedder})
    twin._embedder = CheckedEmbedder(embedder, check)
    if getattr(twin, "_cleaner", None) is None:
        twin._cleaner = getattr(coder, "_cleaner", None)
    return twin


def _factory_train(factory, codebook, texts, labels, model_dir: Path, progress) -> dict[str, Any] | None:
    """A test double's ``train``; given ``progress`` when it takes that keyword (stand-ins for the library's
    stages), else called as before."""
    import inspect

    try:
        takes = "progress" in inspect.signature(factory.train).parameters
    except (TypeError, ValueError):
        takes = False
    if takes and progress is not None:
        return factory.train(codebook, texts, labels, model_dir, progress=progress)
    return factory.train(codebook, texts, labels, model_dir)


#: the stage :func:`train_with_corrections` announces after the library's fit, before the model is written
SAVING_MESSAGE = "saving the model"
#: the library fit's fold message (``SupervisedCoder.fit``: "fitting fold k of K (out-of-fold scores)")
FOLD_MESSAGE = re.compile(r"fitting fold (\d+) of (\d+)\b")
#: the stages every library fit has after its folds ("calibrating", "fitting the final models on all rows"), then
#: saving; matched on how their messages begin
STAGES_AFTER_FOLDS = ("calibrating", "fitting the final models", SAVING_MESSAGE)


class TrainingSteps:
    """A training's progress in steps, counted from the trainer's progress messages (a ``progress`` callback for
    :func:`train_with_corrections`): preparing the rows (everything said before the first fold: cleaning,
    embedding, merging the corrections), each cross-validation fold, then each stage said after them (calibrating,
    the final fit, the fast first stage, evaluating, saving). A step is done when the next one starts.

    ``total`` is 0 (unknown) until the first fold says how many folds there are; it then counts every step known
    to come (calibrating, the final fit and saving always follow the folds), and a later stage not foreseen (the
    fast first stage, evaluating the corrections) adds one. ``report(done, total)`` is called as each step starts;
    an exception it raises stops the training there (a cancelled job)."""

    def __init__(self, report: Callable[[int, int], None]):
        self.report = report
        self.done = 0
        self.total = 0
        self._current: str | None = None  # the step under way
        self._after: list[str] = list(STAGES_AFTER_FOLDS)  # the foreseen stages after the folds not yet started
        self._folds_seen = False

    def __call__(self, message: str) -> None:
        message = str(message)
        fold = FOLD_MESSAGE.match(message)
        if fold is not None:
            step, self._folds_seen = f"fold {fold.group(1)}", True
        elif not self._folds_seen:
            step = "preparing"
        else:
            step = message
        if step == self._current:
            return
        if self._current is not None:
            self.done += 1
        self._current = step
        if fold is not None and not self.total:
            k, folds = int(fold.group(1)), int(fold.group(2))
            self.total = self.done + max(folds - k + 1, 1) + len(self._after)
        elif fold is None and self._folds_seen:
            foreseen = next((s for s in self._after if message.startswith(s)), None)
            if foreseen is not None:
                self._after.remove(foreseen)
            elif self.total:
                self.total += 1  # a stage the count did not foresee
        self.total = max(self.total, self.done + 1) if self.total else 0
        self.report(self.done, self.total)

    def finish(self) -> tuple[int, int]:
        """Every step done: ``(done, total)`` as a finished training shows them."""
        if self._current is not None:
            self.done, self._current = self.done + 1, None
        self.total = max(self.total, self.done)
        self.done = self.total
        return self.done, self.total


def _merged_plain(base: pd.DataFrame | None, corrections: pd.DataFrame) -> pd.DataFrame:
    """Base rows whose text (case and spacing folded) no correction has, then the corrections."""
    if base is None or base.empty:
        return corrections.reset_index(drop=True)
    fold = lambda s: " ".join(str(s).lower().split())  # noqa: E731
    corrected = set(corrections["text"].map(fold))
    keep = ~base["text"].map(fold).isin(corrected)
    return pd.concat([base[keep], corrections], ignore_index=True)


# ---------------------------------------------------------------- preprocessing
def clean_texts(texts: Sequence[str | None], question_texts: Sequence[str] = (), factory=None) -> pd.DataFrame:
    """Redact + annotate texts; returns the ``CLEAN_COLUMNS`` for each input, same order."""
    if factory is not None:
        frame = factory(texts)
    else:
        from textmine.preprocess import Cleaner

        cleaner = Cleaner(redact=True, detect_language=True, question_texts=tuple(question_texts), lemmatize=False)
        frame = cleaner.fit().transform(pd.Series(list(texts), dtype=object))
    return frame.reset_index(drop=True)[list(CLEAN_COLUMNS)]


def warm_language_detection() -> None:
    """Load lingua's models (both detectors) into the shared Cleaner resources, so that the first upload does
    not wait for them (5–20 s, ≈ 400 MB; the GIL is held meanwhile, so the warm-up runs it before ready);
    /classify does not detect languages."""
    from textmine.preprocess.cleaner import default_resources

    default_resources().warm_up(language=True, wide=True)


def limit_cleaner_caches(entries: int | None) -> None:
    """Bound the per-token caches of the process-wide Cleaner resources (shared by every Cleaner and coder)."""
    if entries:
        from textmine.preprocess import default_resources

        default_resources().limit_caches(entries)


def redact_one(text: str) -> str:
    from textmine.preprocess import redact

    return redact(text)[0]


#: a word of a message between spaces, quotes, brackets and list punctuation (as the CLI's redact_message reads it)
_MESSAGE_WORD = re.compile(r"[^\s'\"«»()\[\]{},;:=]+")
HIDDEN_ID = "[REDIGERT]"  # an id or key holding personal data read as words, as an error's location shows it
_PATH_PART_SEP = re.compile(r"([/\\])")  # between the parts of a path or link


def hide_personal_ids(text: str) -> str:
    """``text`` with each word that is an id or key holding personal data (:func:`textmine.masking.mask_personal`:
    "ola_nordmann_91234567" read as words, where the redaction finds no name) replaced by :data:`HIDDEN_ID` as a
    whole, and each part of a path or link (between «/» or «\\») checked alike as a file or folder name, where a
    lone first name or surname counts too («x/kari_01019012480.csv», «ola_nordmann_91234567/2», «…/ola»). Other
    words and e-mail addresses are left to the redaction."""
    from textmine.disclosure import identifier_words
    from textmine.masking import mask_personal
    from textmine.preprocess import redact

    def shown(part: str, file: bool) -> str:
        if not part or "@" in part and redact(part)[1].get("epost"):  # an e-mail address: the redaction's [EPOST]
            return part
        return mask_personal(part, HIDDEN_ID, file=file)

    def word(m: re.Match) -> str:
        core = m.group(0).rstrip(".!?")  # a sentence's full stop is no separator
        if _PATH_PART_SEP.search(core):
            parts = _PATH_PART_SEP.split(core)  # (the separators kept, at the odd places)
            masked = "".join(p if i % 2 else shown(p, True) for i, p in enumerate(parts))
        elif identifier_words(core) != core:
            masked = shown(core, False)
        else:
            return m.group(0)
        return masked + m.group(0)[len(core):]

    return _MESSAGE_WORD.sub(word, text)


def redact_name(text: str) -> str:
    """A column name, cell or message to quote: personal data (fødselsnummer, phone, e-mail…) redacted, and an id
    or key holding personal data when read as words hidden as a whole (:func:`hide_personal_ids`)."""
    return redact_one(hide_personal_ids(str(text)))


def column_list(columns: list[str], shown: int = 50) -> str:
    """Column names for a message: redacted, each cut at 100 characters, the first ``shown`` and how many more."""
    names = ", ".join(redact_name(c)[:100] for c in columns[:shown])
    return names + (f" and {len(columns) - shown} more" if len(columns) > shown else "")


def masked_segment_warning(column: str, n: int) -> str:
    """The upload's (and the store scrub's) warning for personal data masked in a free-valued segment."""
    return f"column {column}: personal data masked in {n} cell(s) of a segment without declared levels"


def filename_is_personal(filename: str) -> bool:
    """The stem of ``filename`` holds personal data: what the redaction finds (a name, a fødselsnummer, …), an
    unambiguous surname (:func:`stem_surnames`) or an unambiguous first name (:func:`stem_first_names`)."""
    stem = Path(filename).stem
    return bool(personal_data_counts(stem) or stem_surnames(stem) or stem_first_names(stem))


def safe_filename(filename: str | None) -> str:
    """The uploaded file's base name as stored, shown to readers and quoted in messages. When the stem holds
    personal data (:func:`filename_is_personal`), none of it is kept: ``upload`` plus the suffix (masking one
    word would leave the rest, e.g. a surname next to a masked first name): "Nordmann_svar.csv",
    "hansen-kommentarer.xlsx", "kari_svar.csv", "svar-fra-ola.xlsx". A name that is also an ordinary word or a
    place stays ("strand_2024.csv", "berg_kommune.csv", "svar_per_fylke.csv", "dag1.csv"), as do
    "svar_2024.csv", "NAV_arbeidsgiver_bolge3.csv"."""
    # a name from the command line may carry undecodable bytes (lone surrogates), which cannot be stored
    path = Path((filename or "upload.csv").encode("utf-8", "replace").decode("utf-8"))
    suffix = path.suffix[:20]
    if filename_is_personal(path.name):
        return "upload" + suffix
    return path.stem[:250] + suffix


# ---------------------------------------------------------------- tables and survey definitions
def read_table_bytes(data: bytes, filename: str, survey: Any = None) -> pd.DataFrame:
    """Parse an uploaded CSV/XLSX/SAV/Parquet; every failure is a 422 naming what was wrong. A .sav read with
    ``survey`` is read as the CLI reads it (``user_missing="excluded"``): an indicator's labelled SPSS user-missing
    codes (98 «Vet ikke») stay as excluded codes (``attrs['spss_excluded']``, see :func:`with_spss_excluded`), and
    the read notes (:func:`read_notes`) name ``filename``, never the temporary file."""
    suffix = Path(filename or "upload.csv").suffix.lower() or ".csv"
    if suffix not in {".csv", ".txt", ".xlsx", ".sav", ".parquet"}:
        raise ApiError(415, "unsupported_file_type", f"unsupported file type {suffix!r}; use CSV, XLSX, SAV or Parquet")
    if not data or not data.strip():
        raise ApiError(422, "empty_file", "the uploaded file is empty")
    _refuse_nul_bytes(data, suffix)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # private whatever the umask
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        from textmine.io import read_table

        try:
            with warnings.catch_warnings():  # the same notes are in attrs['missing_notes'] (read_notes)
                warnings.simplefilter("ignore", UserWarning)
                frame = (read_table(path, survey=survey, validate=False, user_missing="excluded")
                         if survey is not None else read_table(path))
        except ApiError:
            raise
        except Exception as exc:  # TableReadError and parser errors: name the problem, not the data
            message = redact_name(_short(_service_wording(str(exc).replace(str(path), filename or "upload"))))
            code = "wrong_encoding" if ("encoding" in message or "not valid utf" in message.lower()) else "unreadable_table"
            raise ApiError(422, code, f"could not read the table: {message}") from None
    if frame.shape[0] == 0:
        raise ApiError(422, "empty_file", "the uploaded table has no data rows")
    if survey is not None:
        _refuse_missing_header(frame, survey)
    name = Path(filename or "upload").name
    if frame.attrs.get(READ_NOTES):
        frame.attrs[READ_NOTES] = [_named_note(str(n), path, name) for n in frame.attrs[READ_NOTES]]
    return frame


def _refuse_nul_bytes(data: bytes, suffix: str) -> None:
    """422 ``wrong_encoding`` for a CSV with NUL bytes that is not UTF-16 with a byte-order mark (Excel's «Unicode
    text», read as the CLI reads it): UTF-16 without one is named as such, anything else is a binary file."""
    if suffix not in {".csv", ".txt"} or b"\x00" not in data[:65536] or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return
    head = data[:4096]
    if max(head[0::2].count(0) / max(len(head[0::2]), 1), head[1::2].count(0) / max(len(head[1::2]), 1)) >= 0.6:
        raise ApiError(422, "wrong_encoding", "the file looks like UTF-16 text without a byte-order mark (a NUL byte "
                       "every other byte); save it as UTF-8 text (or as Excel's «Unicode text», which has one)")
    raise ApiError(422, "wrong_encoding", "the CSV file contains NUL bytes (a binary file?); save it as UTF-8 text")


#: the library's read hints as the upload can follow them (it has no header_row nor encoding field)
_SERVICE_HINTS = ((re.compile(r"if the column names are on a later row \(a title above them\), pass header_row=N"),
                   "the upload reads the column names from row 1: delete the rows above them (a title) and upload "
                   "again"),
                  (re.compile(r"; save it as UTF-8 text, or pass encoding='[\w-]+'"), "; save it as UTF-8 text"))


def _service_wording(message: str) -> str:
    for pattern, text in _SERVICE_HINTS:
        message = pattern.sub(text, message)
    return message


def _refuse_missing_header(frame: pd.DataFrame, survey: Any) -> None:
    """422 ``header_missing`` when the survey's id or free-text columns are missing and the names read look like a
    row of data (a file without its header row): says so, without quoting the names (they are a respondent's
    answers)."""
    from textmine.io import header_looks_like_data, HEADER_MISSING_HINT

    needed = [survey.id_column, *(q.column for q in getattr(survey, "free_text", []) or [])]
    missing = [c for c in needed if c not in frame.columns]
    if missing and header_looks_like_data(frame.columns):  # (personal data in one name alone: missing_columns)
        raise ApiError(422, "header_missing", f"the file lacks required column(s) {', '.join(missing)}; "
                       f"{HEADER_MISSING_HINT} Add a first row with the column names and upload again",
                       {"missing": missing})


#: ``read_table``'s frame attrs: the notes on a .sav read with a survey definition, and an indicator's labelled
#: SPSS user-missing codes kept as excluded codes (column → {code: label})
READ_NOTES = "missing_notes"
SPSS_EXCLUDED = "spss_excluded"


def _named_note(note: str, path: Path, name: str) -> str:
    """A read note naming the uploaded file ``name`` where it names the temporary ``path`` (or its base name)."""
    note = note.replace(str(path), name)
    return name + note[len(path.name):] if note.startswith(path.name + ":") else note


def read_notes(frame: pd.DataFrame) -> list[str]:
    """The notes :func:`read_table_bytes` made on the file (a .sav's SPSS missing codes, value labels that run
    the other way from an indicator), worded as the CLI prints them; [] for other files."""
    return [str(n) for n in (frame.attrs.get(READ_NOTES) or [])]


def with_spss_excluded(info: "SurveyInfo", frame: pd.DataFrame) -> "SurveyInfo":
    """``info`` with the excluded codes :func:`read_table_bytes` kept from a .sav (``attrs['spss_excluded']``),
    as the CLI adds them to the definition (:meth:`SurveyDefinition.with_excluded`): in ``definition`` and in
    ``yaml_text`` (under :data:`SPSS_EXCLUDED_KEY`, which :func:`parse_survey` reads back), so the wave's stored
    definition counts them as excluded in every later summary, page and report. ``info`` when there are none."""
    extra = {str(col): {_plain_code(c): str(label) for c, label in codes.items()}
             for col, codes in (frame.attrs.get(SPSS_EXCLUDED) or {}).items() if codes}
    if not extra:
        return info
    return dataclasses.replace(info, yaml_text=_yaml_with_key(info.yaml_text, SPSS_EXCLUDED_KEY, extra),
                               definition=info.definition.with_excluded(extra))


#: the key of a wave's stored definition that holds the .sav's labelled SPSS user-missing codes kept as excluded
#: codes (indicator column → {code: label}); written by the upload, read by :func:`parse_survey`
SPSS_EXCLUDED_KEY = "spss_excluded"


def stored_spss_excluded(yaml_text: str | None) -> dict[str, dict]:
    """The excluded codes a wave's stored definition holds from its .sav (:data:`SPSS_EXCLUDED_KEY`; {} without):
    set as the wave frame's ``attrs['spss_excluded']``, the library summary adds every compared wave's codes to the
    definition, as the CLI does for the files it reads (a wave read from CSV compared with one read from a .sav).
    Only a definition that names the key is parsed."""
    if not yaml_text or SPSS_EXCLUDED_KEY not in yaml_text:
        return {}
    try:
        raw = yaml.safe_load(yaml_text)
        return _spss_excluded_entry(dict(raw)) if isinstance(raw, dict) else {}
    except (yaml.YAMLError, ApiError):
        return {}


def _plain_code(code: Any) -> Any:
    """98.0 → 98 (a code as YAML writes it back the same)."""
    return int(code) if isinstance(code, float) and code.is_integer() else code


def _yaml_with_key(yaml_text: str, key: str, value: dict[str, Any]) -> str:
    """``yaml_text`` (a mapping) with ``key`` set to ``value`` (merged into one already there): appended as a block
    so that the definition's own text and comments stay as written; the whole mapping written anew where appending
    would not read back as meant (a flow mapping, an end-of-document marker, the key already there)."""
    raw = yaml.safe_load(yaml_text)
    merged = dict(raw.get(key) or {}) if isinstance(raw.get(key), dict) else {}
    for col, codes in value.items():
        merged[col] = {**(merged.get(col) or {}), **codes}
    want = {**raw, key: merged}
    text = yaml_text.rstrip("\n") + "\n" + yaml.safe_dump({key: merged}, allow_unicode=True, sort_keys=False)
    try:
        if key not in raw and yaml.safe_load(text) == want:
            return text
    except yaml.YAMLError:
        pass
    return yaml.safe_dump(want, allow_unicode=True, sort_keys=False)


def _spss_excluded_entry(raw: dict[str, Any]) -> dict[str, dict]:
    """The :data:`SPSS_EXCLUDED_KEY` entry of a definition mapping (removed from ``raw``), checked: a mapping of
    indicator column → {numeric code: label}; a 422 naming what is wrong otherwise."""
    value = raw.pop(SPSS_EXCLUDED_KEY, None) or {}
    ok = isinstance(value, dict) and all(
        isinstance(codes, dict) and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in codes)
        for codes in value.values())
    if not ok:
        raise ApiError(422, "invalid_survey_definition", f"invalid survey definition: {SPSS_EXCLUDED_KEY} must map "
                       "indicator columns to {code: label} (numeric codes)")
    return {str(col): {c: str(label) for c, label in codes.items()} for col, codes in value.items()}


def _yaml_position(exc: Exception) -> str:
    """' at line L, column C' (never the offending line's content: it may hold personal data)."""
    from textmine.survey import yaml_error_position

    return yaml_error_position(exc)


def _short(text: str, n: int = 300) -> str:
    return text if len(text) <= n else text[:n] + "…"


@dataclass
class SurveyInfo:
    """What the service needs from a survey definition."""

    yaml_text: str
    id_column: str = "respondent_id"
    wave_column: str | None = "wave"
    text_columns: list[str] = field(default_factory=list)
    question_texts: dict[str, str] = field(default_factory=dict)
    required_columns: list[str] = field(default_factory=list)
    definition: Any = None  # the library's SurveyDefinition when available, its min_cell raised to the floor
    declared_min_cell: int | None = None  # the definition's own min_cell (before the service's floor)


def parse_survey(yaml_text: str, min_cell_floor: int = DEFAULT_MIN_CELL_FLOOR) -> SurveyInfo:
    """Validate a survey definition (library ``SurveyDefinition``) and extract id/wave/free-text columns. The
    definition's ``min_cell`` is raised to ``min_cell_floor`` (the service's ``min_cell_floor`` setting, default
    :data:`DEFAULT_MIN_CELL_FLOOR`) when below it: every summary, quote, report and page the service builds
    reads the stored definition through here, so a definition with ``min_cell: 1`` cannot show readers cells of
    one respondent. ``declared_min_cell`` keeps the definition's own value. A wave's stored definition may hold
    :data:`SPSS_EXCLUDED_KEY` (written by the upload, :func:`with_spss_excluded`): the .sav's labelled SPSS
    user-missing codes, added to the definition's excluded codes as the CLI adds them. The definition's own
    warnings (a short scale's guessed positive code) are not issued: they stay in ``definition.definition_warnings``,
    which the upload returns to the uploader (:func:`service.store.upload_wave`)."""
    from textmine.survey import SurveyDefinition

    try:
        raw = yaml.safe_load(yaml_text)
    except yaml.YAMLError as exc:
        raise ApiError(422, "invalid_survey_definition",
                       f"survey definition is not valid YAML{_yaml_position(exc)}") from None
    if not isinstance(raw, dict):
        raise ApiError(422, "invalid_survey_definition", "survey definition must be a YAML mapping")
    spss_excluded = _spss_excluded_entry(raw)
    try:
        definition = SurveyDefinition.from_dict(raw, warn=False).with_excluded(spss_excluded)
    except Exception as exc:  # SurveyDefinitionError and malformed structures
        raise ApiError(422, "invalid_survey_definition",
                       f"invalid survey definition: {redact_name(_short(str(exc)))}") from None
    declared = int(definition.min_cell)
    if declared < min_cell_floor:
        definition = dataclasses.replace(definition, min_cell=int(min_cell_floor))
    info = SurveyInfo(yaml_text=yaml_text, id_column=definition.id_column, wave_column=definition.wave_column,
                      text_columns=[q.column for q in definition.free_text],
                      question_texts={q.column: q.label for q in definition.free_text},
                      required_columns=list(definition.columns), definition=definition, declared_min_cell=declared)
    if not info.text_columns:
        raise ApiError(422, "invalid_survey_definition", "the survey definition declares no free-text questions")
    return info


def stored_columns(info: SurveyInfo) -> list[str]:
    """The columns the survey definition declares (id, wave, weight, segments, indicators, multi-select options,
    free text, other_columns, routing items): the only ones a wave upload keeps."""
    definition = info.definition
    cols = list(definition.columns)
    for q in definition.free_text:
        if q.asked_item and q.asked_item not in cols:
            cols.append(q.asked_item)
    return cols


def validate_frame(frame: pd.DataFrame, info: SurveyInfo, filename: str) -> list[str]:
    """The library's table checks (declared columns, codes, weights); returns warnings, raises a 422.
    Segment values that are not declared levels are refused like indicator codes off the scale (column and
    rows named, never the values: a stray value may be personal data)."""
    frame.attrs["source"] = filename
    try:
        warnings = list(info.definition.validate_frame(frame, source=filename, strict=False))
    except Exception as exc:
        message = redact_name(_short(str(exc), 600))
        raise ApiError(422, "invalid_table", message, table_error_details(message)) from None
    bad = info.definition.undeclared_levels(frame)
    if bad:
        col, pos = next(iter(bad.items()))
        rows = [int(p) + 2 for p in pos]
        levels = list(info.definition.segment(col).levels)
        raise ApiError(422, "undeclared_level",
                       f"{filename}, column {col}: {len(rows)} value(s) are not among the declared levels "
                       f"{_short(', '.join(levels), 200)} (first at file row {rows[0]}); fix the data or declare "
                       "the level in the survey definition",
                       {"column": col, "rows": rows[:20], "count": len(rows),
                        "columns": {c: len(p) for c, p in bad.items()}})
    return warnings


_ERR_ROW = re.compile(r"\brow (\d+)")
_ERR_COLUMN = re.compile(r"\bcolumn ([^\s:,]+)")
_ERR_ROWS = re.compile(r"\brows ([\d, ]+\d)")
_ERR_MISSING = re.compile(r"column\(s\) (.+?) declared in the survey definition are missing")


def table_error_details(message: str) -> dict[str, Any]:
    """What a table check's message names, as details: the file ``row`` and ``column`` ("…, row 5, column
    q_tillit: …"), the ``rows`` listed ("rows 5, 6") and missing declared ``columns``; {} when it names none."""
    details: dict[str, Any] = {}
    if m := _ERR_ROW.search(message):
        details["row"] = int(m[1])
    if m := _ERR_COLUMN.search(message):
        details["column"] = m[1]
    if m := _ERR_ROWS.search(message):
        details["rows"] = [int(r) for r in m[1].split(",") if r.strip()][:20]
    if m := _ERR_MISSING.search(message):
        details["columns"] = [c.strip() for c in m[1].split(",") if c.strip()]
    return details


# ---------------------------------------------------------------- summaries and quotes
def build_summary(frames: dict[Any, pd.DataFrame], info: SurveyInfo, coded: dict[Any, pd.DataFrame] | None,
                  *, theme_labels: dict[str, str] | None = None, compare_to: Any = None) -> dict[str, Any]:
    """The library summary (indicators + themes by segment, weighted, CIs, suppression, change) as JSON."""
    from textmine.summary import build_summary as _build

    try:
        summary = _build(frames, info.definition, coded, theme_labels=theme_labels, compare_to=compare_to,
                         quotes=False)
    except (ValueError, KeyError) as exc:
        raise ApiError(422, "summary_failed", f"could not build the summary: {redact_name(_short(str(exc)))}") from None
    # small excluded/missing splits and small complements hidden (textmine.summary.hide_small_counts); the service
    # names small levels and blanks hidden rows itself
    from textmine.summary import hide_small_counts

    return hide_small_counts(summary).to_dict(raw=True)


def summary_quotes(respondents: pd.DataFrame, coded: pd.DataFrame, info: SurveyInfo, theme: str, *, n: int = 5,
                   embedder: Any = None, wave: Any = "wave") -> list[dict[str, Any]]:
    """Quotes for one theme chosen by the library summary's rules (``textmine.summary``: small-cell suppression
    of theme × segment cells, attributions shortened to combinations with ≥ min_cell respondents, no
    health-flagged text); the best ``n`` over all questions, as dicts: respondent_id and question (internal: the
    caller maps them to response ids), text, attribution, score, rank, language."""
    from textmine.summary import build_summary as _build

    try:
        summary = _build({wave: respondents}, info.definition, {wave: coded}, themes=[theme], quotes=True,
                         n_quotes=n, embedder=embedder, drivers=False, validate=False)
    except (ValueError, KeyError) as exc:
        raise ApiError(422, "summary_failed", f"could not select quotes: {redact_name(_short(str(exc)))}") from None
    table = summary.tables.get("quotes")
    if table is None or not len(table):
        return []
    table = table[table["theme"] == theme].copy()
    table["_neg_score"] = -pd.to_numeric(table["score"], errors="coerce").fillna(0.0)
    table = table.sort_values(["rank", "_neg_score"], kind="stable").head(n)
    return [{"respondent_id": r["respondent_id"], "question": r["question"], "text": r["text"],
             "attribution": r["attribution"], "score": r["score"], "rank": int(r["rank"]),
             "language": str(r.get("language") or "") or None}
            for r in table.to_dict("records")]


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame.to_dict("records")``, built column-wise: about half the cost of pandas' row-wise path on these
    frames (≈ 40 columns, Arrow-backed strings). /classify builds them once per micro-batch on the coder thread
    (they used to be built per request on the event loop)."""
    cols = [str(c) for c in frame.columns]
    values = [frame[c].tolist() for c in frame.columns]
    return [dict(zip(cols, row)) for row in zip(*values)]


def classify_texts(coder, texts: Sequence[str], cleaner_factory=None, question: str | None = None) -> pd.DataFrame:
    """Predictions plus ``text_redacted`` for each text; cleans once when the coder accepts a cleaned frame.
    ``question``: the survey question all texts answer (routed questions' theme rates), or None."""
    texts = list(texts)
    if cleaner_factory is None and hasattr(coder, "predict_frame"):
        from textmine.preprocess import Cleaner

        # as the coder's own cleaning (coder.predict): no language detection, lemma language from marker words
        cleaned = Cleaner(redact=True, detect_language=False).fit().transform(
            pd.Series(texts, dtype=object)).reset_index(drop=True)
        if question is not None:
            cleaned["question"] = question
        out = coder.predict_frame(cleaned).reset_index(drop=True)
        out["text_redacted"] = cleaned["text_clean"].tolist()
        return out
    out = predict(coder, texts, question)
    out["text_redacted"] = clean_texts(texts, (), factory=cleaner_factory)["text_clean"].tolist()
    return out
