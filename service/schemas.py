"""Pydantic models at the HTTP boundary."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Generic, Literal, TypeVar

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from typing_extensions import Annotated

from service.errors import ErrorCode

T = TypeVar("T")
MAX_ID = 2_147_483_647  # ids are 32-bit in every supported database

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=500)]
JobState = Literal["queued", "running", "done", "failed", "cancelled"]


def as_utc(dt: datetime | None) -> datetime | None:
    """Timestamps are stored in UTC; SQLite hands them back naive. Every response says so ("…Z")."""
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def no_lone_surrogates(value: str) -> str:
    """Refuse text that is not valid Unicode (a lone surrogate such as JSON "\\ud800" cannot be encoded, stored
    or redacted)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text contains a lone surrogate (invalid Unicode)") from None
    return value


UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]
Text = Annotated[str, AfterValidator(no_lone_surrogates)]


class ErrorInfo(BaseModel):
    code: ErrorCode = Field(description="what went wrong, as a stable machine-readable word (the list: ErrorCode)")
    message: str
    details: Any = None


class ErrorBody(BaseModel):
    error: ErrorInfo


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    ready: bool
    model_loaded: bool
    database: bool
    detail: str | None = None
    default_model: str = "models/default"  # the model requests that name none are coded with


class SurveyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text = Field(min_length=1, max_length=200)
    description: Text | None = Field(default=None, max_length=5000)
    definition_yaml: Text | None = Field(default=None, max_length=1_000_000,
                                         description="survey definition (YAML) used for waves uploaded without one")

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("name must not be blank")
        return v


class SurveyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    description: str | None = None
    has_definition: bool = False
    created_at: UtcDatetime
    warnings: list[str] = Field(default_factory=list, description="what the survey definition loads with but may "
                                "count wrongly (a short scale's guessed positive code): item ids and codes only")


class WaveOut(BaseModel):
    id: int
    survey_id: int
    label: str
    filename: str | None = None
    text_columns: list[str]
    counts: dict[str, Any]
    warnings: list[str]
    created_at: UtcDatetime


CodebookHash = Annotated[str, Field(description="SHA-256 of the codebook's content (textmine.codebook.content_hash, "
                                                "the hash a trained model records): two codebooks of the same name "
                                                "and version (e.g. on two servers) are the same only when their "
                                                "hashes are")]


class CodebookOut(BaseModel):
    id: int
    name: str
    version: str
    hash: CodebookHash
    n_themes: int
    content: dict[str, Any]
    created_at: UtcDatetime


class CodebookVersions(BaseModel):
    id: int
    name: str
    version: str
    hash: CodebookHash
    content: dict[str, Any]
    versions: list[dict[str, Any]] = Field(description="every stored version of the same name: id, version, hash "
                                           "and created_at")


class JobIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    codebook_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    model_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    force: bool = False


class JobOut(BaseModel):
    id: int
    wave_id: int
    codebook_id: int | None
    model_id: int | None
    state: JobState
    done: int
    total: int
    chunks_done: int
    eta_seconds: float | None
    error: str | None = None
    created_at: UtcDatetime
    started_at: UtcDatetime | None = None
    finished_at: UtcDatetime | None = None
    created: bool | None = None
    textmine_version: str | None = Field(default=None, description="the textmine version the job coded with (null: "
                                         "not started, or stored before the server recorded it)")
    lexicon_version: str | None = Field(default=None, description="the word lists (data/wordlists) the job coded "
                                        "with: sha256 over their files, first 16 hex digits")
    coded_with: str | None = Field(default=None, description="what codes the job: 'model 3' (a trained model), "
                                   "'default model sha256:0123456789ab' (the server's default model; its identity "
                                   "once the job has started) or 'zero-shot (e5)' (no trained model: the themes' "
                                   "descriptions and the embedder named)")
    superseded_by: int | None = Field(default=None, description="the newer job of the same wave, codebook and model "
                                      "that replaced this one: a newer finished job whose finish deleted this job's "
                                      "results (kept as history; it can no longer be reported), or a newer forced "
                                      "job that cancelled this one while it was active (``error`` names it); null: "
                                      "not superseded")


class ClassifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    texts: list[Text] = Field(min_length=1, max_length=1000)
    codebook_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    model_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    question: Text | None = Field(
        default=None, min_length=1, max_length=200,
        description="the survey question the texts answer (e.g. fritekst_sykefravaer): a model trained with "
                    "routed questions then uses that question's theme rates")


class ThemeScore(BaseModel):
    id: str
    label: str | None = None
    score: float


