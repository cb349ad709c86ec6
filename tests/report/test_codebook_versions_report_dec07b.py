"""The report across a codebook change v1.0 → v1.1 (review dec07b): «telefon» split (its definition changed, «chat»
new), «kontaktperson» renamed «fast_kontakt» keeping its label, «ros» dropped, «ny» added. Two themes sharing a
label are told apart everywhere (no crash in the charts); the redefined theme's «ikke testbar» says why (cell,
legend, «Merknader», in bokmål and nynorsk); the sheet «Kodebok» lists each version's themes."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import openpyxl
import pytest

from textmine.codebook import Codebook
from textmine.report.excel import write_workbook
from textmine.report.html import make_charts, reader_notes, render_html
from textmine.report.views import method_lines, redefined_themes, report_from_summary
from textmine.summary import _incomparable_message, build_summary, codebook_theme_labels
from textmine.survey import SurveyDefinition
from textmine.texttables import distinct_labels, text_tables

from .conftest import SURVEY, make_codebook, make_wave

SHARED = "Kontaktperson og riktig person"


def _codebooks() -> tuple[Codebook, Codebook]:
    v10 = make_codebook()
    v10["version"] = "1.0"
    v10["themes"].append({"id": "kontaktperson", "label": SHARED, "description": "kp", "keywords": ["kp"]})
    v11 = {**make_codebook(), "version": "1.1"}
    v11["themes"] = [dict(t, description="Bare telefon (chat er eget tema)") if t["id"] == "telefon" else t
                     for t in v10["themes"] if t["id"] not in ("ros", "kontaktperson")]
    v11["themes"] += [{"id": "chat", "label": "Chat", "description": "", "keywords": ["chat"]},
                      {"id": "fast_kontakt", "label": SHARED, "description": "kp", "keywords": ["kp"]},
                      {"id": "ny", "label": "Nytt tema", "description": "", "keywords": ["ny"]}]
    return Codebook.from_dict(v10), Codebook.from_dict(v11)


def _two_waves(n: int, seed: int):
    """Wave 2022 coded with v1.0's themes, 2023 with v1.1's (split, renamed, added, dropped)."""
    f22, c22 = make_wave(2022, n, 1, telefon_rate=0.25)
    f23, c23 = make_wave(2023, n, 2, telefon_rate=0.28)
    rng = np.random.default_rng(seed)
    c22 = c22.drop(columns="themes").assign(theme_kontaktperson=(rng.random(len(c22)) < 0.3).astype(int))
    c23 = c23.drop(columns=["themes", "theme_ros"]).assign(
        theme_chat=(rng.random(len(c23)) < 0.2).astype(int),
        theme_fast_kontakt=(rng.random(len(c23)) < 0.3).astype(int), theme_ny=(rng.random(len(c23)) < 0.2).astype(int))
    return (f22, c22), (f23, c23)


@pytest.fixture(scope="module")
def setup():
    v10, v11 = _codebooks()
    (f22, c22), (f23, c23) = _two_waves(500, 7)
    survey = SurveyDefinition.from_dict(SURVEY)
    cbs = {2022: v10, 2023: v11}
    summary = build_summary({2022: f22, 2023: f23}, survey, {2022: c22, 2023: c23}, codebooks=cbs,
                            theme_labels=codebook_theme_labels(cbs, [2022, 2023]), quotes=False, drivers=False)
    return summary, survey, cbs


def _report(setup, language="nb", codebooks=True):
    summary, survey, cbs = setup
    return report_from_summary(summary, survey, codebook=cbs[2023], codebooks=cbs if codebooks else None,
                               language=language)


def test_distinct_labels_adds_the_id_only_to_a_shared_label():
    out = distinct_labels({"a": "Kontakt", "b": "Kontakt", "c": "Chat"})
    assert out == {"a": "Kontakt (a)", "b": "Kontakt (b)", "c": "Chat"}
    assert distinct_labels({"a": "A", "b": "B"}) == {"a": "A", "b": "B"}


def test_two_themes_with_one_label_are_told_apart_and_charted(setup):
    r = _report(setup)
    labels = r.themes.drop_duplicates("theme").set_index("theme")["label"]
    assert labels["kontaktperson"] == f"{SHARED} (kontaktperson)"
    assert labels["fast_kontakt"] == f"{SHARED} (fast_kontakt)"
    assert labels.is_unique
    charts = make_charts(r, png=False)  # was: ValueError (a Series' truth value) in charts.segment_dots
    seg = charts["temaer_fritekst_generell_sektor"]
    assert f"{SHARED} (fast_kontakt)" in seg.alt
    assert set(r.changes.loc[r.changes["kind"] == "tema", "label"]).issuperset(
        {f"{SHARED} (kontaktperson)", f"{SHARED} (fast_kontakt)"})


def test_terminal_table_tells_the_two_themes_apart(setup):
    text = text_tables(setup[0], width=200)
    assert "(kontaktperson)" in text and "(fast_kontakt)" in text


def test_redefined_theme_says_why_it_is_not_tested(setup):
    r = _report(setup)
    ch = r.changes.set_index("key")
    assert ch.loc["telefon", "verdict"] == "ikke testbar"
    assert np.isfinite(ch.loc["telefon", "prev_share"]) and np.isfinite(ch.loc["telefon", "share"])
    assert "definert annerledes i kodebok v1.0 og v1.1" in ch.loc["telefon", "codebook_note"]
    assert ch.loc["chat", "codebook_note"] == ""  # new theme: missing in 2022, not redefined
    notes = reader_notes(r)
    assert any("«Telefon og tilgjengelighet» er definert annerledes i kodebok v1.0 (måling 2022) og v1.1 "
               "(måling 2023)" in n for n in notes)
    html = render_html(r, make_charts(r, png=False))
    assert "§ Definert annerledes: temaet er definert annerledes i kodebok v1.0 og v1.1" in html
    assert "– (ikke testbar: definert annerledes)" in html  # the change chart's label
    verdict = dict(method_lines(r.method))["Endring"]
    assert "Ikke testbar gjelder også et tema som er definert annerledes" in verdict


def test_redefined_theme_in_nynorsk(setup):
    r = _report(setup, "nn")
    notes = reader_notes(r)
    assert any("er definert annleis i kodebok v1.0 (måling 2022) og v1.1 (måling 2023)" in n for n in notes)
    html = render_html(r, make_charts(r, png=False))
    assert "§ Definert annleis" in html and "endringa er ikkje testa" in html
    assert "definert annerledes" not in html


def test_no_redefined_note_without_a_redefined_theme(setup):
    summary, survey, cbs = setup
    clean = SimpleNamespace(**{**vars(summary), "meta": {**summary.meta, "redefined_themes": []},
                               "warnings": [w for w in summary.warnings if "defined differently" not in str(w)]})
    assert redefined_themes(clean) == [] and len(redefined_themes(summary)) == 1


def test_redefined_themes_reads_every_form_of_the_summary_warning():
    a = SimpleNamespace(name="nav", version="1.0")
    b = SimpleNamespace(name="nav", version="1.1")
    c = SimpleNamespace(name="other's", version="2")
    warnings = [_incomparable_message(["chat", "telefon"], a, b, 2022, 2023),
                "question q2: " + _incomparable_message(["ros"], b, c, "2023", "2024")]
    got = redefined_themes(SimpleNamespace(warnings=warnings))
    assert got[0] == {"question": "", "themes": ["chat", "telefon"], "prev_wave": "2022", "wave": "2023",
                      "prev_codebook": "nav", "codebook": "nav", "prev_version": "1.0", "version": "1.1"}
    assert got[1]["question"] == "q2" and got[1]["themes"] == ["ros"] and got[1]["codebook"] == "other's"


def test_codebook_sheet_lists_each_version(setup, tmp_path):
    path = write_workbook(_report(setup), tmp_path / "r.xlsx", row_level=False)
    rows = list(openpyxl.load_workbook(path)["Kodebok"].iter_rows(values_only=True))
    head = list(rows[0])
    assert head[:3] == ["Kodebok (versjon)", "Brukt i måling", "Tema-id"]
    by = {(r[0], r[2]): r for r in rows[1:]}
    assert ("test v1.0", "kontaktperson") in by and ("test v1.0", "ros") in by
    assert ("test v1.1", "fast_kontakt") in by and ("test v1.1", "ros") not in by
    desc = head.index("Beskrivelse")
    assert by["test v1.0", "telefon"][desc] != by["test v1.1", "telefon"][desc]
    assert by["test v1.0", "telefon"][1] == "2022" and by["test v1.1", "telefon"][1] == "2023"
    # one codebook for every wave: the sheet as before (no version columns)
    plain = write_workbook(_report(setup, codebooks=False), tmp_path / "p.xlsx", row_level=False)
    assert next(openpyxl.load_workbook(plain)["Kodebok"].iter_rows(values_only=True))[0] == "Tema-id"


def test_build_report_passes_each_waves_codebook_to_the_sheet(tmp_path):
    """``build_report(codebooks=…)`` (what ``textmine report --codebook WAVE=FILE`` calls) lists every version."""
    from textmine.report.pipeline import build_report

    v10, v11 = _codebooks()
    (f22, c22), (f23, c23) = _two_waves(300, 3)
    r = build_report({2022: f22, 2023: f23}, SurveyDefinition.from_dict(SURVEY), codebooks={2022: v10, 2023: v11},
                     coded={2022: c22, 2023: c23}, embedder="fallback")
    path = write_workbook(r, tmp_path / "b.xlsx", row_level=False)
    rows = list(openpyxl.load_workbook(path)["Kodebok"].iter_rows(values_only=True))
    assert rows[0][0] == "Kodebok (versjon)" and {x[0] for x in rows[1:]} == {"test v1.0", "test v1.1"}


def test_spss_labels_name_every_versions_themes_apart(tmp_path):
    import pyreadstat

    from textmine.report.spss import write_sav

    v10, v11 = _codebooks()
    (f22, c22), (f23, c23) = _two_waves(300, 5)
    survey, cbs = SurveyDefinition.from_dict(SURVEY), {2022: v10, 2023: v11}
    summary = build_summary({2022: f22, 2023: f23}, survey, {2022: c22, 2023: c23}, codebooks=cbs,
                            theme_labels=codebook_theme_labels(cbs, [2022, 2023]), quotes=False, drivers=False)
    r = report_from_summary(summary, survey, frames={2022: f22, 2023: f23}, coded={2022: c22, 2023: c23},
                            codebook=cbs[2023], codebooks=cbs)
    path = write_sav(r, tmp_path / "k.sav")
    _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert labels["theme_kontaktperson"] == f"Tema: {SHARED} (kontaktperson)"
    assert labels["theme_fast_kontakt"] == f"Tema: {SHARED} (fast_kontakt)"
