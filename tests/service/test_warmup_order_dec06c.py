"""Warm-up loads the language detectors before it signals ready: loading them holds the GIL, and a server that
says ready must answer its next request (it froze for up to 20 s when they loaded after ready)."""
from __future__ import annotations

import pandas as pd

from service import coders as coders_module
from service.coders import CoderCache


class Fake:
    def predict(self, texts):
        return pd.DataFrame({"themes": [""] * len(texts)})


def test_language_detection_is_warm_before_ready(monkeypatch):
    seen: list[bool] = []
    cache = CoderCache(factory=None)
    monkeypatch.setattr(coders_module.library, "make_coder", lambda *a, **k: Fake())
    monkeypatch.setattr(coders_module.library, "default_model_identity", lambda model: "fake")
    monkeypatch.setattr(coders_module.library, "limit_cleaner_caches", lambda entries: None)
    monkeypatch.setattr(coders_module.library, "warm_language_detection", lambda: seen.append(cache.ready.is_set()))
    cache.warm_up()
    assert seen == [False] and cache.ready.is_set() and cache.warmup_error is None


def test_a_failing_language_warm_up_is_logged_and_the_coder_still_ready(monkeypatch, caplog):
    cache = CoderCache(factory=None)
    monkeypatch.setattr(coders_module.library, "make_coder", lambda *a, **k: Fake())
    monkeypatch.setattr(coders_module.library, "default_model_identity", lambda model: "fake")
    monkeypatch.setattr(coders_module.library, "limit_cleaner_caches", lambda entries: None)

    def broken():
        raise OSError("lingua models missing")

    monkeypatch.setattr(coders_module.library, "warm_language_detection", broken)
    with caplog.at_level("ERROR", logger="textmine.service"):
        cache.warm_up()
    assert cache.ready.is_set() and cache.warmup_error is None  # /classify codes without language detection
    assert any("language detection could not be loaded" in r.getMessage() and "OSError" in r.getMessage()
               for r in caplog.records)
