"""A quote embedder that failed to load (the default coder's: the lexical fallback stood in) is no longer the
fallback for the rest of the process: it is loaded again once ``quoting.RETRY_AFTER_SECONDS`` have passed, by one
request, not by every request in between."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from service import quoting
from textmine import quotes as quotes_lib


class Emb:
    def encode(self, texts):
        return [[1.0, 0.0] for _ in texts]


class FailsOnce:
    """A coder cache whose default coder fails to load the first time, then loads."""

    def __init__(self, failures: int = 1):
        self.calls, self.failures, self.coder = 0, failures, SimpleNamespace(embedder=Emb())

    def default(self):
        self.calls += 1
        if self.calls <= self.failures:
            raise RuntimeError("model files not there yet")
        return self.coder


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(quoting, "_now", lambda: now[0])
    monkeypatch.setattr(quotes_lib, "resolve_embedder", lambda spec=None: quotes_lib.LexicalFallbackEmbedder())
    return now


def _app(coders, spec=None):
    return SimpleNamespace(state=SimpleNamespace(settings=SimpleNamespace(quote_embedder=spec), coders=coders))


def test_a_failed_load_is_retried_after_the_interval_not_on_every_request(clock):
    coders = FailsOnce()
    app = _app(coders)
    first = quoting.quote_embedder(app)
    assert isinstance(first, quotes_lib.LexicalFallbackEmbedder) and coders.calls == 1
    clock[0] += quoting.RETRY_AFTER_SECONDS / 2
    assert all(quoting.quote_embedder(app) is first for _ in range(5)) and coders.calls == 1  # no tight retry
    clock[0] += quoting.RETRY_AFTER_SECONDS
    assert quoting.quote_embedder(app) is coders.coder.embedder and coders.calls == 2  # loaded now: used
    clock[0] += 10 * quoting.RETRY_AFTER_SECONDS
    assert quoting.quote_embedder(app) is coders.coder.embedder and coders.calls == 2  # a success stays


def test_a_load_failing_again_waits_another_interval(clock):
    coders = FailsOnce(failures=2)
    app = _app(coders)
    quoting.quote_embedder(app)
    clock[0] += quoting.RETRY_AFTER_SECONDS
    assert isinstance(quoting.quote_embedder(app), quotes_lib.LexicalFallbackEmbedder) and coders.calls == 2
    clock[0] += quoting.RETRY_AFTER_SECONDS / 2
    quoting.quote_embedder(app)
    assert coders.calls == 2
    clock[0] += quoting.RETRY_AFTER_SECONDS
    assert quoting.quote_embedder(app) is coders.coder.embedder and coders.calls == 3


def test_a_chosen_fallback_is_not_a_failure_and_is_never_reloaded(clock, monkeypatch):
    made = []
    monkeypatch.setattr(quotes_lib, "resolve_embedder",
                        lambda spec=None: made.append(spec) or quotes_lib.LexicalFallbackEmbedder())
    app = _app(FailsOnce(failures=0), spec="fallback")
    emb = quoting.quote_embedder(app)
    clock[0] += 100 * quoting.RETRY_AFTER_SECONDS
    assert quoting.quote_embedder(app) is emb and made == ["fallback"]


def test_while_one_request_retries_the_others_keep_the_fallback(clock):
    loading, release = threading.Event(), threading.Event()

    class SlowSecondLoad(FailsOnce):
        def default(self):
            if self.calls >= 1:
                loading.set()
                assert release.wait(10)
            return super().default()

    coders = SlowSecondLoad()
    app = _app(coders)
    fallback = quoting.quote_embedder(app)
    clock[0] += quoting.RETRY_AFTER_SECONDS
    got = []
    retry = threading.Thread(target=lambda: got.append(quoting.quote_embedder(app)))
    retry.start()
    assert loading.wait(10)
    assert quoting.quote_embedder(app) is fallback  # not blocked behind the load, and no second load
    release.set()
    retry.join(10)
    assert got == [coders.coder.embedder] and coders.calls == 2
    assert quoting.quote_embedder(app) is coders.coder.embedder


def test_the_fallback_and_the_recovery_are_logged_without_the_error_text(clock, caplog):
    coders = FailsOnce()
    app = _app(coders)
    with caplog.at_level("INFO", logger="textmine.service"):
        quoting.quote_embedder(app)
        clock[0] += quoting.RETRY_AFTER_SECONDS
        quoting.quote_embedder(app)
    said = [r.getMessage() for r in caplog.records if r.name == "textmine.service"]
    assert any("lexical fallback" in m for m in said) and any("loaded on retry" in m for m in said)
    assert not any("not there yet" in m for m in said)  # the exception's own text is never logged
