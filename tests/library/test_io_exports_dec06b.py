"""Reading real survey-tool exports: a headerless file's column names never quoted raw in errors, Excel dates and
formula cells, decimal-comma numbers stored as text, a trailing delimiter, UTF-16 text."""

import datetime as dt
import re
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.classify.table import code_dataframe, redact_columns
from textmine.cli import app
from textmine.io import TableReadError, column_names_text, read_table

CODEBOOK = Path(__file__).resolve().parents[2] / "data" / "codebooks" / "arbeidsgiver.yaml"

PII_ROW = ["AG2023-00002", "2023", "Privat", "0.9124",
           "Saksbehandler Per Olsen ringte aldri tilbake, Hilsen Kari Nordmann, tlf 98765432, fnr 15038512345"]


def _no_pii(message: str) -> None:
    assert not re.search(r"\d{6,}", message), message
    for word in ("Olsen", "Nordmann", "Kari", "98765432", "15038512345"):
        assert word not in message, message


def test_column_names_text_redacts_shortens_and_says_header_missing():
    text = column_names_text(PII_ROW)
    _no_pii(text)
    assert "Saksbehandler" in text and "…" in text  # first words of the long one kept, the rest cut
    assert "the first row looks like data, not column names: is the header missing?" in text


def test_column_names_text_plain_header_has_no_hint():
    text = column_names_text(["respondent_id", "wave", "fritekst_generell"])
    assert text == "respondent_id, wave, fritekst_generell"


def test_cli_code_headerless_csv_error_has_no_respondent_text(tmp_path):
    src = tmp_path / "svar.csv"
    rows = [PII_ROW, ["AG2023-00012", "2023", "Offentlig", "0.7824", "Lang ventetid"]]
    src.write_text("\n".join(",".join(f'"{v}"' for v in r) for r in rows) + "\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["code", str(src), "--codebook", str(CODEBOOK), "--text-col", "fritekst",
                                  "--out", str(tmp_path / "o.csv")])
    assert res.exit_code != 0
    out = res.output
    assert "no text column 'fritekst'" in out
    _no_pii(out)
    assert "is the header missing?" in out


def test_library_column_errors_are_redacted():
    df = pd.DataFrame([["x"] * len(PII_ROW)], columns=PII_ROW)
    for call in (lambda: redact_columns(df, ["fritekst"]),
                 lambda: code_dataframe(None, df, "fritekst")):
        with pytest.raises(ValueError) as e:
            call()
        _no_pii(str(e.value))
        assert "is the header missing?" in str(e.value)


