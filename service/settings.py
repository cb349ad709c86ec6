"""Service configuration: one explicit object, read from the environment at the edge (``Settings.from_env``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

DEFAULT_DATABASE_URL = "sqlite:///./textmine.db"

RawTextPolicy = Literal["none", "plain", "encrypted"]

#: the smallest small-cell threshold the service applies to what readers see, whatever a survey definition says
DEFAULT_MIN_CELL_FLOOR = 5


class Settings(BaseModel):
    """Everything the app needs to know; tests build one directly, ``textmine serve`` uses ``from_env``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    database_url: str = DEFAULT_DATABASE_URL
    store_raw_text: RawTextPolicy = "none"
    fernet_key: str | None = Field(default=None, repr=False)
    max_request_bytes: int = 20 * 1024 * 1024
    max_comment_chars: int = 5_000
    max_classify_texts: int = 1_000
    # characters of all texts of one POST /classify together: one request holds the single coder thread (and so
    # every other /classify request and coding job) while it runs. The default coder takes ≈ 2.3 s of CPU time
    # per 100,000 characters (8–13 s wall on the 2-core dev VM under heavy load), so this is ≈ 3.5 s of CPU,
    # ≤ 20 s wall under that load, and still holds 1,000 comments of the sample's average length (115 characters)
    classify_max_total_chars: int = Field(default=150_000, ge=1)
    # effective min_cell of every summary, quote, report and dashboard = max(the survey definition's, this): an
    # analyst's definition cannot lower small-cell suppression for readers below it (the library and CLI keep
    # the definition's own value)
    min_cell_floor: int = Field(default=DEFAULT_MIN_CELL_FLOOR, ge=0)
    cors_origins: list[str] = Field(default_factory=list)
    job_chunk_size: int = Field(default=200, ge=1)  # responses coded and committed per transaction
    run_jobs: bool = True  # start the background job runner (and resume running jobs) at startup
    warmup: bool = True  # load + warm the default coder in the background at startup
    models_dir: Path | None = None  # where trained models are written (default: <cache>/service-models)
    # the bundled coder used when a request names no codebook/model (None = models/default; models/fast is the
    # e5-static model: several times faster, slightly lower quality, see models/README.md)
    default_model: Path | None = None
    coder_factory: Callable[..., Any] | None = None  # (codebook|None, model_dir|None) -> coder; tests inject
    cleaner_factory: Callable[..., Any] | None = None  # texts -> cleaned frame; tests inject (default: Cleaner)
    quote_embedder: str | None = None  # None = the default coder's embedder (service.quoting); tests use "fallback"
    # a verified API key skips the hash check this long; whether it is revoked is read from the database on every
    # request, so a key revoked by another process (``textmine keys revoke``) stops working at once
    key_cache_seconds: float = 30.0
    # GET /metrics without an API key (for a Prometheus scraper on a private network); default: a key of any role
    metrics_public: bool = False
    log_level: str = "info"
    # glibc allocator settings applied by create_app (see service/memory.py); None/0 = glibc's default
    malloc_arena_max: int | None = 2
    malloc_mmap_threshold: int | None = 256 * 1024
    # entries per per-token cache of the shared Cleaner resources in the server (~95 MB per 100k for the three
    # caches together; results do not depend on it); None = the library default (500k, for batch cleaning)
    cleaner_cache_entries: int | None = 50_000
    # after warm-up, move the loaded model and lexicons to the garbage collector's permanent generation: a full
    # collection then skips them (≈ 120 ms → < 1 ms; see service/memory.py)
    freeze_heap: bool = True
    # a training server refreshes its job's heartbeat this often; another server sharing the database fails the job
    # as interrupted when the heartbeat is four times as old (its server is gone)
    training_heartbeat_seconds: float = Field(default=30.0, gt=0)
    classify_concurrency: int = 1  # /classify micro-batches coded at once (see service/batcher.py)
    # recent /classify results of the default coder, keyed by a hash of the text (~1 KB each; 0 = off)
    classify_cache_entries: int = 10_000
    # browser UI logins (server-side sessions in the database, see service/web/sessionstore.py): a session ends
    # this long after login, or after this long without a request; at most this many are kept (when full, the
    # least recently used session ends)
    ui_session_lifetime_seconds: int = Field(default=8 * 3600, ge=60)
    ui_session_idle_seconds: int = Field(default=3600, ge=60)
    ui_sessions_max: int = Field(default=10_000, ge=1)

    @field_validator("ui_session_idle_seconds")
    @classmethod
    def _idle_within_lifetime(cls, idle: int, info: ValidationInfo) -> int:
        lifetime = info.data.get("ui_session_lifetime_seconds")
        if lifetime is not None and idle > lifetime:
            raise ValueError(f"must not be longer than the session lifetime ({lifetime} s, "
                             f"TEXTMINE_UI_SESSION_LIFETIME_SECONDS), got {idle}")
        return idle

    @classmethod
    def from_env(cls, **overrides: Any) -> "Settings":
        """Read ``TEXTMINE_*`` variables; explicit ``overrides`` (not None) win."""
        env = os.environ
        values: dict[str, Any] = {}
        if env.get("TEXTMINE_DATABASE_URL"):
            values["database_url"] = env["TEXTMINE_DATABASE_URL"]
        if env.get("TEXTMINE_STORE_RAW_TEXT"):
            values["store_raw_text"] = env["TEXTMINE_STORE_RAW_TEXT"]
        if env.get("TEXTMINE_FERNET_KEY"):
            values["fernet_key"] = env["TEXTMINE_FERNET_KEY"]
        if env.get("TEXTMINE_MAX_REQUEST_BYTES"):
            values["max_request_bytes"] = _int(env, "TEXTMINE_MAX_REQUEST_BYTES")
        for name in ("classify_max_total_chars", "min_cell_floor"):
            if env.get(f"TEXTMINE_{name.upper()}"):
                values[name] = _int(env, f"TEXTMINE_{name.upper()}")
        if env.get("TEXTMINE_CORS_ORIGINS"):
            values["cors_origins"] = [o.strip() for o in env["TEXTMINE_CORS_ORIGINS"].split(",") if o.strip()]
        if env.get("TEXTMINE_JOB_CHUNK_SIZE"):
            values["job_chunk_size"] = _int(env, "TEXTMINE_JOB_CHUNK_SIZE")
        if env.get("TEXTMINE_WARMUP"):
            values["warmup"] = env["TEXTMINE_WARMUP"] not in ("0", "false", "no")
        if env.get("TEXTMINE_MODELS_DIR"):
            values["models_dir"] = Path(env["TEXTMINE_MODELS_DIR"])
        if env.get("TEXTMINE_DEFAULT_MODEL"):
            values["default_model"] = Path(env["TEXTMINE_DEFAULT_MODEL"])
        if env.get("TEXTMINE_CODER_FACTORY"):  # "module:function", used by tests and benchmarks
            values["coder_factory"] = _import_object("TEXTMINE_CODER_FACTORY")
        if env.get("TEXTMINE_MALLOC_ARENA_MAX"):
            values["malloc_arena_max"] = _int(env, "TEXTMINE_MALLOC_ARENA_MAX")
        if env.get("TEXTMINE_MALLOC_MMAP_THRESHOLD"):
            values["malloc_mmap_threshold"] = _int(env, "TEXTMINE_MALLOC_MMAP_THRESHOLD")
        if env.get("TEXTMINE_CLEANER_CACHE_ENTRIES"):
            values["cleaner_cache_entries"] = _int(env, "TEXTMINE_CLEANER_CACHE_ENTRIES")
        if env.get("TEXTMINE_METRICS_PUBLIC"):
            values["metrics_public"] = _bool(env, "TEXTMINE_METRICS_PUBLIC")
        if env.get("TEXTMINE_FREEZE_HEAP"):
            values["freeze_heap"] = env["TEXTMINE_FREEZE_HEAP"] not in ("0", "false", "no")
        if env.get("TEXTMINE_CLASSIFY_CONCURRENCY"):
            values["classify_concurrency"] = _int(env, "TEXTMINE_CLASSIFY_CONCURRENCY")
        if env.get("TEXTMINE_TRAINING_HEARTBEAT_SECONDS"):
            values["training_heartbeat_seconds"] = _float(env, "TEXTMINE_TRAINING_HEARTBEAT_SECONDS")
        if env.get("TEXTMINE_CLASSIFY_CACHE_ENTRIES"):
            values["classify_cache_entries"] = _int(env, "TEXTMINE_CLASSIFY_CACHE_ENTRIES")
        for name in ("ui_session_lifetime_seconds", "ui_session_idle_seconds", "ui_sessions_max"):
            if env.get(f"TEXTMINE_{name.upper()}"):
                values[name] = _int(env, f"TEXTMINE_{name.upper()}")
        if env.get("TEXTMINE_CLEANER_FACTORY"):
            values["cleaner_factory"] = _import_object("TEXTMINE_CLEANER_FACTORY")
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def resolved_models_dir(self) -> Path:
        if self.models_dir is not None:
            return Path(self.models_dir)
        from textmine.paths import cache_dir

        return cache_dir() / "service-models"


def _int(env, name: str) -> int:
    try:
        return int(env[name])
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {env[name]!r}") from None


def _bool(env, name: str) -> bool:
    """true/1/yes or false/0/no (any case); anything else is refused rather than guessed (a security switch)."""
    value = env[name].strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise ValueError(f"{name} must be true or false (also 1/0, yes/no), got {env[name]!r}")


def _float(env, name: str) -> float:
    try:
        return float(env[name])
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, e.g. 30, got {env[name]!r}") from None


def _import_object(name: str) -> Any:
    """The object named by the environment variable ``name`` ("module:function")."""
    import importlib

    spec = os.environ[name]
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise ValueError(f"{name} must look like 'module:function', got {spec!r}")
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"{name}: cannot import {spec!r} ({exc})") from None
