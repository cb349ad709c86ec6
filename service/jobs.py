"""Background jobs. Coding jobs: chunked, committed per chunk, cancellable, resumed after a restart. Training
jobs (``POST /models``): one at a time on their own worker; one cut off by a stopped server is failed, never left
running. Several servers may share one database: a training server keeps a heartbeat on its job, and another
server fails the job only once that heartbeat is stale or its process is gone."""

from __future__ import annotations

import logging
import os
import queue
import secrets
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from sqlalchemy import func, select

from service import library, store
from service.coders import CoderCache
from service.db.models import Codebook, CodingJob, CodingResult, Response, TrainedModel, TrainingJob, utcnow
from service.db.session import Database
from service.errors import ApiError
from service.settings import Settings

log = logging.getLogger("textmine.service")


def _result_rows(job_id: int, chunk: int, ids: list[int], frame, theme_ids: list[str]) -> list[dict]:
    rows = []
    records = frame.to_dict("records")
    for rid, rec in zip(ids, records):
        scores = {t: round(float(rec.get(f"score_{t}", 0.0) or 0.0), 6) for t in theme_ids}
        themes = [t for t in theme_ids if int(rec.get(f"theme_{t}", 0) or 0) == 1]
        rows.append({"job_id": job_id, "response_id": rid, "chunk": chunk, "themes": ";".join(themes),
                     "scores": scores, "confidence": float(rec.get("confidence", 0.0) or 0.0),
                     "needs_review": int(rec.get("needs_review", 0) or 0), "type": str(rec.get("type") or "")})
    return rows


def _insert_new_results(s, rows: list[dict]) -> None:
    """Insert result rows, skipping (job, response) pairs already stored by another worker on the same job, so
    that two workers never fail the job on the unique constraint and nothing is stored twice."""
    if not rows:
        return
    dialect = s.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        s.execute(insert(CodingResult.__table__).on_conflict_do_nothing(index_elements=["job_id", "response_id"]),
                  rows)
        return
    have = set(s.scalars(select(CodingResult.response_id).where(
        CodingResult.job_id == rows[0]["job_id"], CodingResult.response_id.in_([r["response_id"] for r in rows]))))
    rows = [r for r in rows if r["response_id"] not in have]
    if rows:
        s.execute(CodingResult.__table__.insert(), rows)


class RateMeter:
    """The recent coding rate of each running job: seconds per response, an exponentially weighted average over
    its chunks (``weight`` = the latest chunk's share), so that an ETA follows the current pace rather than the
    whole job's average (which a fast, e.g. cached, start keeps too low for long)."""

    def __init__(self, weight: float = 0.3):
        self.weight = weight
        self._rates: dict[int, float] = {}
        self._lock = threading.Lock()

    def record(self, job_id: int, seconds: float, n: int) -> None:
        if n <= 0:
            return
        rate = max(float(seconds), 0.0) / n
        with self._lock:
            old = self._rates.get(job_id)
            self._rates[job_id] = rate if old is None else self.weight * rate + (1 - self.weight) * old

    def seconds_per_item(self, job_id: int) -> float | None:
        with self._lock:
            return self._rates.get(job_id)

    def forget(self, job_id: int) -> None:
        with self._lock:
            self._rates.pop(job_id, None)


