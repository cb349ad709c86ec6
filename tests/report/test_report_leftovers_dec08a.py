"""Report leftovers (dec08a): a renamed or merged theme's change row takes its place in the new codebook's order;
the workbook's «Metode» gives the HTML's Norwegian reader notes (bokmål, or nynorsk for a nynorsk report) instead of
the English run warnings they say, keeping the others for the analyst; the charts' text alternatives (aria-label)
on a nynorsk page are nynorsk, the theme labels as the codebook writes them. Two small waves as in
tests/report/test_report_rename_dec07c.py."""

from __future__ import annotations

import copy
import html as html_lib
import re

import openpyxl
import pytest

from textmine.report.excel import write_workbook
from textmine.report.html import analyst_warnings, make_charts, reader_notes, render_html
from textmine.report.views import report_from_summary

from .test_report_rename_dec07c import C24 as C24_RENAMES
from .test_report_rename_dec07c import MERGED, RENAMED, SPLIT, codebook, summarised_case, theme

FILE_WARNING = "bruker_2025.sav: column fylke has 2 value(s) not among the declared levels (rows 1, 2); treated as missing"

CODEBOOKS = {
    "renamed": RENAMED, "merged": MERGED, "split": SPLIT,
    "redefined": codebook("1.1", theme("kontaktperson", "Kontaktperson"),
                          theme("telefon", "Telefon", description="Ventetid på telefon."), theme("annet", "Annet")),
}
C24 = {**C24_RENAMES,
       "redefined": {"kontaktperson": [1, 0, 0, 0, 0, 0], "telefon": [0, 1, 1, 1, 0, 0], "annet": [0, 0, 0, 0, 1, 1]}}
#: fixed bokmål words (not in the users' labels here) that a nynorsk chart text must not have
BOKMAL = ("sammenlignet", "definert annerledes", "de andre temaene", "ikke ", "Temaer", "Andel", "(vektet)",
          "Endring i temaer", "indikatorer", "ingen sikker endring")


@pytest.fixture(scope="module", params=list(CODEBOOKS))
def case(request):
    return summarised_case(request.param, CODEBOOKS[request.param], C24[request.param])


def report(case, language: str = "nb"):
    _, s, survey, cbs = case
    return report_from_summary(s, survey, codebook=cbs[2024], codebooks=cbs, language=language)


def merknader(r, tmp_path) -> str:
    path = write_workbook(r, tmp_path / "r.xlsx", row_level=False)
    rows = [row for row in openpyxl.load_workbook(path)["Metode"].iter_rows(values_only=True) if row[0] == "Merknader"]
    assert len(rows) == 1
    return rows[0][1]


def test_change_rows_follow_the_new_codebooks_theme_order(case):
    kind, cbs = case[0], case[3]
    r = report(case)
    order = cbs[2024].theme_ids
    themes = [k for k in r.changes.loc[r.changes["kind"] == "tema", "key"]]
    assert [t for t in themes if t in order] == [t for t in order if t in themes]
    assert themes[:len(set(themes) & set(order))] == [t for t in order if t in themes]  # the codebook's first
    table = r.change_table[r.change_table["kind"] == "tema"]
    for _, g in table.groupby(["segment_var", "segment"], sort=False):
        keys = [k for k in g["key"] if k in order]
        assert keys == [t for t in order if t in keys], (kind, keys)
    if kind in ("renamed", "merged"):  # the summary compares these last
        assert themes[0] == order[0]
    # a theme's segment rows stay together (overall, then each level), as the summary gives them
    first = table["key"].tolist()
    assert first == sorted(first, key=first.index)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_metode_gives_the_reader_notes_in_the_reports_language(case, language, tmp_path):
    kind = case[0]
    r = copy.deepcopy(report(case, language))
    r.method["warnings"] = "; ".join(x for x in [r.method.get("warnings"), f"2024: {FILE_WARNING}"] if x)
    text = merknader(r, tmp_path)
    notes = reader_notes(r, language)
    assert notes and all(n in text for n in notes)
    for english in ("as its codebook declares (replaces)", "defined differently in codebook",
                    "catch-all theme annet: not compared"):
        assert english not in text, (kind, english)
    assert FILE_WARNING in text  # the analyst keeps the run warnings no note says
    if language == "nn":
        assert not re.search(r"\b(ikke|sammenligner|viderefører|andelen)\b", " ".join(notes))


def test_metode_drops_only_the_current_waves_driver_warnings_a_note_says(report_data, tmp_path):
    r = copy.deepcopy(report_data)
    wave, q1 = r.current_wave, next(iter(r.questions))
    theme = str(r.impact["theme"].iloc[0])
    left_out = (f"drivers {q1} {{w}}: theme(s) {theme} left out of the adjusted model: they roll up other themes in "
                "it (one level of the hierarchy only)")
    r.method["warnings"] = "; ".join([f"{wave}: {FILE_WARNING}", left_out.format(w=wave), left_out.format(w=1999),
                                      f"drivers {q1} {wave}: logistic model failed (RuntimeError); linear "
                                      "probability model used"])
    rest = analyst_warnings(r)
    assert left_out.format(w=wave) not in rest and left_out.format(w=1999) in rest
    assert FILE_WARNING in rest and "logistic model failed" in rest and not rest.startswith(";")
    text = merknader(r, tmp_path)
    assert "er ikke med i den justerte modellen" in text and left_out.format(w=wave) not in text
    assert left_out.format(w=1999) in text and FILE_WARNING in text


def _alts(page: str) -> list[str]:
    return [html_lib.unescape(m) for m in re.findall(r'<svg[^>]*\saria-label="([^"]*)"', page)]


def test_nynorsk_chart_text_alternatives_are_nynorsk(case):
    kind, cbs = case[0], case[3]
    r = report(case, "nn")
    charts = make_charts(r, png=False)
    alts = _alts(render_html(r, charts))
    assert alts and len(alts) == len(charts)
    for alt in alts:
        outside = re.sub(r"«[^«»]*»", "", alt)
        assert [w for w in BOKMAL if w in outside] == [], (kind, alt)
    change = next(a for a in alts if a.startswith("Endring i tema"))
    want = {"renamed": "samanlikna med «Kontaktperson» (v1.0)", "merged": "samanlikna med «Kontaktperson» og «Telefon»",
            "split": "ikkje testbar: dei andre temaa er endra", "redefined": "ikkje testbar: definert annleis"}[kind]
    assert want in change, change
    # theme labels as the codebook writes them (bokmål or not)
    assert all(t.label in change for t in cbs[2024].themes if t.id in set(r.changes["key"]))
    nb = _alts(render_html(report(case, "nb"), make_charts(report(case, "nb"), png=False)))
    assert any(w in " ".join(nb) for w in ("sammenlignet med", "de andre temaene", "definert annerledes"))
