"""Background jobs. Coding jobs: chunked, committed per chunk, cancellable, resumed after a restart; a database
step that loses the connection is retried, and a job outlasting the retries goes back to "queued". Each server
codes a job under a lease (worker + heartbeat): its runner claims queued jobs and jobs whose server stopped
beating, never one another live server codes. Training jobs (``POST /models``): one at a time on their own worker;
one cut off by a stopped server is failed, never left running. Several servers may share one database: a training
server keeps a heartbeat on its job, and another server fails the job only once that heartbeat is stale or its
process is gone."""

from __future__ import annotations

import logging
import os
import queue
import re
import secrets
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import func, select, update

from service import library, store
from service.coders import CoderCache
from service.db.models import Codebook, CodingJob, CodingResult, Response, TrainedModel, TrainingJob, utcnow
from service.db.session import Database, is_connection_error
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


#: a coding job's lease: its server refreshes the heartbeat every ``LEASE_SECONDS / 4``; a running job whose
#: heartbeat is older than this is taken over by another server's runner
LEASE_SECONDS = 60.0
#: how long one database step of a coding job is retried while the database is unreachable before the job is put
#: back to "queued" (to be claimed again once the database answers)
RETRY_SECONDS = 120.0


class DatabaseUnavailable(Exception):
    """A coding job's database step still failed on a connection error after :data:`RETRY_SECONDS`."""


def _retrying(step: Callable[[], Any], job_id: int, budget: float, stop: threading.Event | None = None) -> Any:
    """``step()`` (which opens its own session, so each try gets a fresh connection), tried again with a growing
    pause (0.5 s doubling, at most 5 s) while it fails on a connection error (:func:`is_connection_error`), for
    ``budget`` seconds in all; then, or when ``stop`` is set meanwhile, :class:`DatabaseUnavailable`. Other
    errors are raised at once."""
    deadline, pause = time.monotonic() + budget, 0.5
    while True:
        try:
            return step()
        except Exception as exc:
            if not is_connection_error(exc):
                raise
            left = deadline - time.monotonic()  # wall time: a try may itself wait for the connect timeout
            if left <= 0:
                raise DatabaseUnavailable(type(exc).__name__) from exc
            wait = min(pause, left)
            log.warning("coding job %s: database unreachable (%s), trying again in %.1f s", job_id,
                        type(exc).__name__, wait)
            if stop is not None and stop.wait(wait):
                raise DatabaseUnavailable(type(exc).__name__) from exc
            if stop is None:
                time.sleep(wait)
            pause = min(pause * 2, 5.0)


def _claimable(worker: str, cutoff: datetime):
    """The coding jobs ``worker`` may take: queued, or running by itself, or running with no heartbeat or one
    older than ``cutoff`` (a server gone or cut off from the database)."""
    return (CodingJob.state == "queued") | ((CodingJob.state == "running") & (
        (CodingJob.worker == worker) | CodingJob.heartbeat_at.is_(None) | (CodingJob.heartbeat_at < cutoff)))


def claim_job(db: Database, job_id: int, worker: str, lease: float = LEASE_SECONDS,
              now: datetime | None = None) -> bool:
    """Take the lease of one coding job for ``worker``: "running" by it with a fresh heartbeat. One conditional
    UPDATE (atomic on SQLite and PostgreSQL), so two servers never both claim a job; False when it is not
    claimable (finished, cancelled, or running by another server with a fresh heartbeat)."""
    now = now or utcnow()
    with db.session() as s:
        res = s.execute(update(CodingJob).where(CodingJob.id == job_id, _claimable(worker, now - timedelta(seconds=lease)))
                        .values(state="running", worker=worker, heartbeat_at=now)
                        .execution_options(synchronize_session=False))
        return res.rowcount == 1


