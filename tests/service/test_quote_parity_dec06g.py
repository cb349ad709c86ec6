"""Quote parity: the quotes endpoint, ``textmine store quotes`` and the report pick a theme's quotes with the same
embedder (:func:`service.quoting.quote_embedder`: by default the default coder's), so the same store and job give
the same quotes. Was: the API used the default coder's embedder, the CLI loaded the full e5 model and the report
used the lexical fallback — three different quote lists for one theme."""

from __future__ import annotations

import hashlib
import json
import sys
import types
from types import SimpleNamespace

import numpy as np
import pytest
from fakes import KeywordCoder, _default_codebook
from typer.testing import CliRunner

from conftest import app_client, create_survey, hdr, sample_frame, uploaded_wave, coded_job

QUESTION = "fritekst_generell"  # the one question with text (the report lists quotes per question)


class HashEmbedder:
    """Deterministic, cheap and unlike the lexical fallback: each text's vector from its hash. Counts its calls."""

    name = "hash-test"
    calls = 0

    def encode(self, texts):
        HashEmbedder.calls += 1
        rows = [np.frombuffer(hashlib.sha256(str(t).encode()).digest(), dtype=np.uint8)[:16].astype(float) - 127.5
                for t in texts]
        return np.vstack(rows) if rows else np.zeros((0, 16))


def hash_coder_factory(codebook, model_dir):
    """The keyword double whose default coder carries :class:`HashEmbedder` (as the shipped model carries e5-l6)."""
    coder = KeywordCoder(codebook if codebook is not None else _default_codebook())
    coder.embedder = HashEmbedder()
    return coder


@pytest.fixture
def no_e5(monkeypatch):
    """Anything resolving an embedder of its own gets the lexical fallback (never a model download or load)."""
    import textmine.embed as embed

    def refuse(*a, **k):
        raise RuntimeError("no e5 in this test")

    monkeypatch.setattr(embed, "get_embedder", refuse)


def _first_quoted_theme(client, key, wave_id, themes) -> tuple[str, list[dict]]:
    """The first theme in codebook order with quotes (no earlier theme took comments from it in the report)."""
    for theme in themes:
        r = client.get(f"/waves/{wave_id}/themes/{theme}/quotes?n=5", headers=hdr(key))
        assert r.status_code == 200, r.text
        if r.json()["quotes"]:
            return theme, r.json()["quotes"]
    raise AssertionError("no theme has quotes")


def test_api_cli_and_report_pick_the_same_quotes(sqlite_url, tmp_path, monkeypatch, no_e5):
    frame = sample_frame(900)
    frame["fritekst_sykefravaer"] = ""
    HashEmbedder.calls = 0
    with app_client(sqlite_url, tmp_path, coder_factory=hash_coder_factory, quote_embedder=None) as (client, keys):
        sid = create_survey(client, keys["analyst"])
        wave_id = uploaded_wave(client, keys, sid, frame, "2023")
        coded_job(client, keys, wave_id)
        themes = [t.id for t in _default_codebook().themes]
        theme, api = _first_quoted_theme(client, keys["reader"], wave_id, themes)
        assert len(api) >= 3 and HashEmbedder.calls > 0  # the default coder's embedder chose them

        from service.web import reportdata

        with client.app.state.db.session() as s:
            data = reportdata.wave_report(SimpleNamespace(app=client.app), s, wave_id)
        report = data.quotes[(data.quotes["theme"] == theme) & (data.quotes["question"] == QUESTION)]
        assert list(report["text"]) == [q["text"] for q in api]

    fakes_mod = types.ModuleType("quote_parity_fakes_dec06g")
    fakes_mod.factory = hash_coder_factory
    monkeypatch.setitem(sys.modules, "quote_parity_fakes_dec06g", fakes_mod)
    monkeypatch.setenv("TEXTMINE_CODER_FACTORY", "quote_parity_fakes_dec06g:factory")
    from textmine.cli import app as cli_app

    res = CliRunner().invoke(cli_app, ["store", "quotes", str(wave_id), theme, "--n", "5", "--database", sqlite_url])
    assert res.exit_code == 0, res.output
    cli = json.loads(res.output)["quotes"]
    assert [q["response_id"] for q in cli] == [q["response_id"] for q in api]
    assert [q["score"] for q in cli] == pytest.approx([q["score"] for q in api])


def test_one_function_decides_for_an_app_without_coders(no_e5):
    """The CLI's stand-in app (no coders) gets the default coder's embedder, made from the settings as the server
    makes it; a ``quote_embedder`` setting still wins."""
    from service import quoting
    from service.listing import no_server
    from textmine import quotes as quotes_lib

    settings = SimpleNamespace(quote_embedder=None, coder_factory=hash_coder_factory, default_model=None)
    app = no_server(settings).app
    emb = quoting.quote_embedder(app)
    assert isinstance(emb, HashEmbedder) and quoting.quote_embedder(app) is emb
    set_app = no_server(SimpleNamespace(quote_embedder="fallback", coder_factory=hash_coder_factory,
                                        default_model=None)).app
    assert isinstance(quoting.quote_embedder(set_app), quotes_lib.LexicalFallbackEmbedder)