def run_job(db: Database, coders: CoderCache, job_id: int, chunk_size: int = 200,
            stop: threading.Event | None = None, on_chunk: Callable[[CodingJob], None] | None = None,
            meter: RateMeter | None = None) -> str:
    """Process a job to the end (or until cancelled/stopped). Each chunk's results, the done counter and the
    chunk marker are committed in one transaction; already-coded responses are skipped, so a rerun after a crash
    continues where the last committed chunk ended. Returns the final state."""
    with db.session() as s:
        job = s.get(CodingJob, job_id)
        if job is None or job.state not in store.ACTIVE_STATES:
            return job.state if job else "missing"
        codebook = s.get(Codebook, job.codebook_id)
        model = s.get(TrainedModel, job.model_id) if job.model_id else None
        is_default = store.is_default_codebook(codebook)
        job.state = "running"
        job.started_at = job.started_at or utcnow()
        _record_versions(job)
        job.total = s.scalar(select(func.count()).select_from(Response).where(Response.wave_id == job.wave_id)) or 0
    try:
        coder = coders.get(codebook, model, default=is_default)
        if is_default and model is None and not _record_default_model(db, job_id, coders.default_identity):
            return "failed"
        theme_ids = [t["id"] for t in codebook.content.get("themes", [])]
        while True:
            if stop is not None and stop.is_set():  # server shutting down: back to "queued", every chunk kept;
                release_interrupted(db, job_id)  # the next start, or a POST of the same job anywhere, resumes it
                return "queued"
            t0 = time.perf_counter()
            with db.session() as s:
                done_ids = select(CodingResult.response_id).where(CodingResult.job_id == job_id)
                pending = s.execute(select(Response.id, Response.text_redacted, Response.question)
                                    .where(Response.wave_id == job.wave_id, Response.id.not_in(done_ids))
                                    .order_by(Response.id).limit(chunk_size)).all()
            if not pending:
                with db.session() as s:
                    job = s.get(CodingJob, job_id)
                    if job.state == "running":
                        job.state = "done"
                        job.finished_at = utcnow()
                        job.done = s.scalar(select(func.count()).select_from(CodingResult)
                                            .where(CodingResult.job_id == job_id)) or 0
                    return job.state
            ids = [p[0] for p in pending]
            frame = library.predict(coder, [p[1] for p in pending], [p[2] for p in pending])
            with db.session() as s:
                job = s.get(CodingJob, job_id, with_for_update=True)
                if job.state != "running":  # cancelled meanwhile: drop this chunk
                    return job.state
                chunk = job.chunks_done
                _insert_new_results(s, _result_rows(job_id, chunk, ids, frame, theme_ids))
                job.chunks_done = chunk + 1
                # counted, not added: another worker on this job (``textmine store code`` next to a server, or a
                # second server process resuming it) may have stored some of these responses already
                job.done = s.scalar(select(func.count()).select_from(CodingResult)
                                    .where(CodingResult.job_id == job_id)) or 0
                job.seconds_running = float(job.seconds_running or 0.0) + (time.perf_counter() - t0)
            if meter is not None:
                meter.record(job_id, time.perf_counter() - t0, len(ids))
            if on_chunk is not None:
                on_chunk(job)
    except Exception as exc:
        log.error("coding job %s failed: %s", job_id, type(exc).__name__)
        with db.session() as s:
            job = s.get(CodingJob, job_id)
            if job.state == "running":
                job.state = "failed"
                job.error = f"coding failed: {type(exc).__name__}"
                job.finished_at = utcnow()
        return "failed"


def _record_versions(job: CodingJob | TrainingJob) -> None:
    """Record on a starting job the textmine and word-list versions it runs with (library.run_versions); a job
    resumed after a restart keeps those it first ran with."""
    for column, value in library.run_versions().items():
        if getattr(job, column) is None:
            setattr(job, column, value)


def _record_default_model(db: Database, job_id: int, identity: str) -> bool:
    """Record on the job which default model codes it (``identity``, see library.default_model_identity), or, for
    a job that already coded chunks with another default model (resumed after the server's default changed), fail
    it: one job's results never mix two models. False when the job was failed. A job that coded chunks before
    migration 0005 recorded it stays without identity (unknown: compared as before)."""
    with db.session() as s:
        job = s.get(CodingJob, job_id, with_for_update=True)
        if job.state != "running":
            return True  # cancelled meanwhile: the loop sees it
        if job.default_model_identity is None:
            coded = s.scalar(select(func.count()).select_from(CodingResult).where(CodingResult.job_id == job_id))
            if not coded:
                job.default_model_identity = identity
            return True
        if job.default_model_identity == identity:
            return True
        job.state = "failed"
        job.error = (f"the server's default model changed since this job began (it coded with "
                     f"{library.model_identity_label(job.default_model_identity)}, the default model is now "
                     f"{library.model_identity_label(identity)}): start the job again to code the whole wave with "
                     "the current default model")
        job.finished_at = utcnow()
        log.error("coding job %s failed: the default model changed since it began", job_id)
        return False


