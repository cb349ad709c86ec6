"""SQLAlchemy 2 ORM models: the service's persistent store (schema owned by Alembic migrations)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class ApiKey(Base):
    """An API key: only a salted SHA-256 hash of the secret is stored; ``prefix`` finds the row."""

    __tablename__ = "api_keys"
    __table_args__ = {"sqlite_autoincrement": True}  # SQLite never hands out an id twice (migration 0010)
    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    salt: Mapped[str] = mapped_column(String(64))
    secret_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(200))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # after this moment the key is refused like a revoked one; NULL: it never expires (migration 0011)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # when the key last authenticated, written at most once a minute (service.auth.KeyUse); NULL: never (0012)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Survey(Base):
    __tablename__ = "surveys"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    definition_yaml: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Wave(Base):
    """One uploaded data collection round of a survey, with the survey definition it was validated against."""

    __tablename__ = "waves"
    __table_args__ = (UniqueConstraint("survey_id", "label", name="uq_wave_survey_label"),
                      {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    definition_yaml: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str | None] = mapped_column(String(300))
    n_respondents: Mapped[int] = mapped_column(Integer, default=0)
    n_responses: Mapped[int] = mapped_column(Integer, default=0)
    text_columns: Mapped[list] = mapped_column(JSON, default=list)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # SHA-256 of the stored (redacted) content, service.store.content_fingerprint: finds the same wave uploaded
    # again under another label. NULL for a wave whose content could not be read back when migration 0003 ran.
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    # HMAC-SHA256 of the raw content, keyed with the store's secret (service.store.content_hmac, migration 0004):
    # independent of the redactor. NULL for a wave stored before 0004 (compared by content_sha256 instead).
    content_hmac: Mapped[str | None] = mapped_column(String(64))


class Respondent(Base):
    """A respondent's structured answers (everything except the free-text columns)."""

    __tablename__ = "respondents"
    __table_args__ = (UniqueConstraint("wave_id", "respondent_id", name="uq_respondent_wave_rid"),
                      {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), index=True)
    respondent_id: Mapped[str] = mapped_column(String(200))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)