def claim_next_job(db: Database, worker: str, lease: float = LEASE_SECONDS, now: datetime | None = None) -> int | None:
    """Claim the oldest claimable coding job (queued, or running with a stale lease) for ``worker``; its id, or
    None. On PostgreSQL the candidate is read ``FOR UPDATE SKIP LOCKED``: runners polling together take different
    jobs; the claim itself is :func:`claim_job`'s conditional update (SQLite: its write lock serialises it)."""
    now = now or utcnow()
    cutoff = now - timedelta(seconds=lease)
    with db.session() as s:
        stmt = select(CodingJob.id).where(_claimable(worker, cutoff)).order_by(CodingJob.id).limit(1)
        if s.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        job_id = s.scalar(stmt)
        if job_id is None:
            return None
        res = s.execute(update(CodingJob).where(CodingJob.id == job_id, _claimable(worker, cutoff))
                        .values(state="running", worker=worker, heartbeat_at=now)
                        .execution_options(synchronize_session=False))
        return job_id if res.rowcount == 1 else None


def beat_job(db: Database, job_id: int, worker: str) -> bool:
    """Refresh the heartbeat of a coding job ``worker`` runs; False when it no longer holds the lease."""
    with db.session() as s:
        res = s.execute(update(CodingJob).where(CodingJob.id == job_id, CodingJob.state == "running",
                                                CodingJob.worker == worker)
                        .values(heartbeat_at=utcnow()).execution_options(synchronize_session=False))
        return res.rowcount == 1


class _Heartbeat:
    """A daemon thread that refreshes one job's heartbeat every ``every`` seconds while the job runs (a chunk may
    take longer than the lease); a failed beat (database unreachable) is logged and tried at the next one."""

    def __init__(self, db: Database, job_id: int, worker: str, every: float):
        self._args, self._every = (db, job_id, worker), every
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"coding-job-{job_id}-heartbeat", daemon=True)

    def __enter__(self) -> "_Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._done.set()
        self._thread.join(5.0)

    def _loop(self) -> None:
        while not self._done.wait(self._every):
            try:
                beat_job(*self._args)
            except Exception as exc:
                log.warning("coding job %s heartbeat failed: %s", self._args[1], type(exc).__name__)


def _wait_for_lease(db: Database, job_id: int, worker: str, lease: float, stop: threading.Event | None,
                    on_chunk: Callable[[CodingJob], None] | None) -> str | None:
    """Wait while another server holds the job's lease (its progress passed to ``on_chunk``): None once this
    worker has claimed it (the other one finished its part, or went stale), else the job's final state."""
    seen = -1
    while True:
        if claim_job(db, job_id, worker, lease):
            return None
        with db.session() as s:
            job = s.get(CodingJob, job_id)
        if job is None or job.state != "running":
            return job.state if job else "missing"
        if on_chunk is not None and job.done != seen:
            seen = job.done
            on_chunk(job)
        if stop is not None and stop.is_set():
            return job.state
        time.sleep(min(1.0, lease / 4))


def _start_job(db: Database, job_id: int):
    """The claimed job's inputs (job, codebook, model, default?), its start time, versions and total recorded."""
    with db.session() as s:
        job = s.get(CodingJob, job_id)
        if job is None:  # its wave was deleted
            return None
        codebook = s.get(Codebook, job.codebook_id)
        model = s.get(TrainedModel, job.model_id) if job.model_id else None
        job.started_at = job.started_at or utcnow()
        _record_versions(job)
        job.total = s.scalar(select(func.count()).select_from(Response).where(Response.wave_id == job.wave_id)) or 0
        return job, codebook, model, store.is_default_codebook(codebook)


