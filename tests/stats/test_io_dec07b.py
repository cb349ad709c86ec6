"""CSV reading and writing (dec 7): a text cell holding a bare carriage return (old Mac/Excel exports) survives
``write_table`` → ``read_table`` exactly, a CSV with CR line endings and CRs inside quoted cells is read right, and
undoing the formula guard on reading checks only the cells that start with «'»."""

import numpy as np
import pandas as pd
import pytest

import textmine.io as tio
from textmine.io import TableReadError, csv_text_from_guarded, csv_text_not_formulas, read_table, write_table

CR_TEXTS = ["linje en\rlinje to", "tre\r\rfire", "blandet\r\nslutt\rher", "ingen linjeskift"]


def _frame(texts):
    return pd.DataFrame({"respondent_id": [f"r{i}" for i in range(len(texts))], "svar": texts,
                         "q": np.arange(1, len(texts) + 1)})


def test_text_with_a_bare_carriage_return_round_trips_exactly(tmp_path):
    p = write_table(_frame(CR_TEXTS), tmp_path / "cr.csv")
    back = read_table(p)
    assert len(back) == len(CR_TEXTS)
    assert back["svar"].tolist() == CR_TEXTS
    assert back["q"].tolist() == [1, 2, 3, 4]


def test_carriage_returns_at_the_edges_round_trip_in_a_text_column(tmp_path):
    texts = ["\rstart", "slutt\r", "\r=1+2", "midt\ri"]  # «\r=1+2» is guarded as a formula too
    p = write_table(_frame(texts), tmp_path / "edge.csv")
    back = read_table(p, text_cols=["svar"])
    assert back["svar"].tolist() == texts


def test_carriage_return_in_a_column_name_round_trips(tmp_path):
    df = pd.DataFrame({"id": [1, 2], "Hva synes du\rom NAV": ["a", "b"]})
    back = read_table(write_table(df, tmp_path / "name.csv"))
    assert list(back.columns) == ["id", "Hva synes du\rom NAV"]
    assert back["Hva synes du\rom NAV"].tolist() == ["a", "b"]


def test_a_frame_without_carriage_returns_is_written_with_lf_as_before(tmp_path):
    p = write_table(_frame(["a\nb", "c"]), tmp_path / "lf.csv")
    raw = p.read_bytes()
    assert b"\r" not in raw and raw.count(b"\n") == 4  # header, two rows, and the quoted «a\nb»


def test_excel_csv_with_cr_line_endings_and_crs_inside_quoted_cells(tmp_path):
    p = tmp_path / "mac.csv"
    p.write_bytes("respondent_id;svar;vekt\r"
                  "r1;\"linje en\rlinje to; med semikolon\";0,91\r"
                  "r2;enkel;1,2\r"
                  "r3;\"tre\r\rfire\";0,5\r".encode("utf-8-sig"))
    df = read_table(p)
    assert list(df.columns) == ["respondent_id", "svar", "vekt"]
    assert df["svar"].tolist() == ["linje en\rlinje to; med semikolon", "enkel", "tre\r\rfire"]
    assert df["vekt"].tolist() == pytest.approx([0.91, 1.2, 0.5])
    assert df.attrs["delimiter"] == ";" and df.attrs["decimal"] == ","


def test_encoding_error_in_a_cr_file_names_the_row_and_column(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_bytes(b"id;svar\r1;hei\r2;bl\xe5 \xc3\xb8\r")  # cp1252 «å» among UTF-8 «ø» on the third line
    with pytest.raises(TableReadError) as e:
        read_table(p)
    assert e.value.row == 3 and e.value.column == "svar"


def _count_guard_checks(monkeypatch):
    seen = []
    real = tio._guard_on

    def counting(v):
        seen.append(v)
        return real(v)

    monkeypatch.setattr(tio, "_guard_on", counting)
    return seen


def test_reading_checks_only_cells_that_start_with_a_quote_mark(tmp_path, monkeypatch):
    texts = ["'- punkt", "NAV's svar", "'vanlig", "- ikke vakt", "''=x"] * 40
    p = write_table(_frame(texts), tmp_path / "g.csv")
    seen = _count_guard_checks(monkeypatch)
    back = read_table(p)
    assert back["svar"].tolist() == texts
    # the writer guarded «- ikke vakt» («'- ikke vakt») and «'- punkt» / «''=x» («''- punkt», «'''=x»): only cells
    # starting with «'» reach the per-cell check
    assert seen and all(isinstance(v, str) and v.startswith("'") for v in seen)
    assert len(seen) == 4 * 40


def test_reading_a_csv_where_no_field_starts_with_a_quote_mark_skips_the_check(tmp_path, monkeypatch):
    texts = ["NAV's svar", "det var 'greit'", "a, 'b'", "pluss"] * 50
    p = write_table(_frame(texts), tmp_path / "n.csv")
    seen = _count_guard_checks(monkeypatch)
    calls = []
    monkeypatch.setattr(tio, "csv_text_from_guarded", lambda df: calls.append(1) or df)
    back = read_table(p)
    assert back["svar"].tolist() == texts
    assert calls == [] and seen == []


def test_a_quote_mark_after_a_delimiter_inside_a_quoted_answer_is_kept(tmp_path):
    p = tmp_path / "q.csv"
    p.write_text('id,svar\n1,"hei,\'- punkt"\n2,"\'- punkt"\n3,\'=SUM(A1)\n', encoding="utf-8")
    back = read_table(p)
    assert back["svar"].tolist() == ["hei,'- punkt", "- punkt", "=SUM(A1)"]


@pytest.mark.parametrize("col", [
    pd.Series(["'=x", "=y", 3, None, "'-", "plain"], dtype=object),  # numbers among the strings: cell by cell
    pd.Series(["'=x", "=y", "'plain", "-3", "'-", "@a"], dtype="category"),
    pd.Series(["'=x", "=y", None, "'-3", "'-", "\tz"], dtype="string"),
])
def test_guard_and_unguard_are_inverse_for_every_kind_of_text_column(col):
    df = pd.DataFrame({"c": col, "n": np.arange(len(col))})
    guarded = csv_text_not_formulas(df)
    vals = guarded["c"].astype(object).tolist()
    for before, after in zip(col.astype(object).tolist(), vals):
        if isinstance(before, str) and tio._guarded(before):
            assert after == "'" + before
        else:
            assert after is before or after == before or (pd.isna(after) and pd.isna(before))
    back = csv_text_from_guarded(guarded)
    assert [v if isinstance(v, str) else None for v in back["c"].astype(object)] == \
           [v if isinstance(v, str) else None for v in col.astype(object)]