def release_interrupted(db: Database, job_id: int) -> CodingJob | None:
    """A job whose foreground run was interrupted (Ctrl-C or SIGTERM in ``textmine store code``): "running" goes
    back to "queued", so that no reader sees it running forever and a rerun of the command or the server's next
    start resumes it. Every committed chunk stays (``done`` recounted from the stored results); a job cancelled
    or finished meanwhile is left as it is."""
    with db.session() as s:
        job = s.get(CodingJob, job_id, with_for_update=True)
        if job is None:
            return None
        if job.state == "running":
            job.state = "queued"
            job.done = s.scalar(select(func.count()).select_from(CodingResult)
                                .where(CodingResult.job_id == job_id)) or 0
        return job


class _QueueWorker:
    """One daemon thread that runs queued job ids in order (:meth:`_run` each); ``None`` on the queue stops it.
    Subclasses say how a job runs and what a failure leaves; an exception never kills the worker."""

    thread_name = "jobs"
    what = "job"

    def __init__(self) -> None:
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.current: int | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
            self._thread.start()

    def submit(self, job_id: int) -> None:
        self._queue.put(job_id)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self, job_id: int) -> None:
        raise NotImplementedError

    def _done(self, job_id: int) -> None:
        """After a job, whatever its outcome."""

    def _loop(self) -> None:
        while not self._stop.is_set():
            job_id = self._queue.get()
            if job_id is None:
                break
            self.current = job_id
            try:
                self._run(job_id)
            except Exception as exc:  # e.g. the database unreachable for a moment: the worker must live on for
                # the jobs queued after this one (this one stays as it was and is resumed at the next start)
                log.error("%s %s could not be run: %s", self.what, job_id, type(exc).__name__)
            finally:
                self.current = None
                self._done(job_id)


class JobRunner(_QueueWorker):
    """One worker thread that runs queued jobs in order; ``resume()`` re-queues jobs left running/queued."""

    thread_name, what = "coding-jobs", "coding job"

    def __init__(self, db: Database, coders: CoderCache, chunk_size: int = 200):
        super().__init__()
        self.db = db
        self.coders = coders
        self.chunk_size = chunk_size
        self.rates = RateMeter()  # recent coding rates of the jobs this runner codes (for the ETA)

    def resume(self) -> list[int]:
        with self.db.session() as s:
            ids = list(s.scalars(select(CodingJob.id).where(CodingJob.state.in_(store.ACTIVE_STATES))
                                 .order_by(CodingJob.id)))
        for job_id in ids:
            self.submit(job_id)
        return ids

    def _run(self, job_id: int) -> None:
        run_job(self.db, self.coders, job_id, self.chunk_size, stop=self._stop, meter=self.rates)

    def _done(self, job_id: int) -> None:
        self.rates.forget(job_id)


# ---------------------------------------------------------------- training jobs
INTERRUPTED_TRAINING = ("the server stopped while this model was training; no model was stored: start the training "
                        "again (POST /models)")


def worker_id() -> str:
    """A training server's name in ``training_jobs.worker``: ``host:pid:token`` (the token tells apart two runners
    in one process, and a restarted process that got its old pid back, e.g. pid 1 in a container)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(6)}"


_LIVE_WORKERS: set[str] = set()  # the started TrainingRunners of this process (their worker ids)
_LIVE_LOCK = threading.Lock()


def _process_gone(worker: str | None) -> bool:
    """True when ``worker`` (see :func:`worker_id`) names a training server of this host that no longer runs: its
    process has ended, or it is this process but not one of its started runners (a restart that got the same
    pid). Servers on other hosts are judged by their heartbeat only."""
    try:
        host, pid_text, _token = (worker or "").rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return False
    if host != socket.gethostname():
        return False
    if pid == os.getpid():
        with _LIVE_LOCK:
            return worker not in _LIVE_WORKERS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # e.g. PermissionError: the process exists under another user
        return False
    return False


def _aware(moment: datetime | None) -> datetime | None:
    """A stored time as aware UTC (SQLite gives it back naive)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