def run_job(db: Database, coders: CoderCache, job_id: int, chunk_size: int = 200,
            stop: threading.Event | None = None, on_chunk: Callable[[CodingJob], None] | None = None,
            meter: RateMeter | None = None, *, worker: str | None = None, lease: float = LEASE_SECONDS,
            retry_seconds: float = RETRY_SECONDS, wait: bool = True) -> str:
    """Process a job to the end (or until cancelled/stopped). Each chunk's results, the done counter and the
    chunk marker are committed in one transaction; already-coded responses are skipped, so a rerun after a crash
    continues where the last committed chunk ended. Returns the final state.

    The run holds the job's lease (:func:`claim_job`, a heartbeat thread) as ``worker`` (default: a new
    :func:`worker_id`): a job another server codes is waited for (``wait``, e.g. ``textmine store code``) or left
    to it ("running"), and a chunk is stored only while the lease is still this worker's. A database step that
    fails on a connection error (database down, a dropped connection) is retried with a fresh session for
    ``retry_seconds``; then the job goes back to "queued" (every chunk kept) to be claimed again, never "failed"."""
    worker = worker or worker_id()
    if not claim_job(db, job_id, worker, lease):
        with db.session() as s:
            job = s.get(CodingJob, job_id)
            state, holder, beat = (job.state, job.worker, job.heartbeat_at) if job else ("missing", None, None)
        if state == "running" and _orphaned(holder, beat, lease, utcnow()):  # a killed local process's: half the wait
            release_interrupted(db, job_id, holder)
            return run_job(db, coders, job_id, chunk_size, stop=stop, on_chunk=on_chunk, meter=meter, worker=worker,
                           lease=lease, retry_seconds=retry_seconds, wait=wait)
        if state != "running" or not wait:
            return state
        waited = _wait_for_lease(db, job_id, worker, lease, stop, on_chunk)
        if waited is not None:
            return waited

    def step(fn: Callable[[], Any]) -> Any:
        return _retrying(fn, job_id, retry_seconds, stop)

    with _Heartbeat(db, job_id, worker, lease / 4):
        try:
            return _code_chunks(db, coders, job_id, chunk_size, stop, on_chunk, meter, worker, step)
        except DatabaseUnavailable as exc:
            log.error("coding job %s paused: the database was unreachable for %.0f s (%s); it is queued again and "
                      "resumes when the database answers", job_id, retry_seconds, exc)
            return _release_quietly(db, job_id, worker)
        except Exception as exc:
            reason = _failure_reason(exc)
            log.error("coding job %s failed: %s", job_id, reason)
            return _fail_job(db, job_id, worker, f"coding failed: {reason}")


def _failure_reason(exc: Exception) -> str:
    """What a failed job says: the error's type only (its message may quote a comment), except for a model that
    could not be loaded, whose message names the model folder and what is wrong with it (no survey data)."""
    from textmine.classify.artefact import ArtefactError

    if isinstance(exc, ArtefactError):
        return f"the model could not be loaded: {_folder_names(str(exc))}"
    return type(exc).__name__


_PATH = re.compile(r"(?:/[^\s/:()'\"]+)*/([^\s/:()'\"]+/[^\s/:()'\"]+)")


def _folder_names(message: str, limit: int = 300) -> str:
    """``message`` with each absolute path cut to its last two parts (a reader sees a job's error; the server's folders
    are not theirs to see, as /readyz shows the default model by its folder name), at most ``limit`` characters."""
    short = _PATH.sub(r"\1", message)
    return short if len(short) <= limit else short[:limit - 1] + "…"


