"""Review D (5 Dec), items 16, 17, 20 and 23 (SPSS): number formats and labels of the workbook, measurement levels
and value labels of the .sav, Norwegian numbers in the Metode notes and the terminal tables."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from textmine.report.excel import MEAN, P_VALUE, PCT, PP, WHOLE, row_level_note, write_workbook
from textmine.report.model import ReportData
from textmine.report.spss import write_sav

NBSP = "\u00a0"


def _sheet(path, name) -> tuple[list, list]:
    ws = load_workbook(path)[name]
    rows = list(ws.iter_rows())
    return [c.value for c in rows[0]], rows[1:]


def _cell(header, row, name):
    assert name in header, f"expected a column {name!r}, got {header}"
    return row[header.index(name)]


def _changes() -> pd.DataFrame:
    return pd.DataFrame({"kind": ["tema"], "key": ["telefon"], "label": ["Telefon"], "question": ["ft_a"],
                         "prev_wave": "2022", "wave": "2023", "prev_share": [0.30], "share": [0.308],
                         "diff": [0.008], "ci_low": [-0.0103], "ci_high": [0.0264], "p_value": [0.38989172932],
                         "p_adjusted": [0.81616671874], "verdict": ["ingen sikker endring"], "n_prev": [2939], "n": [2973],
                         "verdict_unadjusted": ["ingen sikker endring"], "weighted": True, "suppressed": False})


def _impact() -> pd.DataFrame:
    return pd.DataFrame({"question": ["ft_a"], "theme": ["refusjon"], "label": ["Refusjon"], "indicator": ["q_helhet"],
                         "indicator_label": ["Fornøyd"], "share_with": [0.2282573635], "share_without": [0.5837716185],
                         "diff": [-0.3555142549], "ci_low": [-0.5258770746], "ci_high": [-0.0576208096],
                         "n_with": [12], "n_without": [154], "verdict": ["ingen sikker forskjell"],
                         "p_value": [0.018585781], "p_adjusted": [0.130100467], "adjusted_pp": [-36.03675611089368],
                         "adjusted_ci_low_pp": [-59.95032123610953], "adjusted_ci_high_pp": [-12.12319098567783],
                         "adjusted_p": [0.02198743590778873], "adjusted_verdict": ["forskjell"]})


def _indicators() -> pd.DataFrame:
    return pd.DataFrame({"wave": ["2023", "2023"], "indicator": ["q_helhet", "q_helhet"], "label": ["Fornøyd"] * 2,
                         "segment_var": ["Alle", "naering"], "segment": ["Alle", "Bygg og anlegg"],
                         "share": [0.8591, 0.8], "ci_low": [0.85, 0.7], "ci_high": [0.87, 0.9], "n": [2555, 40],
                         "base": [2973, 50], "mean": [4.746893556612463, 4.5], "suppressed": False,
                         "n_eff": [2826.208919001643, 48.2], "share_unweighted": [0.8506294658046955, 0.8],
                         "indicator_id": ["helhet", "helhet"]})


def _quotes() -> pd.DataFrame:
    return pd.DataFrame({"wave": "2023", "question": "ft_a", "theme": "telefon", "label": "Telefon",
                         "text": ["Telefonkøen er lang", "The queue is long"], "attribution": "Privat virksomhet",
                         "language": ["nn", "en"], "rank": [1, 2]})


@pytest.fixture()
def workbook(tmp_path):
    coded = pd.DataFrame({"respondent_id": [f"R{i}" for i in range(12)], "wave": "2023", "question": "ft_a",
                          "text_clean": ["Telefonkøen er lang"] * 12, "themes": ["telefon;refusjon"] * 11 + [""],
                          "theme_telefon": [1] * 11 + [0], "theme_refusjon": [1] * 11 + [0],
                          "language": ["nb"] * 9 + ["nn", "en", "unknown"], "confidence": 0.976421,
                          "is_non_answer": 0})
    r = ReportData(title="t", waves=["2022", "2023"], indicators=_indicators(), changes=_changes(),
                   impact=_impact(), coded=coded, quotes=_quotes(), questions={"ft_a": "Hva må NAV gjøre bedre?"},
                   segments={"naering": "Næring"},
                   codebook=[{"id": "telefon", "label": "Telefon og tilgjengelighet"},
                             {"id": "refusjon", "label": "Refusjon av sykepenger"}])
    return r, write_workbook(r, tmp_path / "r.xlsx")


def test_change_sheet_shows_differences_in_points_shares_as_percent_and_p_with_three_decimals(workbook):
    header, rows = _sheet(workbook[1], "Endring")
    row = rows[0]
    for name, value in (("Endring (pp)", 0.8), ("KI nedre (pp)", -1.03), ("KI øvre (pp)", 2.64)):
        cell = _cell(header, row, name)
        assert cell.value == pytest.approx(value) and cell.number_format == PP, \
            f"Endring!{name}: expected {value} in pp with format {PP!r}, got {cell.value!r} / {cell.number_format!r}"
    for name in ("Forrige andel", "Andel"):
        assert _cell(header, row, name).number_format == PCT, name
    for name in ("p-verdi (ujustert)", "p-verdi (BH-justert)"):
        assert _cell(header, row, name).number_format == P_VALUE, name
    assert _cell(header, row, "Grunnlag").number_format == "#,##0"


def test_impact_sheet_formats_every_difference_and_p_value(workbook):
    header, rows = _sheet(workbook[1], "Betydning")
    row = rows[0]
    assert _cell(header, row, "Forskjell").value == pytest.approx(-35.55142549)
    for name in ("Forskjell", "KI nedre", "KI øvre", "Justert effekt (pp)", "Justert KI nedre (pp)",
                 "Justert KI øvre (pp)"):
        got = _cell(header, row, name).number_format
        assert got == PP, f"Betydning!{name}: expected {PP!r}, got {got!r}"
    for name in ("Andel positive med tema", "Andel positive uten tema"):
        assert _cell(header, row, name).number_format == PCT, name
    for name in ("p (ujustert)", "p (BH-justert)", "Justert p (BH)"):
        assert _cell(header, row, name).number_format == P_VALUE, name


def test_indicator_sheet_formats_means_effective_n_and_unweighted_share(workbook):
    header, rows = _sheet(workbook[1], "Indikatorer")
    row = rows[0]
    assert _cell(header, row, "Snitt").number_format == MEAN
    assert _cell(header, row, "Effektiv n").number_format == WHOLE
    assert _cell(header, row, "Andel positive (uvektet)").number_format == PCT


def test_no_float_cell_of_a_table_sheet_is_left_unformatted(report_data, tmp_path):
    path = write_workbook(report_data, tmp_path / "r.xlsx")
    bad = []
    for name in ("Indikatorer", "Temaer", "Endring", "Betydning"):
        header, rows = _sheet(path, name)
        for row in rows:
            for h, c in zip(header, row):
                if isinstance(c.value, float) and c.number_format == "General":
                    bad.append(f"{name}!{c.coordinate} ({h}) = {c.value!r}")
    assert not bad, "float cells without a number format: " + "; ".join(bad[:5])


def test_text_columns_are_wide_and_long_text_wraps(workbook, report_data, tmp_path):
    wb = load_workbook(write_workbook(report_data, tmp_path / "q.xlsx"))
    ws = wb["Sitater"]
    header = [c.value for c in ws[1]]
    col = ws.cell(row=1, column=header.index("Sitat") + 1).column_letter
    assert ws.column_dimensions[col].width >= 40, f"Sitater!{col} (Sitat): width {ws.column_dimensions[col].width}"
    long = [c for c in ws[col][1:] if isinstance(c.value, str) and len(c.value) > 60]
    assert long and all(c.alignment.wrap_text for c in long), "Sitater: long quotes do not wrap"
    ws = load_workbook(workbook[1])["Indikatorer"]
    header = [c.value for c in ws[1]]
    col = ws.cell(row=1, column=header.index("Segment") + 1).column_letter
    assert ws.column_dimensions[col].width >= len("Bygg og anlegg"), "Indikatorer: Segment narrower than its text"


def test_reader_sheets_show_labels_next_to_ids(workbook):
    header, rows = _sheet(workbook[1], "Indikatorer")
    assert [r[header.index("Segmentvariabel")].value for r in rows] == ["Alle", "Næring"]
    for sheet in ("Endring", "Betydning"):
        header, rows = _sheet(workbook[1], sheet)
        assert _cell(header, rows[0], "Spørsmål").value == "ft_a"  # (the id other tools read stays)
        assert _cell(header, rows[0], "Spørsmålstekst").value == "Hva må NAV gjøre bedre?", sheet
    header, rows = _sheet(workbook[1], "Kodede svar")
    assert _cell(header, rows[0], "Temaer").value == "telefon;refusjon"
    assert _cell(header, rows[0], "Temanavn").value == "Telefon og tilgjengelighet; Refusjon av sykepenger"
    assert _cell(header, rows[11], "Temanavn").value is None
    assert header.index("Spørsmålstekst") == header.index("Spørsmål") + 1
    assert [r[header.index("Språk")].value for r in rows[8:]] == ["bokmål", "nynorsk", "engelsk", "ukjent"]
    header, rows = _sheet(workbook[1], "Sitater")
    assert [_cell(header, r, "Språk").value for r in rows] == ["nynorsk", "engelsk"]
    assert _cell(header, rows[0], "Spørsmålstekst").value == "Hva må NAV gjøre bedre?"


def test_method_note_groups_thousands():
    note = row_level_note(1131, 1200, 10, n_weight=1131, n_rows=1378)
    assert f"1{NBSP}131 rader" in note and f"fjernet i 1{NBSP}131 av 1{NBSP}378 rader" in note, note
    assert f"1{NBSP}200 kommentarer" in note, note
    assert "1131" not in note and "1200" not in note and "1378" not in note


def test_sav_measurement_levels_and_norwegian_language_labels(tmp_path):
    coded = pd.DataFrame({"respondent_id": [f"R{i}" for i in range(12)], "wave": 2023, "question": "ft_a",
                          "sektor": ["P", "O"] * 6, "vekt": np.linspace(0.5, 1.5, 12),
                          "q_helhet": [1, 2, 3, 4, 5, 6] * 2,
                          "text_clean": ["Telefonkøen er lang"] * 12, "themes": "telefon", "theme_telefon": 1,
                          "language": ["nb"] * 10 + ["nn", "unknown"], "confidence": 0.9, "needs_review": 0})
    r = ReportData(title="t", waves=["2023"], coded=coded, segments={"sektor": "Sektor"},
                   indicators=pd.DataFrame({"indicator": ["q_helhet"], "label": ["Fornøyd"]}),
                   method={"min_n": 1, "labels": {"values": {"sektor": {"P": "Privat", "O": "Offentlig"}}}})
    path = write_sav(r, tmp_path / "k.sav")
    _, meta = pyreadstat.read_sav(str(path))
    m = meta.variable_measure
    expected = {"respondent_id": "nominal", "wave": "nominal", "question": "nominal", "sektor": "nominal",
                "theme_telefon": "nominal", "needs_review": "nominal", "language": "nominal", "themes": "nominal",
                "q_helhet": "ordinal", "vekt": "scale", "confidence": "scale"}
    wrong = {k: (v, m.get(k)) for k, v in expected.items() if m.get(k) != v}
    assert not wrong, f"measurement levels (expected, got): {wrong}"
    assert set(meta.variable_value_labels["language"].values()) == {"bokmål", "nynorsk", "ukjent"}


# ------------------------------------------------------------------------------------------------ terminal tables
def _survey_files(tmp_path, n=1300):
    rng = np.random.default_rng(11)
    spec = {"name": "mini", "id": "rid", "wave": "aar", "min_cell": 5,
            "segments": [{"column": "sektor", "levels": {"P": "Privat virksomhet", "O": "Offentlig virksomhet"}}],
            "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6], "excluded": [7]},
                           {"id": "likt", "column": "q2", "scale": [1, 6], "excluded": [7]}],
            "free_text": [{"column": "ft"}]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    paths, coded = [], []
    for year, shift in ((2022, 0), (2023, -1)):
        q2 = np.array([6, 1] * (n // 2) + [6] * (n % 2))  # the same share in both waves: a change of 0
        df = pd.DataFrame({"rid": [f"{year}-{i}" for i in range(n)], "aar": year, "sektor": rng.choice(["P", "O"], n),
                           "q1": np.clip(rng.integers(2, 7, n) + shift, 1, 6), "q2": q2,
                           "ft": ["Telefonkøen er lang" if i % 3 == 0 else "" for i in range(n)]})
        paths.append(tmp_path / f"w{year}.csv")
        df.to_csv(paths[-1], index=False)
        c = df[df["ft"] != ""][["rid"]].rename(columns={"rid": "respondent_id"}).assign(
            question="ft", text_clean="Telefonkøen er lang", is_non_answer=0, health_flag=0, theme_telefon=1,
            theme_annet=0)
        coded.append(tmp_path / f"coded{year}.csv")
        c.to_csv(coded[-1], index=False)
    return tmp_path / "s.yaml", paths, coded


def test_summary_terminal_tables_use_norwegian_numbers_and_words(tmp_path):
    from textmine.cli import app

    survey, paths, coded = _survey_files(tmp_path)
    args = ["summary", *map(str, paths), "--survey", str(survey), "--out", str(tmp_path / "o"), "--no-quotes"]
    for c in coded:
        args += ["--coded", str(c)]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    table = res.stdout
    assert re.search(rf"│ +1{NBSP}\d\d\d │", table), f"no count with a thousands separator:\n{table}"
    assert not re.search(r"│ +1\d\d\d │", table), f"a count without a thousands separator:\n{table}"
    assert not re.search(r"(?<![\w–])-\d", table), f"a hyphen-minus before a number:\n{table}"
    assert "−" in table, f"the fall of helhet (about −17 pp) has no minus sign:\n{table}"
    likt = next(line for line in table.splitlines() if line.startswith("│ likt"))
    assert re.search(r"│ +0 │", likt) and "±0" not in likt and "+0 " not in likt, f"no plain 0 change: {likt}"
    assert "verdict_unadjusted" not in table and "ujustert p" in table
