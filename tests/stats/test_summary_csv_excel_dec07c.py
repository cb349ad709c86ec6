"""Summary.write's CSVs are for Excel (dec07c): UTF-8 with a byte-order mark (Norwegian Excel reads UTF-8 without one
as Windows-1252: «Ønsker å få» became «Ã˜nsker Ã¥ fÃ¥»), written by textmine.io.write_table (formula guard, the CR
line-end rule, each file replaced whole); read_table and pandas read them back unchanged, column names without
the mark."""

from __future__ import annotations

import csv

import pandas as pd

from textmine.io import read_csv_text, read_table
from textmine.summary import Summary, build_summary

BOM = b"\xef\xbb\xbf"
TEXTS = ["Ønsker å få svar raskere", "=HYPERLINK(\"http://x\")", "linje en\rlinje to", "a; b; c", "'=x", "+47 22 33 44 55"]


def _hand_made() -> Summary:
    themes = pd.DataFrame({"wave": [2023] * len(TEXTS), "segment": ["Næring"] * len(TEXTS), "value": TEXTS,
                           "share": [0.25, 0.5, 0.125, 1.0, 0.0, 0.75]})
    return Summary(survey="tiny", waves=[2023], tables={"themes": themes})


def test_every_csv_starts_with_the_byte_order_mark_and_nothing_else_is_left(tmp_path):
    written = _hand_made().write(tmp_path, formats=("csv",), raw=True)
    assert sorted(p.name for p in written) == ["summary_tidy.csv", "themes.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary_tidy.csv", "themes.csv"]  # no temporary files
    for p in written:
        data = p.read_bytes()
        assert data.startswith(BOM + b"wave,") or data.startswith(BOM + b"table,"), p.name
        assert data.count(BOM) == 1
        assert "Ønsker å få".encode("utf-8") in data


def test_text_cells_read_back_exactly_with_read_table_pandas_and_the_csv_module(tmp_path):
    _hand_made().write(tmp_path, formats=("csv",), raw=True)
    p = tmp_path / "themes.csv"
    assert read_table(p)["value"].tolist() == TEXTS
    assert list(read_table(p).columns) == ["wave", "segment", "value", "share"]
    assert read_csv_text(p)["value"].tolist() == TEXTS
    got = pd.read_csv(p)  # pandas takes the mark off: the first column is «wave», not «\ufeffwave»
    assert list(got.columns) == ["wave", "segment", "value", "share"]
    assert got["share"].tolist() == [0.25, 0.5, 0.125, 1.0, 0.0, 0.75]
    with open(p, encoding="utf-8-sig", newline="") as fh:  # one record per row: «\r» stays in its cell
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(TEXTS)
    assert rows[1]["value"] == "'=HYPERLINK(\"http://x\")"  # guarded in the file, so Excel shows text
    tidy = read_table(tmp_path / "summary_tidy.csv")
    assert tidy["value"].tolist() == TEXTS and set(tidy["table"]) == {"themes"}


def test_a_built_summary_keeps_its_norwegian_names(tmp_path, make_tiny_definition):
    from .test_summary import tiny_frames

    df, coded = tiny_frames()
    df["fylke"] = ["Trøndelag", "Østfold"] * 6
    definition = make_tiny_definition(segments=[
        {"column": "sektor", "levels": {"P": "Privat virksomhet", "O": "Offentlig virksomhet"}},
        {"column": "fylke", "levels": ["Trøndelag", "Østfold"]}])
    s = build_summary({2023: df}, definition, {2023: coded}, embedder="fallback")
    s.write(tmp_path, formats=("csv",))
    for name in ("indicators", "themes"):
        p = tmp_path / f"{name}.csv"
        assert p.read_bytes().startswith(BOM)
        expected = pd.DataFrame(s.to_dict()["tables"][name])
        got = read_table(p)
        assert list(got.columns) == list(expected.columns)
        assert got["value"].fillna("").astype(str).tolist() == expected["value"].fillna("").astype(str).tolist()
        assert {"Trøndelag", "Østfold"} <= set(got["value"].dropna())
