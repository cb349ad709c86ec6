"""Wave uploads of real survey-tool exports: Excel's «Unicode text» (UTF-16 with a BOM) read as the CLI reads it,
UTF-16 without a BOM named, a file without its header row named without quoting the row, and no hint to pass an
option the upload lacks."""

from __future__ import annotations

import re

from conftest import create_survey, sample_frame, to_csv_bytes, upload

PII = "Hilsen Kari Nordmann, tlf 98765432, fnr 15038512345"


def _headerless(n: int = 5) -> bytes:
    frame = sample_frame(n).copy()
    frame.loc[0, "fritekst_generell"] = PII
    return to_csv_bytes(frame).split(b"\n", 1)[1]


def test_utf16_with_bom_tab_text_is_read(client, keys):
    sid = create_survey(client, keys["analyst"])
    data = sample_frame(5).to_csv(index=False, sep="\t").encode("utf-16")  # BOM + UTF-16-LE, as Excel saves it
    r = upload(client, keys["analyst"], sid, data, "unicode.txt", "2022")
    assert r.status_code == 201, r.text


def test_utf16_without_bom_is_named(client, keys):
    sid = create_survey(client, keys["analyst"])
    data = sample_frame(5).to_csv(index=False).encode("utf-16-le")
    r = upload(client, keys["analyst"], sid, data, "u.csv", "2022")
    assert r.status_code == 422 and r.json()["error"]["code"] == "wrong_encoding"
    assert "looks like UTF-16" in r.json()["error"]["message"] and "\\u0000" not in r.text


def test_headerless_file_is_named_without_quoting_the_row(client, keys):
    sid = create_survey(client, keys["analyst"])
    r = upload(client, keys["analyst"], sid, _headerless(), "svar.csv", "2022")
    assert r.status_code == 422, r.text
    assert "is the header missing?" in r.json()["error"]["message"]
    assert not re.search(r"\d{6,}", r.text) and "Nordmann" not in r.text and "AG20" not in r.text


def test_title_row_hint_names_what_the_upload_can_do(client, keys):
    sid = create_survey(client, keys["analyst"])
    data = b"Eksport fra Questback\n" + to_csv_bytes(sample_frame(5))
    r = upload(client, keys["analyst"], sid, data, "t.csv", "2022")
    assert r.status_code == 422, r.text
    msg = r.json()["error"]["message"]
    assert "header_row" not in msg and "delete the rows above them" in msg
