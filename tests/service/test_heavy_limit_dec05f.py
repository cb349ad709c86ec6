"""At most TEXTMINE_HEAVY_CONCURRENCY summaries/quotes compute at once; the next request waits, then 503 busy.

Was: sync endpoints ran in a pool of 40 threads, so 60 concurrent ``GET /waves/1/summary`` computed 40 summaries
side by side on 2 cores (peak RSS 1.78 GB with the default model, target 1.5 GB), each keeping its database
transaction open ("idle in transaction") while computing. Now a request beyond the limit waits on the event loop
for a slot (bounded), then gets 503 ``busy`` with ``Retry-After``; the summary and quotes end their read
transaction before computing. No timing assertions: the slow computation is an event the test releases."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from conftest import coded_job, create_survey, hdr, sample_frame, uploaded_wave

from service import limits, store


class _Blocking:
    """A stand-in for the summary computation that blocks until :attr:`go` is set; counts who is inside."""

    def __init__(self):
        self.go = threading.Event()
        self.lock = threading.Lock()
        self.inside = 0
        self.most_inside = 0
        self.calls = 0
        self.entered = threading.Event()

    def __call__(self, session, wave_id, *args, **kwargs):
        with self.lock:
            self.calls += 1
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        self.entered.set()
        try:
            self.go.wait(30)  # a safety net only: the test sets it
        finally:
            with self.lock:
                self.inside -= 1
        return {"wave_id": wave_id, "compare_wave_id": None, "compare_job_id": None, "coding_jobs": {},
                "coding_models": {}, "summary": {"tables": {}}}


def _until(check, what: str) -> None:
    """Wait (polling, up to 30 s as a safety net) until ``check()`` holds."""
    for _ in range(3000):
        if check():
            return
        time.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


def _get(client, path: str, key: str, out: dict, name: str) -> threading.Thread:
    def run():
        out[name] = client.get(path, headers=hdr(key))

    t = threading.Thread(target=run)
    t.start()
    return t


@dataclass
class _SlotTaken:
    """The app's one heavy slot taken by a first ``GET /waves/1/summary`` blocked in :attr:`slow`."""

    client: object
    keys: dict[str, str]
    slow: _Blocking
    out: dict  # the responses of the requests made by _get, by name ("first")
    release: Callable[[], None]  # let the first request finish and wait for it


@pytest.fixture
def slot_taken(app_factory, monkeypatch):
    """``with slot_taken(wait) as taken``: an app with one heavy slot and ``wait`` seconds to wait for it, whose
    summary computation is a :class:`_Blocking` one that a first summary request is inside; on leaving, the first
    request is released (as by ``taken.release()``)."""
    from fastapi.testclient import TestClient

    from conftest import issue_keys

    @contextmanager
    def take(wait: str) -> Iterator[_SlotTaken]:
        monkeypatch.setenv(limits.CONCURRENCY_ENV, "1")
        monkeypatch.setenv(limits.WAIT_ENV, wait)
        slow = _Blocking()
        monkeypatch.setattr(store, "wave_summary", slow)
        with TestClient(app_factory()) as client:
            keys = issue_keys(client.app)
            out: dict = {}
            first = _get(client, "/waves/1/summary", keys["reader"], out, "first")

            def release() -> None:
                slow.go.set()
                first.join(30)

            try:
                assert slow.entered.wait(30)
                yield _SlotTaken(client, keys, slow, out, release)
            finally:
                release()

    return take


def test_a_request_beyond_the_limit_gets_503_busy_with_retry_after(slot_taken):
    with slot_taken("0") as taken:
        client, reader = taken.client, hdr(taken.keys["reader"])
        busy = client.get("/waves/1/summary", headers=reader)
        quotes = client.get("/waves/1/themes/x/quotes", headers=reader)
        report = client.get("/waves/1/report", headers=reader)  # the report builds a summary too
        taken.release()
        after = client.get("/waves/1/summary", headers=reader)
    assert busy.status_code == 503, busy.text
    assert busy.json()["error"]["code"] == "busy"
    assert busy.headers["Retry-After"] == str(limits.RETRY_AFTER)
    assert quotes.status_code == 503 and quotes.json()["error"]["code"] == "busy", quotes.text
    assert report.status_code == 503 and report.json()["error"]["code"] == "busy", report.text
    assert taken.out["first"].status_code == 200, taken.out["first"].text
    assert after.status_code == 200, after.text  # the slot was given back
    assert taken.slow.calls == 2 and taken.slow.most_inside == 1


def test_a_request_beyond_the_limit_waits_for_the_slot_then_computes(slot_taken):
    with slot_taken("60") as taken:
        client, out, slow = taken.client, taken.out, taken.slow
        second = _get(client, "/waves/2/summary", taken.keys["reader"], out, "second")
        limit = limits.heavy_limit(client.app)
        _until(lambda: limit.waiting == 1, "the second request waits for the slot")
        assert slow.calls == 1  # waiting, not computing
        taken.release()
        second.join(30)
    assert out["first"].status_code == 200 and out["second"].status_code == 200, out["second"].text
    assert out["second"].json()["wave_id"] == 2
    assert slow.calls == 2 and slow.most_inside == 1
    assert limit.waiting == 0


def test_an_unauthenticated_request_is_refused_before_waiting(slot_taken):
    with slot_taken("60") as taken:
        anonymous = taken.client.get("/waves/1/summary")
        waiting = limits.heavy_limit(taken.client.app).waiting
    assert anonymous.status_code == 401, anonymous.text
    assert waiting == 0


