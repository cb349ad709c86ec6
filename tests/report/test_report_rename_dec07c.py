"""The report on a theme renamed or merged between two waves' codebooks (``replaces``) and on a catch-all left untested
because the other themes changed (dec07c): the change row and chart say what the share is compared with / why it is
not tested, «Merknader» names the versions and waves, in bokmål and in nynorsk (written for nynorsk, not the
summary's bokmål note), and the workbook's «Merknad (kodebok)» says the same. Two small waves as in
tests/stats/test_codebook_rename_dec07c.py."""

from __future__ import annotations

import re

import openpyxl
import pandas as pd
import pytest

from textmine.codebook import Codebook
from textmine.report.excel import write_workbook
from textmine.report.html import make_charts, reader_notes, render_html
from textmine.report.views import catch_all_untested, method_lines, renamed_themes, report_from_summary
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

SURVEY = {"name": "mini", "id": "rid", "wave": "aar", "weight": "vekt", "min_cell": 1,
          "segments": [{"column": "sektor", "levels": {"P": "Privat", "O": "Offentlig"}}],
          "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}],
          "free_text": [{"column": "ft"}]}


def theme(tid: str, label: str, **more) -> dict:
    return {"id": tid, "label": label, "description": f"{label}.", **more}


def codebook(version: str, *themes: dict) -> Codebook:
    return Codebook.from_dict({"name": "nav", "version": version, "themes": list(themes)})


V10 = codebook("1.0", theme("kontaktperson", "Kontaktperson"), theme("telefon", "Telefon"), theme("annet", "Annet"))
RENAMED = codebook("1.1", theme("fast_kontakt", "Fast kontakt", description="Kontaktperson.", replaces="kontaktperson"),
                   theme("telefon", "Telefon"), theme("annet", "Annet"))
MERGED = codebook("1.2", theme("kontakt", "Kontakt", replaces=["kontaktperson", "telefon"]), theme("annet", "Annet"))
SPLIT = codebook("1.1", theme("kontakt_fast", "Fast kontakt"), theme("kontakt_ny", "Ny kontakt"),
                 theme("telefon", "Telefon"), theme("annet", "Annet"))

C23 = {"kontaktperson": [1, 1, 0, 0, 0, 0], "telefon": [1, 0, 1, 1, 0, 0], "annet": [0, 0, 0, 0, 1, 1]}
C24 = {"renamed": {"fast_kontakt": [1, 1, 1, 0, 0, 0], "telefon": [0, 0, 0, 1, 0, 0], "annet": [0, 0, 0, 0, 1, 1]},
       "merged": {"kontakt": [1, 1, 0, 0, 0, 0], "annet": [0, 0, 0, 0, 1, 1]},
       "split": {"kontakt_fast": [1, 1, 0, 0, 0, 0], "kontakt_ny": [0, 0, 1, 0, 0, 0], "telefon": [0, 0, 0, 1, 0, 0],
                 "annet": [0, 0, 0, 0, 1, 1]}}
CODEBOOKS = {"renamed": RENAMED, "merged": MERGED, "split": SPLIT}


