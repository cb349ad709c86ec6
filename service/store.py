"""Store operations shared by the HTTP routers and the CLI (sessions in, rows/dicts out)."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import math
import re
import threading
import unicodedata
import uuid
from collections import Counter, OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import and_, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from service import library
from service.crypto import RawTextCodec
from service.db.models import (
    Codebook,
    CodingJob,
    CodingResult,
    Correction,
    Respondent,
    Response,
    StoreSecret,
    Survey,
    TrainedModel,
    TrainingJob,
    Wave,
    utcnow,
)
from service.errors import ApiError, id_details, id_text
from service.modelpaths import ModelPathError, model_folder, stored_model_path
from service.schemas import no_lone_surrogates
from service.settings import DEFAULT_MIN_CELL_FLOOR, Settings
from textmine.disclosure import free_segments, identifier_words, neutral_level_names
from textmine.io import shown_column_name
from textmine.survey import value_keys

ACTIVE_STATES = ("queued", "running")
LABEL_MAX = 100  # waves.label is VARCHAR(100) (PostgreSQL enforces it)
SURVEY_NAME_MAX = 200  # surveys.name is VARCHAR(200)
RESPONDENT_ID_MAX = 200  # respondents.respondent_id is VARCHAR(200)
CODEBOOK_NAME_MAX, CODEBOOK_VERSION_MAX = 200, 50  # codebooks.name VARCHAR(200), codebooks.version VARCHAR(50)

# ---------------------------------------------------------------- upload warnings (one wording, shared)
# The value-free messages the upload writes into Wave.warnings. service.scrub recognises stored messages with
# patterns built from these same templates (``scrub.warning_pattern``): change the wording here, nowhere else.
NOT_STORED_WARNING = "{n} column(s) not declared in the survey definition were not stored: {columns}"
PII_WARNING = "{n} personal data item(s) were redacted from the free text"
DUPLICATE_WARNING = ("the same content is also stored as wave {wave_id} of this survey; stored again on request "
                     "(allow_duplicate)")
# library.masked_segment_warning (also called by the scrub) written with placeholders: its template
MASKED_WARNING = library.masked_segment_warning("{col}", "{n}")  # type: ignore[arg-type]


def get_or_404(session: Session, model, obj_id: int, what: str):
    row = session.get(model, obj_id)
    if row is None:
        raise ApiError(404, "not_found", f"{what}{id_text(obj_id)} does not exist", id_details(what, obj_id))
    return row


def page(session: Session, stmt, limit: int, offset: int) -> tuple[list, int]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.scalars(stmt.limit(limit).offset(offset)))
    return rows, int(total)


# ---------------------------------------------------------------- surveys and waves
def create_survey(session: Session, name: str, description: str | None, definition_yaml: str | None) -> Survey:
    name = clean_label(name, "survey name", SURVEY_NAME_MAX)
    if description is not None:
        _refuse_nul(description, "survey description", "invalid_description")
        refuse_personal_data(description, "survey description", identifier=True)
    if definition_yaml:
        refuse_personal_data_in_definition(library.parse_survey(definition_yaml).definition)  # 422 if invalid
    found = session.scalars(select(Survey).where(Survey.name == name)).first()
    if found is not None:
        raise survey_exists(name, found.id)
    survey = Survey(name=name, description=description, definition_yaml=definition_yaml)
    session.add(survey)
    try:
        session.flush()
    except IntegrityError:  # a concurrent request (another server) stored the same name first: unique surveys.name
        session.rollback()
        raise survey_exists(name, session.scalar(select(Survey.id).where(Survey.name == name))) from None
    return survey


def survey_exists(name: str, survey_id: int | None) -> ApiError:
    """409 ``survey_exists`` naming the stored survey (its id: a client's retry finds what it made)."""
    return ApiError(409, "survey_exists", f"a survey named {name!r} already exists (survey {survey_id})",
                    {"name": name, "survey_id": survey_id})


def _refuse_nul(text: str, what: str, code: str) -> None:
    """422 ``code`` when ``text`` holds a NUL character: PostgreSQL cannot store one in a text column (SQLite can,
    so both stores refuse it alike)."""
    if "\x00" in text:
        raise ApiError(422, code, f"the {what} contains a NUL character (\\x00); remove it")


def _json_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, str):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _text_or_none(value: Any) -> str | None:
    value = _json_value(value)
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None


# ---------------------------------------------------------------- labels typed by an analyst
_PII_KINDS = {"fodselsnummer": "a fødselsnummer", "dnummer": "a D number", "telefon": "a phone number",
              "epost": "an e-mail address", "kontonummer": "an account number",
              "orgnummer": "an organisation number", "adresse": "an address", "navn": "a person's name",
              "fodselsdato": "a date of birth", "lenke": "a personal link", "kjennemerke": "a licence plate",
              "idnummer": "a patient, journal, HPR or employee number",
              "eiendom": "a property's gårds-/bruksnummer"}


def personal_data_kinds(text: str) -> list[str]:
    """What the project's redaction (textmine.preprocess.redact) finds in a short label, in words; an 8-digit
    date (YYYYMMDD, e.g. 20240115) is a date, not a phone number."""
    counts = library.personal_data_counts(text)
    return [_PII_KINDS.get(kind, kind) for kind, n in counts.items() if n]


def refuse_personal_data(text: str, what: str, *, identifier: bool = False, field: str | None = None) -> None:
    """422 ``personal_data_in_name`` (as for survey names, never quoting the value) when ``text`` (a description,
    a codebook name or a theme's label) holds personal data by the project's redaction; ``identifier``: ``text`` is
    an id or code ("kari_nordmann_01019012480"), also checked as words (:func:`identifier_words`); ``field``: the
    details' field (default ``what``)."""
    found = personal_data_kinds(text)
    if identifier and not found:
        found = personal_data_kinds(identifier_words(text))
    if found:
        raise ApiError(422, "personal_data_in_name", f"the {what} looks like it holds personal data "
                       f"({', '.join(found)}); remove it (readers see this text)",
                       {"found": found, "field": field or what})


def refuse_personal_data_in_definition(definition: Any) -> None:
    """422 ``personal_data_in_name`` naming the field (``indicators[2].label``, never the value) when a
    human-written string of a survey definition holds personal data: its name and description, the labels of
    excluded codes, segments (with their levels' codes and labels and the attribution format), indicators,
    multi-select groups (and their options' labels) and free-text questions, the indicator and group ids, and
    every column name it declares (:func:`textmine.survey.definition_texts`). Readers see all of them in
    summaries, reports and pages. A label left out defaults to the column (or id): it is checked as an id then."""
    from textmine.survey import definition_texts

    for field, text, ident in definition_texts(definition):
        refuse_personal_data(text, f"survey definition's {field}", identifier=ident, field=field)