def test_the_limit_defaults_to_the_cpu_count_and_refuses_bad_values(monkeypatch):
    monkeypatch.delenv(limits.CONCURRENCY_ENV, raising=False)
    monkeypatch.delenv(limits.WAIT_ENV, raising=False)
    assert limits.heavy_concurrency() == limits.cpu_count() >= 1
    assert limits.heavy_wait_seconds() == limits.DEFAULT_WAIT_SECONDS
    for bad in ("0", "1.5", "many", "-2"):
        monkeypatch.setenv(limits.CONCURRENCY_ENV, bad)
        with pytest.raises(ValueError, match=limits.CONCURRENCY_ENV):
            limits.heavy_concurrency()
    monkeypatch.setenv(limits.WAIT_ENV, "-1")
    with pytest.raises(ValueError, match=limits.WAIT_ENV):
        limits.heavy_wait_seconds()


def test_summary_and_quotes_compute_without_an_open_transaction(client, keys, monkeypatch):
    """The computation runs after the read transaction ended (its connection back in the pool)."""
    sid = create_survey(client, keys["analyst"])
    wave_id = uploaded_wave(client, keys, sid, sample_frame(120), "2022")
    coded_job(client, keys, wave_id)
    seen: dict[str, bool] = {}
    db = client.app.state.db
    with db.session() as session:
        real_summary, real_quotes = store.library.build_summary, store.library.summary_quotes

        def summary(*a, **kw):
            seen["summary"] = session.in_transaction()
            return real_summary(*a, **kw)

        def quotes(*a, **kw):
            seen["quotes"] = session.in_transaction()
            return real_quotes(*a, **kw)

        monkeypatch.setattr(store.library, "build_summary", summary)
        monkeypatch.setattr(store.library, "summary_quotes", quotes)
        body = store.wave_summary(session, wave_id)
        theme = next(t["id"] for t in store.default_codebook_row(session).content["themes"])
        picked = store.theme_quotes(session, wave_id, theme, 3, embedder="fallback")
    assert seen == {"summary": False, "quotes": False}
    assert body["wave_id"] == wave_id and body["summary"]["tables"]
    assert picked["wave_id"] == wave_id


def test_a_read_session_with_unflushed_changes_keeps_its_transaction(client, keys):
    from service.db.models import Survey

    with client.app.state.db.session() as session:
        session.get(Survey, 1)
        session.add(Survey(name="pending"))
        limits.end_read_transaction(session)
        assert session.in_transaction()
        session.rollback()


def test_the_quote_embedder_is_resolved_once_per_app_not_per_request(client, keys, monkeypatch):
    """Was: every quotes request resolved ``quote_embedder`` anew, and the default (e5) loaded a new copy of the
    model each time (ten requests at once: four GB). Now the app resolves it once and every request uses it."""
    from textmine import quotes as quotes_lib

    made, given = [], []

    class Stub(quotes_lib.LexicalFallbackEmbedder):
        name = "stub"

    def resolve(spec=None):
        if spec is not None and not isinstance(spec, str):
            return spec  # an embedder object, as the library's resolver
        made.append(spec)
        return Stub()

    real_quotes = store.theme_quotes

    def theme_quotes(*a, embedder=None, **kw):
        given.append(embedder)
        return real_quotes(*a, embedder=embedder, **kw)

    monkeypatch.setattr(quotes_lib, "resolve_embedder", resolve)
    monkeypatch.setattr(store, "theme_quotes", theme_quotes)
    sid = create_survey(client, keys["analyst"])
    wave_id = uploaded_wave(client, keys, sid, sample_frame(120), "2022")
    coded_job(client, keys, wave_id)
    theme = client.get(f"/waves/{wave_id}/summary", headers=hdr(keys["reader"])).json()["summary"]["tables"]
    theme = next(row["theme"] for rows in theme.values() for row in rows if row.get("theme")
                 and not row.get("suppressed"))
    for _ in range(3):
        r = client.get(f"/waves/{wave_id}/themes/{theme}/quotes?n=3", headers=hdr(keys["reader"]))
        assert r.status_code == 200, r.text
    assert len(made) == 1, made
    assert len(given) == 3 and all(isinstance(e, Stub) and e is given[0] for e in given), given


def test_without_a_setting_the_quotes_share_the_default_coders_embedder():
    """A second e5 model for quotes beside the coder's took the server from 1.40 to 1.91 GB: with no
    ``quote_embedder`` setting the quotes use the loaded default coder's embedder; a setting still wins, and a
    server without a default coder resolves its own."""
    from types import SimpleNamespace

    from textmine import quotes as quotes_lib
    from service.routers.results import quote_embedder

    class Emb:
        def encode(self, texts):
            return [[1.0, 0.0] for _ in texts]

    emb = Emb()
    coder = SimpleNamespace(embedder=emb)
    app = SimpleNamespace(state=SimpleNamespace(settings=SimpleNamespace(quote_embedder=None),
                                                coders=SimpleNamespace(default=lambda: coder)))
    assert quote_embedder(app) is emb and quote_embedder(app) is emb
    app2 = SimpleNamespace(state=SimpleNamespace(settings=SimpleNamespace(quote_embedder="lexical-fallback"),
                                                 coders=SimpleNamespace(default=lambda: coder)))
    assert isinstance(quote_embedder(app2), quotes_lib.LexicalFallbackEmbedder)

    def broken():
        raise RuntimeError("no default model")

    app3 = SimpleNamespace(state=SimpleNamespace(settings=SimpleNamespace(quote_embedder=None),
                                                 coders=SimpleNamespace(default=broken)))
    made = []
    real = quotes_lib.resolve_embedder
    try:
        quotes_lib.resolve_embedder = lambda spec=None: made.append(spec) or quotes_lib.LexicalFallbackEmbedder()
        assert isinstance(quote_embedder(app3), quotes_lib.LexicalFallbackEmbedder) and made == [None]
    finally:
        quotes_lib.resolve_embedder = real