def wave(year: int, weights, themes: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = [f"{year}-{i}" for i in range(len(weights))]
    frame = pd.DataFrame({"rid": ids, "aar": year, "sektor": list("PPPOOO"), "vekt": weights, "q1": 3.0, "ft": "tekst"})
    coded = pd.DataFrame({"respondent_id": ids, "question": "ft", "text_clean": "tekst", "is_non_answer": 0,
                          **{f"theme_{t}": v for t, v in themes.items()}})
    return frame, coded


def summarised_case(name: str, codebook_2024: Codebook, themes_2024: dict):
    """(name, summary, survey, codebooks) of the 2023 wave (V10, C23) against a 2024 wave coded with
    ``codebook_2024`` (also used by tests/report/test_report_leftovers_dec08a.py)."""
    (f1, k1), (f2, k2) = wave(2023, [1, 2, 1, 2, 1, 1.0], C23), wave(2024, [1, 1, 1, 1, 2, 2.0], themes_2024)
    cbs = {2023: V10, 2024: codebook_2024}
    survey = SurveyDefinition.from_dict(SURVEY)
    s = build_summary({2023: f1, 2024: f2}, survey, {2023: k1, 2024: k2}, codebooks=cbs, quotes=False, drivers=False)
    return name, s, survey, cbs


@pytest.fixture(scope="module", params=list(CODEBOOKS))
def case(request):
    return summarised_case(request.param, CODEBOOKS[request.param], C24[request.param])


def report(case, language: str):
    _, s, survey, cbs = case
    return report_from_summary(s, survey, codebook=cbs[2024], codebooks=cbs, language=language)


def page(r) -> str:
    return render_html(r, make_charts(r, png=False))


def theme_row(r, key: str) -> pd.Series:
    ch = r.changes
    return ch[(ch["kind"] == "tema") & (ch["key"] == key)].iloc[0]


WANT = {  # (new theme, the row's chart words, the «Merknader» note) per language
    "renamed": ("fast_kontakt", {
        "nb": ("sammenlignet med «Kontaktperson» (v1.0)",
               "Temaet «Fast kontakt» i kodebok v1.1 (måling 2024) viderefører «Kontaktperson» i kodebok v1.0 "
               "(måling 2023). Endringen fra 2023 til 2024 sammenligner derfor andelen med «Fast kontakt» i 2024 med "
               "andelen med «Kontaktperson» i 2023."),
        "nn": ("samanlikna med «Kontaktperson» (v1.0)",
               "Temaet «Fast kontakt» i kodebok v1.1 (måling 2024) fører vidare «Kontaktperson» i kodebok v1.0 "
               "(måling 2023). Endringa frå 2023 til 2024 samanliknar difor delen med «Fast kontakt» i 2024 med "
               "delen med «Kontaktperson» i 2023.")}),
    "merged": ("kontakt", {
        "nb": ("sammenlignet med «Kontaktperson» og «Telefon» (v1.0)",
               "Temaet «Kontakt» i kodebok v1.2 (måling 2024) slår sammen «Kontaktperson» og «Telefon» i kodebok "
               "v1.0 (måling 2023). Endringen fra 2023 til 2024 sammenligner derfor andelen med «Kontakt» i 2024 med "
               "andelen som var kodet med «Kontaktperson» eller «Telefon» i 2023 (hver respondent telles én gang). "
               "Også beskrivelsen er endret, ikke bare navnet"),
        "nn": ("samanlikna med «Kontaktperson» og «Telefon» (v1.0)",
               "Temaet «Kontakt» i kodebok v1.2 (måling 2024) slår saman «Kontaktperson» og «Telefon» i kodebok "
               "v1.0 (måling 2023). Endringa frå 2023 til 2024 samanliknar difor delen med «Kontakt» i 2024 med "
               "delen som var koda med «Kontaktperson» eller «Telefon» i 2023 (kvar respondent blir talt éin gong). "
               "Òg skildringa er endra, ikkje berre namnet")}),
    "split": ("annet", {
        "nb": ("de andre temaene er endret",
               "Temaet «Annet» er ikke testet fra 2023 til 2024 («ikke testbar»), selv om begge andelene vises: de "
               "andre temaene er endret mellom kodebok v1.0 (måling 2023) og v1.1 (måling 2024), så temaet samler "
               "ikke de samme svarene i de to målingene. Bare i kodeboken for 2024: «Fast kontakt» og «Ny kontakt». "
               "Bare i kodeboken for 2023: «Kontaktperson»."),
        "nn": ("dei andre temaa er endra",
               "Temaet «Annet» er ikkje testa frå 2023 til 2024 («ikkje testbar»), sjølv om begge delane blir viste: "
               "dei andre temaa er endra mellom kodebok v1.0 (måling 2023) og v1.1 (måling 2024), så temaet samlar "
               "ikkje dei same svara i dei to målingane. Berre i kodeboka for 2024: «Fast kontakt» og «Ny kontakt». "
               "Berre i kodeboka for 2023: «Kontaktperson».")}),
}
#: bokmål words of the new wording that must not be on a nynorsk page
BOKMAL = ("sammenlignet", "viderefører", "de andre temaene", "Endringen fra", "ikke testet", "hver respondent",
          "Bare i kodeboken", "Videreført", "samler ikke")


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_merknader_names_the_versions_and_waves(case, language):
    kind, s = case[0], case[1]
    r = report(case, language)
    key, want = WANT[kind][0], WANT[kind][1][language]
    notes = [n for n in reader_notes(r) if "kodebok v1." in n]
    assert len(notes) == 1 and notes[0].startswith(want[1])
    html = page(r)
    assert want[1].replace("«", "&laquo;") in html or want[1] in html
    # the row: the chart's words beside its verdict, and the row's own note (the mark's title and screen-reader text)
    assert f"{want[0]})" in html  # «±0 pp (ingen sikker endring: sammenlignet med …)»
    row = theme_row(r, key)
    assert row["codebook_change"] == ("catch_all" if kind == "split" else "renamed")
    assert (row["verdict"] == "ikke testbar") == (kind == "split")
    if language == "nn":
        text = re.sub(r"<style.*?</style>", "", html, flags=re.S)
        assert [w for w in BOKMAL if w in text] == []
        # the summary's bokmål note is never put on the page as it is
        for rec in s.meta["renamed_themes"]:
            assert rec["note"] not in html


def test_the_row_notes_and_the_table_legend(case):
    kind, s = case[0], case[1]
    r = report(case, "nb")
    key = WANT[kind][0]
    row = theme_row(r, key)
    html = page(r)
    if kind == "split":
        assert row["codebook_note"] == "Ikke testbar: de andre temaene er endret mellom kodebok v1.0 og v1.1."
        assert "– (ikke testbar: de andre temaene er endret)" in html
        assert "§ Samletema: de andre temaene er endret mellom kodebok v1.0 og v1.1" in html
        assert "§ Videreført tema" not in html
        assert theme_row(r, "telefon")["codebook_note"] == ""  # compared as before: no note
        verdict = dict(method_lines(r.method))["Endring"]
        assert "Ikke testbar gjelder også et samletema" in verdict
        assert [d["themes"] for d in catch_all_untested(s)] == [["annet"]]
    else:
        merge = kind == "merged"
        assert row["codebook_note"].startswith(f"Sammenlignet med {WANT[kind][1]['nb'][0][len('sammenlignet med '):]}")
        assert row["codebook_note"].endswith(", hver respondent telt én gang." if merge else "(v1.0).")
        assert row["verdict"] != "ikke testbar"
        assert "§ Videreført tema: temaet har fått nytt navn eller slått sammen tidligere temaer mellom kodebok v1.0 " \
               f"og v1.{2 if merge else 1}" in html
        assert "§ Definert annerledes" not in html and "§ Samletema" not in html
        assert theme_row(r, "annet")["codebook_note"] == ""  # declared: the catch-all compared, no note
        assert [(d["theme"], d["old_wave"], d["new_wave"]) for d in renamed_themes(s)] == [(key, "2023", "2024")]
    # the other rows of the table carry no codebook mark
    assert html.count('class="mark" title="') == 1


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_workbook_says_it_in_the_report_language_without_the_charts_words(case, language, tmp_path):
    kind = case[0]
    r = report(case, language)
    path = write_workbook(r, tmp_path / "r.xlsx", row_level=False)
    sheet = "Endring"
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    head = list(rows[0])
    assert "codebook_mark" not in head and "codebook_change" not in head
    col = head.index("Merknad (kodebok)")
    notes = {x[col] for x in rows[1:] if x[col]}
    word = {"nb": "Sammenlignet med «Kontaktperson»", "nn": "Samanlikna med «Kontaktperson»"}[language]
    if kind == "split":
        word = {"nb": "Ikke testbar: de andre temaene er endret", "nn": "Ikkje testbar: dei andre temaa er endra"}[
            language]
    assert notes and all(n.startswith(word) for n in notes)


def test_compared_with_a_later_reference_wave_the_note_names_each_side():
    (f1, k1), (f2, k2) = wave(2023, [1, 2, 1, 2, 1, 1.0], C23), wave(2024, [1, 1, 1, 1, 2, 2.0], C24["renamed"])
    cbs = {2023: V10, 2024: RENAMED}
    survey = SurveyDefinition.from_dict(SURVEY)
    s = build_summary({2023: f1, 2024: f2}, survey, {2023: k1, 2024: k2}, codebooks=cbs, quotes=False,
                      drivers=False, compare_to=2024)
    r = report_from_summary(s, survey, codebook=RENAMED, codebooks=cbs)
    note = next(n for n in reader_notes(r) if "viderefører" in n)
    assert note.startswith("Temaet «Fast kontakt» i kodebok v1.1 (måling 2024) viderefører «Kontaktperson» i "
                           "kodebok v1.0 (måling 2023). Endringen fra 2024 til 2023")