def _xlsx(path, header, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_excel_dates_are_kept(tmp_path):
    rows = [[1, dt.datetime(2023, 3, 1)], [2, dt.datetime(2023, 3, 2)], [3, None]]
    df = read_table(_xlsx(tmp_path / "d.xlsx", ["id", "dato"], rows))
    vals = df["dato"].tolist()
    assert df["dato"].notna().sum() == 2
    assert str(vals[0])[:10] == "2023-03-01" and str(vals[1])[:10] == "2023-03-02"


def test_excel_mixed_column_is_not_wiped(tmp_path):
    rows = [[1, 4], [2, dt.datetime(2023, 2, 1)], [3, 5]]  # "1/2" auto-dated by Excel in a number column
    df = read_table(_xlsx(tmp_path / "m.xlsx", ["id", "q"], rows))
    assert df["q"].notna().sum() == 3


def test_excel_formula_without_cached_value_is_named(tmp_path):
    rows = [[1, 0.9], [2, "=1.25*1"], [3, 1.1]]
    with pytest.raises(TableReadError) as e:
        read_table(_xlsx(tmp_path / "f.xlsx", ["id", "vekt"], rows))
    msg = str(e.value)
    assert "formula without a saved value" in msg and "row 3" in msg and "vekt" in msg


def _weighted_survey(*other: str):
    from textmine.survey import SurveyDefinition

    return SurveyDefinition.from_dict({"name": "w", "id": "id", "weight": "vekt", "other_columns": list(other),
                                       "free_text": [{"column": "svar", "label": "Kommentar?"}]})


def test_excel_decimal_comma_text_is_a_number_in_the_weight_column(tmp_path):
    rows = [[1, "0,9124", "a"], [2, "1,25", "b"], [3, "1", "c"], [4, None, "d"]]
    df = read_table(_xlsx(tmp_path / "w.xlsx", ["id", "vekt", "svar"], rows), survey=_weighted_survey(),
                    validate=False)
    assert df["vekt"].tolist()[:3] == [0.9124, 1.25, 1.0]


def test_csv_comma_delimited_quoted_decimal_comma_is_a_number_in_the_weight_column(tmp_path):
    src = tmp_path / "w.csv"
    src.write_text('id,vekt,svar\n1,"0,9124",a\n2,"1,25",b\n3,1,c\n', encoding="utf-8")
    assert read_table(src, survey=_weighted_survey())["vekt"].tolist() == [0.9124, 1.25, 1.0]


def test_a_multi_select_answer_with_commas_stays_text(tmp_path):
    """«1,2» in another column may be codes 1 and 2 (a multi-select export): only the weight is converted."""
    src = tmp_path / "m.csv"
    src.write_text('id,vekt,q1,svar\n1,"0,9",  "1,2",a\n2,"1,1","3",b\n3,1,"1,3",c\n'.replace("  ", ""),
                   encoding="utf-8")
    df = read_table(src, survey=_weighted_survey("q1"))
    assert df["q1"].astype(str).tolist() == ["1,2", "3", "1,3"]
    assert df["vekt"].tolist() == [0.9, 1.1, 1.0]


def test_csv_thousands_like_value_stays_text(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text('id,n\n1,"1,234"\n2,"1,5"\n3,x\n', encoding="utf-8")
    df = read_table(src)
    assert df["n"].tolist() == ["1,234", "1,5", "x"]


def test_csv_trailing_delimiter_on_every_line(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("id;q;svar;\n1;4;bra;\n2;5;greit;\n", encoding="utf-8")
    df = read_table(src)
    assert list(df.columns) == ["id", "q", "svar"]
    assert df["q"].tolist() == [4, 5]


def test_csv_extra_empty_field_without_a_trailing_header_delimiter_is_refused(tmp_path):
    """Only a header ending in a delimiter makes a data row's extra empty field a trailing delimiter: without it,
    «I like it, a lot,» would put «a lot» in the next column, so the row is refused, named."""
    src = tmp_path / "t.csv"
    src.write_text("id,text,note\n1,fine,\n2,I like it, a lot,\n", encoding="utf-8")
    with pytest.raises(TableReadError, match="row 3"):
        read_table(src)


def test_csv_trailing_delimiter_on_a_two_column_header(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("id;svar;\n1;bra;\n2;greit;\n", encoding="utf-8")
    df = read_table(src)
    assert list(df.columns) == ["id", "svar"] and df["svar"].tolist() == ["bra", "greit"]


def test_csv_unnamed_column_with_values_still_refused(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("id;q;\n1;4;x\n", encoding="utf-8")
    with pytest.raises(TableReadError, match=r"empty column name in header \(position 3\), but row 2 holds a value"):
        read_table(src)


def test_utf16_without_bom_is_named(tmp_path):
    src = tmp_path / "u.txt"
    src.write_bytes("id\tsvar\n1\tbra\n".encode("utf-16-le"))
    with pytest.raises(TableReadError) as e:
        read_table(src)
    assert "looks like UTF-16" in str(e.value) and "\\x00" not in str(e.value)


def test_second_header_row_is_named(tmp_path):
    src = tmp_path / "n.csv"
    src.write_text("id;q1;q2\nRespondent;Hvor fornøyd er du med NAV?;Hva kan bli bedre?\n1;4;bra\n2;5;greit\n",
                   encoding="utf-8")
    with pytest.warns(UserWarning, match="row 2 looks like a second header row"):
        read_table(src)


def test_unbalanced_quote_names_the_row_it_opened_on(tmp_path):
    src = tmp_path / "q.csv"
    src.write_text('id;svar\n1;bra\n2;"uavsluttet sitat\n3;greit\n4;"ny; linje"\n5;ok\n', encoding="utf-8")
    with pytest.raises(TableReadError) as e:
        read_table(src)
    assert e.value.row == 3 and "opened on row 3" in str(e.value)


def test_merged_cells_in_data_are_warned_about(tmp_path):
    path = _xlsx(tmp_path / "m.xlsx", ["id", "sektor", "q"], [[1, "Privat", 4], [2, None, 5], [3, "Offentlig", 6]])
    wb = openpyxl.load_workbook(path)
    wb.active.merge_cells("B2:B3")
    wb.save(path)
    with pytest.warns(UserWarning, match=r"merged cells in the data \(B2:B3\)"):
        read_table(path)


def test_plain_file_gives_no_read_warning(tmp_path):
    import warnings

    src = tmp_path / "p.csv"
    src.write_text("id;q1;q2\n1;4;bra\n2;5;greit\n3;2;nei\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_table(src)


def test_cli_says_second_header_row_as_an_option(tmp_path):
    src = tmp_path / "n.csv"
    src.write_text("Respondent;Hvor fornøyd?;Hvor enig?;Kommentar\nid;q1;q2;fritekst\n1;4;5;bra\n2;5;3;greit\n",
                   encoding="utf-8")
    res = CliRunner().invoke(app, ["code", str(src), "--codebook", str(CODEBOOK), "--text-col", "fritekst",
                                   "--out", str(tmp_path / "o.csv")])
    assert res.exit_code != 0
    assert "row 2 looks like a second header row" in res.output and "pass --header-row 2" in res.output


def test_excel_dates_reach_a_json_output_as_iso_text(tmp_path):
    """An Excel date column kept as dates is written to JSON as ISO dates, not epoch milliseconds."""
    import datetime
    import json

    import openpyxl

    from textmine.io import read_table, write_table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "dato"])
    ws.append(["R1", datetime.datetime(2023, 2, 1)])
    wb.save(tmp_path / "d.xlsx")
    out = write_table(read_table(tmp_path / "d.xlsx"), tmp_path / "d.json")
    assert json.loads(out.read_text(encoding="utf-8"))[0]["dato"].startswith("2023-02-01")


def _with_saved_empty_formula_values(path):
    """The workbook with every formula's value saved as empty text (``<v></v>``), as Excel saves a formula that
    returns ""."""
    import zipfile

    files = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            data = z.read(name)
            if name.startswith("xl/worksheets/"):
                data = re.sub(rb'<c (r="[A-Z]+[0-9]+")><f>', rb'<c \1 t="str"><f>', data)
                data = data.replace(b"</f><v /></c>", b"</f><v></v></c>")
            files[name] = data
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


def test_excel_formula_returning_empty_text_is_read_as_blank(tmp_path):
    """A formula whose saved value is "" (``=IF(A2=1,"",A2)``) is a saved value: read as blank, not refused."""
    path = _with_saved_empty_formula_values(_xlsx(tmp_path / "e.xlsx", ["id", "q"],
                                                  [[1, '=IF(A2=1,"",A2)'], [2, 4], [3, 6]]))
    df = read_table(path)
    assert df["q"].isna().tolist() == [True, False, False]


def test_excel_merged_cells_only_in_the_title_do_not_warn(tmp_path):
    path = tmp_path / "m.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Tittel", None])
    ws.merge_cells("A1:B1")
    ws.append(["id", "svar"])
    ws.append([1, "bra"])
    wb.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_table(path, header_row=2)["svar"].tolist() == ["bra"]
