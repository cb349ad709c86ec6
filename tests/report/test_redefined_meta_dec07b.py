"""The redefined themes travel as data in the summary's ``meta["redefined_themes"]`` (review dec07b): the report's
«definert annerledes» notes no longer depend on reading the English warning back, which lost every note for a
codebook version with a space, a wave label with parentheses, or a codebook name with both quote characters."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from textmine.codebook import Codebook
from textmine.report.html import reader_notes
from textmine.report.views import redefined_themes, report_from_summary
from textmine.summary import build_summary, codebook_theme_labels
from textmine.survey import SurveyDefinition

from .conftest import SURVEY, make_codebook, make_wave


def _codebooks(names: tuple[str, str], versions: tuple[str, str]) -> tuple[Codebook, Codebook]:
    """Two codebooks: the second defines «telefon» differently (its description), the rest as the first."""
    a = {**make_codebook(), "name": names[0], "version": versions[0]}
    b = {**make_codebook(), "name": names[1], "version": versions[1]}
    b["themes"] = [dict(t, description="Bare telefon") if t["id"] == "telefon" else t for t in a["themes"]]
    return Codebook.from_dict(a), Codebook.from_dict(b)


def _summary(waves: tuple, names: tuple[str, str], versions: tuple[str, str]):
    cbs = dict(zip(waves, _codebooks(names, versions)))
    frames, coded = {}, {}
    for i, label in enumerate(waves):
        f, c = make_wave(2022 + i, 300, i + 1, telefon_rate=0.25 + 0.03 * i)
        frames[label], coded[label] = f.assign(wave=label), c
    survey = SurveyDefinition.from_dict(SURVEY)
    summary = build_summary(frames, survey, coded, codebooks=cbs, theme_labels=codebook_theme_labels(cbs, waves),
                            quotes=False, drivers=False)
    return summary, survey, cbs


CASES = {
    "version with a space": (("2023", "2024"), ("nav", "nav"), ("2024 vår", "2024 høst")),
    "wave label with parentheses": (("2023 (vår)", "2024 (vår)"), ("nav", "nav"), ("1.0", "1.1")),
    "name with both quotes": (("2023", "2024"), ("NAV's \"gamle\"", "NAV's \"nye\""), ("1", "2")),
}


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def case(request):
    waves, names, versions = CASES[request.param]
    return (*_summary(waves, names, versions), waves, names, versions)


def test_summary_keeps_the_redefined_themes_as_json_safe_data(case):
    summary, _, _, waves, names, versions = case
    want = [{"question": "", "themes": ["telefon"], "waves": list(waves), "codebooks": list(names),
             "versions": list(versions)}]
    assert summary.meta["redefined_themes"] == want
    assert json.loads(summary.to_json())["meta"]["redefined_themes"] == want


def test_report_finds_the_redefined_theme_and_notes_it(case):
    summary, survey, cbs, waves, names, versions = case
    got = redefined_themes(summary)
    assert [(d["themes"], d["prev_wave"], d["wave"], d["prev_codebook"], d["codebook"], d["prev_version"],
             d["version"]) for d in got] == [(["telefon"], *waves, *names, *versions)]
    r = report_from_summary(summary, survey, codebook=cbs[waves[-1]], codebooks=cbs)
    ch = r.changes[r.changes["kind"] == "tema"].set_index("key")
    assert ch.loc["telefon", "verdict"] == "ikke testbar"
    note = ch.loc["telefon", "codebook_note"]
    assert "definert annerledes" in note and versions[0] in note and versions[1] in note
    assert ch.loc["annet", "codebook_note"] == ""  # the same definition in both codebooks: no note
    assert any("er definert annerledes i kodebok" in n and f"(måling {waves[0]})" in n for n in reader_notes(r))


def test_a_summary_read_back_from_json_gives_the_same_entries(case):
    summary = case[0]
    d = json.loads(summary.to_json())
    assert redefined_themes(SimpleNamespace(meta=d["meta"], warnings=d["warnings"])) == redefined_themes(summary)


def test_the_data_stands_for_the_warnings_and_no_data_is_no_note(case):
    """The entries come from ``meta`` (not the warning text); with an empty list there is no note."""
    summary = case[0]
    assert redefined_themes(SimpleNamespace(meta=summary.meta, warnings=[])) == redefined_themes(summary)
    assert redefined_themes(SimpleNamespace(meta={**summary.meta, "redefined_themes": []},
                                            warnings=summary.warnings)) == []


def test_two_builds_give_the_same_meta():
    args = (("2023 (vår)", "2024 (vår)"), ("nav", "nav"), ("2024 vår", "2024 høst"))
    assert _summary(*args)[0].meta["redefined_themes"] == _summary(*args)[0].meta["redefined_themes"]