class Response(Base):
    """One free-text answer: redacted text always; raw text only if the store is configured to keep it."""

    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("respondent_pk", "question", name="uq_response_respondent_question"),
        Index("ix_responses_wave_question", "wave_id", "question"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"))
    respondent_pk: Mapped[int] = mapped_column(ForeignKey("respondents.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(200))
    text_redacted: Mapped[str] = mapped_column(Text)
    text_raw: Mapped[bytes | None] = mapped_column(LargeBinary)  # plain UTF-8 or Fernet token
    raw_encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(16))
    pii_count: Mapped[int] = mapped_column(Integer, default=0)
    health_flag: Mapped[int] = mapped_column(Integer, default=0)
    is_non_answer: Mapped[int] = mapped_column(Integer, default=0)


class Codebook(Base):
    __tablename__ = "codebooks"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_codebook_name_version"),
                      {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(50))
    content: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TrainedModel(Base):
    """Metadata of a trained coder; the artefact lives on disk at ``path``."""

    __tablename__ = "models"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    codebook_id: Mapped[int] = mapped_column(ForeignKey("codebooks.id"))
    path: Mapped[str] = mapped_column(String(1000))
    n_training: Mapped[int] = mapped_column(Integer, default=0)
    metrics: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CodingJob(Base):
    """A batch coding run over a wave. ``job_key`` = wave + codebook + model (idempotency)."""

    __tablename__ = "coding_jobs"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id", ondelete="CASCADE"), index=True)
    codebook_id: Mapped[int | None] = mapped_column(ForeignKey("codebooks.id"))
    model_id: Mapped[int | None] = mapped_column(ForeignKey("models.id"))
    job_key: Mapped[str] = mapped_column(String(200), index=True)
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued|running|done|failed|cancelled
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    chunks_done: Mapped[int] = mapped_column(Integer, default=0)  # the chunk marker, committed with each chunk
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seconds_running: Mapped[float] = mapped_column(Float, default=0.0)  # across restarts (for ETA)
    # a job by the server's default model (model_id NULL): which default it coded with, by
    # service.library.default_model_identity (a hash over the model's files, migration 0005); NULL for a job
    # stored before 0005 and for jobs that did not code with the default model
    default_model_identity: Mapped[str | None] = mapped_column(String(100))
    # what the job first coded with (service.library.run_versions, migration 0007); NULL for a job stored before
    # 0007 and for a job that has not started
    textmine_version: Mapped[str | None] = mapped_column(String(50))
    lexicon_version: Mapped[str | None] = mapped_column(String(100))
    # the lease (migration 0009): the server coding the job (service.jobs.worker_id) and its latest heartbeat; a
    # running job whose heartbeat is older than the lease is claimed by another server's runner
    worker: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the newer "done" job of the same wave, codebook and model whose finish deleted this finished job's results
    # (service.store.prune_superseded, migration 0013); the row stays as history. NULL: not superseded
    superseded_by: Mapped[int | None] = mapped_column(Integer)


class TrainingJob(Base):
    """A model training run in the background (``POST /models``): the checked request, its state and, when done,
    the model it made. ``error`` is a value-free message (never a comment's text)."""

    __tablename__ = "training_jobs"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    codebook_id: Mapped[int] = mapped_column(ForeignKey("codebooks.id"))
    name: Mapped[str | None] = mapped_column(String(200))
    min_examples: Mapped[int] = mapped_column(Integer, default=20)
    min_theme_examples: Mapped[int] = mapped_column(Integer, default=3)
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)  # queued|running|done|failed|cancelled
    model_id: Mapped[int | None] = mapped_column(ForeignKey("models.id"))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    textmine_version: Mapped[str | None] = mapped_column(String(50))  # what it trained with (set when it starts)
    lexicon_version: Mapped[str | None] = mapped_column(String(100))
    worker: Mapped[str | None] = mapped_column(String(200))  # host:pid:token of the server training it (0008)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # refreshed while it trains
    # progress in steps (migration 0014): finished and known to come, written as each step starts; NULL: not started
    done: Mapped[int | None] = mapped_column(Integer)
    total: Mapped[int | None] = mapped_column(Integer)
    # when the first step (preparing the rows) was done (migration 0015): the ETA's rate counts the steps after it
    first_step_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CodingResult(Base):
    """The coder's output for one response in one job; unique per (job, response): nothing double-counts."""

    __tablename__ = "coding_results"
    __table_args__ = (UniqueConstraint("job_id", "response_id", name="uq_result_job_response"),
                      {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("coding_jobs.id", ondelete="CASCADE"), index=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    chunk: Mapped[int] = mapped_column(Integer)
    themes: Mapped[str] = mapped_column(String(1000), default="")
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    needs_review: Mapped[int] = mapped_column(Integer, default=0)
    type: Mapped[str] = mapped_column(String(16), default="")


class Correction(Base):
    """A human's codes for a response (the latest one wins)."""

    __tablename__ = "corrections"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    codebook_id: Mapped[int] = mapped_column(ForeignKey("codebooks.id"))
    themes: Mapped[str] = mapped_column(String(1000), default="")
    type: Mapped[str] = mapped_column(String(16), default="")
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StoreSecret(Base):
    """A random secret made for this store by migration 0004 (``wave_fingerprint``: the content_hmac key)."""

    __tablename__ = "store_secrets"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


class UiSession(Base):
    """A browser login (service.web.sessionstore): a hash of the cookie's session id, the key's id, the API key
    sealed with a key derived from the session id (neither is stored), and clock times in seconds."""

    __tablename__ = "ui_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), index=True)
    sealed_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[float] = mapped_column(Float)
    last_seen_at: Mapped[float] = mapped_column(Float, index=True)
