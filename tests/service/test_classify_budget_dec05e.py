"""Review S findings 3 and 5: one POST /classify may hold at most ``classify_max_total_chars`` characters
(one long request stalled every other classification and coding job), and the unauthenticated /readyz names the
default model without its path on the server."""

from __future__ import annotations

import pytest
from conftest import hdr, issue_keys
from fastapi.testclient import TestClient
from pydantic import ValidationError

from service.settings import Settings
from textmine.paths import FAST_MODEL_DIR, MODELS_DIR


def test_classify_refuses_a_request_over_the_total_characters_budget(app_factory):
    with TestClient(app_factory(classify_max_total_chars=100)) as client:
        analyst = hdr(issue_keys(client.app)["analyst"])
        at_limit = ["Vi får ikke svar på telefonen. " + "x" * 19, "y" * 50]  # 50 + 50 characters
        assert sum(map(len, at_limit)) == 100
        r = client.post("/classify", json={"texts": at_limit}, headers=analyst)
        assert r.status_code == 200, r.text
        assert len(r.json()["results"]) == 2

        over = at_limit + ["z"]
        r = client.post("/classify", json={"texts": over}, headers=analyst)
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "too_many_characters"
        assert error["message"] == ("the 3 texts hold 101 characters together; the limit is 100 characters per "
                                    "request (classify_max_total_chars): split them over several requests")
        assert error["details"] == {"total_chars": 101, "max_total_chars": 100}
        assert "telefonen" not in r.text  # the texts are not echoed


def test_classify_budget_setting_default_and_env(monkeypatch):
    monkeypatch.delenv("TEXTMINE_CLASSIFY_MAX_TOTAL_CHARS", raising=False)
    default = Settings().classify_max_total_chars
    assert default == Settings.from_env().classify_max_total_chars
    assert Settings().max_comment_chars <= default < Settings().max_classify_texts * Settings().max_comment_chars
    monkeypatch.setenv("TEXTMINE_CLASSIFY_MAX_TOTAL_CHARS", "5000")
    assert Settings.from_env().classify_max_total_chars == 5000
    with pytest.raises(ValidationError, match="classify_max_total_chars"):
        Settings(classify_max_total_chars=0)


def test_readyz_names_the_default_model_without_its_server_path(app_factory):
    cases = [(None, "default")]
    if (FAST_MODEL_DIR / "manifest.json").exists():
        cases.append((FAST_MODEL_DIR.resolve(), "fast"))
    for model, name in cases:
        with TestClient(app_factory(default_model=model, warmup=False, run_jobs=False)) as client:
            r = client.get("/readyz")  # no key
        body = r.json()
        assert body["default_model"] == name and body["model_loaded"] is False, body
        assert str(MODELS_DIR) not in r.text and "/" not in body["default_model"]