def _claim_training(db: Database, job_id: int, worker: str | None = None) -> TrainingJob | None:
    """Mark a queued training job running by ``worker`` (with a first heartbeat, and the versions it runs with);
    None when it is not queued (cancelled, or claimed by another server process on the same database)."""
    with db.session() as s:
        job = s.get(TrainingJob, job_id, with_for_update=True)
        if job is None or job.state != "queued":
            return None
        job.state = "running"
        job.started_at = utcnow()
        job.worker, job.heartbeat_at = worker, job.started_at
        _record_versions(job)
        return job


def beat_training(db: Database, job_id: int, worker: str) -> bool:
    """Refresh the heartbeat of a training ``worker`` runs; False when the job is no longer running by it."""
    with db.session() as s:
        job = s.get(TrainingJob, job_id, with_for_update=True)
        if job is None or job.state != "running" or job.worker != worker:
            return False
        job.heartbeat_at = utcnow()
        return True


def _finish_training(db: Database, job_id: int, model: TrainedModel | None, error: str | None) -> str:
    """Store the outcome of a training run: the model row and "done" in one transaction, or "failed" with
    ``error`` and no model row. A job no longer running (cancelled, or failed as interrupted, meanwhile) keeps its
    state and the model is discarded (its folder removed). Returns the final state."""
    with db.session() as s:
        job = s.get(TrainingJob, job_id, with_for_update=True)
        if job is None or job.state != "running":
            if model is not None:
                store.remove_model_dir(model.path)
            return job.state if job else "missing"
        job.finished_at = utcnow()
        if model is None:
            job.state, job.error = "failed", error
            return job.state
        s.add(model)
        s.flush()
        job.model_id, job.state = model.id, "done"
        return job.state


def training_error(exc: BaseException) -> str:
    """A failed training's message for the job: an ApiError's message (value-free by design, e.g. too few
    corrections since the request was checked), else the kind of failure only (never its text: it may quote data)."""
    if isinstance(exc, ApiError):
        return f"training refused: {exc.message}"
    if isinstance(exc, OSError):
        return f"training failed: the model could not be written to the models folder ({type(exc).__name__})"
    return f"training failed: {type(exc).__name__}"


def run_training_job(db: Database, settings: Settings, job_id: int,
                     default_coder: Callable[[], Any] | None = None, worker: str | None = None) -> str:
    """Train a queued job's model: check the request again (the corrections as they are now), train
    (:func:`store.fit_model`, minutes, no transaction open) and store the model and "done" together, or "failed"
    with a clear message and no model row. ``default_coder``: gives the loaded default coder to retrain (the
    server's CoderCache), else it is loaded for this run; ``worker``: the training server (:func:`worker_id`), whose
    heartbeat the caller keeps. Returns the final state."""
    job = _claim_training(db, job_id, worker)
    if job is None:
        with db.session() as s:
            found = s.get(TrainingJob, job_id)
            return found.state if found else "missing"
    try:
        with db.session() as s:
            plan = store.check_training(s, settings, job.codebook_id, job.name, job.min_examples,
                                        job.min_theme_examples)
        base_coder = default_coder() if default_coder is not None and store.needs_base_coder(settings, plan) else None
        model = store.fit_model(settings, plan, base_coder=base_coder)
    except Exception as exc:
        log.error("training job %s failed: %s", job_id, type(exc).__name__)
        return _finish_training(db, job_id, None, training_error(exc))
    return _finish_training(db, job_id, model, None)