def _code_chunks(db: Database, coders: CoderCache, job_id: int, chunk_size: int, stop, on_chunk, meter,
                 worker: str, step: Callable[[Callable[[], Any]], Any]) -> str:
    """:func:`run_job`'s loop over the chunks, each database step through ``step`` (the retry)."""
    started = step(lambda: _start_job(db, job_id))
    if started is None:
        return "missing"
    job, codebook, model, is_default = started
    coder = coders.get(codebook, model, default=is_default)
    if is_default and model is None and not step(lambda: _record_default_model(db, job_id, coders.default_identity)):
        return "failed"
    theme_ids = [t["id"] for t in codebook.content.get("themes", [])]
    while True:
        if stop is not None and stop.is_set():  # server shutting down: back to "queued", every chunk kept;
            step(lambda: release_interrupted(db, job_id, worker))  # the next start, or another server, resumes it
            return "queued"
        t0 = time.perf_counter()
        pending = step(lambda: _pending(db, job_id, job.wave_id, chunk_size))
        if not pending:
            return step(lambda: _finish_job(db, job_id, worker))
        ids = [p[0] for p in pending]
        frame = library.predict(coder, [p[1] for p in pending], [p[2] for p in pending])
        rows = _result_rows(job_id, 0, ids, frame, theme_ids)
        stored = step(lambda: _store_chunk(db, job_id, worker, rows, time.perf_counter() - t0))
        if stored.state != "running" or stored.worker != worker:  # cancelled, or taken over: chunk dropped
            return stored.state
        if meter is not None:
            meter.record(job_id, time.perf_counter() - t0, len(ids))
        if on_chunk is not None:
            on_chunk(stored)


def _pending(db: Database, job_id: int, wave_id: int, chunk_size: int) -> list:
    with db.session() as s:
        done_ids = select(CodingResult.response_id).where(CodingResult.job_id == job_id)
        return s.execute(select(Response.id, Response.text_redacted, Response.question)
                         .where(Response.wave_id == wave_id, Response.id.not_in(done_ids))
                         .order_by(Response.id).limit(chunk_size)).all()


def _store_chunk(db: Database, job_id: int, worker: str, rows: list[dict], seconds: float) -> CodingJob:
    """Commit one chunk's results with the chunk marker, the recounted ``done`` and a heartbeat, only while the
    job is running by ``worker``; the job as it is then (a job cancelled or taken over stores nothing)."""
    with db.session() as s:
        job = s.get(CodingJob, job_id, with_for_update=True)
        if job.state != "running" or job.worker != worker:
            return job
        chunk = job.chunks_done
        _insert_new_results(s, [{**row, "chunk": chunk} for row in rows])
        job.chunks_done = chunk + 1
        # counted, not added: another worker on this job (``textmine store code`` next to a server, or a
        # second server process resuming it) may have stored some of these responses already
        job.done = s.scalar(select(func.count()).select_from(CodingResult)
                            .where(CodingResult.job_id == job_id)) or 0
        job.seconds_running = float(job.seconds_running or 0.0) + seconds
        job.heartbeat_at = utcnow()
        return job


def _finish_job(db: Database, job_id: int, worker: str) -> str:
    with db.session() as s:
        job = s.get(CodingJob, job_id, with_for_update=True)
        if job.state == "running" and job.worker == worker:
            job.state = "done"
            job.finished_at = utcnow()
            job.done = s.scalar(select(func.count()).select_from(CodingResult)
                                .where(CodingResult.job_id == job_id)) or 0
            store.prune_superseded(s, job)  # in this transaction: never before the newer job is done
        return job.state


def _fail_job(db: Database, job_id: int, worker: str, error: str) -> str:
    """Mark the job failed (value-free ``error``) if it still runs by ``worker``; a database unreachable now
    leaves it running with a lease that goes stale, so another runner retries it later."""
    try:
        with db.session() as s:
            job = s.get(CodingJob, job_id, with_for_update=True)
            if job is None:
                return "missing"
            if job.state == "running" and job.worker == worker:
                job.state, job.error, job.finished_at = "failed", error, utcnow()
            return job.state
    except Exception as exc:
        log.error("coding job %s could not be marked failed: %s", job_id, type(exc).__name__)
        return "running"


def _release_quietly(db: Database, job_id: int, worker: str) -> str:
    """Back to "queued" after the database stayed unreachable; if it still is, the job stays running with a lease
    that goes stale and the runners claim it again all the same."""
    try:
        job = release_interrupted(db, job_id, worker)
        return job.state if job is not None else "missing"
    except Exception as exc:
        log.warning("coding job %s left running until its lease goes stale: %s", job_id, type(exc).__name__)
        return "queued"


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


