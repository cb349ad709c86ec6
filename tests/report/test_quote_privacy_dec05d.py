"""Row-level exports and quotes, third round (5 December, d): headcounts said as «vi er 12 stykker», a segment column
left out of «Kodede svar» with ``omit_columns`` masked in the comments as a blanked value is, and one rule for what
a headcount segment is."""

import openpyxl
import pandas as pd
import pytest

from textmine.quotes import SegmentMentions
from textmine.report.excel import ROW_LEVEL_SHEET, export_rows, write_workbook
from textmine.report.model import ReportData
from textmine.report.views import report_from_summary
from textmine.summary import build_summary

from .test_quote_privacy_dec05b import _survey, _waves


# ------------------------------------------------------------------ task 2: «vi er 12 stykker»
def _headcount_mentions() -> tuple[SegmentMentions, dict]:
    survey = _survey(segments=[{"column": "ansatte", "label": "Antall ansatte", "levels": {
        "1": "1 ansatt", "2-9": "2–9 ansatte", "10-49": "10–49 ansatte"}}])
    return SegmentMentions(survey), {"ansatte": "10-49"}


@pytest.mark.parametrize("text, masked", [
    ("Vi er 12 stykker.", "Vi er [ANTALL] stykker."),
    ("vi er bare 3 stk", "vi er bare [ANTALL] stk"),
    ("vi er 4 personer i firmaet", "vi er [ANTALL] personer i firmaet"),
    ("vi er 3 stykker som deler på det", "vi er [ANTALL] stykker som deler på det"),
    ("Vi er to personer på kontoret.", "Vi er [ANTALL] personer på kontoret."),
    ("Vi er 12stk her.", "Vi er [ANTALL] stk her."),
    ("Me er berre tre stykke her.", "Me er berre [ANTALL] stykke her."),
    ("Vi er 2 i bedriften.", "Vi er [ANTALL] i bedriften."),
])
def test_headcount_after_vi_er_without_an_employee_noun_is_masked(text, masked):
    m, row = _headcount_mentions()
    assert m.named(text, row, ["ansatte"]) == ["ansatte"]
    assert m.mask(text, row, ["ansatte"]) == masked


@pytest.mark.parametrize("text", ["12 stykker sykmeldinger ble avvist.", "Vi er enige om at det tok tid.",
                                  "Vi er 3 i kø hver morgen.", "Vi er 2023-kullet."])
def test_counts_without_vi_er_or_a_person_word_are_no_headcount(text):
    m, row = _headcount_mentions()
    assert m.named(text, row, ["ansatte"]) == []
    assert m.mask(text, row, ["ansatte"]) == text


# ------------------------------------------------------------------ task 4: one rule for a headcount segment
def test_segment_counting_employees_only_in_its_level_labels_is_masked_as_antall():
    survey = _survey(segments=[{"column": "bedrift", "label": "Virksomhet", "levels": {
        "mikro": "1–4 ansatte", "liten": "5–49 ansatte"}}])
    m = SegmentMentions(survey)
    text = "Som mikro virksomhet får vi ingen hjelp."
    assert m.named(text, {"bedrift": "mikro"}, ["bedrift"]) == ["bedrift"]
    assert m.mask(text, {"bedrift": "mikro"}, ["bedrift"]) == "Som [ANTALL] virksomhet får vi ingen hjelp."


# ------------------------------------------------------------------ task 3: a column left out with omit_columns
T07 = "Vi i Østfold kommer aldri gjennom på telefon til NAV."


def _report():
    survey = _survey(min_cell=1)  # nothing blanked: fylke is shown unless a caller leaves the column out
    df, coded = _waves(t07=T07)
    s = build_summary({2023: df}, survey, {2023: coded}, embedder="fallback", n_quotes=6)
    return report_from_summary(s, survey, frames={2023: df}, coded={2023: coded})


def test_county_shown_in_the_export_stays_in_its_comment():
    rows, _ = export_rows(_report())
    r07 = rows.set_index("respondent_id").loc["r07"]
    assert r07["fylke"] == "Østfold" and r07["text_clean"] == T07


def test_county_column_omitted_from_the_coded_sheet_is_masked_in_its_writers_comment(tmp_path):
    r = _report()
    rows, _ = export_rows(r, {"fylke"})
    assert "fylke" not in rows.columns
    texts = rows.set_index("respondent_id")["text_clean"]
    assert texts["r07"] == "Vi i [FYLKE] kommer aldri gjennom på telefon til NAV."
    # r01–r06 live in Oslo and say so: their own value is left out too
    assert texts["r01"] == "I [FYLKE] kommer vi aldri gjennom på telefon, køen er for lang."
    path = write_workbook(r, tmp_path / "r.xlsx", omit_columns=["respondent_id", "fylke"])
    sheet = openpyxl.load_workbook(path, read_only=True)[ROW_LEVEL_SHEET]
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Vi i [FYLKE] kommer aldri gjennom på telefon til NAV." in cells
    assert not any("Østfold" in c for c in cells), [c for c in cells if "Østfold" in c]
    assert "Fylke" not in cells  # the column itself is left out


def test_value_blanked_by_the_export_is_masked_in_report_data_built_without_the_summary():
    coded = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(6)], "wave": "2023", "question": "ft",
                          "text_clean": ["Lang ventetid på telefon."] * 5 + ["Vi i Troms venter lenge på svar."],
                          "is_non_answer": 0, "fylke": ["Oslo"] * 5 + ["Troms"]})
    r = ReportData(title="t", waves=["2023"], segments={"fylke": "Fylke"}, coded=coded, method={"min_n": 3})
    rows, counts = export_rows(r)
    assert counts["small"] == 6  # Troms alone, and Oslo as the next smallest level
    assert rows["text_clean"].iloc[5] == "Vi i [FYLKE] venter lenge på svar."
    assert rows["text_clean"].iloc[0] == "Lang ventetid på telefon."