def fail_interrupted_training(db: Database, job_id: int | None = None, *, stale_after: float | None = None,
                              now: datetime | None = None) -> list[int]:
    """Fail the training jobs left running by a server that stopped or was killed mid-training: training cannot
    resume half-way, and no reader may see one running forever. ``job_id``: that job (a server failing its own
    training as it stops). Else, with ``stale_after`` (seconds), only jobs whose server is gone: no heartbeat
    (jobs from before migration 0008), a heartbeat older than ``stale_after``, or a server process of this host
    that has ended; without it, every running job."""
    now = now or utcnow()
    with db.session() as s:
        stmt = select(TrainingJob).where(TrainingJob.state == "running").with_for_update()
        if job_id is not None:
            stmt = stmt.where(TrainingJob.id == job_id)
        jobs = list(s.scalars(stmt))
        if job_id is None and stale_after is not None:
            cutoff = now - timedelta(seconds=stale_after)
            jobs = [j for j in jobs if j.heartbeat_at is None or _aware(j.heartbeat_at) < cutoff
                    or _process_gone(j.worker)]
        for job in jobs:
            job.state, job.error, job.finished_at = "failed", INTERRUPTED_TRAINING, now
        return [j.id for j in jobs]


class TrainingRunner(_QueueWorker):
    """One worker thread that trains queued models one after another (never two at once: each takes minutes on
    every core), and a heartbeat thread: every ``settings.training_heartbeat_seconds`` it refreshes the heartbeat
    of the job it trains and fails the jobs of servers gone (heartbeat older than four beats, or a process of this
    host that has ended). ``resume()`` at start-up does the same once and re-queues the queued jobs."""

    thread_name, what = "training-jobs", "training job"
    stale_beats = 4  # a heartbeat this many beats old means its server is gone

    def __init__(self, db: Database, settings: Settings, coders: CoderCache | None = None):
        super().__init__()
        self.db = db
        self.settings = settings
        self.coders = coders
        self.worker = worker_id()
        self._beat_thread: threading.Thread | None = None

    @property
    def stale_after(self) -> float:
        return self.stale_beats * float(self.settings.training_heartbeat_seconds)

    def start(self) -> None:
        with _LIVE_LOCK:
            _LIVE_WORKERS.add(self.worker)
        super().start()
        if self._beat_thread is None:
            self._beat_thread = threading.Thread(target=self._beat_loop, name="training-heartbeat", daemon=True)
            self._beat_thread.start()

    def _beat_loop(self) -> None:
        while not self._stop.wait(float(self.settings.training_heartbeat_seconds)):
            self.beat()

    def beat(self) -> list[int]:
        """One heartbeat: refresh the current job's, fail the jobs of servers gone (their ids)."""
        try:
            current = self.current
            if current is not None:
                beat_training(self.db, current, self.worker)
            failed = fail_interrupted_training(self.db, stale_after=self.stale_after)
        except Exception as exc:  # the database unreachable for a moment: the next beat tries again
            log.error("training heartbeat failed: %s", type(exc).__name__)
            return []
        if failed:
            log.warning("training jobs %s lost their server (no heartbeat): marked failed", failed)
        return failed

    def resume(self) -> tuple[list[int], list[int]]:
        """(failed, re-queued) job ids: those left running by a server gone, and the queued ones."""
        failed = fail_interrupted_training(self.db, stale_after=self.stale_after)
        with self.db.session() as s:
            queued = list(s.scalars(select(TrainingJob.id).where(TrainingJob.state == "queued")
                                    .order_by(TrainingJob.id)))
        for job_id in queued:
            self.submit(job_id)
        return failed, queued

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current training; one still running after ``timeout`` is failed now (the process is
        about to end), so that it is not shown running until the next start."""
        super().stop(timeout)
        current = self.current
        if self._thread is not None and self._thread.is_alive() and current is not None:
            fail_interrupted_training(self.db, current)
        if self._beat_thread is not None:
            self._beat_thread.join(timeout)
        with _LIVE_LOCK:
            _LIVE_WORKERS.discard(self.worker)

    def _default_coder(self) -> Any:
        return self.coders.default() if self.coders is not None else None

    def _run(self, job_id: int) -> None:
        run_training_job(self.db, self.settings, job_id, self._default_coder, worker=self.worker)
