"""``textmine clean``: the raw text column is redacted like ``textmine code`` does, --redact-col,
warnings about other columns with personal data, text read as written, bad outputs refused up front."""

import re

import pandas as pd
from typer.testing import CliRunner

from textmine.cli import app

FNR = "01019010046"  # synthetic, valid mod-11
PHONE = "91234567"


def _clean(*args):
    return CliRunner().invoke(app, ["clean", *map(str, args)])


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _src(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["a", "b", "c"], "fritekst": [f"Ring meg på {PHONE}", None, "Telefonkøen er lang"],
                  "annen_kommentar": [f"Kari Nordmann, tlf {PHONE}", "", "ingen"]}).to_csv(src, index=False)
    return src


def test_clean_redacts_the_raw_text_column_unless_keep_raw_text(tmp_path, resources):
    src = _src(tmp_path)
    out = tmp_path / "o.csv"
    res = _clean(src, "--text-col", "fritekst", "--out", out, "--redact-col", "annen_kommentar")
    assert res.exit_code == 0, res.output
    assert PHONE not in out.read_text(encoding="utf-8") and "Kari" not in out.read_text(encoding="utf-8")
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert df["fritekst"].tolist() == df["text_clean"].tolist()
    assert "[TELEFON]" in df.loc[0, "fritekst"] and df.loc[1, "fritekst"] == ""
    assert "[TELEFON]" in df.loc[0, "annen_kommentar"] and df.loc[2, "annen_kommentar"] == "ingen"
    kept = tmp_path / "k.csv"
    res = _clean(src, "--text-col", "fritekst", "--out", kept, "--keep-raw-text")
    assert res.exit_code == 0, res.output
    df = pd.read_csv(kept, dtype=str, keep_default_na=False)
    assert df.loc[0, "fritekst"] == f"Ring meg på {PHONE}" and "[TELEFON]" in df.loc[0, "text_clean"]
    msg = _flat(res.output)  # annen_kommentar was not named: masked all the same, with a note (no values)
    assert "annen_kommentar (1 cell)" in msg and "masked in place" in msg and PHONE not in msg
    assert "[TELEFON]" in df.loc[0, "annen_kommentar"]
    res = _clean(src, "--text-col", "fritekst", "--out", kept, "--unredacted-col", "annen_kommentar")
    assert res.exit_code == 0, res.output
    assert pd.read_csv(kept, dtype=str, keep_default_na=False).loc[0, "annen_kommentar"].endswith(PHONE)


def test_clean_reads_a_numeric_text_column_as_written(tmp_path, resources):
    src = tmp_path / "in.csv"
    src.write_text(f"id,fritekst,likert\n1,{FNR},4\n2,,\n3,123,5\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    res = _clean(src, "--text-col", "fritekst", "--out", out)
    assert res.exit_code == 0, res.output
    assert FNR not in out.read_text(encoding="utf-8") and "1019010046" not in out.read_text(encoding="utf-8")
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert df["text_clean"].tolist() == ["[FØDSELSNUMMER]", "", "123"]
    assert df["likert"].tolist() == ["4", "", "5"]
    assert "1 personal data values masked" in res.output


def test_clean_refuses_a_bad_output_before_cleaning(tmp_path):
    src = _src(tmp_path)
    res = _clean(src, "--text-col", "fritekst", "--out", tmp_path / "o.txt")
    assert res.exit_code == 2 and "unsupported output type '.txt'" in res.output
    res = _clean(src, "--text-col", "fritekst", "--out", tmp_path / "o.csv", "--redact-col", "nope")
    assert res.exit_code == 2 and "nope" in res.output
    assert not (tmp_path / "o.csv").exists()
