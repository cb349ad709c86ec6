"""Quotes reuse the pages' neutral level names (dec05e): ``GET /waves/{id}/themes/{theme}/quotes`` built two library
summaries per request (``store.page_level_names``) only to name the small and hidden levels of free-valued segments
in the attributions. The result is now kept per app (``store.PageNamesCache`` on ``app.state``) under the web report
cache's key (each wave's job and corrections): a repeated request builds no such summary and gives the same body,
a correction makes it build them anew, and the cached output is the uncached one.

Data: 600 sample respondents, every declared segment ``attribution: false`` and a free-valued «kontor» (attributed):
«Zeta kontor» holds a third of the respondents who comment on «fritekst_generell» only, and three who comment on
«fritekst_sykefravaer» (hidden there, so the pages name it neutrally); «AB 123» holds three respondents (small)."""

from __future__ import annotations

import pytest
import yaml
from conftest import coded_job, hdr, sample_frame, survey_yaml, to_csv_bytes, upload

from service import library, store
from service.db.models import Codebook, Wave

THEME = "saksbehandlingstid"
RAW_LEVELS = ("Zeta kontor", "Kontor A", "Kontor B", "AB 123")


def _definition() -> str:
    d = yaml.safe_load(survey_yaml())
    for seg in d["segments"]:
        seg["attribution"] = False
    d["segments"].append({"column": "kontor", "label": "Kontor"})
    return yaml.safe_dump(d, allow_unicode=True, sort_keys=False)


def _frame():
    frame = sample_frame(600)
    gen, syk = frame["fritekst_generell"] != "", frame["fritekst_sykefravaer"] != ""
    kontor = ["Kontor A"] * len(frame)
    for k, i in enumerate(frame.index[gen & ~syk]):
        kontor[i] = RAW_LEVELS[k % 3]
    for i in frame.index[syk][:3]:
        kontor[i] = "Zeta kontor"
    for i in frame.index[~gen & ~syk][:3]:
        kontor[i] = "AB 123"
    return frame.assign(kontor=kontor)


@pytest.fixture
def kontor_wave(client, keys) -> int:
    """The coded wave described in the module docstring; its id."""
    r = client.post("/surveys", json={"name": "kontor", "definition_yaml": _definition()}, headers=hdr(keys["analyst"]))
    assert r.status_code == 201, r.text
    r = upload(client, keys["analyst"], r.json()["id"], to_csv_bytes(_frame()), "w.csv")
    assert r.status_code == 201, r.text
    coded_job(client, keys, r.json()["id"])
    return r.json()["id"]


@pytest.fixture
def summaries(monkeypatch) -> list[bool]:
    """Each library summary built from now on, as its ``quotes`` argument (False: a names summary; True: the quote
    selection's own), counted at ``textmine.summary.build_summary``, which every caller imports at call time."""
    import textmine.summary as summary_module

    built: list[bool] = []
    real = summary_module.build_summary

    def counting(*args, **kwargs):
        built.append(bool(kwargs.get("quotes", True)))
        return real(*args, **kwargs)

    monkeypatch.setattr(summary_module, "build_summary", counting)
    return built


def _quotes(client, keys, wave_id: int, theme: str = THEME):
    r = client.get(f"/waves/{wave_id}/themes/{theme}/quotes?n=6", headers=hdr(keys["reader"]))
    assert r.status_code == 200, r.text
    return r


def _neutral_attributions(body: dict) -> None:
    """The quotes carry attributions under the pages' neutral names and no raw kontor name anywhere."""
    shown = [q["attribution"] for q in body["quotes"]]
    assert any(a.startswith("Liten gruppe") for a in shown), shown
    text = repr(body)
    assert not [v for v in RAW_LEVELS if v in text], shown


def test_a_repeated_quotes_request_builds_no_names_summary_and_gives_the_same_body(client, keys, kontor_wave,
                                                                                 summaries):
    first = _quotes(client, keys, kontor_wave)
    assert summaries.count(False) >= 1, summaries  # the names are worked out on the first request
    _neutral_attributions(first.json())
    summaries.clear()
    second = _quotes(client, keys, kontor_wave)
    assert second.content == first.content
    assert summaries == [True], f"second request built {summaries} (False: a names summary; expected only the " \
                                "quote selection's own summary)"


def test_a_correction_makes_the_quotes_rebuild_the_names(client, keys, kontor_wave, summaries, monkeypatch):
    from service.routers import results

    before = _quotes(client, keys, kontor_wave).json()
    rid = before["quotes"][0]["response_id"]
    r = client.post(f"/responses/{rid}/codes", json={"themes": ["annet"]}, headers=hdr(keys["analyst"]))
    assert r.status_code == 201, r.text
    summaries.clear()
    after = _quotes(client, keys, kontor_wave)
    assert summaries.count(False) >= 1, f"after a correction the names were not rebuilt: {summaries}"
    assert rid not in [q["response_id"] for q in after.json()["quotes"]]  # the correction took the theme away
    _neutral_attributions(after.json())
    assert len(client.app.state._quote_names_cache._items) == 2  # one entry per state
    monkeypatch.setattr(results, "quote_names_cache", lambda app: None)  # the same request without the cache
    assert _quotes(client, keys, kontor_wave).json() == after.json()


def test_the_cached_output_is_the_uncached_output(client, keys, kontor_wave, summaries):
    cache = store.PageNamesCache()
    with client.app.state.db.session() as s:
        themes = [t["id"] for t in s.get(Codebook, store.latest_done_job(s, kontor_wave).codebook_id).content["themes"]]
        for theme in (THEME, "annet", "telefon"):
            uncached = store.theme_quotes(s, kontor_wave, theme, 6, embedder="fallback")
            filled = store.theme_quotes(s, kontor_wave, theme, 6, embedder="fallback", names_cache=cache)
            summaries.clear()
            cached = store.theme_quotes(s, kontor_wave, theme, 6, embedder="fallback", names_cache=cache)
            assert summaries == [True], (theme, summaries)  # served from the cache
            assert uncached == filled == cached, theme
        wave = s.get(Wave, kontor_wave)
        job = store.latest_done_job(s, kontor_wave)
        coded = store.coded_frame(s, wave, job, themes)
        info = library.parse_survey(wave.definition_yaml)
        frame, names = store.page_level_names(s, wave, job, coded, info)
        got, got_names = store.page_level_names(s, wave, job, coded, info, cache=cache)
        got["kontor"] = "Zeta kontor"  # a caller changing what it got leaves the cache as it was
        got_names.clear()
        again, again_names = store.page_level_names(s, wave, job, coded, info, cache=cache)
    assert names and ("kontor", "Zeta kontor") in names
    assert again_names == names
    assert again.equals(frame) and "Zeta kontor" in set(again["kontor"])  # (a large level keeps its value)
    assert "AB 123" not in set(again["kontor"])


def test_the_cache_keeps_the_most_recently_used_entries_only():
    import pandas as pd

    cache = store.PageNamesCache(size=2)
    for key in ("a", "b"):
        cache.put((key,), pd.DataFrame({"x": [key]}), {("c", key): "liten gruppe"})
    assert cache.get(("a",))[1] == {("c", "a"): "liten gruppe"}  # "a" is now the most recently used
    cache.put(("c",), pd.DataFrame({"x": ["c"]}), {})
    assert cache.get(("b",)) is None
    assert list(cache.get(("a",))[0]["x"]) == ["a"] and cache.get(("c",)) is not None
