"""The «'» the CSV writer puts before text a spreadsheet would run as a formula comes off when textmine reads the CSV
back (:func:`textmine.io.csv_text_from_guarded`, applied by ``read_table``): «- punkt» stays «- punkt»."""

import pandas as pd
import pytest

from textmine.io import csv_text_from_guarded, csv_text_not_formulas, read_table, write_table

TEXTS = ["- punkt", "=1+1", "+47 22 33 44 55", "@x", "-", "'plain", "'=x", "''-y", "-3", "'-3", "'", "vanlig"]


def _same(got, want):
    assert [None if pd.isna(v) else v for v in got] == want


def test_csv_round_trip_through_the_coded_reader_gives_the_text_back(tmp_path):
    """``--coded`` files are read with ``read_table(path)`` (no text columns named)."""
    df = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(len(TEXTS) + 1)], "text": TEXTS + [None],
                       "n": range(len(TEXTS) + 1)})
    write_table(df, tmp_path / "x.csv")
    raw = (tmp_path / "x.csv").read_text(encoding="utf-8")
    assert "'- punkt" in raw and "r4,'-,4" in raw and "''=x" in raw  # the file itself is guarded
    back = read_table(tmp_path / "x.csv")
    _same(back["text"], TEXTS + [None])
    assert back["n"].tolist() == list(range(len(TEXTS) + 1))


def test_csv_round_trip_of_free_text_columns_keeps_tabs_and_line_breaks(tmp_path):
    texts = TEXTS + ["\tx", "\r\nx", "=HYPERLINK(\"http://x\")"]
    write_table(pd.DataFrame({"id": range(len(texts)), "ft": texts}), tmp_path / "t.csv")
    _same(read_table(tmp_path / "t.csv", text_cols=["ft"])["ft"], texts)


@pytest.mark.parametrize("text", TEXTS + ["'''", "''", "-''", "'+", "'@", "'\t"])
def test_reading_undoes_writing_cell_by_cell(text):
    df = pd.DataFrame({"t": [text]})
    assert csv_text_from_guarded(csv_text_not_formulas(df))["t"][0] == text


def test_unguarding_strips_exactly_one_quote_only_before_formula_text():
    df = pd.DataFrame({"t": ["'- svar", "'-", "''=x", "'plain", "'-3", "'", None, "ok"],
                       "c": pd.Categorical(["'@x", "ok", "ok", "ok", "ok", "ok", "ok", "ok"])})
    out = csv_text_from_guarded(df)
    _same(out["t"], ["- svar", "-", "'=x", "'plain", "'-3", "'", None, "ok"])
    assert out["c"].tolist()[0] == "@x"
    assert df["t"][0] == "'- svar"  # the caller's frame is untouched
    plain = pd.DataFrame({"t": ["ok", "'plain"], "n": [-3, 4]})
    assert csv_text_from_guarded(plain) is plain


def test_a_guarded_csv_from_another_tool_reads_as_the_answers(tmp_path):
    """A spreadsheet never saves a typed «'» into a CSV: «'- …» in a file is a writer's guard, not an answer."""
    p = tmp_path / "eksport.csv"
    p.write_text("id;kommentar;tall\n1;'- Heimetenesta gjer ein fantastisk jobb;'-3\n2;'-;'5\n", encoding="utf-8")
    df = read_table(p, text_cols=["kommentar"])
    assert df["kommentar"].tolist() == ["- Heimetenesta gjer ein fantastisk jobb", "-"]
    assert df["tall"].tolist() == ["'-3", "'5"]  # a number behind «'» was never guarded: kept as written