class ClassifiedText(BaseModel):
    text: str = Field(description="redacted text")
    themes: list[ThemeScore]
    scores: dict[str, float]
    confidence: float
    needs_review: bool
    type: str | None = None
    health_flag: bool = Field(
        description="true when the text mentions special-category data about a person (health, and the other GDPR "
                    "art. 9/10 categories: religion, sexuality, ethnic origin, politics, union membership, criminal "
                    "offences), as the cleaner flags it (the health_flag column of cleaned and coded tables). The "
                    "text is coded all the same: its themes are given; handle it with care")


class ClassifyOut(BaseModel):
    codebook_id: int | None
    model_id: int | None
    results: list[ClassifiedText]
    warnings: list[str] = Field(default_factory=list, description=(
        "texts coded zero-shot (a codebook without a trained model): when the themes' shares of the answered texts "
        "are implausible (a theme on 40 % or more of 30 or more answers, or nearly every answer with a theme in a "
        "codebook of few themes), why; counts and theme ids only. Empty otherwise"))


class SummaryBody(BaseModel):
    """The library summary (``textmine.summary.Summary.to_dict``) as a reader may see it: every table's rows as
    objects; a hidden (suppressed) row keeps only what it is and its flags. Keys not listed here are kept. The
    server's summary always has all five keys (required in the answer's schema); the defaults only fill what a
    stand-in computation (a test double) leaves out."""

    model_config = ConfigDict(extra="allow", json_schema_serialization_defaults_required=True)
    survey: str = Field(default="", description="the survey's name (its definition's)")
    waves: list[int | str] = Field(default_factory=list, description="the waves summarised, oldest first: a label "
                                   "of digits as a number")
    meta: dict[str, Any] = Field(default_factory=dict, description="how it was computed: weighting, CI and test "
                                 "methods, min_cell, suppression, themes and theme_labels, questions, comparisons, "
                                 "corrections_applied (wave label: corrections laid over the machine codes), …")
    warnings: list[str] = Field(default_factory=list, description="what a reader should know: waves without a "
                                "finished coding job, mixed hand-corrected and machine coding, implausible "
                                "zero-shot shares, hidden levels, …")
    tables: dict[str, list[dict[str, Any]]] = Field(default_factory=dict, description="table name (indicators, "
                                                    "multiselect, themes, theme_indicators, drivers, changes, "
                                                    "quotes) -> its rows")


class WaveSummaryOut(BaseModel):
    """``GET /waves/{id}/summary``. Keys not listed here are kept."""

    model_config = ConfigDict(extra="allow")
    wave_id: int = Field(description="the wave summarised")
    compare_wave_id: int | None = Field(description="the earlier wave it is compared with (null: none)")
    compare_job_id: int | None = Field(description="the compare wave's coding job (null: no comparison, or that "
                                       "wave has no finished coding job)")
    coding_jobs: dict[int, int] = Field(description="wave id -> the coding job summarised (a wave without a "
                                        "finished coding job is not listed)")
    coding_models: dict[int, int | None] = Field(description="wave id -> the trained model its coding job used "
                                                 "(null: the server's default model)")
    summary: SummaryBody


class QuoteOut(BaseModel):
    response_id: int
    question: str
    text: str = Field(description="redacted, shortened comment")
    attribution: str = Field(description="segment description, e.g. 'Privat virksomhet, 10–49 ansatte'")
    score: float
    rank: int
    type: str | None = None
    language: str | None = Field(default=None, description="language of the comment (nb, nn, en, …), if known")


class QuotesOut(BaseModel):
    wave_id: int
    theme: str
    job_id: int
    n_mentions: int
    quotes: list[QuoteOut]


class ReviewItem(BaseModel):
    response_id: int
    wave_id: int
    question: str
    text: str
    job_id: int
    themes: list[str]
    confidence: float
    type: str | None = None
    language: str | None = Field(default=None, description="language of the comment (nb, nn, en, …), if known")
    reason: str | None = Field(default=None, description="why it is queued here: 'uncertain', 'rare theme: <theme "
                               "id>' (fewer than 3 corrections of it so far) or 'near-duplicate' (of a comment "
                               "earlier in the queue)")
    latest_correction_id: int | None = Field(default=None, description="the response's latest correction when the "
                                             "queue was read (null: none); send it back as the correction's "
                                             "``seen_correction_id``")


class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    themes: list[Text] = Field(max_length=50)
    type: Text | None = Field(default=None, max_length=16)
    codebook_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    seen_correction_id: int | None = Field(default=None, ge=0, le=MAX_ID, description="optimistic concurrency: the "
                                           "id of the response's latest correction this client saw (a queue item's "
                                           "``latest_correction_id``; null or 0: none). When another correction is "
                                           "the latest now, nothing is stored: 409 ``correction_conflict`` with "
                                           "when and the stored codes. Left out: no check, the latest wins (as "
                                           "before)")

    def seen_latest(self) -> int | None:
        """The correction id the client saw as the latest (0: none), or None when it asked for no check."""
        return (self.seen_correction_id or 0) if "seen_correction_id" in self.model_fields_set else None


