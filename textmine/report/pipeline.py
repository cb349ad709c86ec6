"""From files to a report: read and code the waves (``textmine.pipeline``), summarise them
(``textmine.summary.build_summary``) and view the summary as report tables (:mod:`.views`).

I/O lives here; everything it calls is pure. ``coder`` can be injected (tests, CLI ``--coder keyword``);
a ready ``summary`` can be passed so it is not computed twice (``textmine demo``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .model import ReportData
from .views import report_from_summary

log = logging.getLogger(__name__)


class KeywordCoder:
    """A fast, model-free coder: ``textmine.classify.KeywordMatcher`` (the keyword baseline) behind the
    coders' ``predict``/``predict_frame`` interface (same output columns as the real coders)."""

    kind = "keyword"

    def __init__(self, codebook=None):
        from textmine.classify import KeywordMatcher
        from textmine.codebook import load_codebook
        from textmine.paths import DEFAULT_CODEBOOK

        self.codebook = codebook if codebook is not None else load_codebook(DEFAULT_CODEBOOK)
        # an abbreviation the analysis spells out («NKS» → «nav kontaktsenter») matches as that phrase, never on
        # one of its words alone («nav» is in nearly every comment)
        self._matcher = KeywordMatcher(self.codebook, expansions_as_phrases=True)
        self._cleaner = None

    def predict(self, texts) -> pd.DataFrame:
        """Code raw texts (cleaned and redacted first), same order as the input."""
        from textmine.preprocess import Cleaner

        if self._cleaner is None:
            self._cleaner = Cleaner(redact=True, detect_language=False).fit()
        series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
        return self.predict_frame(self._cleaner.transform(series))

    def predict_frame(self, cleaned: pd.DataFrame) -> pd.DataFrame:
        text = cleaned["text_clean"].fillna("").astype(str).tolist()
        counts = self._matcher.counts(text, cleaned["lemmas"].fillna("").astype(str).tolist())
        non = (pd.to_numeric(cleaned["is_non_answer"], errors="coerce").fillna(0).to_numpy() > 0) | np.array(
            [not t.strip() for t in text], dtype=bool)
        ids = list(self.codebook.theme_ids)
        y = (counts > 0).astype(int)
        for j, t in enumerate(self.codebook.themes):  # an exclusive theme (annet) = nothing else matched
            if getattr(t, "exclusive", False):
                others = np.delete(y, j, axis=1)
                y[:, j] = (others.sum(axis=1) == 0).astype(int)
        y[non] = 0
        out = pd.DataFrame(index=cleaned.index)
        for k, t in enumerate(ids):
            out[f"theme_{t}"] = y[:, k]
            out[f"score_{t}"] = counts[:, k] / (counts[:, k] + 1.0)  # 0 keywords → 0, 1 → 0.5, 2 → 0.67 …
        out["themes"] = [";".join(t for t, v in zip(ids, row) if v) for row in y]
        out["confidence"] = np.where(non, 1.0, np.clip(counts.max(axis=1) / 2, 0.3, 1.0))
        out["needs_review"] = ((~non) & (counts.max(axis=1) < 2)).astype(int)
        out["type"] = ""
        return out


def keyword_coder_factory(codebook=None, model_dir=None) -> KeywordCoder:
    """``(codebook, model_dir) -> coder`` for the service's ``coder_factory`` (fast, no model files)."""
    return KeywordCoder(codebook)


