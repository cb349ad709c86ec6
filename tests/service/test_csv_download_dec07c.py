"""textmine.io.csv_bytes gives a CSV for Excel as the CLI writes its CSVs (dec07c): UTF-8 with a byte-order
mark, text Excel would run as a formula guarded with «'», a «\\r» in a text kept in its cell; the service's own
upload reader (read_table_bytes) reads it back exactly. Was: plain ``to_csv``, no mark, «=…» live, a «\\r» text
split into two rows. (The service's own wrapper, ``library.to_csv_bytes``, had no caller and is gone, dec08a.)"""

from __future__ import annotations

import csv
import io

import pandas as pd

from service import library
from textmine.io import csv_bytes

TEXTS = ["Ønsker å få svar", "=HYPERLINK(\"http://x\")", "linje en\rlinje to", "ring; skriv", "@SUM(A1)", "'=x"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"kommentar": TEXTS, "sektor": ["Privat", "Offentlig"] * 3,
                         "andel": [0.5, 0.25, 1.0, 0.0, 0.125, 0.75]})


def test_the_bytes_carry_the_mark_and_guard_formulas():
    data = csv_bytes(_frame())
    assert data.startswith(b"\xef\xbb\xbfkommentar,sektor,andel\r\n")  # CRLF: a text holds a carriage return
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == len(TEXTS)
    assert [r["kommentar"][:2] for r in rows[1:2] + rows[4:6]] == ["'=", "'@", "''"]
    assert rows[2]["kommentar"] == "linje en\rlinje to"


def test_the_upload_reader_reads_the_download_back_exactly():
    frame = _frame()
    got = library.read_table_bytes(csv_bytes(frame), "eksport.csv")
    assert list(got.columns) == list(frame.columns)
    assert got["kommentar"].tolist() == TEXTS
    assert got["sektor"].tolist() == frame["sektor"].tolist()
    assert got["andel"].tolist() == frame["andel"].tolist()


def test_a_frame_without_cr_gets_lf_line_ends_and_is_left_as_it_was():
    frame = pd.DataFrame({"tekst": ["=1+1", "æøå"]})
    data = csv_bytes(frame)
    assert data == "\ufefftekst\n'=1+1\næøå\n".encode("utf-8")
    assert frame["tekst"].tolist() == ["=1+1", "æøå"]