def release_orphaned(db: Database, lease: float = LEASE_SECONDS, now: datetime | None = None) -> list[int]:
    """The coding jobs left "running" by a process of this host that has ended (killed, crashed) and has missed two
    heartbeats (beats come every ``lease`` / 4 s): back to "queued" through :func:`release_interrupted` (every
    committed chunk kept), without waiting for the whole lease. Two missed beats also guard a live server whose pid
    this process cannot see (a container sharing the host's name, not its process ids). Jobs of other hosts are
    judged by their lease alone."""
    now = now or utcnow()
    with db.session() as s:
        running = s.execute(select(CodingJob.id, CodingJob.worker, CodingJob.heartbeat_at)
                            .where(CodingJob.state == "running")).all()
    released = []
    for job_id, worker, beat in running:
        if _orphaned(worker, beat, lease, now):
            job = release_interrupted(db, job_id, worker)
            if job is not None and job.state == "queued":
                released.append(job_id)
    if released:
        log.info("coding jobs %s were left running by a process of this host that has ended: queued again", released)
    return released


def _orphaned(worker: str | None, heartbeat_at: datetime | None, lease: float, now: datetime) -> bool:
    """Whether a running job's holder is an ended process of this host whose heartbeat is two beats old."""
    beat = _aware(heartbeat_at)
    return (beat is None or beat < now - timedelta(seconds=lease / 2)) and _ended_here(worker)


def _ended_here(worker: str | None) -> bool:
    """True when ``worker`` (see :func:`worker_id`) is a process of this host that no longer runs: its process
    has ended, or it names this process's pid but none of its started runners (a restarted container whose server
    got its old pid back, e.g. pid 1): :func:`_process_gone`, as for training jobs."""
    return _process_gone(worker)


def _local_pid(worker: str | None) -> int | None:
    """The process id in ``worker`` (see :func:`worker_id`) when it names a process of this host, else None."""
    try:
        host, pid_text, _token = (worker or "").rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return None
    return pid if host == socket.gethostname() else None