def agreement(coded: Mapping[Any, pd.DataFrame], labels: Mapping[Any, pd.DataFrame],
              theme_ids: Sequence[str] | Mapping[Any, Sequence[str]]) -> dict | None:
    """Agreement between the coding and hand labels (``textmine.evaluate``: micro F1/precision/recall,
    exact match, mean per-theme Cohen's kappa), or None when no coded comment has a label. ``theme_ids``: the themes
    scored, or wave → its codebook's themes (waves coded with different codebooks): each wave is scored on its own
    themes that its coded frame has a column for; a theme a wave lacks counts for neither side there (its kappa over
    the waves that have it)."""
    from textmine.evaluate import f1_summary, per_theme_agreement

    per_wave = {str(k): list(v) for k, v in theme_ids.items()} if isinstance(theme_ids, Mapping) else None
    ids = list(dict.fromkeys(t for v in per_wave.values() for t in v)) if per_wave is not None else list(theme_ids)
    true_parts, pred_parts, has_parts = [], [], []
    coded_by = {str(k): v for k, v in coded.items()}
    for wave, lab in labels.items():
        cw = coded_by.get(str(wave))
        if cw is None or lab is None or lab.empty:
            continue
        lab = lab[["respondent_id", "question", "themes"]].rename(columns={"themes": "_true"})
        lab = lab.assign(respondent_id=lab["respondent_id"].astype(str))
        m = cw.assign(respondent_id=cw["respondent_id"].astype(str)).merge(lab, on=["respondent_id", "question"])
        own = set(per_wave.get(str(wave), ids) if per_wave is not None else ids)
        has = np.array([t in own and f"theme_{t}" in m.columns for t in ids], dtype=bool)
        truth = m["_true"].fillna("").astype(str).map(lambda s: set(filter(None, s.split(";"))))
        yt = np.array([[int(t in s) for t in ids] for s in truth], dtype=int).reshape(-1, len(ids))
        yp = np.zeros((len(m), len(ids)), dtype=int)
        for j, t in enumerate(ids):
            if has[j]:
                yp[:, j] = pd.to_numeric(m[f"theme_{t}"], errors="coerce").fillna(0).to_numpy() > 0
        true_parts.append(yt * has)
        pred_parts.append(yp)
        has_parts.append(np.broadcast_to(has, yt.shape))
    if not true_parts or not sum(len(p) for p in true_parts):
        return None
    yt, yp, scored = np.vstack(true_parts), np.vstack(pred_parts), np.vstack(has_parts)
    f = f1_summary(yt, yp)
    if scored.all():
        kappa = per_theme_agreement(yt, yp, ids)["kappa"].to_numpy(float)
    else:  # each theme over the rows of the waves that have it
        kappa = np.array([per_theme_agreement(yt[scored[:, j], j:j + 1], yp[scored[:, j], j:j + 1], [t])["kappa"]
                          .to_numpy(float)[0] if scored[:, j].any() else np.nan for j, t in enumerate(ids)])
    return {"n": int(len(yt)), "micro_f1": round(f["micro_f1"], 3), "precision": round(f["micro_precision"], 3),
            "recall": round(f["micro_recall"], 3), "exact_match": round(f["exact_match"], 3),
            "mean_kappa": round(float(np.nanmean(kappa)), 3) if np.isfinite(kappa).any() else None}


def _labels_path(path: Path, wave: Any) -> Path:
    return path.parent / f"labels_{wave}.csv"


def _labels_beside(path: Path, wave: Any) -> pd.DataFrame | None:
    p = _labels_path(path, wave)
    if p.exists():
        try:
            return pd.read_csv(p, dtype={"respondent_id": str, "themes": str}, keep_default_na=False)
        except Exception as e:  # noqa: BLE001 - labels are optional; report without agreement
            log.warning("could not read %s: %s", p, e)
    return None


def _file_digest(p: Path) -> str | None:
    import hashlib

    try:
        return hashlib.sha256(p.read_bytes()).hexdigest()
    except OSError:
        return None


def _training_files(recorded: Sequence[str], model_folder: Path | None) -> list[Path]:
    """The training files a model records, found as ``textmine review --corrections`` finds them: absolute, else
    relative to the working directory or to the model folder or one of its parents (paths as typed at training)."""
    from ..classify.artefact import recorded_paths

    found = [c.resolve() for r in recorded or [] for c in recorded_paths(r, model_folder)]
    return list(dict.fromkeys(found))


def _in_training(label_file: Path, training: Sequence[Path]) -> bool:
    """Whether ``label_file`` is one of the model's training files: the same file, or a copy of one (same bytes)."""
    if not training:
        return False
    lf = label_file.resolve()
    if lf in training:
        return True
    digest = _file_digest(lf)
    size = lf.stat().st_size if lf.exists() else -1
    return digest is not None and any(t.stat().st_size == size and _file_digest(t) == digest for t in training)