class CorrectionOut(BaseModel):
    id: int
    response_id: int
    codebook_id: int
    themes: list[str]
    type: str | None
    created_at: UtcDatetime


class CorrectionsRemoved(BaseModel):
    """What ``DELETE /responses/{id}/codes`` removed: ids and counts only, never text or themes."""

    response_id: int
    removed: int
    correction_ids: list[int]
    codebook_ids: list[int]


class ModelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    codebook_id: int | None = Field(default=None, ge=1, le=MAX_ID,
                                    description="the codebook to train (only its corrections are trained on); "
                                    "default: the codebook the stored corrections belong to (the bundled codebook "
                                    "where there are none); required where they belong to several (409 "
                                    "several_codebooks lists them)")
    name: Text | None = Field(default=None, max_length=200)
    min_examples: int = Field(default=20, ge=5, le=100000,
                              description="refuse to train on fewer corrected responses (at least 5)")
    min_theme_examples: int = Field(default=3, ge=1, le=100000,
                                    description="where the default model's training files are not available (the "
                                    "model trains on the corrections alone): refuse when a theme has fewer "
                                    "corrected responses")


class ModelOut(BaseModel):
    id: int
    name: str
    codebook_id: int
    n_training: int = Field(description="corrected responses used (the latest correction of each)")
    metrics: dict[str, Any] = Field(description="label_counts (of the corrections), n_corrections, n_base_examples "
                                    "and base_training_files (the default model's training files the corrections "
                                    "were added to), warnings, and the library's held-out (out-of-fold, "
                                    "cross-validated) training metrics: n_train, oof_macro_f1, oof_micro_f1, "
                                    "oof_weighted_f1, oof_exact_match, oof_auto_coded_share, …")
    warnings: list[str] = Field(default_factory=list, description="e.g. trained on the corrections alone")
    created_at: UtcDatetime = Field(description="when training finished")


class TrainingJobOut(BaseModel):
    """A model training in the background (``POST /models``)."""

    id: int
    state: JobState
    codebook_id: int
    name: str | None = None
    min_examples: int
    min_theme_examples: int
    model: ModelOut | None = Field(default=None, description="the trained model, when the job is done; its "
                                   "metrics' corrections_record says what it was trained on as `textmine review "
                                   "--corrections` records it: codebook_id, codebook_name, codebook_version, "
                                   "codebook_hash, coded_by, n_corrections (this job's; the model folder's corrections.csv and its "
                                   "record also count earlier corrections kept from the default model), training_job_id, "
                                   "textmine_version")
    error: str | None = Field(default=None, description="why the job failed (a short, value-free message)")
    done: int = Field(default=0, description="training steps finished (preparing, each cross-validation fold, "
                      "calibrating, the final fit, saving)")
    total: int = Field(default=0, description="training steps in all; 0 until the first fold says how many folds "
                       "there are (may grow by one when the trainer announces a further stage)")
    eta_seconds: float | None = Field(default=None, description="estimated seconds left: the seconds since the "
                                      "first step (preparing) was done ÷ the steps done since × steps left; null "
                                      "before two steps are done, 0 when finished")
    created_at: UtcDatetime
    started_at: UtcDatetime | None = None
    finished_at: UtcDatetime | None = None
    textmine_version: str | None = Field(default=None, description="the textmine version it trained with (set "
                                         "when it starts)")
    lexicon_version: str | None = Field(default=None, description="the word lists (data/wordlists) it trained "
                                        "with: sha256 over their files, first 16 hex digits")
    created: bool | None = Field(default=None, description="POST /models: true for a new job, false for the same "
                                 "request's queued or running job (a retry); null elsewhere")


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["reader", "analyst", "admin"]
    name: Text | None = Field(default=None, max_length=200)
    expires_in_days: int | None = Field(default=None, gt=0, le=3650, strict=True,
                                        description="the key is refused this many days from now on (like a "
                                                    "revoked key); default: it never expires")


class KeyOut(BaseModel):
    id: int
    prefix: str
    role: str
    name: str | None
    revoked: bool
    created_at: UtcDatetime
    expires_at: UtcDatetime | None = Field(default=None, description="when the key stops working; null: never")
    expired: bool = Field(default=False, description="past its expiry (refused like a revoked key)")
    state: Literal["active", "revoked", "expired"] = "active"
    last_used_at: UtcDatetime | None = Field(default=None, description="when the key last authenticated (recorded "
                                             "at most once a minute); null: never used")


class KeyCreated(KeyOut):
    key: str = Field(description="the full key; shown once, store it now")