def _pid_ended(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # e.g. PermissionError: the process exists under another user
        return False
    return False


def release_interrupted(db: Database, job_id: int, worker: str | None = None) -> CodingJob | None:
    """A job whose foreground run was interrupted (Ctrl-C or SIGTERM in ``textmine store code``): "running" goes
    back to "queued", so that no reader sees it running forever and a rerun of the command or the server's next
    start resumes it. Every committed chunk stays (``done`` recounted from the stored results); a job cancelled
    or finished meanwhile, or (``worker`` given) running by another worker, is left as it is."""
    with db.session() as s:
        job = s.get(CodingJob, job_id, with_for_update=True)
        if job is None:
            return None
        if job.state == "running" and (worker is None or job.worker in (worker, None)):
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
                # the jobs queued after this one (a coding job stays as it was: a runner's poll claims it again)
                log.error("%s %s could not be run: %s", self.what, job_id, type(exc).__name__)
            finally:
                self.current = None
                self._done(job_id)


class JobRunner(_QueueWorker):
    """One worker thread that runs queued jobs in order, as one worker of the lease (:func:`claim_job`); a poll
    thread that, every ``poll_seconds`` while the worker is idle, claims the oldest claimable job (queued, e.g.
    posted to another server or put back after a database outage, or running with a stale lease: its server was
    killed) and runs it. ``resume()`` at start-up re-queues the jobs left running/queued (each claimed as it
    runs: a job another live server codes is left to it)."""

    thread_name, what = "coding-jobs", "coding job"

    def __init__(self, db: Database, coders: CoderCache, chunk_size: int = 200, *, poll_seconds: float = 15.0,
                 lease: float = LEASE_SECONDS, retry_seconds: float = RETRY_SECONDS):
        super().__init__()
        self.db = db
        self.coders = coders
        self.chunk_size = chunk_size
        self.poll_seconds, self.lease, self.retry_seconds = poll_seconds, lease, retry_seconds
        self.worker = worker_id()
        self.rates = RateMeter()  # recent coding rates of the jobs this runner codes (for the ETA)
        self._poll_thread: threading.Thread | None = None

    def start(self) -> None:
        with _LIVE_LOCK:  # (its jobs are this process's live ones: see _process_gone)
            _LIVE_WORKERS.add(self.worker)
        super().start()
        if self._poll_thread is None:
            self._poll_thread = threading.Thread(target=self._poll_loop, name="coding-jobs-poll", daemon=True)
            self._poll_thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        super().stop(timeout)
        if self._poll_thread is not None:
            self._poll_thread.join(timeout)
        with _LIVE_LOCK:
            _LIVE_WORKERS.discard(self.worker)

    def _poll_loop(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            self.poll()

    def poll(self) -> int | None:
        """Claim and queue one claimable job when the worker is idle; its id, or None. A job an ended process of
        this host left running is queued again first (:func:`release_orphaned`): a server restarted right after a
        ``kill -9`` finds its old job still beating, and would otherwise wait out the whole lease."""
        if self.current is not None or not self._queue.empty():
            return None
        try:
            release_orphaned(self.db, self.lease)
            job_id = claim_next_job(self.db, self.worker, self.lease)
        except Exception as exc:  # the database unreachable for a moment: the next poll tries again
            log.warning("coding job poll failed: %s", type(exc).__name__)
            return None
        if job_id is not None:
            log.info("claimed coding job %s (queued, or its server stopped beating)", job_id)
            self.submit(job_id)
        return job_id

    def resume(self) -> list[int]:
        """Submit the unfinished jobs, after re-queueing those a killed process of this host left "running" (after
        two missed heartbeats, not the whole lease: :func:`release_orphaned`)."""
        release_orphaned(self.db)
        with self.db.session() as s:
            ids = list(s.scalars(select(CodingJob.id).where(CodingJob.state.in_(store.ACTIVE_STATES))
                                 .order_by(CodingJob.id)))
        for job_id in ids:
            self.submit(job_id)
        return ids

    def _run(self, job_id: int) -> None:
        run_job(self.db, self.coders, job_id, self.chunk_size, stop=self._stop, meter=self.rates,
                worker=self.worker, lease=self.lease, retry_seconds=self.retry_seconds, wait=False)

    def _done(self, job_id: int) -> None:
        self.rates.forget(job_id)


# ---------------------------------------------------------------- training jobs
INTERRUPTED_TRAINING = ("the server stopped while this model was training; no model was stored: start the training "
                        "again (POST /models)")


def worker_id() -> str:
    """A training server's name in ``training_jobs.worker``: ``host:pid:token`` (the token tells apart two runners
    in one process, and a restarted process that got its old pid back, e.g. pid 1 in a container)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(6)}"


_LIVE_WORKERS: set[str] = set()  # the started JobRunners and TrainingRunners of this process (their worker ids)
_LIVE_LOCK = threading.Lock()


def _process_gone(worker: str | None) -> bool:
    """True when ``worker`` (see :func:`worker_id`) names a training server of this host that no longer runs: its
    process has ended, or it is this process but not one of its started runners (a restart that got the same
    pid). Servers on other hosts are judged by their heartbeat only."""
    pid = _local_pid(worker)
    if pid is None:
        return False
    if pid == os.getpid():
        with _LIVE_LOCK:
            return worker not in _LIVE_WORKERS
    return _pid_ended(pid)


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


class TrainingStopped(Exception):
    """Raised by a training's progress report when its job is no longer running by this server (cancelled, or
    failed as interrupted): the training stops at that step and stores nothing."""


def report_training_progress(db: Database, job_id: int, worker: str | None, done: int, total: int) -> None:
    """Store a running training's steps (``done`` of ``total``; as the second step starts, when the first was done:
    ``first_step_at``, the ETA's starting point, see :func:`store.training_eta`); :class:`TrainingStopped` when the
    job is no longer running by ``worker`` (the training then stops: nothing more to compute for it). A database
    error is logged, not raised: progress is for show, and the training's outcome is stored when it ends."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with db.session() as s:
            job = s.get(TrainingJob, job_id, with_for_update=True)
            if job is None or job.state != "running" or job.worker != worker:
                raise TrainingStopped(f"training job {job_id} is {job.state if job else 'missing'}")
            if int(done) == 1 and job.first_step_at is None:
                job.first_step_at = utcnow()
            job.done, job.total = int(done), int(total)
    except SQLAlchemyError as exc:
        log.warning("training job %s: progress not stored (%s)", job_id, type(exc).__name__)


def check_training_running(db: Database, job_id: int, worker: str | None) -> None:
    """:class:`TrainingStopped` when the training job is no longer running by ``worker``: the check a training makes
    between the batches its rows are embedded in (:class:`library.CheckedEmbedder`; one read, no lock). A database
    error is logged, not raised, as in :func:`report_training_progress`."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with db.session() as s:
            state, by = s.execute(select(TrainingJob.state, TrainingJob.worker)
                                  .where(TrainingJob.id == job_id)).one_or_none() or (None, None)
    except SQLAlchemyError as exc:
        log.warning("training job %s: not checked (%s)", job_id, type(exc).__name__)
        return
    if state != "running" or by != worker:
        raise TrainingStopped(f"training job {job_id} is {state or 'missing'}")


def _finish_training(db: Database, job_id: int, model: TrainedModel | None, error: str | None,
                     models_dir: Path | None = None, steps: library.TrainingSteps | None = None) -> str:
    """Store the outcome of a training run: the model row and "done" in one transaction (every step done, as
    ``steps`` counts them), or "failed" with ``error`` and no model row. A job no longer running (cancelled, or
    failed as interrupted, meanwhile) keeps its state and the model is discarded (its folder removed). Returns the
    final state."""
    with db.session() as s:
        job = s.get(TrainingJob, job_id, with_for_update=True)
        if job is None or job.state != "running":
            if model is not None:
                store.remove_model_dir(model.path, models_dir)  # stored relative to the models folder
            return job.state if job else "missing"
        job.finished_at = utcnow()
        if model is None:
            job.state, job.error = "failed", error
            return job.state
        s.add(model)
        s.flush()
        job.model_id, job.state = model.id, "done"
        if steps is not None and steps.total:
            job.done, job.total = steps.finish()
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
    heartbeat the caller keeps. As each step starts the job's ``done``/``total`` steps are stored
    (:class:`library.TrainingSteps`); a job cancelled (or failed as interrupted) meanwhile stops the training
    there, or within the first step at the next batch of texts it embeds (:func:`check_training_running`)
    (:class:`TrainingStopped`: no model folder left, the default model untouched). Returns the final state."""
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
        steps = library.TrainingSteps(lambda done, total: report_training_progress(db, job_id, worker, done, total))
        model = store.fit_model(settings, plan, base_coder=base_coder, progress=steps,
                                stop_check=lambda: check_training_running(db, job_id, worker), job_id=job_id)
    except TrainingStopped:
        log.info("training job %s stopped: no longer running here (cancelled or failed meanwhile)", job_id)
        return _finish_training(db, job_id, None, "training stopped: the job no longer ran on this server")
    except Exception as exc:
        log.error("training job %s failed: %s", job_id, type(exc).__name__)
        return _finish_training(db, job_id, None, training_error(exc))
    return _finish_training(db, job_id, model, None, settings.resolved_models_dir(), steps)


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