def _model_metrics(model_folder: Path | None) -> dict:
    if model_folder is None or not (Path(model_folder) / "metrics.json").exists():
        return {}
    import json

    try:
        return json.loads((Path(model_folder) / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _manifest_training_data(model_folder: Path | None) -> list[str]:
    """The training files a model folder's manifest records ([] when it is not a readable model folder)."""
    if model_folder is None:
        return []
    from ..classify.artefact import read_manifest

    try:
        return list(read_manifest(model_folder).get("training_data") or [])
    except (OSError, ValueError, AttributeError):  # (ArtefactError is a ValueError)
        return []


def _in_sample_text(waves: Sequence[Any], metrics: Mapping) -> str:
    """The method note when the hand labels beside the waves were the model's training data (Norwegian, no file
    names: the note is published)."""
    from .numbers import fmt_decimal as f
    from .numbers import fmt_int

    ws = [str(w) for w in waves]
    which = ws[0] if len(ws) == 1 else ", ".join(ws[:-1]) + " og " + ws[-1]
    text = (f"Ikke målt: de manuelt kodede svarene for måling {which} ble brukt til å trene modellen, så samsvaret "
            f"med dem sier ingenting om hvor treffsikker kodingen er.")
    ev = (metrics or {}).get("eval_set") or {}
    if isinstance(ev, Mapping) and ev.get("micro_f1") is not None:
        parts = [f"mikro-F1 {f(float(ev['micro_f1']), 2)}"]
        if ev.get("micro_precision") is not None:
            parts.append(f"presisjon {f(float(ev['micro_precision']), 2)}")
        if ev.get("micro_recall") is not None:
            parts.append(f"dekning (recall) {f(float(ev['micro_recall']), 2)}")
        if ev.get("mean_kappa") is not None:
            parts.append(f"gjennomsnittlig Cohens kappa {f(float(ev['mean_kappa']), 2)}")
        n = f" ({fmt_int(int(ev['n']))} kommentarer)" if ev.get("n") else ""
        text += (f" Mot et eget testsett{n} som ikke ble brukt i treningen, ga modellen " + ", ".join(parts) + ".")
    return text


def _survey(survey: Any):
    from textmine.paths import DEFAULT_SURVEY
    from textmine.survey import SurveyDefinition

    if survey is None:
        return SurveyDefinition.from_yaml(DEFAULT_SURVEY)
    if isinstance(survey, (str, Path)):
        return SurveyDefinition.from_yaml(survey)
    if isinstance(survey, Mapping):
        return SurveyDefinition.from_dict(survey)
    return survey


def _codebook(codebook: Any, survey) -> Any:
    from textmine.codebook import Codebook, load_codebook
    from textmine.paths import DEFAULT_CODEBOOK

    if codebook is None:
        path = next((q.codebook for q in survey.free_text if getattr(q, "codebook", None)), None)
        return load_codebook(path or DEFAULT_CODEBOOK)
    if isinstance(codebook, (str, Path)):
        return load_codebook(codebook)
    if isinstance(codebook, Mapping) and not isinstance(codebook, Codebook):
        return Codebook.from_dict(dict(codebook))
    return codebook


def _default_coder(source: Any, codebook, survey) -> Any:
    """The shipped coder for the report's codebook (zero-shot where the shipped model is for another codebook)."""
    from textmine.pipeline import coder_for

    if source is None:
        source = next((q.codebook for q in survey.free_text if getattr(q, "codebook", None)), None)
    if source is None or isinstance(source, (str, Path)):
        return coder_for(codebook=source)
    from textmine.classify import ZeroShotCoder

    return ZeroShotCoder(codebook)


def _describe_coder(coder, model_dir) -> str:
    kind = getattr(coder, "kind", type(coder).__name__)
    emb = getattr(coder, "embedder_spec", None)
    text = f"{type(coder).__name__} ({kind})"
    if emb and kind != "keyword":
        text += f", embedding {emb}"
    n_train = _training_rows(coder)
    if n_train:
        text += f", treningssvar {n_train}"
    if model_dir:  # (published in «Metode»: a folder named after a person is not, as in the coded-file record)
        from textmine.pipeline import _model_name

        text += f", modellmappe {_model_name(model_dir)}"
    return text


def _training_rows(coder) -> int | None:
    """How many coded answers a trained coder was trained on, as its metadata records it (``n_train_``, from the
    model folder's ``metrics.json`` ``training.n_train``); None for a coder that records none (zero-shot, keyword)."""
    if getattr(coder, "kind", None) != "supervised":
        return None
    n = getattr(coder, "n_train_", None) or (getattr(coder, "training_metrics_", None) or {}).get("n_train")
    try:
        return int(n) if n and int(n) > 0 else None
    except (TypeError, ValueError):
        return None


def coded_record(path: str | Path, table: pd.DataFrame | None = None) -> dict | None:
    """The record of what coded a ``--coded`` input (:func:`textmine.pipeline.coded_identity`): ``OUT.textmine.json``
    beside a file, else a Parquet file's schema metadata (``table.attrs``), the ``coded_with`` of a Dask output
    folder's manifest; None when there is none or it cannot be read."""
    import json

    from textmine.pipeline import IDENTITY_KEY, identity_path

    path = Path(path)
    record = None
    try:
        if path.is_dir():
            from textmine.distributed import MANIFEST

            record = json.loads((path / MANIFEST).read_text(encoding="utf-8")).get(IDENTITY_KEY)
        elif identity_path(path).is_file():
            record = json.loads(identity_path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        record = None
    if record is None and table is not None:
        record = getattr(table, "attrs", {}).get(IDENTITY_KEY)
    return record if isinstance(record, dict) else None


def coding_origin(record: Mapping | None) -> tuple[str, str | None]:
    """How a coded file's codes were made, from its record (:func:`coded_record`): ``("zero-shot", None)``,
    ``("corrections", None)`` (``textmine review``'s corrections), ``("model", name)`` (a trained model, its folder
    name as recorded; «(navn skjult)» when it holds personal data) or ``("unknown", None)`` without a record."""
    model = record.get("model") if isinstance(record, Mapping) else None
    if not isinstance(model, str) or not model.strip():
        return "unknown", None
    if model == "zero-shot":
        return "zero-shot", None
    from textmine.pipeline import CORRECTIONS_CODERS, personal_name

    if model in CORRECTIONS_CODERS:  # ``textmine review``'s or the service's retraining's corrections
        return "corrections", None

    name = Path(model.strip()).name  # (the record names a folder, never a path: an edited one is cut to its name)
    return "model", "(navn skjult)" if name != "(navn skjult)" and personal_name(name) else name


def record_coder(record: Mapping | None) -> str | None:
    """What coded a ``--coded`` file, as :func:`textmine.pipeline.coder_label` names a coder: "zero-shot", or the
    trained model's folder name its record (:func:`coded_record`) gives; None for reviewed corrections and files
    without a record (not known: never a mismatch)."""
    from textmine.pipeline import ZERO_SHOT_KEY, with_fingerprint, zero_shot_label

    kind, name = coding_origin(record)
    if kind == "model" and name:  # with the model's fingerprint when the record has it (pipeline.same_coder)
        fp = (record or {}).get("model_fingerprint")
        return with_fingerprint(name, fp if isinstance(fp, str) and fp.isalnum() else None)
    # with its settings that change the codes (--zero-shot-background): a record without them is plain zero-shot
    return zero_shot_label((record or {}).get(ZERO_SHOT_KEY)) if kind == "zero-shot" else None


#: how each kind of codes read from files was made, in «Metode» (bokmål; nynorsk in wording.NN_PHRASES)
ORIGIN_TEXTS = {
    "zero-shot": "kodet uten en modell trent på kodede svar (zero-shot: maskinkoder ut fra kodebokens "
                 "temabeskrivelser alene, ikke kontrollert manuelt)",
    "corrections": "manuelt gjennomgåtte og rettede koder",
    "model": "kodet med en trent modell",
    "unknown": "ukjent (filen har ingen opplysninger om hvordan den ble kodet)",
}


def recorded_coding_text(given: Mapping[Any, Sequence[str]], records: Mapping[Any, Mapping[str, Any]],
                         survey) -> str | None:
    """The method note on how the codes read from files were made, per question and wave, from the files'
    records (:func:`coding_origin`); None when no codes were read from files."""
    labels = {q.column: q.label for q in survey.free_text}
    groups: dict[tuple[str, str | None], dict[str, list[str]]] = {}
    for w, qs in given.items():
        for q in qs:
            origin = coding_origin((records.get(w) or {}).get(q))
            groups.setdefault(origin, {}).setdefault(q, []).append(str(w))
    if not groups:
        return None
    parts = []
    for (kind, name), by_q in groups.items():
        where = "; ".join(f"«{labels.get(q, q)}» (måling {', '.join(ws)})" for q, ws in by_q.items())
        how = ORIGIN_TEXTS[kind] + (f" («{name}»)" if name else "")
        parts.append(f"{where}: {how}")
    return "Slik ble kodene i filene laget: " + "; ".join(parts) + "."


def _zero_shot_share_warnings(given: Mapping[Any, Sequence[str]], records: Mapping[Any, Mapping[str, Any]],
                              coded: Mapping[Any, pd.DataFrame], codebooks: Mapping[Any, Any], codebook) -> list[str]:
    """The zero-shot share warning (:func:`textmine.classify.zeroshot.question_share_warnings`, the check
    ``textmine code`` and ``textmine summary`` run when they code zero-shot) on the codes read from files whose
    record says zero-shot, per wave and question."""
    from textmine.classify import ZeroShotCoder
    from textmine.classify.zeroshot import question_share_warnings
    from textmine.pipeline import identity_codebook

    out: list[str] = []
    for w, qs in given.items():
        cw = coded.get(w)
        for q in qs:
            record = (records.get(w) or {}).get(q)
            if cw is None or cw.empty or coding_origin(record)[0] != "zero-shot":
                continue
            try:
                cb = identity_codebook(record, "record")
            except ValueError:
                cb = codebooks.get(w, codebook)
            rows = cw[cw["question"].astype(str) == str(q)] if "question" in cw.columns else cw
            cols = [f"theme_{t}" for t in cb.theme_ids]
            if rows.empty or not all(c in rows.columns for c in cols):
                continue
            decided = rows[cols].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy(dtype="int8")
            answered = (pd.to_numeric(rows["is_non_answer"], errors="coerce").fillna(1).to_numpy() == 0
                        if "is_non_answer" in rows.columns else np.ones(len(rows), dtype=bool))
            for msg in question_share_warnings(cb, decided, answered, [str(q)] * len(rows),
                                               small_below=ZeroShotCoder.BACKGROUND_MAX_THEMES):
                if msg not in out:
                    out.append(msg)
    return out


def _agreement_text(agree: dict) -> str:
    from .numbers import fmt_decimal as f

    return (f"Mot manuell koding av {agree['n']} kommentarer: mikro-F1 {f(agree['micro_f1'], 2)}, "
            f"presisjon {f(agree['precision'], 2)}, dekning (recall) {f(agree['recall'], 2)}, "
            f"helt like temasett {f(agree['exact_match'], 2)}, gjennomsnittlig Cohens kappa "
            f"{f(agree['mean_kappa'], 2)}.")


def build_report(waves: Sequence[str | Path] | Mapping[Any, pd.DataFrame], survey: Any = None, *,
                 codebook: Any = None, model_dir: str | Path | None = None, coder: Any = None,
                 coded: Mapping[Any, pd.DataFrame] | None = None, summary: Any = None,
                 labels: Mapping[Any, pd.DataFrame] | None = None, embedder: Any = None,
                 method: Mapping | None = None, title: str | None = None, sheet: str | None = None,
                 code_missing: bool = False, sources: Mapping[Any, str | Path] | None = None,
                 on_warning: Any = None, model_folder: str | Path | None = None,
                 language: str | None = None, codebooks: Mapping[Any, Any] | None = None,
                 compare_to: Any = None, question_codebooks: Mapping[Any, Mapping[str, Any]] | None = None,
                 coded_records: Mapping[Any, Mapping[str, Any]] | None = None,
                 allow_mixed_coding: bool = False) -> ReportData:
    """Read (or take) the wave frames, code the free text unless ``coded`` is given, summarise them
    unless ``summary`` is given, and view the summary as a :class:`ReportData`.

    ``embedder`` chooses the quote embedder of :func:`textmine.summary.build_summary` (None = e5 when it
    can be built, ``"fallback"`` = lexical). ``sheet``: the sheet of Excel wave files (default: the first). ``labels`` ({wave: hand labels}) add coding agreement; for
    files they are read from ``labels_<wave>.csv`` beside the wave file when present (``sources``: {wave: file}
    for frames given as a mapping, read from files by the caller).

    ``coded`` with ``code_missing=True`` (``textmine report --coded``): the given codes are used as they are, and
    only the free-text questions of a wave that have no row in ``coded`` (or waves not in it) are coded with
    ``coder``; the method notes say which questions' codes were read from files. ``on_warning`` (a callable) gets
    each of the summary's run warnings (English, for the analyst; the HTML shows Norwegian reader notes only).

    A ``coder`` given with ready ``coded`` frames (``textmine demo``) is still described in the method notes, and
    ``model_folder`` (the folder it was loaded from, not named in the notes) lets the agreement note check its
    training files and read its test-set scores, so the notes read as ``textmine report``'s for the same model.

    ``language``: "nb" (bokmål) or "nn" (nynorsk), the written standard of every fixed text of the report
    (:mod:`textmine.report.wording`; theme labels, question wordings and quotes are the user's and stay as they are);
    default: the survey definition's ``language``, else the codebook's when it is nb or nn, else nb.

    ``codebooks`` (wave → codebook or its file) when the waves were coded with different codebooks: a wave is coded
    with its own (``coder`` may then be a mapping wave → coder), a theme two compared waves define differently is not
    compared (:func:`textmine.summary.build_summary`), and «Metode» names each wave's codebook and version.

    ``compare_to`` (a wave, as ``textmine summary --compare-to``): every other wave is compared with it, and the
    report shows its change into the latest wave (default: each wave with the previous one, the report the latest
    pair). It must be an earlier wave than the latest (ValueError otherwise, before any coding).

    ``question_codebooks`` (wave → question → codebook, as the coded files record them): a survey whose questions
    have codebooks of their own gets its comparability checked per question (``build_summary``'s).

    ``coded_records`` (wave → question → the record of what coded its ``--coded`` file, :func:`coded_record`; a
    question missing: no record): «Metode» says how each question's codes read from files were made (zero-shot, a
    trained model, reviewed corrections or «ukjent»), and zero-shot codes get the zero-shot share check.

    Waves whose question two different coders coded (the records', or this run's coders: zero-shot, a trained model,
    another model, the keyword coder) are refused (ValueError, ``build_summary(coded_by=)``): their theme change
    would show the change of coder. ``allow_mixed_coding``: reported anyway, those theme changes not tested («ikke
    testbar»), and «Koding» says so.
    """
    from .wording import check_language, default_language

    if language is not None:
        language = check_language(language)  # (a wrong value fails before any reading or coding)
    from textmine.pipeline import CODERS_ATTR, code_wave, coder_label, hide_personal_sources, read_waves
    from textmine.summary import build_summary, mixed_coders, stray_columns_hint

    survey = _survey(survey)
    codebook_source = codebook
    codebook = _codebook(codebook, survey)
    if language is None:  # the survey definition's, else the codebook's, else bokmål
        language = default_language(survey.language, getattr(codebook, "language", None))
    for msg in [*survey.unknown_indicator_themes(codebook.theme_ids), *survey.link_hints()]:  # (ids only)
        if on_warning is not None:
            on_warning(msg)
        else:
            import warnings

            warnings.warn(msg, UserWarning, stacklevel=2)
    paths: dict[Any, Path] = {w: Path(p) for w, p in (sources or {}).items()}
    if isinstance(waves, Mapping):
        frames = dict(waves)
    else:
        frames = read_waves([Path(p) for p in waves], survey, sheet=sheet)
        paths = dict(zip(frames, map(Path, waves)))
    hide_personal_sources(frames, paths)  # «Metode» carries the warnings, which name the files
    compare_to = _compare_wave(compare_to, frames)
    wave_cbs = {w: _codebook(c, survey) for w, c in (codebooks or {}).items()}
    if wave_cbs:  # the latest wave's codebook names the themes (the sheet «Kodebok», agreement)
        codebook = wave_cbs.get(_latest(frames), codebook)
    info = dict(method or {})
    info["codebook"] = _codebooks_text(wave_cbs) or f"{codebook.name} versjon {codebook.version}"
    given: dict[Any, list[str]] = {}
    if coded is None:  # code everything
        todo = {w: None for w in frames}
    else:
        coded = dict(coded)
        given = {w: _coded_questions(coded.get(w)) for w in frames}
        todo = {}
        if code_missing:  # code only the questions (per wave) without a given code
            for w, df in frames.items():
                cols = [q.column for q in survey.free_text if q.column in df.columns and q.column not in given[w]]
                if cols:
                    todo[w] = cols
                    if on_warning is not None:  # textmine summary with the same --coded leaves them «ikke kodet»
                        on_warning(f"wave {w}: question(s) {', '.join(cols)} had no --coded file and are coded "
                                   "automatically for this report (textmine summary with the same --coded files "
                                   "shows them as not coded)")
    injected = coder
    # wave → question → what coded it (the files' records, this run's coders), for build_summary(coded_by=)
    coded_by: dict[Any, dict[str, str | None]] = {
        w: {q: record_coder((coded_records or {}).get(w, {}).get(q)) for q in qs} for w, qs in given.items()}
    coders = dict(coder) if isinstance(coder, Mapping) else {}
    coder = next(iter(coders.values()), None) if isinstance(coder, Mapping) else coder
    if todo:
        if coder is None or wave_cbs:
            from textmine.classify import load_coder

            def make(source, cb):
                return load_coder(model_dir, codebook=cb) if model_dir else _default_coder(source, cb, survey)

            if injected is None and wave_cbs:  # each wave coded with its own codebook
                made: dict[str, Any] = {}
                for w in todo:
                    cb = wave_cbs.get(w, codebook)
                    coders[w] = made[cb.hash] = made.get(cb.hash) or make((codebooks or {}).get(w), cb)
            if coder is None:
                coder = make(codebook_source, codebook) if not coders else coders[list(todo)[-1]]
        coded = dict(coded or {})
        for w, cols in todo.items():
            wc = coders.get(w, coder)
            new = code_wave(frames[w], survey, coder=wc, questions=cols)
            name = coder_label(wc, model_dir, default=injected is None and not model_dir)
            for q in new.attrs.get(CODERS_ATTR) or {}:
                coded_by.setdefault(w, {})[q] = name
            old = coded.get(w)
            coded[w] = new if old is None or old.empty else pd.concat([old, new], ignore_index=True, sort=False)
        info.setdefault("model", _describe_coder(coder, model_dir))
    elif coder is not None and not code_missing:  # codes this coder made before (textmine demo): same model note
        info.setdefault("model", _describe_coder(coder, model_dir))
    mixed: dict[str, tuple[list[Any], list[Any]]] = {}
    if code_missing and any(given.values()):
        info["coding"] = _given_codes_text(given, survey, coded_rest=bool(todo))
        mixed = _mixed_coding(given, coded or {}, list(frames))
        if mixed:
            info["coding"] += " " + _mixed_coding_text(mixed, survey)
            # which change rows mix the two ways of coding (marked in the tables; see views.mark_mixed_coding)
            info["mixed_coding"] = {str(q): {"read": [str(w) for w in read], "machine": [str(w) for w in machine]}
                                    for q, (read, machine) in mixed.items()}
        origin = recorded_coding_text(given, coded_records, survey) if coded_records is not None else None
        if not todo:
            info.setdefault("model", "Ingen automatisk koding i denne kjøringen: alle kodene er lest fra filer."
                            + (f" {origin}" if origin else ""))
        elif origin:
            info["coding"] += " " + origin
    if summary is None:
        from textmine.summary import codebook_theme_labels, wave_order

        summary = build_summary(frames, survey, coded, embedder=embedder, codebooks=wave_cbs or None,
                                compare_to=compare_to, question_codebooks=question_codebooks or None,
                                theme_labels=codebook_theme_labels(wave_cbs, wave_order(frames)) if wave_cbs
                                else {t.id: t.label for t in codebook.themes},
                                coded_by=coded_by, allow_mixed_coding=allow_mixed_coding)
        if given:  # stray theme columns in files that record no codebook: coded with another codebook?
            stray_columns_hint(summary, [w for w, qs in given.items() if qs and not any(
                (coded_records or {}).get(w, {}).get(q) for q in qs)])
        shifted = mixed_coders(coded_by, [tuple(p) for p in summary.meta.get("comparisons") or []])
        if shifted:  # --allow-mixed-coding: «Koding» says which theme changes were left untested, and why
            info["coding"] = " ".join(filter(None, [info.get("coding"), _mixed_coders_text(shifted, survey)]))
    for q, (read, machine) in mixed.items():  # the change between these waves mixes two ways of coding
        msg = (f"{q}: the codes of wave(s) {', '.join(map(str, read))} are read from --coded files, but wave(s) "
               f"{', '.join(map(str, machine))} are coded automatically now; the change between them mixes "
               f"reviewed and machine codes — give --coded {q}=FILE for every wave to compare like with like")
        if on_warning is not None:
            on_warning(msg)
        else:
            import warnings

            warnings.warn(msg, UserWarning, stacklevel=2)
    if on_warning is not None:
        for w in summary.warnings:
            on_warning(str(w))
    shares = (_zero_shot_share_warnings(given, coded_records, coded or {}, wave_cbs, codebook)
              if code_missing and coded_records else [])
    if on_warning is not None:
        for msg in shares:
            on_warning(msg)
    in_sample: list[Any] = []
    if labels is None:
        labels = {w: lab for w, p in paths.items() if (lab := _labels_beside(p, w)) is not None}
        if labels:  # hand labels the model was trained on measure nothing: left out, with a note saying so
            from textmine.paths import DEFAULT_MODEL_DIR

            folder = Path(model_dir) if model_dir else Path(model_folder) if model_folder else (
                DEFAULT_MODEL_DIR if injected is None else None)
            # codes read from files only (no coder): check against the model they most likely came from
            recorded = (getattr(coder, "training_data_", None) or []) if coder is not None \
                else _manifest_training_data(folder)
            training = _training_files(recorded, folder)
            in_sample = [w for w in labels if _in_training(_labels_path(paths[w], w), training)]
            labels = {w: lab for w, lab in labels.items() if w not in in_sample}
    scored = ({w: list(wave_cbs.get(w, codebook).theme_ids) for w in frames} if wave_cbs
              else list(codebook.theme_ids))  # each wave on its own codebook's themes
    agree = agreement(coded, labels, scored) if labels else None
    if agree:
        info["agreement"] = _agreement_text(agree)
        info["agreement_values"] = agree
    if in_sample:
        note = _in_sample_text(in_sample, _model_metrics(folder))
        info["agreement"] = f"{info['agreement']} {note}" if agree else note
        info["agreement_values"] = {**(agree or {}), "in_sample_waves": [str(w) for w in in_sample]}
    # the summary's definition holds the excluded codes an SPSS file declared (user-missing «Vet ikke»), so the
    # method note names them
    r = report_from_summary(summary, summary.definition or survey, frames=frames, coded=coded, codebook=codebook,
                            method=info, title=title, language=language, codebooks=wave_cbs or None)
    from .excel import personal_id_count

    if shares:  # the reader note on implausible zero-shot shares (html.reader_notes) reads the run's warnings
        _add_warnings(r.method, shares)
    if "respondent_id" in r.coded.columns:  # ids that are personal data are left out of the row-level exports
        r.method["personal_ids"] = personal_id_count(r.coded["respondent_id"])
    from .html import drivers_note

    note = drivers_note(r)
    if note:  # which model each question's adjusted effects come from (as the sheet «Betydning» says)
        r.method["drivers"] = note
    return r


def _add_warnings(method: dict, messages: Sequence[str]) -> None:
    """``messages`` added to the run's warnings (``method["warnings"]``: a list, or one "; "-joined text)."""
    prev = method.get("warnings")
    if isinstance(prev, (list, tuple)):
        method["warnings"] = [*prev, *(m for m in messages if m not in prev)]
    else:
        method["warnings"] = "; ".join([*([str(prev)] if prev else []),
                                        *(m for m in messages if m not in str(prev or ""))])


def _compare_wave(wave: Any, frames: Mapping[Any, Any]) -> Any:
    """The wave key of ``frames`` that ``wave`` names (by its text: "2022" finds 2022), None for None; ValueError
    when it is no wave, the latest (the report shows the change into the latest wave), or not the earliest (a wave
    before it would be compared backwards in time)."""
    if wave is None:
        return None
    from textmine.summary import wave_order

    keys = {str(k): k for k in frames}
    if str(wave) not in keys:
        raise ValueError(f"--compare-to {str(wave)!r} is not one of the waves {', '.join(keys)}")
    order = wave_order(frames)
    if str(wave) == str(order[-1]) and len(order) > 1:
        raise ValueError(f"--compare-to {str(wave)!r} is the latest wave: the report shows the change into the "
                         f"latest wave, so compare it with an earlier one ({', '.join(map(str, order[:-1]))})")
    before = [str(w) for w in order[:[str(o) for o in order].index(str(wave))]]
    if before:  # every other wave is compared with it: an earlier one would show a change backwards in time
        raise ValueError(f"--compare-to {str(wave)!r}: wave(s) {', '.join(before)} come before it and would be "
                         f"compared backwards in time; leave them out of the report, or compare with "
                         f"{before[0]}")
    return keys[str(wave)]


def _latest(frames: Mapping[Any, Any]) -> Any:
    """The latest wave."""
    from textmine.summary import wave_order

    return wave_order(frames)[-1]


def _codebooks_text(wave_cbs: Mapping[Any, Any]) -> str | None:
    """The method note on the waves' codebooks when they differ: each wave's codebook name and version (the same
    words in bokmål and nynorsk); None when every wave has the same one."""
    from textmine.summary import wave_order

    if len({(cb.name, cb.version, cb.hash) for cb in wave_cbs.values()}) < 2:
        return None
    return "; ".join(f"{cb.name} versjon {cb.version} (måling {w})" for w, cb in
                     ((w, wave_cbs[w]) for w in wave_order(wave_cbs))) + "."


def _coded_questions(cf: pd.DataFrame | None) -> list[str]:
    """The questions a coded frame has rows for."""
    if cf is None or cf.empty or "question" not in cf.columns:
        return []
    return [str(q) for q in dict.fromkeys(cf["question"].dropna())]


def _given_codes_text(given: Mapping[Any, list[str]], survey, *, coded_rest: bool) -> str:
    """The method note on codes read from files (``--coded``): which questions and waves (Norwegian, no file
    names: the note is published)."""
    labels = {q.column: q.label for q in survey.free_text}
    by_q: dict[str, list[str]] = {}
    for w, qs in given.items():
        for q in qs:
            by_q.setdefault(q, []).append(str(w))
    parts = [f"«{labels.get(q, q)}» (måling {', '.join(ws)})" for q, ws in by_q.items()]
    text = "Kodene for " + " og ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts) + \
        " er lest fra ferdig kodede filer og brukt som de er (ikke kodet på nytt)."
    if coded_rest:
        text += " De øvrige svarene er kodet automatisk (se «Modell»)."
    return text


def _mixed_coding(given: Mapping[Any, list[str]], coded: Mapping[Any, pd.DataFrame],
                  waves: Sequence[Any]) -> dict[str, tuple[list[Any], list[Any]]]:
    """{question: (waves whose codes were read from files, waves where it was coded automatically)} for the
    questions read from files in some waves and coded by the model in others."""
    out: dict[str, tuple[list[Any], list[Any]]] = {}
    for q in dict.fromkeys(q for qs in given.values() for q in qs):
        read = [w for w in waves if q in given.get(w, [])]
        machine = [w for w in waves if q not in given.get(w, []) and q in _coded_questions(coded.get(w))]
        if read and machine:
            out[q] = (read, machine)
    return out


def _coder_words(name: str) -> str:
    """A coder (:func:`textmine.pipeline.coder_label`) in the published notes' words (bokmål)."""
    from textmine.summary import coder_text

    return coder_text(name, norwegian=True)


def _mixed_coders_text(mixed: Mapping[tuple, Mapping[str, tuple[str, str]]], survey) -> str:
    """The method note on theme changes between waves coded by different coders (``--allow-mixed-coding``):
    which, by which coders, and that they are not tested (Norwegian)."""
    labels = {q.column: q.label for q in survey.free_text}
    parts = [f"For «{labels.get(q, q)}» er måling {prev} kodet med {_coder_words(a)} og måling {cur} med "
             f"{_coder_words(b)}." for (prev, cur), by_q in mixed.items() for q, (a, b) in by_q.items()]
    return ("Merk: " + " ".join(parts) + " Endringene i temaandelene mellom disse målingene er derfor ikke testet "
            "(ikke testbar): de ville vist byttet av koder, ikke en endring blant respondentene.")


def _mixed_coding_text(mixed: Mapping[str, tuple[list[Any], list[Any]]], survey) -> str:
    """The method note on a question read from files in some waves and coded automatically in others (Norwegian)."""
    labels = {q.column: q.label for q in survey.free_text}

    def join(ws):
        ws = [str(w) for w in ws]
        return ws[0] if len(ws) == 1 else ", ".join(ws[:-1]) + " og " + ws[-1]

    parts = []
    for q, (read, machine) in mixed.items():
        parts.append(f"For «{labels.get(q, q)}» er kodene for måling {join(read)} lest fra filer (for eksempel "
                     f"gjennomgått og rettet manuelt), mens måling {join(machine)} er kodet automatisk. Endringen "
                     f"mellom disse målingene blander derfor to måter å kode på, og kan skyldes kodingen og ikke bare "
                     f"en reell endring.")
    return "Merk: " + " ".join(parts)