def clean_label(label: str, what: str = "wave label", limit: int = LABEL_MAX) -> str:
    """An analyst's label (or name) as stored: surrounding whitespace stripped, inner runs of whitespace collapsed
    to one space. 422 (never quoting it) when it is blank, too long, not valid Unicode, holds a control character
    or holds personal data by the project's redaction."""
    kind = what.rsplit(" ", 1)[-1]  # "label" or "name": the error codes say which
    try:
        no_lone_surrogates(label)
    except ValueError:
        raise ApiError(422, f"invalid_{kind}", f"the {what} is not valid Unicode (a lone surrogate)") from None
    label = " ".join(label.split())
    if not label:
        raise ApiError(422, f"invalid_{kind}", f"the {what} is blank: give at least one visible character"
                       + (", or no label at all to take it from the file" if kind == "label" else ""))
    if len(label) > limit:
        raise ApiError(422, f"invalid_{kind}", f"the {what} must be at most {limit} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in label):
        raise ApiError(422, f"invalid_{kind}", f"the {what} contains a control character; use printable text")
    found = personal_data_kinds(label)
    if found:
        hint = "e.g. the year or round; an 8-digit date such as 20240115 is fine" if kind == "label" else \
            "an 8-digit date such as 20240115 is fine"
        raise ApiError(422, f"personal_data_in_{kind}", f"the {what} looks like it holds personal data "
                       f"({', '.join(found)}); choose a {kind} without it ({hint})", {"found": found})
    return label


def _label_candidate(text: str) -> str | None:
    """A default label as stored (whitespace collapsed, cut to LABEL_MAX); None when blank or with a control
    character."""
    text = " ".join(text.split())[:LABEL_MAX].strip()
    return text if text and not any(unicodedata.category(ch) == "Cc" for ch in text) else None


def _default_label(frame: pd.DataFrame, info: library.SurveyInfo, filename: str) -> str:
    """The file's single wave-column value when it holds no personal data, else the (redacted) file name stem."""
    if info.wave_column and info.wave_column in frame.columns and frame[info.wave_column].nunique() == 1:
        value = str(_json_value(frame[info.wave_column].iloc[0]))
        if not personal_data_kinds(value):  # a cell may hold anything: personal data is never a label
            label = _label_candidate(value)
            if label:
                return label
    return _label_candidate(Path(filename or "wave").stem) or "wave"


def _refuse_existing_label(session: Session, survey_id: int, label: str) -> None:
    found = session.scalars(select(Wave).where(Wave.survey_id == survey_id, Wave.label == label)).first()
    if found is not None:
        raise wave_exists(survey_id, label, found.id)


def wave_exists(survey_id: int, label: str, wave_id: int | None) -> ApiError:
    """409 ``wave_exists`` naming the stored wave of the label (its id, as ``duplicate_wave`` does)."""
    return ApiError(409, "wave_exists", f"survey {survey_id} already has a wave {label!r} (wave {wave_id})",
                    {"label": label, "wave_id": wave_id})


# ---------------------------------------------------------------- content fingerprints (duplicate uploads)
FINGERPRINT_SECRET = "wave_fingerprint"  # store_secrets row made by migration 0004: the content_hmac key
UPLOAD_LOCK = 0x746D  # PostgreSQL advisory lock namespace ("tm") of wave uploads; the second key is the survey id


def _content_lines(respondents: Any):
    """[respondent id, structured answers, {question: text}] per respondent, in respondent-id order, as canonical
    JSON lines (bytes)."""
    for rid, answers, texts in sorted(respondents, key=lambda r: str(r[0])):
        line = json.dumps([str(rid), answers or {}, texts or {}], sort_keys=True, ensure_ascii=False,
                          separators=(",", ":"), default=str)
        yield line.encode("utf-8", "surrogatepass") + b"\n"


def content_fingerprint(respondents: Any) -> str:
    """SHA-256 over a wave's stored content: [respondent id, structured answers, {question: redacted text}] per
    respondent, in respondent-id order, as canonical JSON. One digest per wave (no per-person hashes); raw text
    never enters it. Depends on the redactor: new uploads compare by :func:`content_hmac`; this one is kept for
    waves stored before migration 0004."""
    digest = hashlib.sha256()
    for line in _content_lines(respondents):
        digest.update(line)
    return digest.hexdigest()


def content_hmac(secret: str, respondents: Any) -> str:
    """HMAC-SHA256, keyed with the store's secret, over a wave's content as uploaded (respondent ids, declared
    structured answers before masking, comments before redaction; same lines as :func:`content_fingerprint`).
    A changed redactor does not change it; one value per wave, never per person, and without the secret it cannot
    be compared with hashes of guessed comments."""
    mac = hmac.new(secret.encode("ascii"), digestmod=hashlib.sha256)
    for line in _content_lines(respondents):
        mac.update(line)
    return mac.hexdigest()


def fingerprint_secret(session: Session) -> str:
    """The store's content_hmac key (made by migration 0004)."""
    value = session.scalar(select(StoreSecret.value).where(StoreSecret.name == FINGERPRINT_SECRET))
    if not value:
        raise RuntimeError(f"the store has no {FINGERPRINT_SECRET!r} secret (table store_secrets): migrate it to "
                           "the newest revision")
    return value


def lock_survey_uploads(session: Session, survey_id: int) -> None:
    """Serialise wave uploads to one survey until the transaction ends, so that the duplicate check and the insert
    are atomic: a transaction-level advisory lock on PostgreSQL; on SQLite the database write lock, taken now by a
    no-op write (as ``BEGIN IMMEDIATE`` would), which also makes the next read see every committed upload."""
    _transaction_lock(session, UPLOAD_LOCK, survey_id, "UPDATE surveys SET name = name WHERE id = :key")


def _transaction_lock(session: Session, namespace: int, key: int, sqlite_noop: str) -> None:
    """Held until the transaction ends: ``pg_advisory_xact_lock(namespace, key)`` on PostgreSQL; elsewhere the
    database write lock, taken by ``sqlite_noop`` (a write that changes nothing, as ``BEGIN IMMEDIATE`` would)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"), {"ns": namespace, "key": key})
    else:
        session.execute(text(sqlite_noop), {"key": key})


def same_content_wave(session: Session, survey_id: int, keyed: str, legacy: str | None = None) -> Wave | None:
    """The survey's first wave holding exactly this content: the same ``content_hmac``, or, for a wave stored
    before migration 0004 (no content_hmac), the same ``content_sha256`` (``legacy``, by today's redactor)."""
    same = Wave.content_hmac == keyed
    if legacy is not None:
        same = or_(same, and_(Wave.content_hmac.is_(None), Wave.content_sha256 == legacy))
    return session.scalars(select(Wave).where(Wave.survey_id == survey_id, same).order_by(Wave.id)).first()


def duplicate_error(survey_id: int, existing: Wave) -> ApiError:
    """409 naming the wave that already holds the content (id and label: analyst metadata, never cell values)."""
    return ApiError(409, "duplicate_wave",
                    f"survey {survey_id} already holds this content as wave {existing.id} ({existing.label!r}): the "
                    "same respondents, answers and comments; storing it again would count them twice. Upload it "
                    "anyway with allow_duplicate=true (CLI: --allow-duplicate)",
                    {"wave_id": existing.id, "label": existing.label})


# ---------------------------------------------------------------- wave upload
def upload_wave(session: Session, settings: Settings, survey_id: int, data: bytes, filename: str,
                label: str | None = None, definition_yaml: str | None = None,
                allow_duplicate: bool = False) -> tuple[Wave, list[str]]:
    """Validate and store one wave. Raises ApiError (and writes nothing) on any problem, including content a wave
    of the survey already holds (unless ``allow_duplicate``). ``label`` None: taken from the file. The warnings
    (stored with the wave, returned in the upload's response) begin with the survey definition's own
    (``SurveyDefinition.definition_warnings``: a short scale's guessed positive code), then the file's."""
    survey = get_or_404(session, Survey, survey_id, "survey")
    if label is not None:  # refused before the file is read
        label = clean_label(label)
    filename = library.safe_filename(filename)  # it is stored, shown to readers and quoted in messages
    definition_yaml = definition_yaml or survey.definition_yaml
    if not definition_yaml:
        raise ApiError(422, "missing_survey_definition",
                       "no survey definition: upload one with the wave or store one on the survey")
    info = library.parse_survey(definition_yaml)
    refuse_personal_data_in_definition(info.definition)  # the wave keeps it; readers see its labels
    definition_notes = list(info.definition.definition_warnings)  # item ids and codes only (checked just above)
    frame = library.read_table_bytes(data, filename, info.definition)
    read_notes = library.read_notes(frame)  # a .sav's notes, as the CLI prints them
    info = library.with_spss_excluded(info, frame)  # its labelled SPSS missing codes: excluded codes, as the CLI
    if info.yaml_text != definition_yaml:
        refuse_personal_data_in_definition(info.definition)  # (the codes' value labels joined its labels)
    frame.columns = [str(c).strip() for c in frame.columns]
    ids = _checked_ids(frame, info)
    _refuse_personal_ids(ids, info.id_column)
    _check_single_wave(frame, info)
    _check_comment_lengths(frame, info, settings.max_comment_chars)
    keyed_answers = _declared_answers(frame, info)  # before masking: the fingerprint does not depend on it
    frame, warnings = _stored_frame(frame, info, filename)
    warnings = definition_notes + read_notes + warnings
    label = label if label is not None else _default_label(frame, info, filename)
    _refuse_existing_label(session, survey_id, label)

    # redact all free texts at once (library Cleaner)
    cells: list[tuple[int, str, str]] = []
    for col in info.text_columns:
        for pos, value in enumerate(frame[col].tolist()):
            text = _text_or_none(value)
            if text is not None:
                cells.append((pos, col, text))
    cleaned = library.clean_texts([c[2] for c in cells], list(info.question_texts.values()),
                                  factory=getattr(settings, "cleaner_factory", None))
    codec = RawTextCodec(settings.store_raw_text, settings.fernet_key)
    structured_cols = [c for c in frame.columns if c not in info.text_columns]
    answers = [{k: _json_value(v) for k, v in rec.items() if k != info.id_column}
               for rec in frame[structured_cols].to_dict("records")]
    redacted = [str(row.text_clean if isinstance(row.text_clean, str) else "")
                for row in cleaned.itertuples(index=False)]
    texts: list[dict[str, str]] = [{} for _ in answers]
    for (pos, col, _raw), text_redacted in zip(cells, redacted):
        texts[pos][col] = text_redacted
    raw_texts: list[dict[str, str]] = [{} for _ in answers]
    for pos, col, raw in cells:
        raw_texts[pos][col] = raw
    keyed = content_hmac(fingerprint_secret(session), zip(ids.tolist(), keyed_answers, raw_texts))
    fingerprint = content_fingerprint(zip(ids.tolist(), answers, texts))
    lock_survey_uploads(session, survey_id)  # held until commit: no concurrent upload between check and insert
    existing = same_content_wave(session, survey_id, keyed, fingerprint)
    if existing is not None:
        if not allow_duplicate:
            raise duplicate_error(survey_id, existing)
        warnings.append(DUPLICATE_WARNING.format(wave_id=existing.id))
    else:  # (an exact copy stored on request holds nothing to difference against its original)
        _refuse_near_duplicate(session, survey_id, ids.tolist(), answers, texts)

    wave = Wave(survey_id=survey_id, label=label, definition_yaml=info.yaml_text, filename=Path(filename).name[:300],
                text_columns=list(info.text_columns), warnings=list(warnings), content_sha256=fingerprint,
                content_hmac=keyed)
    session.add(wave)
    try:
        session.flush()
    except IntegrityError:  # a concurrent upload of the same label won the race (unique survey_id + label)
        session.rollback()
        raise wave_exists(survey_id, label, session.scalar(select(Wave.id).where(Wave.survey_id == survey_id,
                                                                                 Wave.label == label))) from None
    respondent_rows = [{"wave_id": wave.id, "respondent_id": ids.iloc[pos], "answers": a}
                       for pos, a in enumerate(answers)]
    pks = list(session.scalars(insert(Respondent).returning(Respondent.id, sort_by_parameter_order=True),
                               respondent_rows))
    response_rows = []
    for (pos, col, text), text_redacted, row in zip(cells, redacted, cleaned.itertuples(index=False)):
        response_rows.append({
            "wave_id": wave.id, "respondent_pk": pks[pos], "question": col,
            "text_redacted": text_redacted,
            "text_raw": codec.encode(text), "raw_encrypted": codec.encrypted,
            "language": str(row.language) if row.language is not None else None,
            "pii_count": int(row.pii_count or 0), "health_flag": int(row.health_flag or 0),
            "is_non_answer": int(row.is_non_answer or 0),
        })
    if response_rows:
        session.execute(insert(Response), response_rows)
    wave.n_respondents = len(respondent_rows)
    wave.n_responses = len(response_rows)
    n_pii = int(sum(r["pii_count"] for r in response_rows))
    if n_pii:
        warnings.append(PII_WARNING.format(n=n_pii))
    wave.warnings = list(warnings)  # a new list: the row's own copy was flushed before the note was added
    session.flush()
    return wave, warnings


NEAR_DUPLICATE_SHARE = 0.9  # new ids found in one stored wave, and of those rows identical: a near-duplicate


def row_fingerprint(secret: str, answers: dict[str, Any] | None, texts: dict[str, str] | None) -> bytes:
    """HMAC-SHA256, keyed with the store's secret, over one respondent's stored structured answers and redacted
    comments (canonical JSON). Computed in memory to compare waves, never stored or returned."""
    line = json.dumps([answers or {}, texts or {}], sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)
    return hmac.new(secret.encode("ascii"), line.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()


def _stored_row_fingerprints(session: Session, secret: str, wave_id: int) -> dict[str, bytes]:
    """``{respondent id: row_fingerprint}`` of a stored wave (its stored answers and redacted comments)."""
    texts: dict[int, dict[str, str]] = {}
    for pk, question, text_redacted in session.execute(
            select(Response.respondent_pk, Response.question, Response.text_redacted)
            .where(Response.wave_id == wave_id)):
        texts.setdefault(pk, {})[question] = text_redacted
    rows = session.execute(select(Respondent.id, Respondent.respondent_id, Respondent.answers)
                           .where(Respondent.wave_id == wave_id))
    return {str(rid): row_fingerprint(secret, answers, texts.get(pk)) for pk, rid, answers in rows}


def near_duplicate_wave(session: Session, survey_id: int, ids: list[str], answers: list[dict[str, Any]],
                        texts: list[dict[str, str]]) -> tuple[Wave, int, int] | None:
    """The survey's first stored wave that holds ≥ 90 % of these respondent ids and whose rows for those ids are
    ≥ 90 % identical (stored answers + redacted comments, compared by keyed row hashes), with (ids shared,
    rows identical); None if there is none. A panel's next wave (same ids, new answers) is not one."""
    secret = fingerprint_secret(session)
    new = {str(rid): row_fingerprint(secret, a, t) for rid, a, t in zip(ids, answers, texts)}
    stored_ids: dict[int, set[str]] = {}
    for wave_id, rid in session.execute(select(Respondent.wave_id, Respondent.respondent_id)
                                        .join(Wave, Wave.id == Respondent.wave_id).where(Wave.survey_id == survey_id)):
        stored_ids.setdefault(wave_id, set()).add(str(rid))
    for wave_id in sorted(stored_ids):
        shared = [rid for rid in new if rid in stored_ids[wave_id]]
        if not shared or len(shared) < NEAR_DUPLICATE_SHARE * len(new):
            continue
        stored = _stored_row_fingerprints(session, secret, wave_id)
        same = sum(hmac.compare_digest(stored[rid], new[rid]) for rid in shared if rid in stored)
        if same >= NEAR_DUPLICATE_SHARE * len(shared):
            return session.get(Wave, wave_id), len(shared), same
    return None


def _refuse_near_duplicate(session: Session, survey_id: int, ids: list[str], answers: list[dict[str, Any]],
                           texts: list[dict[str, str]]) -> None:
    """409 ``near_duplicate_wave`` naming the stored wave the upload nearly repeats (id, label, counts only):
    two such waves, differenced, give away the few respondents that differ."""
    found = near_duplicate_wave(session, survey_id, ids, answers, texts)
    if found is None:
        return
    wave, shared, same = found
    raise ApiError(409, "near_duplicate_wave",
                   f"survey {survey_id}: this file is nearly the same as wave {wave.id} ({wave.label!r}): {shared} of "
                   f"its {len(ids)} respondent ids are in that wave and {same} of those respondents' answers and "
                   "comments are identical. Two nearly equal waves let anyone who compares them single out the "
                   f"few respondents that differ. If this is a corrected re-upload, replace the wave: an admin "
                   f"deletes wave {wave.id} (DELETE /waves/{wave.id}; CLI: textmine store delete-wave {wave.id}), then "
                   "upload the file again",
                   {"wave_id": wave.id, "label": wave.label, "respondents": len(ids), "shared_ids": shared,
                    "identical_rows": same})


_PERSONAL_ID_KINDS = ("fodselsnummer", "dnummer", "epost", "telefon")


def _refuse_personal_ids(ids: pd.Series, column: str) -> None:
    """422 ``personal_data_in_ids`` when respondent ids look like personal data (a fødselsnummer/D-number, an
    e-mail address or a phone number: the check ``textmine clean`` warns with); the message names the column and
    file rows, never the values."""
    rows = _personal_id_rows(ids)
    if rows:
        shown = ", ".join(map(str, rows[:10])) + (", …" if len(rows) > 10 else "")
        raise ApiError(422, "personal_data_in_ids",
                       f"column {column} holds what looks like personal data (a fødselsnummer, D number, e-mail "
                       f"address or phone number) in {len(rows)} row(s) (file row(s) {shown}); respondent ids are "
                       "stored and shown to analysts: replace them with survey ids (e.g. a running number) and "
                       "upload again", {"column": column, "count": len(rows), "rows": rows[:20]})


def _personal_id_rows(ids: pd.Series) -> list[int]:
    """File rows (header = row 1) whose id the library's personal-data check flags (the Redactor, as
    ``textmine.classify.table.pii_in_columns``; year + running number ids in a column of them are not counted), plus
    10-digit ids that are a fødselsnummer whose leading zero was lost. In a run of consecutive numeric ids
    (fødselsnumre aside; as the library's numeric check) only fødselsnumre/D-numbers count, not phone-shaped
    numbers."""
    from textmine.classify.table import _year_ids, pii_in_columns
    from textmine.preprocess import redact
    from textmine.preprocess.redact import personal_number_type

    values = ids.astype(str).str.strip()
    digits = values.str.fullmatch(r"\d+")
    if not pii_in_columns(values.to_frame()) and not digits.any():
        return []  # the library's check finds nothing, and no id could be a fødselsnummer short of its zero
    fnr = values.map(lambda v: v.isdigit() and len(v) in (10, 11) and bool(personal_number_type(v.zfill(11))))
    numbers = pd.to_numeric(values[~fnr].where(digits), errors="coerce")
    run = bool(digits.all() and values.is_unique and len(numbers) > 20
               and numbers.max() - numbers.min() < 5 * len(numbers))
    kinds = ("fodselsnummer", "dnummer") if run else _PERSONAL_ID_KINDS
    flagged = {v: any(redact(v)[1].get(k) for k in kinds) for v in pd.unique(values)}
    hit = (fnr | values.map(flagged)) & ~_year_ids(values)
    return [int(i) + 2 for i in np.flatnonzero(hit.to_numpy())]


def _declared_answers(frame: pd.DataFrame, info: library.SurveyInfo) -> list[dict[str, Any]]:
    """Each row's declared structured answers as uploaded (no id, no free text, nothing masked yet)."""
    skip = {info.id_column, *info.text_columns}
    cols = [c for c in library.stored_columns(info) if c in frame.columns and c not in skip]
    return [{k: _json_value(v) for k, v in rec.items()} for rec in frame[cols].to_dict("records")]


def _checked_ids(frame: pd.DataFrame, info: library.SurveyInfo) -> pd.Series:
    """The respondent ids as text; 422 for required columns missing, empty or duplicate ids (rows named, never
    values: an id may itself be personal data)."""
    missing = [c for c in [info.id_column, *info.text_columns] if c not in frame.columns]
    if missing:
        raise ApiError(422, "missing_columns", f"the file lacks required column(s): {', '.join(missing)}",
                       {"missing": missing, "found": [shown_column_name(c) for c in list(frame.columns)[:100]]})
    ids = frame[info.id_column].map(_text_or_none)
    empty_rows = [int(i) + 2 for i in np.flatnonzero(ids.isna().to_numpy())]
    if empty_rows:
        raise ApiError(422, "missing_ids", f"{len(empty_rows)} row(s) have no {info.id_column} "
                       f"(first at file row {empty_rows[0]})", {"rows": empty_rows[:20]})
    _refuse_unstorable_ids(ids, info.id_column)
    dup = ids[ids.duplicated(keep=False)]
    if len(dup):
        rows = [int(i) + 2 for i in dup.index[:20]]
        raise ApiError(422, "duplicate_ids", f"{dup.nunique()} {info.id_column} value(s) occur more than once "
                       f"(file rows {', '.join(map(str, rows[:10]))}{', …' if len(dup) > 10 else ''})",
                       {"column": info.id_column, "count": int(dup.nunique()), "rows": rows})
    return ids


def _refuse_unstorable_ids(ids: pd.Series, column: str) -> None:
    """422 ``invalid_ids`` naming the file rows (never the values) of ids the store cannot hold alike on SQLite and
    PostgreSQL: longer than respondents.respondent_id (VARCHAR(RESPONDENT_ID_MAX)) or with a control character
    (PostgreSQL refuses NUL; the others are invisible in an id)."""
    bad = ids.map(lambda v: len(v) > RESPONDENT_ID_MAX or any(unicodedata.category(ch) == "Cc" for ch in v))
    rows = [int(i) + 2 for i in np.flatnonzero(bad.to_numpy())]
    if rows:
        shown = ", ".join(map(str, rows[:10])) + (", …" if len(rows) > 10 else "")
        raise ApiError(422, "invalid_ids", f"{len(rows)} {column} value(s) are longer than {RESPONDENT_ID_MAX} "
                       f"characters or hold a control character (file row(s) {shown}); use plain survey ids",
                       {"column": column, "count": len(rows), "rows": rows[:20]})


def _check_single_wave(frame: pd.DataFrame, info: library.SurveyInfo) -> None:
    """422 ``several_waves`` naming the wave column and its values (redacted, the first five) when the file holds
    more than one wave: one upload is one wave (as the library's read_waves requires)."""
    col = info.wave_column
    if not col or col not in frame.columns:
        return
    values = [v for v in frame[col].map(_text_or_none).dropna().map(lambda v: " ".join(v.split())).unique()]
    if len(values) > 1:
        shown = [library.redact_name(v)[:50] for v in values[:5]]
        raise ApiError(422, "several_waves", f"the file holds several waves in column {library.redact_name(col)} "
                       f"({', '.join(shown)}{', …' if len(values) > 5 else ''}); split it per wave and upload each "
                       "file as its own wave", {"column": col, "values": shown, "count": len(values)})


def _check_comment_lengths(frame: pd.DataFrame, info: library.SurveyInfo, max_chars: int) -> None:
    too_long = []
    for col in info.text_columns:
        lengths = frame[col].map(lambda v: len(str(v)) if _text_or_none(v) else 0)
        for idx in lengths.index[lengths > max_chars][:5]:
            too_long.append({"row": int(idx) + 2, "column": col, "length": int(lengths[idx])})
    if too_long:
        t = too_long[0]
        raise ApiError(422, "comment_too_long", f"comment too long in column {t['column']} at file row {t['row']}: "
                       f"{t['length']} characters (max {max_chars})", {"comments": too_long})


def _stored_frame(frame: pd.DataFrame, info: library.SurveyInfo, filename: str) -> tuple[pd.DataFrame, list[str]]:
    """The declared columns only (others may hold anything, e.g. e-mail addresses), validated, free-valued
    segments masked; with the upload's warnings so far."""
    keep = set(library.stored_columns(info))
    dropped = [c for c in frame.columns if c not in keep]
    if dropped:
        frame = frame[[c for c in frame.columns if c in keep]]
    warnings: list[str] = library.validate_frame(frame, info, Path(filename or "upload").name)
    # free-valued segments (no declared levels) are shown verbatim in summaries: personal data in them is masked
    frame, masked = info.definition.mask_free_segments(frame) if info.definition is not None else (frame, {})
    warnings += [MASKED_WARNING.format(col=col, n=n) for col, n in masked.items()]
    if dropped:
        warnings.append(NOT_STORED_WARNING.format(n=len(dropped), columns=library.column_list(dropped)))
    return frame, warnings


def wave_counts(session: Session, wave: Wave) -> dict[str, Any]:
    per_q = dict(session.execute(select(Response.question, func.count()).where(Response.wave_id == wave.id)
                                 .group_by(Response.question)).all())
    return {"respondents": wave.n_respondents, "responses": wave.n_responses,
            "responses_by_question": {q: int(per_q.get(q, 0)) for q in wave.text_columns}}


# ---------------------------------------------------------------- codebooks
def add_codebook(session: Session, content: dict[str, Any]) -> tuple[Codebook, bool]:
    """Store a validated codebook version; same name+version with the same content returns the existing row."""
    if _codebook_shaped(content):  # personal data first: a validation message must not be the one to quote it
        _refuse_personal_data_in_codebook(content)
    cb = library.codebook_from_dict(content)
    normal = library.codebook_to_dict(cb)
    _refuse_personal_data_in_codebook(normal)
    _refuse_long_codebook_key(cb.name, str(cb.version))
    _refuse_unstorable_codebook(normal)
    existing = session.scalars(select(Codebook).where(Codebook.name == cb.name,
                                                      Codebook.version == str(cb.version))).first()
    if existing is not None:
        if _same_codebook(existing, normal, cb):
            return existing, False
        raise _version_exists(existing, cb)
    row = Codebook(name=cb.name, version=str(cb.version), content=normal)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # a concurrent request stored the same name+version first: use (or compare with) it
        session.rollback()
        existing = session.scalars(select(Codebook).where(Codebook.name == cb.name,
                                                          Codebook.version == str(cb.version))).first()
        if existing is None:
            raise
        if _same_codebook(existing, normal, cb):
            return existing, False
        raise _version_exists(existing, cb) from None
    return row, True


def _same_codebook(existing: Codebook, normal: dict[str, Any], cb) -> bool:
    """Whether a stored codebook is ``cb``: the same normalised content, or content stored by an older version
    (texts kept with their double spaces or CRLF) that reads today as the same codebook (the same hash)."""
    if existing.content == normal:
        return True
    try:
        return library.codebook_from_dict(existing.content).hash == cb.hash
    except Exception:  # noqa: BLE001 - stored content that no longer validates is not this codebook
        return False


#: the longest comment type a codebook may name (corrections.type and coding_results.type are VARCHAR(16))
CODEBOOK_TYPE_MAX = 16


def _strings(value: Any):
    """Every string in a JSON-like value (dict keys and values, list items)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def _refuse_unstorable_codebook(normal: dict[str, Any]) -> None:
    """422 ``invalid_codebook`` for what PostgreSQL cannot store and SQLite would: a NUL character anywhere in the
    codebook, or a comment type longer than the type columns; both stores refuse it alike."""
    if any("\x00" in text for text in _strings(normal)):
        raise ApiError(422, "invalid_codebook", "invalid codebook: a text in it contains a NUL character (\\x00); "
                       "remove it", {"field": "text"})
    long = [t for t in normal.get("types") or [] if len(str(t)) > CODEBOOK_TYPE_MAX]
    if long:
        raise ApiError(422, "invalid_codebook", f"invalid codebook: comment types must be at most "
                       f"{CODEBOOK_TYPE_MAX} characters ({len(long)} longer)", {"field": "types",
                                                                                "max": CODEBOOK_TYPE_MAX})


def _refuse_long_codebook_key(name: str, version: str) -> None:
    """422 ``invalid_codebook`` when the name or version is longer than its column (codebooks.name VARCHAR(200),
    version VARCHAR(50)): PostgreSQL refuses it, SQLite would store it; so both refuse it alike."""
    for field, value, limit in (("name", name, CODEBOOK_NAME_MAX), ("version", version, CODEBOOK_VERSION_MAX)):
        if len(value) > limit:
            raise ApiError(422, "invalid_codebook", f"invalid codebook: its {field} must be at most {limit} characters "
                           f"(got {len(value)})", {"field": field, "max": limit})


def _version_exists(existing: Codebook, cb) -> ApiError:
    """409 ``codebook_version_exists``: the stored codebook of the same name and version has other content; the
    message and details say what differs (theme ids and field names, ``library.codebook_difference``) and give
    both content hashes."""
    diff = library.codebook_difference(existing.content, cb)
    what = f": {diff['text']}" if diff["text"] else ""
    return ApiError(409, "codebook_version_exists",
                    f"codebook {cb.name!r} version {cb.version!r} exists (codebook {existing.id}, hash "
                    f"{diff['stored_hash'][:12]}) with different content{what}; bump the version",
                    {"id": existing.id, **{k: v for k, v in diff.items() if k != "text"}})


def _codebook_shaped(content: Any) -> bool:
    """A mapping whose themes (if any) are a list of mappings and whose lists of keywords/examples are lists: what
    :func:`_refuse_personal_data_in_codebook` can read before validation (anything else is the validator's to
    refuse)."""
    themes = content.get("themes") if isinstance(content, dict) else None
    if not isinstance(content, dict) or not isinstance(themes or [], list):
        return False
    return all(isinstance(t, dict) and all(isinstance(t.get(f) or [], list) for f in ("keywords", "examples"))
               for t in themes or [])


def _refuse_personal_data_in_codebook(content: dict[str, Any]) -> None:
    """422 ``personal_data_in_name`` when the codebook's name, description, version, language or types, or a
    theme's id (also as words: "kari_nordmann_01019012480"), label, description, keywords or examples hold
    personal data (readers see them, reports print them); the theme is named by id and
    a keyword or example by its place (1-based: "theme 'telefon' example 2"), the value never."""
    for field in ("name", "description"):
        if isinstance(content.get(field), str):
            refuse_personal_data(content[field], f"codebook {field}")
    for field in ("version", "language"):
        if content.get(field) is not None:
            refuse_personal_data(str(content[field]), f"codebook {field}", identifier=True, field=field)
    for i, ctype in enumerate(content.get("types") or ()):
        refuse_personal_data(str(ctype), f"codebook's types[{i}]", identifier=True, field=f"types[{i}]")
    for i, theme in enumerate(content.get("themes") or ()):  # before the messages below name a theme by its id
        refuse_personal_data(str(theme.get("id")), f"codebook's themes[{i}].id", identifier=True,
                             field=f"themes[{i}].id")
    for theme in content.get("themes") or []:
        for field in ("label", "description"):
            if isinstance(theme.get(field), str):
                refuse_personal_data(theme[field], f"{field} of theme {theme.get('id')}")
        for field, item in (("keywords", "keyword"), ("examples", "example")):
            for i, value in enumerate(theme.get(field) or (), start=1):
                if isinstance(value, str):
                    refuse_personal_data(value, f"theme {theme.get('id')!r} {item} {i}")
        for i, value in enumerate(theme.get("examples") or (), start=1):
            if isinstance(value, str) and _health_flag(value):  # special-category data: never shown to readers
                raise ApiError(422, "health_data_in_example",
                               f"theme {theme.get('id')!r} example {i} looks like it holds health information about "
                               "a person; remove it (readers see codebook examples, and health details are never "
                               "quoted)", {"field": f"themes[{theme.get('id')}].examples[{i - 1}]"})


def _health_flag(text: str) -> bool:
    from textmine.preprocess.cleaner import health_flag

    return health_flag(text)


def default_codebook_row(session: Session) -> Codebook:
    row, _ = add_codebook(session, library.default_codebook_dict())
    return row


def resolve_codebook(session: Session, codebook_id: int | None) -> Codebook:
    if codebook_id is None:
        return default_codebook_row(session)
    row = session.get(Codebook, codebook_id)
    if row is None:
        raise ApiError(404, "unknown_codebook", f"codebook{id_text(codebook_id)} does not exist",
                       id_details("codebook_id", codebook_id))
    return row


def resolve_model(session: Session, model_id: int | None, codebook: Codebook | None) -> TrainedModel | None:
    if model_id is None:
        return None
    row = session.get(TrainedModel, model_id)
    if row is None:
        raise ApiError(404, "unknown_model", f"model{id_text(model_id)} does not exist",
                       id_details("model_id", model_id))
    if codebook is not None and row.codebook_id != codebook.id:
        raise ApiError(422, "model_codebook_mismatch",
                       f"model {model_id} was trained for codebook {row.codebook_id}, not {codebook.id}")
    return row


def is_default_codebook(row: Codebook) -> bool:
    """Whether the bundled model may code ``row``: its content is the bundled codebook's (compared by the codebook
    hash, as a model artefact is), not just its name and version."""
    try:
        name, version, default = library.default_codebook_identity()
        if library.content_hash(row.content) == default:  # stored content is normalised: the fast path
            return True
        if (row.name, row.version) != (name, version):
            return False
        return library.codebook_from_dict(row.content).hash == default  # e.g. stored by an older version
    except Exception:
        return False


# ---------------------------------------------------------------- coding jobs
def job_key(wave_id: int, codebook_id: int, model_id: int | None) -> str:
    return f"wave={wave_id};codebook={codebook_id};model={model_id if model_id is not None else 'default'}"


JOB_LOCK = 0x746A  # PostgreSQL advisory lock namespace ("tj") of job starts; the second key is the wave id


def lock_wave_jobs(session: Session, wave_id: int) -> None:
    """Serialise job starts for one wave until the transaction ends, so that the existing-job check and the insert
    are atomic (as :func:`lock_survey_uploads` does for uploads): an advisory lock on PostgreSQL, the database
    write lock on SQLite (a no-op write), after which reads see every committed job."""
    _transaction_lock(session, JOB_LOCK, wave_id, "UPDATE waves SET label = label WHERE id = :key")


def start_job(session: Session, wave_id: int, codebook_id: int | None, model_id: int | None,
              force: bool = False, *, default_identity: str | None = None) -> tuple[CodingJob, bool]:
    """Same wave+codebook+model returns the existing (active or finished) job unless ``force``. A model named
    without a codebook codes with the codebook it was trained for. ``default_identity``: the identity of the
    default model the caller codes with (``CoderCache.default_identity``); given, a default-model job that
    recorded another default is not reused (a new job codes the wave with the current default)."""
    wave = get_or_404(session, Wave, wave_id, "wave")
    if codebook_id is None and model_id is not None:  # a model named alone codes with its own codebook
        named = session.get(TrainedModel, model_id)
        codebook_id = named.codebook_id if named is not None else None  # unknown: 404 from resolve_model
    codebook = resolve_codebook(session, codebook_id)
    model = resolve_model(session, model_id, codebook)
    key = job_key(wave.id, codebook.id, model.id if model else None)
    lock_wave_jobs(session, wave.id)  # held until commit: no concurrent start between check and insert

    def other_default(job: CodingJob) -> bool:  # coded (in part) by another default model than the current one
        return (model is None and default_identity is not None and job.default_model_identity is not None
                and job.default_model_identity != default_identity)

    if not force:
        existing = session.scalars(select(CodingJob).where(CodingJob.job_key == key,
                                                           CodingJob.state.in_(("queued", "running", "done")))
                                   .order_by(CodingJob.id.desc())).first()
        if existing is not None and not other_default(existing):
            return existing, False
    # a forced job supersedes active ones (as does a new job for a changed default model)
    replaced = [old for old in session.scalars(select(CodingJob).where(CodingJob.job_key == key,
                                                                      CodingJob.state.in_(ACTIVE_STATES)))
                if force or other_default(old)]
    total = session.scalar(select(func.count()).select_from(Response).where(Response.wave_id == wave.id)) or 0
    job = CodingJob(wave_id=wave.id, codebook_id=codebook.id, model_id=model.id if model else None, job_key=key,
                    state="queued", total=int(total), done=0)
    session.add(job)
    session.flush()
    for old in replaced:
        _cancel_replaced(old, job)
    if not force:
        _take_over_cancelled(session, job, None if model is not None else default_identity)
    return job, True


def replaced_message(job_id: int) -> str:
    """The ``error`` of a job cancelled because ``job_id`` replaced it (a client polling it learns where to go)."""
    return (f"cancelled: replaced by job {job_id}, a newer coding of the same wave, codebook and model (force, or a "
            f"changed default model); poll GET /jobs/{job_id}")


def _cancel_replaced(old: CodingJob, job: CodingJob) -> None:
    """Cancel the active job ``old`` that the new ``job`` replaces: ``superseded_by`` names the new job (whose
    finish deletes the results ``old`` stored, :func:`prune_superseded`), and so does the message."""
    old.state = "cancelled"
    old.finished_at = utcnow()
    old.superseded_by = job.id
    old.error = replaced_message(job.id)


def _take_over_cancelled(session: Session, job: CodingJob, default_identity: str | None) -> None:
    """A new (not forced) job takes over the finished chunks of the latest cancelled or failed job (e.g. failed by
    a coder error, or by a database outage before jobs were queued again instead) with the same wave, codebook and
    model (for the default model: the same recorded default identity): its results move to the new job, which
    codes only the rest, and keeps the versions they were coded with. Moved, not copied: every response's result
    belongs to one job (exactly once), and the old job is left with none (``done`` 0)."""
    old = session.scalars(select(CodingJob).where(CodingJob.job_key == job.job_key,
                                                  CodingJob.state.in_(("cancelled", "failed")), CodingJob.id != job.id)
                          .order_by(CodingJob.id.desc()).with_for_update()).first()
    if old is None or (job.model_id is None and old.default_model_identity != default_identity):
        return
    moved = session.execute(CodingResult.__table__.update().where(CodingResult.job_id == old.id)
                            .values(job_id=job.id)).rowcount or 0
    if not moved:
        return
    job.done = int(moved)
    job.chunks_done = int(old.chunks_done or 0)
    job.seconds_running = float(old.seconds_running or 0.0)
    job.default_model_identity = old.default_model_identity
    job.textmine_version, job.lexicon_version = old.textmine_version, old.lexicon_version  # what coded them
    old.done = 0
    session.flush()


def _utc(dt):
    """SQLite returns naive datetimes; they were written in UTC."""
    from datetime import timezone

    return dt.replace(tzinfo=timezone.utc) if dt is not None and dt.tzinfo is None else dt


def job_view(job: CodingJob, seconds_per_item: float | None = None) -> dict[str, Any]:
    """A job as the API shows it. ``eta_seconds``: the responses left times ``seconds_per_item`` (the recent rate
    of the worker coding it, :class:`service.jobs.RateMeter`), else the job's average rate so far (a job run by
    another process)."""
    eta = None
    if job.state in ACTIVE_STATES and seconds_per_item is not None and job.done > 0:
        eta = round(max(job.total - job.done, 0) * seconds_per_item, 1)
    elif job.state in ACTIVE_STATES and job.done > 0 and job.seconds_running > 0:
        eta = round((job.total - job.done) * job.seconds_running / job.done, 1)
    elif job.state == "done":
        eta = 0.0
    return {"id": job.id, "wave_id": job.wave_id, "codebook_id": job.codebook_id, "model_id": job.model_id,
            "state": job.state, "done": job.done, "total": job.total, "chunks_done": job.chunks_done,
            "eta_seconds": eta, "error": job.error, "created_at": _utc(job.created_at),
            "started_at": _utc(job.started_at), "finished_at": _utc(job.finished_at),
            "textmine_version": job.textmine_version, "lexicon_version": job.lexicon_version,
            "coded_with": coded_with(job), "superseded_by": job.superseded_by}


def coded_with(job: CodingJob) -> str:
    """What codes a job, for listings: ``model 3`` (a trained model), ``default model sha256:0123456789ab`` (the
    server's default model, with its identity once the job has started), or ``zero-shot (e5)`` (no trained model:
    a codebook other than the bundled one, or the bundled one where the server has no default model)."""
    if job.model_id is not None:
        return f"model {job.model_id}"
    zero_shot = f"zero-shot ({library.ZERO_SHOT_EMBEDDER})"
    identity = job.default_model_identity
    if identity:
        return zero_shot if identity.startswith("zero-shot:") else \
            f"default model {library.model_identity_label(identity)}"
    session = object_session(job)
    row = session.get(Codebook, job.codebook_id) if session is not None and job.codebook_id is not None else None
    if row is None:
        return "unknown"
    return "default model" if is_default_codebook(row) else zero_shot


def cancel_job(session: Session, job_id: int) -> CodingJob:
    job = get_or_404(session, CodingJob, job_id, "job")
    if job.state in ACTIVE_STATES:
        job.state = "cancelled"
        job.finished_at = utcnow()
    return job


FINISHED_STATES = ("done", "failed", "cancelled")


def prune_superseded(session: Session, job: CodingJob) -> int:
    """Delete the results of the finished jobs ``job`` (just done, in the caller's transaction) supersedes: older
    jobs of the same wave, codebook and model (``job_key``; for the default model the same recorded default
    identity too: a job by another default stays comparable by job id). Each keeps its row as history, marked
    ``superseded_by`` (a job ``job`` replaced while active already names it: :func:`_cancel_replaced`); corrections
    (another table) are never touched. Returns the number of result rows deleted."""
    # a job replaced while active names its replacement, which may itself have failed or been replaced: any job
    # up to this one (a chain A → B (failed) → C leaves A's results to C), whatever default coded it
    replaced = and_(CodingJob.superseded_by.is_not(None), CodingJob.superseded_by <= job.id,
                    CodingJob.state != "done")
    same = CodingJob.superseded_by.is_(None)
    if job.model_id is None:
        identity = job.default_model_identity
        same = and_(same, CodingJob.default_model_identity.is_(None) if identity is None
                    else CodingJob.default_model_identity == identity)
    stmt = select(CodingJob.id).where(CodingJob.job_key == job.job_key, CodingJob.id < job.id,
                                      CodingJob.state.in_(FINISHED_STATES), or_(same, replaced))
    ids = list(session.scalars(stmt))
    if not ids:
        return 0
    deleted = session.execute(delete(CodingResult).where(CodingResult.job_id.in_(ids))).rowcount or 0
    session.execute(update(CodingJob).where(CodingJob.id.in_(ids)).values(superseded_by=job.id),
                    execution_options={"synchronize_session": False})
    return int(deleted)


def latest_done_job(session: Session, wave_id: int) -> CodingJob | None:
    """The wave's newest done job whose results are kept (a superseded job's were deleted, whatever its clock)."""
    return session.scalars(select(CodingJob).where(CodingJob.wave_id == wave_id, CodingJob.state == "done",
                                                   CodingJob.superseded_by.is_(None))
                           .order_by(CodingJob.finished_at.desc(), CodingJob.id.desc())).first()


# ---------------------------------------------------------------- frames for statistics
def structured_frame(session: Session, wave: Wave, id_column: str = "respondent_id") -> pd.DataFrame:
    rows = session.execute(select(Respondent.id, Respondent.respondent_id, Respondent.answers)
                           .where(Respondent.wave_id == wave.id).order_by(Respondent.id)).all()
    frame = pd.DataFrame([{id_column: rid, **(answers or {})} for _pk, rid, answers in rows])
    texts = session.execute(select(Respondent.respondent_id, Response.question, Response.text_redacted)
                            .join(Respondent, Respondent.id == Response.respondent_pk)
                            .where(Response.wave_id == wave.id)).all()
    for col in wave.text_columns:
        mapping = {rid: t for rid, q, t in texts if q == col}
        frame[col] = frame[id_column].map(mapping) if len(frame) else []
    # a .sav wave's labelled SPSS missing codes: excluded codes in every summary it is part of (as the CLI's)
    frame.attrs[library.SPSS_EXCLUDED] = library.stored_spss_excluded(wave.definition_yaml)
    return frame


def coded_frame(session: Session, wave: Wave, job: CodingJob, theme_ids: list[str],
                apply_corrections: bool = True) -> pd.DataFrame:
    """One row per coded response: respondent_id, question, theme_<id>, score, text_clean, flags."""
    rows = session.execute(
        select(Response.id, Respondent.respondent_id, Response.question, Response.text_redacted,
               Response.is_non_answer, Response.health_flag, Response.language, CodingResult.themes,
               CodingResult.scores, CodingResult.confidence, CodingResult.needs_review, CodingResult.type)
        .join(Respondent, Respondent.id == Response.respondent_pk)
        .join(CodingResult, CodingResult.response_id == Response.id)
        .where(CodingResult.job_id == job.id).order_by(Response.id)).all()
    corrections: dict[int, Correction] = {}
    if apply_corrections and rows:
        for c in session.scalars(select(Correction).join(Response, Response.id == Correction.response_id)
                                 .where(Response.wave_id == wave.id, Correction.codebook_id == job.codebook_id)
                                 .order_by(Correction.id)):
            corrections[c.response_id] = c
    records = []
    for r in rows:
        themes, ctype = r.themes, r.type
        if r.id in corrections:
            themes, ctype = corrections[r.id].themes, corrections[r.id].type
        chosen = set(filter(None, themes.split(";")))
        rec = {"response_id": r.id, "respondent_id": r.respondent_id, "question": r.question,
               "text_clean": r.text_redacted, "is_non_answer": r.is_non_answer, "health_flag": r.health_flag,
               "language": r.language, "themes": ";".join(t for t in theme_ids if t in chosen),
               "confidence": r.confidence, "needs_review": r.needs_review, "type": ctype,
               "corrected": int(r.id in corrections)}
        for t in theme_ids:
            rec[f"theme_{t}"] = int(t in chosen)
            rec[f"score_{t}"] = float((r.scores or {}).get(t, 0.0))
        records.append(rec)
    columns = ["response_id", "respondent_id", "question", "text_clean", "is_non_answer", "health_flag", "language",
               "themes", "confidence", "needs_review", "type", "corrected"]
    columns += [f"theme_{t}" for t in theme_ids] + [f"score_{t}" for t in theme_ids]
    return pd.DataFrame(records, columns=columns)


def _wave_key(label: str) -> Any:
    return int(label) if label.isdigit() else label


def _chosen_job(session: Session, wave: Wave, job_id: int | None) -> CodingJob | None:
    """The wave's coding job to report: ``job_id`` (a finished job of this wave) or the latest finished one."""
    if job_id is None:
        return latest_done_job(session, wave.id)
    job = session.get(CodingJob, job_id)
    if job is None or job.wave_id != wave.id:
        raise ApiError(404, "not_found", f"job{id_text(job_id)} is not a job of wave {wave.id}",
                       id_details("job_id", job_id))
    if job.state != "done":
        raise ApiError(409, "job_not_done", f"job {job_id} is {job.state}; only a finished (done) job can be "
                       "reported", {"job_id": job_id, "state": job.state})
    if job.superseded_by is not None:
        raise ApiError(409, "job_superseded", f"job {job_id} was superseded by job {job.superseded_by} (a newer "
                       "coding of the same wave, codebook and model), whose finish deleted its results; report job "
                       f"{job.superseded_by}", {"job_id": job_id, "superseded_by": job.superseded_by})
    return job


def _later_wave(a: Wave, b: Wave) -> bool:
    """Whether wave ``a`` comes after wave ``b``: by number when both labels are numbers, otherwise by upload order
    (the order of ``service.web.reportdata.previous_wave``)."""
    la, lb = str(a.label), str(b.label)
    if la.isdigit() and lb.isdigit():
        return int(la) > int(lb)
    return a.id > b.id


def _model_text(job: CodingJob) -> str:
    return f"model {job.model_id}" if job.model_id else "the default model"


def _default_model_text(job: CodingJob) -> str:
    """A default-model job's model with the identity it recorded (migration 0005), e.g. for a changed default."""
    identity = job.default_model_identity
    return f"the default model {library.model_identity_label(identity)}" if identity else "the default model"


def _same_model(a: CodingJob, b: CodingJob) -> bool:
    """Whether two jobs coded with the same model: the same trained model, or both the server's default model and,
    where both recorded it (migration 0005), the same default (a default rebuilt or pointed elsewhere between the
    codings is another model). A default-model job without a recorded identity matches any default-model job."""
    if a.model_id != b.model_id:
        return False
    if a.model_id is not None:
        return True
    ia, ib = a.default_model_identity, b.default_model_identity
    return ia is None or ib is None or ia == ib


def _refuse_other_model(other: Wave, main: CodingJob, found: CodingJob) -> None:
    """409 ``model_mismatch``: theme changes between codings by different models show the change of model."""
    if main.model_id is None and found.model_id is None:  # two defaults: the server's default model changed
        raise ApiError(409, "model_mismatch",
                       f"wave {main.wave_id} is reported from job {main.id} ({_default_model_text(main)}), but the "
                       f"comparison job {found.id} of wave {other.id} used {_default_model_text(found)}: the "
                       "server's default model changed between the codings, and theme changes between codings by "
                       "different models show the change of model, not of the respondents; code both waves again "
                       f"with the current default model (POST /waves/{other.id}/coding-jobs and "
                       f"/waves/{main.wave_id}/coding-jobs with " '{"force": true}), or choose jobs by the same '
                       "default model with job_id and compare_job_id",
                       {"wave_id": main.wave_id, "job_id": main.id, "model_id": None,
                        "default_model": main.default_model_identity, "compare_wave_id": other.id,
                        "compare_job_id": found.id, "compare_model_id": None,
                        "compare_default_model": found.default_model_identity})
    raise ApiError(409, "model_mismatch",
                   f"wave {main.wave_id} is reported from job {main.id} ({_model_text(main)}), but the comparison job "
                   f"{found.id} of wave {other.id} used {_model_text(found)}: theme changes between codings by "
                   f"different models show the change of model, not of the respondents; code wave {other.id} with "
                   f"{_model_text(main)} first (POST /waves/{other.id}/coding-jobs"
                   + (f' {{"model_id": {main.model_id}}})' if main.model_id else " {})")
                   + ", or choose jobs by the same model with job_id and compare_job_id",
                   {"wave_id": main.wave_id, "job_id": main.id, "model_id": main.model_id,
                    "compare_wave_id": other.id, "compare_job_id": found.id, "compare_model_id": found.model_id})


def _codebook_text(session: Session, codebook_id: int) -> str:
    """«codebook 2 (arbeidsgiver 1.1)»: the id a request takes and the name and version an analyst knows."""
    cb = session.get(Codebook, codebook_id)
    return f"codebook {codebook_id}" + (f" ({cb.name} {cb.version})" if cb is not None else "")


def _refuse_other_codebook(session: Session, other: Wave, main: CodingJob, found: CodingJob) -> None:
    raise ApiError(409, "codebook_mismatch",
                   f"wave {other.id} was coded with {_codebook_text(session, found.codebook_id)}, not "
                   f"{_codebook_text(session, main.codebook_id)}: themes from different codebooks (or versions) cannot "
                   f"be compared; code the comparison wave with codebook {main.codebook_id} first",
                   {"compare_wave_id": other.id, "codebook_id": main.codebook_id,
                    "compare_codebook_id": found.codebook_id})


def _compare_job(session: Session, other: Wave, main: CodingJob | None,
                 job_id: int | None = None) -> CodingJob | None:
    """The comparison wave's job: ``job_id``, or its latest finished job with the main job's codebook (id and
    version) and model. Theme changes are only meaningful between such codings: 409 ``codebook_mismatch`` or
    ``model_mismatch`` otherwise (never a silent comparison across models). None when it has no finished job."""
    if job_id is not None:
        job = _chosen_job(session, other, job_id)
        if main is not None and job.codebook_id != main.codebook_id:
            _refuse_other_codebook(session, other, main, job)
        if main is not None and not _same_model(job, main):
            _refuse_other_model(other, main, job)
        return job
    latest = latest_done_job(session, other.id)
    if latest is None or main is None:
        return latest
    same_codebook = session.scalars(select(CodingJob).where(
        CodingJob.wave_id == other.id, CodingJob.state == "done", CodingJob.codebook_id == main.codebook_id,
        CodingJob.superseded_by.is_(None)).order_by(CodingJob.finished_at.desc(), CodingJob.id.desc())).all()
    if not same_codebook:
        _refuse_other_codebook(session, other, main, latest)
    same_kind = [j for j in same_codebook if j.model_id == main.model_id]
    if not same_kind:
        _refuse_other_model(other, main, same_codebook[0])
    same = [j for j in same_kind if _same_model(j, main)]
    if not same:  # default-model jobs only, by another default than the main job's
        _refuse_other_model(other, main, same_kind[0])
    return same[0]


def _uncoded_warnings(wave: Wave, chosen: dict[int, CodingJob | None], other: Wave | None) -> list[str]:
    """Say which wave of the summary has no finished coding job, and what that leaves out."""
    notes = []
    if chosen[wave.id] is None:
        notes.append(f"wave {wave.id} has no finished coding job yet: the summary has no themes for it, only the "
                     f"structured indicators; code the wave first (POST /waves/{wave.id}/coding-jobs)")
    if other is not None and chosen[other.id] is None:
        model = f" with {_model_text(chosen[wave.id])}" if chosen[wave.id] is not None else ""
        notes.append(f"comparison wave {other.id} has no finished coding job yet: theme changes are left out, only "
                     f"the structured indicators are compared; code wave {other.id}{model} first")
    return notes


def _check_compare_wave(wave: Wave, other: Wave) -> None:
    if other.id == wave.id:
        raise ApiError(422, "same_wave", "compare_wave_id must name a different wave")
    if other.survey_id != wave.survey_id:
        raise ApiError(422, "other_survey", f"wave {other.id} belongs to another survey; compare_wave_id must name "
                       f"a wave of survey {wave.survey_id}", {"compare_wave_id": other.id})
    if _wave_key(other.label) == _wave_key(wave.label):
        raise ApiError(422, "same_wave_label", f"waves {other.id} and {wave.id} have the same wave label; they "
                       "cannot be compared", {"compare_wave_id": other.id})
    if _later_wave(other, wave):
        raise ApiError(422, "later_wave", f"compare_wave_id must name an earlier wave: wave {other.id} comes after "
                       f"wave {wave.id} (by wave label, or by upload order when the labels are not numbers); "
                       f"ask for the summary of wave {other.id} with compare_wave_id={wave.id} instead",
                       {"wave_id": wave.id, "compare_wave_id": other.id})


#: the service's wording of the neutral label: "(liten gruppe)", "(liten gruppe 1)" …
SMALL_LEVEL_FORMAT = "({})"


def neutral_small_levels(frames: dict[Any, pd.DataFrame], definition: Any, coded: dict[Any, pd.DataFrame] | None = None,
                         *, compare_to: Any = None) -> dict[Any, pd.DataFrame]:
    """``frames`` (one per wave) with each level of a segment WITHOUT declared levels that fewer than the survey's
    ``min_cell`` respondents hold (in any of the waves) renamed to a neutral label, "(liten gruppe)", numbered
    when a segment has several ("(liten gruppe 1)", …, so that their rows stay apart; the library's
    :func:`textmine.disclosure.neutral_level_names`): such a level's own value ("EL 12345", an Instagram handle) may
    point at the few people in it, and summaries and pages show it beside the hidden cell. Declared levels ("Oslo")
    keep their labels; nothing changes when ``min_cell`` is 0.

    The numbers are the CLI report's for the same ``frames`` / ``coded`` (``compare_to`` as for the summary): its
    rule numbers all levels hidden in the summary's indicator and theme tables, in the order those tables list
    them (:func:`_hidden_free_levels`), then come any other small levels — so a level hidden by secondary
    suppression takes its number, though it keeps its value here (its other rows are shown), and one level has one
    name in both."""
    min_cell = int(getattr(definition, "min_cell", 0) or 0)
    free = free_segments(definition) if min_cell > 0 else []
    small = [(column, v) for column in free for v in _small_levels(frames.values(), column, min_cell)]
    if not small:
        return dict(frames)
    order = _hidden_free_levels(frames, definition, coded, compare_to)
    from textmine.report.views import neutral_order

    names = neutral_level_names(order + neutral_order([lv for lv in small if lv not in order]), fmt=SMALL_LEVEL_FORMAT)
    out = dict(frames)
    for column in free:
        mapping = {v: names[(c, v)] for c, v in small if c == column}
        for key, frame in out.items():
            if not mapping or column not in frame.columns:
                continue
            keys = pd.Series(value_keys(frame[column]), index=frame.index)
            hit = keys.isin(list(mapping)).to_numpy()
            if hit.any():
                frame = frame.copy()
                frame[column] = frame[column].astype(object).where(~hit, keys.map(mapping))
                out[key] = frame
    return out


def _hidden_free_levels(frames: dict[Any, pd.DataFrame], definition: Any, coded: dict[Any, pd.DataFrame] | None,
                        compare_to: Any) -> list[tuple[str, str]]:
    """``(column, level)`` of the free-valued segments' levels that the CLI report names neutrally for this data, in
    its order: the report's own rule (:func:`textmine.report.views.small_level_names` on the indicator and theme
    views of the library summary), so that the two cannot drift apart. Empty when the summary cannot be built (the
    summary call then says why)."""
    from textmine.report.views import indicator_view, small_level_names, theme_view
    from textmine.summary import build_summary

    try:
        summary = build_summary(frames, definition, coded or None, compare_to=compare_to, quotes=False,
                                drivers=False, validate=False)
    except (ValueError, KeyError):
        return []
    return list(small_level_names(definition, indicator_view(summary, definition),
                                  theme_view(summary, definition, {})))


def _small_levels(frames: Any, column: str, min_cell: int) -> list[str]:
    """The levels (value keys, as the summary groups them) of ``column`` that fewer than ``min_cell`` respondents
    hold in one of ``frames`` (blank and missing values are no level), in order of first appearance."""
    small: list[str] = []
    for frame in frames:
        if column not in frame.columns:
            continue
        keys = pd.Series(value_keys(frame[column]))
        counts = keys[keys != ""].value_counts(sort=False)
        small += [v for v, n in counts.items() if n < min_cell and v not in small]
    return small


def wave_summary(session: Session, wave_id: int, compare_wave_id: int | None = None,
                 job_id: int | None = None, compare_job_id: int | None = None, *,
                 min_cell_floor: int = DEFAULT_MIN_CELL_FLOOR) -> dict[str, Any]:
    """Summary of a wave (its job ``job_id`` or latest finished one), optionally against an earlier wave coded with
    the same codebook and model (``compare_job_id`` or that wave's latest such job); ``coding_models`` gives each
    coded wave's model id (null: the default model). Small levels of free-valued segments are shown with a
    neutral label (:func:`neutral_small_levels`). ``min_cell`` is the definition's, raised to ``min_cell_floor``
    (the service's setting) when below it."""
    wave = get_or_404(session, Wave, wave_id, "wave")
    if compare_job_id is not None and compare_wave_id is None:
        raise ApiError(422, "compare_job_without_wave", "compare_job_id needs compare_wave_id (the wave of that job)",
                       id_details("compare_job_id", compare_job_id))
    info = library.parse_survey(wave.definition_yaml or "", min_cell_floor)
    main_job = _chosen_job(session, wave, job_id)
    waves = [wave]
    chosen = {wave.id: main_job}
    other = None
    if compare_wave_id is not None:
        other = get_or_404(session, Wave, compare_wave_id, "wave")
        _check_compare_wave(wave, other)
        waves.insert(0, other)
        chosen[other.id] = _compare_job(session, other, main_job, compare_job_id)
    frames, coded, jobs, models, labels = {}, {}, {}, {}, {}
    zero_shot_notes: list[str] = []
    for w in waves:
        frames[_wave_key(w.label)] = structured_frame(session, w, info.id_column)
        job = chosen[w.id]
        if job is not None:
            cb = session.get(Codebook, job.codebook_id)
            theme_ids = [t["id"] for t in cb.content.get("themes", [])]
            labels.update({t["id"]: t.get("label") or t["id"] for t in cb.content.get("themes", [])})
            coded[_wave_key(w.label)] = coded_frame(session, w, job, theme_ids)
            jobs[w.id] = job.id
            models[w.id] = job.model_id
            zero_shot_notes += zero_shot_share_warnings(w, job, cb, coded[_wave_key(w.label)])
    from service.limits import end_read_transaction

    end_read_transaction(session)  # all read: no connection held "idle in transaction" while computing
    compare_to = _wave_key(waves[0].label) if len(waves) > 1 else None
    frames = neutral_small_levels(frames, info.definition, coded or None, compare_to=compare_to)
    summary = library.build_summary(frames, info, coded or None, theme_labels=labels or None, compare_to=compare_to)
    applied = {str(w.label): int(coded[_wave_key(w.label)]["corrected"].sum()) for w in waves
               if _wave_key(w.label) in coded}
    summary.setdefault("meta", {})["corrections_applied"] = applied
    summary["warnings"] = (_uncoded_warnings(wave, chosen, other) + _mixed_review_warnings(applied)
                           + zero_shot_notes
                           + list(summary.get("warnings") or []))
    compared = chosen[other.id].id if other is not None and chosen[other.id] is not None else None
    return {"wave_id": wave.id, "compare_wave_id": compare_wave_id, "compare_job_id": compared,
            "coding_jobs": jobs, "coding_models": models, "summary": summary}


def zero_shot_share_warnings(wave: Wave, job: CodingJob, codebook: Codebook, frame: pd.DataFrame) -> list[str]:
    """For a coding job that coded zero-shot (:func:`coded_with`): the zero-shot share check
    (:func:`textmine.classify.zeroshot.share_warning`) over its stored codes as the summary counts them (``frame``:
    :func:`coded_frame`, corrections laid over; its answered responses), naming the wave and job; counts and theme
    ids only. [] for a trained or the default model's job, or plausible shares."""
    if not coded_with(job).startswith("zero-shot"):
        return []
    from textmine.classify.zeroshot import ZeroShotCoder, question_share_warnings

    cb = library.codebook_from_dict(codebook.content)
    decided = frame[[f"theme_{t}" for t in cb.theme_ids]].to_numpy(dtype=np.int8)
    answered = pd.to_numeric(frame["is_non_answer"], errors="coerce").fillna(1).to_numpy() == 0
    questions = frame["question"].to_numpy(dtype=object) if "question" in frame.columns else None
    return [f"wave {wave.id}, coding job {job.id} (zero-shot): {api_wording(msg)}"
            for msg in question_share_warnings(cb, decided, answered, questions,
                                               small_below=ZeroShotCoder.BACKGROUND_MAX_THEMES)]


def api_wording(message: str) -> str:
    """A library message as the service says it: a model is trained with ``POST /models`` (from corrections), not
    the CLI's ``textmine train``."""
    return message.replace("train a model (textmine train)", "train a model (POST /models, from corrections)")


def _mixed_review_warnings(applied: dict[str, int]) -> list[str]:
    """The note (in English, as the service's other summary warnings; the CLI report says it in Norwegian) when the
    compared waves differ in whether human corrections were laid over the machine codes: ``applied`` = {wave
    label: count}."""
    reviewed = [w for w, n in applied.items() if n > 0]
    machine = [w for w, n in applied.items() if n == 0]
    if len(applied) < 2 or not reviewed or not machine:
        return []

    def join(ws: list[str]) -> str:
        return ws[0] if len(ws) == 1 else ", ".join(ws[:-1]) + " and " + ws[-1]

    counts = ", ".join(f"{applied[w]} in wave {w}" for w in reviewed)
    return [f"Note: the codes of wave {join(reviewed)} were partly reviewed and corrected by hand ({counts} "
            f"corrections replace the machine codes), while wave {join(machine)} was coded by machine only. The "
            "change between these waves therefore mixes two ways of coding, and may come from the coding rather "
            "than a real change."]


def theme_quotes(session: Session, wave_id: int, theme: str, n: int = 5, embedder: Any = None,
                 job_id: int | None = None, names_cache: PageNamesCache | None = None,
                 min_cell_floor: int = DEFAULT_MIN_CELL_FLOOR) -> dict[str, Any]:
    """Quotes by the summary's rules (textmine.summary): no health-flagged comments or non-answers, nobody from a
    theme × segment cell with fewer than ``min_cell`` commenters, attributions shortened to a segment combination
    with at least ``min_cell`` respondents. ``names_cache`` (the app's :class:`PageNamesCache`) keeps the pages'
    neutral names between requests (:func:`page_level_names`); without it they are worked out anew.
    ``min_cell`` is the definition's, raised to ``min_cell_floor`` (the service's setting) when below it."""
    wave = get_or_404(session, Wave, wave_id, "wave")
    job = _chosen_job(session, wave, job_id)
    if job is None:
        raise ApiError(409, "not_coded", f"wave {wave_id} has no finished coding job yet")
    cb = session.get(Codebook, job.codebook_id)
    theme_ids = [t["id"] for t in cb.content.get("themes", [])]
    if theme not in theme_ids:
        raise ApiError(404, "unknown_theme",
                       f"theme {library.redact_name(theme)!r} is not in codebook {cb.name} {cb.version}",
                       {"themes": theme_ids})
    frame = coded_frame(session, wave, job, theme_ids)
    info = library.parse_survey(wave.definition_yaml or "", min_cell_floor)
    respondents, names = page_level_names(session, wave, job, frame, info, cache=names_cache)
    from service.limits import end_read_transaction

    end_read_transaction(session)  # all read: the quote choice (embeddings) runs without an open transaction
    picked = library.summary_quotes(respondents, frame, info, theme, n=n, embedder=embedder,
                                    wave=_wave_key(wave.label))
    picked = page_attributions(picked, names)
    by_key = {(str(r.respondent_id), r.question): (int(r.response_id), r.type) for r in frame.itertuples()}
    quotes = []
    for q in picked:
        response_id, ctype = by_key.get((str(q["respondent_id"]), q["question"]), (None, None))
        if response_id is None:
            continue
        score = q["score"] if q["score"] == q["score"] else 0.0  # NaN → 0
        quotes.append({"response_id": response_id, "question": q["question"], "text": q["text"],
                       "attribution": q["attribution"], "score": float(score), "rank": len(quotes) + 1,
                       "type": ctype or None, "language": q.get("language")})
    n_theme = int(frame[f"theme_{theme}"].sum()) if len(frame) else 0
    return {"wave_id": wave.id, "theme": theme, "job_id": job.id, "n_mentions": n_theme, "quotes": quotes}


class PageNamesCache:
    """The :func:`page_level_names` results of one app, kept until the codes change: at most ``size`` entries
    (least recently used dropped first), under a lock; callers get copies, so the cached frames never change."""

    def __init__(self, size: int = 8):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[pd.DataFrame, dict[tuple[str, str], str]] | None:
        """A copy of the entry for ``key``; None when there is none."""
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return None
            self._items.move_to_end(key)
        return hit[0].copy(), dict(hit[1])

    def put(self, key: tuple, respondents: pd.DataFrame, names: dict[tuple[str, str], str]) -> None:
        """Keep a copy of ``respondents`` and ``names`` under ``key``."""
        with self._lock:
            self._items[key] = (respondents.copy(), dict(names))
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget every entry (e.g. after an erasure)."""
        with self._lock:
            self._items.clear()


def page_level_names(session: Session, wave: Wave, job: CodingJob, coded: pd.DataFrame, info: Any, *,
                     cache: PageNamesCache | None = None) -> tuple[pd.DataFrame, dict[tuple[str, str], str]]:
    """(``wave``'s respondents with small free-valued levels renamed as for the pages, {(segment column, level):
    the theme pages' neutral label}): the report the pages show (``service.web.reportdata.wave_report``: this wave
    and the previous one, coded by the same codebook and model, through :func:`neutral_small_levels`) names each
    level hidden in its tables by :func:`textmine.report.views.small_level_names`; a quote's attribution must not
    give back a name the pages hold back (a level hidden by secondary suppression keeps its value in the frames).
    ``coded`` is ``wave``'s coded frame for ``job``. With ``cache``, a result is reused while the waves' jobs,
    corrections and ``wave``'s definition stay the same (the web report cache's key,
    ``service.web.reportdata._state_key``); the two library summaries are built only on a miss."""
    waves, jobs = _page_waves(session, wave, job)
    key = None
    if cache is not None:
        key = _page_names_key(session, wave, waves, jobs)
        hit = cache.get(key)
        if hit is not None:
            return hit
    respondents, names = _page_level_names(session, wave, waves, jobs, coded, info)
    if cache is not None:
        cache.put(key, respondents, names)
    return respondents, names


def _page_waves(session: Session, wave: Wave, job: CodingJob) -> tuple[list[Wave], dict[int, CodingJob | None]]:
    """The waves the pages report for ``wave`` (the previous one first, when there is one) and each one's job:
    ``job`` for ``wave``, for the previous wave its job by the same codebook and model, else None (the pages then
    compare the indicators only)."""
    from service.web.reportdata import previous_wave

    waves, jobs = [wave], {wave.id: job}
    prev = previous_wave(session, wave)
    if prev is not None:
        try:
            jobs[prev.id] = _compare_job(session, prev, job)
        except ApiError:  # another codebook or model: the pages compare the indicators only
            jobs[prev.id] = None
        waves.insert(0, prev)
    return waves, jobs


def _page_names_key(session: Session, wave: Wave, waves: list[Wave], jobs: dict[int, CodingJob | None]) -> tuple:
    """The :class:`PageNamesCache` key: ``wave``, a digest of its definition and the web report cache's state of
    ``waves`` (each one's job and corrections)."""
    from service.web.reportdata import _state_key

    definition = hashlib.sha256((wave.definition_yaml or "").encode("utf-8")).hexdigest()
    chosen = {w_id: (j.id if j is not None else None) for w_id, j in jobs.items()}
    return ("page_level_names", wave.id, definition, _state_key(session, waves, chosen))


def _page_level_names(session: Session, wave: Wave, waves: list[Wave], jobs: dict[int, CodingJob | None],
                      coded: pd.DataFrame, info: Any) -> tuple[pd.DataFrame, dict[tuple[str, str], str]]:
    """:func:`page_level_names` worked out: the pages' frames of ``waves`` through :func:`neutral_small_levels`,
    then the report's names of the levels hidden in the library summary of them."""
    from textmine.report.views import indicator_view, small_level_names, theme_view
    from textmine.summary import build_summary

    frames = {_wave_key(w.label): structured_frame(session, w, info.id_column) for w in waves}
    theme_ids = [c[len("theme_"):] for c in coded.columns if str(c).startswith("theme_")]
    coded_by = {_wave_key(w.label): (coded if w is wave else coded_frame(session, w, jobs[w.id], theme_ids))
                for w in waves if jobs[w.id] is not None}
    compare_to = _wave_key(waves[0].label) if len(waves) > 1 else None
    frames = neutral_small_levels(frames, info.definition, coded_by or None, compare_to=compare_to)
    try:
        summary = build_summary(frames, info.definition, coded_by or None, compare_to=compare_to, quotes=False,
                                drivers=False, validate=False)
    except (ValueError, KeyError):
        return frames[_wave_key(wave.label)], {}
    names = small_level_names(info.definition, indicator_view(summary, info.definition),
                              theme_view(summary, info.definition, {}))
    return frames[_wave_key(wave.label)], names


def page_attributions(picked: list[dict[str, Any]], names: dict[tuple[str, str], str]) -> list[dict[str, Any]]:
    """``picked`` quotes with the levels in ``names`` (:func:`page_level_names`) in their attributions under the
    pages' neutral labels (:func:`textmine.report.views.neutral_attributions`, as the report's quotes)."""
    from textmine.report.views import neutral_attributions

    if not picked or not names:
        return picked
    fixed = neutral_attributions(pd.DataFrame({"attribution": [q["attribution"] for q in picked]}), names)
    return [{**q, "attribution": a} for q, a in zip(picked, fixed["attribution"])]


# ---------------------------------------------------------------- review and corrections
#: the review queue's diverse head: its first REVIEW_HEAD items are chosen one by one (rare themes, no
#: near-duplicates); the rest follows by value, distinct texts before duplicates
REVIEW_HEAD = 200
REVIEW_HEAD_SCAN = 20  # at most REVIEW_HEAD_SCAN × REVIEW_HEAD rows are looked at to fill the head (bounded cost)
REVIEW_RARE_BETA = 1.0  # weight of the rare-theme bonus (the library's ``beta``)


def review_queue(session: Session, limit: int, offset: int, wave_id: int | None = None):
    """Results flagged needs_review in each wave's latest finished job that no human has corrected yet; stored
    non-answers (``is_non_answer``) are left out (nothing to code). An unknown ``wave_id`` is a 404.

    Ranked as the library's queue (:func:`textmine.review.rank_for_review`) without embeddings, by
    :func:`rank_review_rows`: uncertainty × a bonus for themes rare among the stored corrections and the items
    ranked before, near-duplicates of the redacted text behind the distinct ones. One fixed, deterministic ranking
    (ties by result id) that ``offset``/``limit`` slice; ``total`` counts the whole queue."""
    if wave_id is not None:
        get_or_404(session, Wave, wave_id, "wave")
    latest = (select(CodingJob.wave_id, func.max(CodingJob.id).label("job_id"))
              .where(CodingJob.state == "done").group_by(CodingJob.wave_id).subquery())
    corrected = select(Correction.response_id)
    stmt = (select(CodingResult.id, CodingResult.job_id, CodingResult.themes, CodingResult.confidence,
                   CodingResult.type, Response.id, Response.wave_id, Response.question, Response.text_redacted)
            .join(latest, latest.c.job_id == CodingResult.job_id)
            .join(Response, Response.id == CodingResult.response_id)
            .where(CodingResult.needs_review == 1, Response.id.not_in(corrected),
                   func.coalesce(Response.is_non_answer, 0) == 0))
    if wave_id is not None:
        stmt = stmt.where(Response.wave_id == wave_id)
    rows = session.execute(stmt).all()
    candidates = [ReviewRow(result_id=r[0], confidence=float(r[3] or 0.0),
                            themes=tuple(t for t in (r[2] or "").split(";") if t), text=r[8] or "") for r in rows]
    ranked = rank_review_rows(candidates, _correction_theme_counts(session, {r[1] for r in rows}),
                              n=offset + limit)  # the places up to this page only (the same as the whole order's)
    by_id = {r[0]: r for r in rows}
    items = []
    for result_id, reason in ranked[offset:offset + limit]:
        _rid, job_id, themes, conf, ctype, resp_id, w_id, question, text_ = by_id[result_id]
        items.append({"response_id": resp_id, "wave_id": w_id, "question": question, "text": text_,
                      "job_id": job_id, "themes": [t for t in (themes or "").split(";") if t], "confidence": conf,
                      "type": ctype or None, "reason": reason})
    return items, len(rows)


@dataclasses.dataclass(slots=True)
class ReviewRow:
    """What the review queue ranks a candidate by: its result id (ties), confidence, machine themes and the
    redacted text (near-duplicates)."""

    result_id: int
    confidence: float
    themes: tuple[str, ...]
    text: str


def _correction_theme_counts(session: Session, job_ids: set[int]) -> Counter:
    """Corrections per theme (the latest correction of each response) in the codebooks of ``job_ids``."""
    if not job_ids:
        return Counter()
    codebooks = select(CodingJob.codebook_id).where(CodingJob.id.in_(job_ids))
    latest: dict[int, str] = {}
    for response_id, themes in session.execute(select(Correction.response_id, Correction.themes)
                                               .where(Correction.codebook_id.in_(codebooks))
                                               .order_by(Correction.id)):
        latest[response_id] = themes or ""
    return Counter(t for themes in latest.values() for t in themes.split(";") if t)


def rank_review_rows(rows: list[ReviewRow], corrected: Counter, *, head: int | None = None,
                     beta: float = REVIEW_RARE_BETA, n: int | None = None) -> list[tuple[int, str]]:
    """The first ``n`` (default: all) places of the review order as [(result id, reason)], deterministic (ties by
    result id): the library's ranking, :func:`textmine.review.rank_review`, with the decided themes as the weights,
    the corrections of each theme (``corrected``) as its labelled counts, the items ranked before counted too, and
    the first ``head`` items (:data:`REVIEW_HEAD`) chosen one by one (no near-duplicates of the redacted text among
    them, at most :data:`REVIEW_HEAD_SCAN` × ``head`` rows looked at). Reasons: ``rare theme: X`` (fewer than
    :data:`MIN_THEME_EXAMPLES` corrections and earlier items of X), ``near-duplicate``, else ``uncertain``."""
    from textmine.review import rank_review

    head = REVIEW_HEAD if head is None else head
    themes = sorted({t for row in rows for t in row.themes})
    col = {t: j for j, t in enumerate(themes)}
    decided = np.zeros((len(rows), len(themes)))
    at = [(i, col[t]) for i, row in enumerate(rows) for t in row.themes]
    if at:
        decided[tuple(np.array(at).T)] = 1.0
    ranking = rank_review([row.confidence for row in rows], decided, [corrected.get(t, 0) for t in themes],
                          [row.text for row in rows], theme_ids=themes, n=n, head=head, beta=beta,
                          count_chosen=True, ties=[row.result_id for row in rows], max_scan=REVIEW_HEAD_SCAN * head,
                          rare_below=MIN_THEME_EXAMPLES)
    return [(rows[i].result_id, why) for i, why in zip(ranking.order.tolist(), ranking.reasons)]


_THEME_ID_LIKE = re.compile(r"[\w-]{1,40}")


def _shown_theme_id(value: str) -> str:
    """An unknown theme id as an error may quote it: shown when it looks like an id ("telefn", a typo) and holds
    no personal data; otherwise «(ikke vist)» — a cell of free text may hold special-category details that the
    name mask does not remove ("[NAVN] er homofil")."""
    text = str(value)
    if _THEME_ID_LIKE.fullmatch(text) and library.redact_name(text) == text:
        return text
    return "(ikke vist)"


def _did_you_mean(value: str, valid: list[str]) -> str | None:
    """The valid theme id closest to a misspelt one («telfon» → «telefon»), if one is close."""
    import difflib

    found = difflib.get_close_matches(value.strip().casefold(), valid, n=1, cutoff=0.75)
    return found[0] if found else None


def add_correction(session: Session, response_id: int, themes: list[str], ctype: str | None,
                   codebook_id: int | None, key_id: int | None) -> Correction:
    """Check and store a human correction (a new row; the latest of a response wins)."""
    row = checked_correction(session, response_id, themes, ctype, codebook_id, key_id)
    session.add(row)
    session.flush()
    return row


def record_correction(session: Session, response_id: int, themes: list[str], ctype: str | None,
                      codebook_id: int | None, key_id: int | None,
                      seen_latest: int | None = None) -> tuple[Correction, bool]:
    """:func:`add_correction` for the API, where a client retries: a correction the same as the response's latest
    (same codebook, themes and type, stored with the same key) returns that row, ``created`` False, instead of a
    second row. ``(row, created)``.

    ``seen_latest`` (optimistic concurrency; None: no check): the id of the latest correction the client saw (0:
    none). Another correction being the latest now (a second tab, another coder) is a 409 ``correction_conflict``
    (:func:`_correction_conflict`) and nothing is stored. The response's row is locked first (PostgreSQL), so two
    concurrent corrections of one response are checked one after the other."""
    row = checked_correction(session, response_id, themes, ctype, codebook_id, key_id)
    session.execute(select(Response.id).where(Response.id == row.response_id).with_for_update())
    latest = session.scalars(select(Correction).where(Correction.response_id == row.response_id)
                             .order_by(Correction.id.desc())).first()
    if latest is not None and (latest.codebook_id, latest.themes, latest.type or "", latest.api_key_id) == \
            (row.codebook_id, row.themes, row.type, row.api_key_id):
        return latest, False
    if seen_latest is not None and latest is not None and latest.id != seen_latest:
        raise _correction_conflict(latest, seen_latest)
    session.add(row)
    session.flush()
    return row, True


def _correction_conflict(latest: Correction, seen: int) -> ApiError:
    """409 ``correction_conflict``: ``latest`` was stored after the correction the client saw (``seen``; 0: none).
    Names when and its id, and gives its codes (theme ids, type, codebook) so the client can show them; never who."""
    from datetime import timezone

    when = _utc(latest.created_at).astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    saw = f"correction {seen}" if seen else "none"
    return ApiError(409, "correction_conflict",
                    f"response {latest.response_id} was corrected at {when} (correction {latest.id}) since the "
                    f"latest correction this client saw ({saw}); nothing was stored: read the stored codes and "
                    f"send the correction again with seen_correction_id {latest.id} to replace them",
                    {"response_id": latest.response_id, "latest_id": latest.id, "latest_at": when,
                     "seen_id": seen or None, "codebook_id": latest.codebook_id,
                     "themes": [t for t in (latest.themes or "").split(";") if t], "type": latest.type or None})


def checked_correction(session: Session, response_id: int, themes: list[str], ctype: str | None,
                       codebook_id: int | None, key_id: int | None) -> Correction:
    """A correction's row, checked (404 unknown response, 422 ``unknown_theme`` / ``unknown_type`` / exclusive
    combinations) and normalised (themes in codebook order, the codebook's case), not yet added."""
    response = get_or_404(session, Response, response_id, "response")
    if codebook_id is None:
        job = latest_done_job(session, response.wave_id)
        codebook = session.get(Codebook, job.codebook_id) if job else default_codebook_row(session)
    else:
        codebook = resolve_codebook(session, codebook_id)
    valid = [t["id"] for t in codebook.content.get("themes", [])]
    # spaces around an id and its case are ignored, as in labelled files read by the CLI (" Telefon" is "telefon")
    by_fold = {v.casefold(): v for v in valid}
    themes = [by_fold.get(str(t).strip().casefold(), str(t).strip()) for t in themes]
    unknown = [t for t in themes if t not in valid]
    if unknown:
        named = [_shown_theme_id(t) for t in unknown[:20]]  # an id-like value is shown, free text never
        hint = _did_you_mean(unknown[0], valid) if _shown_theme_id(unknown[0]) == unknown[0] else None
        raise ApiError(422, "unknown_theme", f"unknown theme id(s) for codebook {codebook.name}: {', '.join(named)}"
                       + (f" (did you mean {hint!r}?)" if hint else ""),
                       {"unknown": named, "positions": [i for i, t in enumerate(themes) if t not in valid][:50],
                        "valid": valid})
    _refuse_exclusive_combination(codebook, themes)
    types = codebook.content.get("types") or ["klage", "ønske", "ros"]
    if ctype:  # case is ignored, as in labelled files: "Klage" is stored as the codebook's "klage"
        ctype = {t.casefold(): t for t in types}.get(ctype.strip().casefold())
        if ctype is None:
            raise ApiError(422, "unknown_type", f"type must be one of {', '.join(types)} (case is ignored)",
                           {"valid": types})
    ordered = [t for t in valid if t in set(themes)]
    return Correction(response_id=response.id, codebook_id=codebook.id, themes=";".join(ordered), type=ctype or "",
                      api_key_id=key_id)


def remove_corrections(session: Session, response_id: int) -> dict[str, Any]:
    """Remove every human correction of a response (all codebooks), so that its machine codes count again in
    summaries and it is queued for review again when they need it. All, not only the latest: the latest wins, so
    removing it alone would bring back an earlier correction the analyst had replaced. Models trained on them
    are not changed. An unknown response is a 404 ``not_found``, one without corrections a 404 ``no_correction``.
    Returns ids and counts only."""
    get_or_404(session, Response, response_id, "response")
    found = session.execute(select(Correction.id, Correction.codebook_id)
                            .where(Correction.response_id == response_id).order_by(Correction.id)).all()
    if not found:
        raise ApiError(404, "no_correction", f"response{id_text(response_id)} has no correction",
                       id_details("response", response_id))
    ids = [cid for cid, _ in found]
    session.execute(delete(Correction).where(Correction.id.in_(ids)))
    session.flush()
    return {"response_id": response_id, "removed": len(ids), "correction_ids": ids,
            "codebook_ids": sorted({cb for _, cb in found})}


def _refuse_exclusive_combination(codebook: Codebook, themes: list[str]) -> None:
    """422 ``exclusive_theme`` when known theme ids combine an exclusive theme (e.g. ``annet``, used only when no
    other theme applies) with another: the library's rule and wording (``Codebook.exclusive_problem``)."""
    cb = library.codebook_from_dict(codebook.content)
    chosen = list(dict.fromkeys(themes))
    problem = cb.exclusive_problem(chosen)
    if problem is None:
        return
    excl = next(t for t in chosen if t in cb.exclusive_ids)
    raise ApiError(422, "exclusive_theme", problem,
                   {"exclusive": excl, "position": themes.index(excl), "others": [t for t in chosen if t != excl]})


MIN_THEME_EXAMPLES = 3  # corrections per theme a model trained on corrections alone needs (ModelIn default)


@dataclasses.dataclass
class TrainingPlan:
    """A checked training request (:func:`check_training`): what :func:`fit_model` trains on."""

    codebook: Codebook
    name: str | None
    corrections: pd.DataFrame  # the latest correction of each response (text, themes, type, question)
    counts: Counter  # corrections per theme
    cb: Any  # the library codebook
    base: library.BaseTraining  # the default model's recorded training files, or why they are missing
    warnings: list[str] = dataclasses.field(default_factory=list)


def check_training(session: Session, settings: Settings, codebook_id: int | None, name: str | None,
                   min_examples: int = 20, min_theme_examples: int = MIN_THEME_EXAMPLES) -> TrainingPlan:
    """Every check of a training request, before anything is trained (seconds, not minutes): a name holding
    personal data (422 ``personal_data_in_name``: readers see model names), an unknown codebook (404), no codebook
    named where the corrections belong to several (409 ``several_codebooks``, :func:`training_codebook`), fewer than
    ``min_examples`` corrected responses (422 ``not_enough_corrections``) and, where the default model's training
    files are not available (another codebook, files not on disk), a theme with fewer than ``min_theme_examples``
    corrections (422 ``too_few_theme_examples``, naming the themes; otherwise a warning)."""
    if name is not None:
        refuse_personal_data(name, "model name")
    codebook = training_codebook(session, codebook_id)
    latest: dict[int, Correction] = {}
    for c in session.scalars(select(Correction).where(Correction.codebook_id == codebook.id).order_by(Correction.id)):
        latest[c.response_id] = c
    if len(latest) < min_examples:
        raise ApiError(422, "not_enough_corrections",
                       f"training needs at least {min_examples} corrected responses for codebook {codebook.id}; "
                       f"found {len(latest)}", {"found": len(latest), "needed": min_examples})
    corrections = _corrections_frame(session, latest)
    counts = Counter(t for x in corrections["themes"] for t in x.split(";") if t)
    cb = library.codebook_from_dict(codebook.content)
    base = (library.base_training(cb, settings.default_model) if is_default_codebook(codebook)
            else library.BaseTraining(missing=f"codebook {codebook.id} is not the default model's codebook"))
    plan = TrainingPlan(codebook=codebook, name=name, corrections=corrections, counts=counts, cb=cb, base=base)
    if base.frame is None:
        _refuse_thin_themes(cb, counts, min_theme_examples, base.missing)
        plan.warnings.append(corrections_only_warning(len(latest), base.missing))
    return plan


def training_codebook(session: Session, codebook_id: int | None) -> Codebook:
    """The codebook a training request trains (only its corrections are trained on): the one it names; without
    one, the codebook the stored corrections belong to (the default codebook where there are none). Corrections
    of several codebooks (a mixed review queue) are a 409 ``several_codebooks`` listing each codebook with its
    corrected responses: the request must name one (``codebook_id``)."""
    if codebook_id is not None:
        return resolve_codebook(session, codebook_id)
    counts = session.execute(select(Correction.codebook_id, func.count(func.distinct(Correction.response_id)))
                             .group_by(Correction.codebook_id).order_by(Correction.codebook_id)).all()
    if not counts:
        return default_codebook_row(session)
    rows = {r.id: r for r in session.scalars(select(Codebook).where(Codebook.id.in_([c for c, _ in counts])))}
    if len(counts) == 1:
        return rows[counts[0][0]]
    listed = [{"codebook_id": cid, "name": rows[cid].name, "version": rows[cid].version, "corrected_responses": n}
              for cid, n in counts]
    raise ApiError(409, "several_codebooks",
                   f"the stored corrections belong to {len(listed)} codebooks ("
                   + "; ".join(f"codebook {c['codebook_id']} {c['name']} {c['version']}: {c['corrected_responses']} "
                               "corrected responses" for c in listed)
                   + "); a model is trained for one codebook: name it with codebook_id", {"codebooks": listed})


def needs_base_coder(settings: Settings, plan: TrainingPlan) -> bool:
    """Whether :func:`fit_model` retrains the loaded default coder (the default model's files are there)."""
    return plan.base.frame is not None and settings.coder_factory is None


def fit_model(settings: Settings, plan: TrainingPlan, *, base_coder: Any = None,
              progress: Any = None, stop_check: Any = None, job_id: int | None = None) -> TrainedModel:
    """Train a checked request (minutes; no database access) as ``textmine review --corrections`` retrains: on the
    default model's recorded training files plus the corrections, a correction replacing the base label of the
    same text (:func:`library.train_with_corrections`; ``base_coder``: the loaded default coder, loaded here when
    None and needed); the corrections alone where those files are not available. Returns the model's row, not yet
    added to a session (``created_at`` = when training finished); a failed run leaves no model folder behind.
    ``progress``: told each training stage as it starts (:func:`library.train_with_corrections`); an exception it
    raises stops the training there, with no model folder left behind; so does one ``stop_check`` raises (called
    between the batches the rows are embedded in, :class:`library.CheckedEmbedder`). The model's metrics record
    the corrections as ``textmine review`` records them (``corrections_record``: :func:`corrections_summary`;
    ``job_id``: the training job, None for ``textmine store train``)."""
    if base_coder is None and needs_base_coder(settings, plan):
        base_coder = library.make_coder(None, None, default_model=settings.default_model)
    # one models folder serves every store: a unique name keeps another store's (or a failed run's) model apart
    model_dir = settings.resolved_models_dir() / f"model-{uuid.uuid4().hex[:16]}"
    try:
        metrics = library.train_with_corrections(plan.cb, plan.corrections, model_dir, base=plan.base,
                                                 base_coder=base_coder, factory=settings.coder_factory,
                                                 progress=progress, stop_check=stop_check, job_id=job_id)
    except BaseException:
        remove_model_dir(model_dir)
        raise
    base, n = plan.base, len(plan.corrections)
    return TrainedModel(name=plan.name or f"{plan.codebook.name}-{plan.codebook.version}-supervised",
                        codebook_id=plan.codebook.id, n_training=n,
                        path=stored_model_path(model_dir, settings.resolved_models_dir()), created_at=utcnow(),
                        metrics={"label_counts": dict(plan.counts), "n_corrections": n,
                                 "n_base_examples": int(len(base.frame)) if base.frame is not None else 0,
                                 "base_training_files": base.files, "warnings": list(plan.warnings),
                                 "corrections_record": corrections_summary(plan, job_id),
                                 **{k: v for k, v in (metrics or {}).items() if isinstance(v, (int, float, str))}})


def corrections_summary(plan: TrainingPlan, job_id: int | None) -> dict[str, Any]:
    """What a model row records of the corrections it was trained on (:func:`library.corrections_record`, as
    ``textmine review --corrections`` records them, less the codebook's YAML, which the codebook row holds): the
    codebook's id, name, version and hash, who coded them, how many, the training job; no text, no key, no user."""
    record = library.corrections_record(plan.cb, len(plan.corrections), job_id)
    return {"codebook_id": plan.codebook.id, "codebook_name": record["codebook_name"],
            "codebook_version": record["codebook_version"], "codebook_hash": record["codebook_hash"],
            "coded_by": record["model"], "n_corrections": record["n_corrections"],
            "training_job_id": record["training_job_id"], "textmine_version": record["textmine_version"]}


def remove_model_dir(path: str | Path, models_dir: str | Path | None = None) -> None:
    """Remove a model folder no model row points at (a failed or discarded training). A relative ``path`` (as a
    model row stores it) lies in ``models_dir``; without it, or leading outside it, nothing is removed (never a
    folder relative to the working directory)."""
    import shutil

    folder = Path(path)
    if not folder.is_absolute():
        if models_dir is None:
            return
        try:
            folder = model_folder(str(path), models_dir)
        except ModelPathError:
            return
    shutil.rmtree(folder, ignore_errors=True)


def train_model(session: Session, settings: Settings, codebook_id: int | None, name: str | None,
                min_examples: int = 20, *, base_coder: Any = None,
                min_theme_examples: int = MIN_THEME_EXAMPLES) -> TrainedModel:
    """Check and train in the foreground (``textmine store train``; ``POST /models`` runs :func:`fit_model` in a
    training job instead): :func:`check_training`, then :func:`fit_model`; the model row is added and flushed.
    The row is written after training (minutes): no write lock is held meanwhile."""
    plan = check_training(session, settings, codebook_id, name, min_examples, min_theme_examples)
    model = fit_model(settings, plan, base_coder=base_coder)
    session.add(model)
    session.flush()
    return model


# ---------------------------------------------------------------- training jobs
def start_training_job(session: Session, settings: Settings, codebook_id: int | None, name: str | None,
                       min_examples: int = 20, min_theme_examples: int = MIN_THEME_EXAMPLES) -> TrainingJob:
    """A queued training job for a request that passes every check of :func:`check_training` now (its 4xx come
    back before any job exists); the worker checks again when it starts (corrections may change meanwhile)."""
    plan = check_training(session, settings, codebook_id, name, min_examples, min_theme_examples)
    job = TrainingJob(codebook_id=plan.codebook.id, name=name, min_examples=min_examples,
                      min_theme_examples=min_theme_examples, state="queued")
    session.add(job)
    session.flush()
    return job


TRAINING_LOCK = 0x7472  # PostgreSQL advisory lock namespace ("tr") of training starts; the second key: the codebook


def start_or_find_training_job(session: Session, settings: Settings, codebook_id: int | None, name: str | None,
                               min_examples: int = 20,
                               min_theme_examples: int = MIN_THEME_EXAMPLES) -> tuple[TrainingJob, bool]:
    """``POST /models`` as a client retries it: every check of :func:`check_training` first, then the active job
    of the same request (:func:`active_training_job`) when there is one, else a new queued job. ``(job, created)``."""
    plan = check_training(session, settings, codebook_id, name, min_examples, min_theme_examples)
    _transaction_lock(session, TRAINING_LOCK, plan.codebook.id, "UPDATE codebooks SET name = name WHERE id = :key")
    found = active_training_job(session, plan.codebook.id, name, min_examples, min_theme_examples)
    if found is not None:
        return found, False
    job = TrainingJob(codebook_id=plan.codebook.id, name=name, min_examples=min_examples,
                      min_theme_examples=min_theme_examples, state="queued")
    session.add(job)
    session.flush()
    return job, True


def active_training_job(session: Session, codebook_id: int, name: str | None, min_examples: int,
                        min_theme_examples: int) -> TrainingJob | None:
    """The newest queued or running training job of the same request (codebook, name, minimums) that trains on the
    corrections stored now: a queued job reads them when it starts; a running one read them when it started, so
    a correction stored since then makes it another request. None when there is none."""
    jobs = session.scalars(select(TrainingJob).where(
        TrainingJob.codebook_id == codebook_id, TrainingJob.state.in_(ACTIVE_STATES),
        TrainingJob.name.is_(None) if name is None else TrainingJob.name == name,
        TrainingJob.min_examples == min_examples, TrainingJob.min_theme_examples == min_theme_examples)
        .order_by(TrainingJob.id.desc()))
    for job in jobs:
        if job.state == "queued" or (job.started_at is not None and not _corrected_since(session, codebook_id,
                                                                                         job.started_at)):
            return job
    return None


def _corrected_since(session: Session, codebook_id: int, moment) -> bool:
    """Whether a correction of the codebook was stored at or after ``moment``."""
    return session.scalars(select(Correction.id).where(Correction.codebook_id == codebook_id,
                                                       Correction.created_at >= moment).limit(1)).first() is not None


def cancel_training_job(session: Session, job_id: int) -> TrainingJob:
    """Cancel a queued or running training job: a queued one never starts; a running one stops at its next step
    (:func:`service.jobs.run_training_job`) and, should it finish first, its model is discarded, not stored (no
    model folder is left behind and the default model is not touched). A finished job is left as it is — also one
    that finishes between this read and the write: the state changes only where it is still active (one conditional
    UPDATE, so a training storing its model at that instant is not relabelled «cancelled» beside a stored model)."""
    job = get_or_404(session, TrainingJob, job_id, "training job")
    if job.state in ACTIVE_STATES:
        session.execute(update(TrainingJob)
                        .where(TrainingJob.id == job_id, TrainingJob.state.in_(ACTIVE_STATES))
                        .values(state="cancelled", finished_at=utcnow())
                        .execution_options(synchronize_session=False))
        session.refresh(job)
    return job


def training_eta(job: TrainingJob, now: Any = None) -> float | None:
    """Seconds a running training job has left: its steps left times its rate per step after the first one (the
    seconds since the first step was done, ``first_step_at``, over the steps done since). The first step (preparing
    the rows: cleaning, embedding, merging) takes much longer or shorter than the folds and stages after it, so it is
    no basis: None until two steps are done, and for a job not running; 0 done. A job whose first step's end was
    not stored (a row from before migration 0015) goes by its average rate since it started. ``now``: an aware
    datetime (default: now)."""
    if job.state == "done":
        return 0.0
    if job.state != "running" or not job.total or (job.done or 0) < 2 or job.started_at is None:
        return None
    since, steps = ((job.first_step_at, job.done - 1) if job.first_step_at is not None
                    else (job.started_at, job.done))
    elapsed = ((now or utcnow()) - _utc(since)).total_seconds()
    if elapsed <= 0:  # the worker's clock ahead of this one: no basis (0 would read as finished)
        return None
    return round(max(job.total - job.done, 0) * elapsed / steps, 1)


def training_job_view(session: Session, job: TrainingJob) -> dict[str, Any]:
    """A training job as the API shows it (``model``: the model row when done, else None; ``done``/``total``:
    steps, as :class:`library.TrainingSteps` counts them, 0/0 until known; ``eta_seconds``: :func:`training_eta`)."""
    return {"id": job.id, "state": job.state, "codebook_id": job.codebook_id, "name": job.name,
            "min_examples": job.min_examples, "min_theme_examples": job.min_theme_examples,
            "model": session.get(TrainedModel, job.model_id) if job.model_id else None, "error": job.error,
            "created_at": _utc(job.created_at), "started_at": _utc(job.started_at),
            "finished_at": _utc(job.finished_at), "textmine_version": job.textmine_version,
            "lexicon_version": job.lexicon_version, "done": job.done or 0, "total": job.total or 0,
            "eta_seconds": training_eta(job)}


def _corrections_frame(session: Session, latest: dict[int, Correction]) -> pd.DataFrame:
    """The latest correction of each response as a labelled frame (text = the stored redacted text, themes joined
    by ';', type, question), in response order."""
    rows = {r[0]: r for r in session.execute(select(Response.id, Response.text_redacted, Response.question)
                                              .where(Response.id.in_(list(latest)))).all()}
    ids = sorted(latest)
    return pd.DataFrame({"text": [rows[i][1] or "" for i in ids], "themes": [latest[i].themes for i in ids],
                         "type": [latest[i].type or "" for i in ids], "question": [rows[i][2] or "" for i in ids]})


def corrections_only_warning(n: int, why: str | None) -> str:
    return (f"trained on the {n} corrections alone ({why}): such a model usually codes much worse than the default "
            "model; compare it on answers you know before using it (textmine review --corrections adds the "
            "corrections to the model's training files instead)")


def _refuse_thin_themes(cb: Any, counts: Counter, minimum: int, why: str | None) -> None:
    """422 ``too_few_theme_examples``: training on corrections alone needs ``minimum`` corrections per theme."""
    thin = [t for t in cb.theme_ids if counts.get(t, 0) < minimum]
    if thin:  # each theme by id and label («telefon (Telefon og tilgjengelighet): 1 of 3»)
        labels = {t: cb.theme(t).label for t in thin}
        raise ApiError(422, "too_few_theme_examples",
                       f"training on the corrections alone ({why}) needs at least {minimum} corrected responses per "
                       f"theme; too few for: "
                       f"{', '.join(f'{t} ({labels[t]}): {counts.get(t, 0)} of {minimum}' for t in thin)}",
                       {"themes": {t: counts.get(t, 0) for t in thin}, "labels": labels, "needed": minimum})


def delete_job_results(session: Session, job_id: int) -> None:
    session.execute(delete(CodingResult).where(CodingResult.job_id == job_id))
