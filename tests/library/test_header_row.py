"""``header_row``: agency Excel/CSV exports with a title (and blank) rows above the column names; row numbers in
errors stay the file's, and the CLI's ``--header-row`` and its hint."""

import re

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.cli import app
from textmine.io import TableReadError, read_table
from textmine.survey import SurveyDefinition

TITLE = "Arbeidsgiverundersøkelsen 2024 – eksport 05.12.2024"
HEADER = ["id", "score", "fritekst"]
ROWS = [[1, 4, "Bra oppfølging"], [2, 5, "Lang ventetid på telefon"], [3, 9, "Greit nok"]]  # 9: off the scale


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _xlsx(path, title: bool = True):
    """Merged title A1:C1, blank row 2, header on row 3 (data from row 4); without ``title``, header on row 1."""
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws["A1"] = TITLE
        ws.merge_cells("A1:C1")
        for j, h in enumerate(HEADER, start=1):
            ws.cell(3, j, h)
    else:
        ws.append(HEADER)
    for r in ROWS:
        ws.append(r)
    wb.save(path)
    return path


def _csv(path, title: bool = True):
    lines = ([f"{TITLE};;", ""] if title else []) + [";".join(HEADER)] + [";".join(map(str, r)) for r in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _survey():
    return SurveyDefinition.from_dict({"name": "t", "id": "id", "free_text": [{"column": "fritekst"}],
                                       "indicators": [{"column": "score", "scale": [1, 2, 3, 4, 5]}]})


@pytest.mark.parametrize("make", [_xlsx, _csv], ids=["xlsx", "csv"])
def test_header_row_skips_the_title_rows(tmp_path, make):
    src = make(tmp_path / f"a.{'xlsx' if make is _xlsx else 'csv'}")
    df = read_table(src, header_row=3, text_cols=["fritekst"])
    assert list(df.columns) == HEADER
    assert df["id"].tolist() == [1, 2, 3] and df["score"].tolist() == [4, 5, 9]
    assert df["fritekst"].tolist() == [r[2] for r in ROWS]
    assert df.attrs["first_data_row"] == 4


@pytest.mark.parametrize("make", [_xlsx, _csv], ids=["xlsx", "csv"])
def test_errors_name_the_files_own_row(tmp_path, make):
    src = make(tmp_path / f"a.{'xlsx' if make is _xlsx else 'csv'}")
    with pytest.raises(TableReadError) as exc:  # the 9 is on file row 6 (title, blank, header, 3 data rows)
        read_table(src, header_row=3, survey=_survey())
    assert re.search(r"\brow 6\b", str(exc.value)), str(exc.value)


@pytest.mark.parametrize("make", [_xlsx, _csv], ids=["xlsx", "csv"])
def test_title_row_read_as_header_hints_at_header_row(tmp_path, make):
    src = make(tmp_path / f"a.{'xlsx' if make is _xlsx else 'csv'}")
    with pytest.raises(TableReadError) as exc:
        read_table(src)
    msg = str(exc.value)
    assert "row 1: empty column name in header (position 2)" in msg
    assert "if the column names are on a later row (a title above them), pass header_row=N" in msg
    assert "--header-row" not in msg  # the library names no CLI option


def test_csv_title_of_one_cell_hints_at_header_row(tmp_path):
    src = tmp_path / "a.csv"
    src.write_text(f"{TITLE}\nid,score,fritekst\n1,4,Bra\n", encoding="utf-8")
    with pytest.raises(TableReadError) as exc:
        read_table(src)
    assert "row 2" in str(exc.value) and "pass header_row=N" in str(exc.value)
    assert read_table(src, header_row=2)["fritekst"].tolist() == ["Bra"]


@pytest.mark.parametrize("bad", [0, -1, 1.5, "3", True])
def test_bad_header_row_refused(tmp_path, bad):
    with pytest.raises(TableReadError, match=r"header_row must be a file row number \(1 or more\), got"):
        read_table(_csv(tmp_path / "a.csv"), header_row=bad)


@pytest.mark.parametrize("make", [_xlsx, _csv], ids=["xlsx", "csv"])
def test_header_row_beyond_the_file_refused(tmp_path, make):
    src = make(tmp_path / f"a.{'xlsx' if make is _xlsx else 'csv'}")
    with pytest.raises(TableReadError, match=r"header_row 40 is beyond the (end of the file|last row of sheet "
                                             r"'Sheet') \(it has 6 row\(s\)\)"):
        read_table(src, header_row=40)


def test_empty_header_row_in_excel_refused(tmp_path):
    with pytest.raises(TableReadError, match=r"row 2: row 2 of sheet 'Sheet' is empty; expected the column names"):
        read_table(_xlsx(tmp_path / "a.xlsx"), header_row=2)


@pytest.mark.parametrize("suffix", [".sav", ".parquet", ".json"])
def test_header_row_refused_for_formats_without_one(tmp_path, suffix):
    src = tmp_path / f"a{suffix}"
    df = pd.DataFrame({"id": [1, 2], "fritekst": ["a", "b"]})
    if suffix == ".sav":
        import pyreadstat

        pyreadstat.write_sav(df, str(src))
    elif suffix == ".parquet":
        df.to_parquet(src)
    else:
        df.to_json(src, orient="records")
    with pytest.raises(TableReadError, match=rf"header_row applies to Excel and CSV files; a \{suffix} file has no "
                                             r"header row to choose \(got header_row=2\)"):
        read_table(src, header_row=2)
    assert read_table(src, header_row=1)["fritekst"].tolist() == ["a", "b"]


def _clean(*args):
    return CliRunner().invoke(app, ["clean", *map(str, args)])


@pytest.mark.parametrize("make", [_xlsx, _csv], ids=["xlsx", "csv"])
def test_cli_clean_header_row_equals_the_file_without_title(tmp_path, make):
    ext = "xlsx" if make is _xlsx else "csv"
    titled, plain = make(tmp_path / f"titled.{ext}"), make(tmp_path / f"plain.{ext}", title=False)
    res = _clean(titled, "--text-col", "fritekst", "--out", tmp_path / "t.csv", "--header-row", 3, "--no-language")
    assert res.exit_code == 0, res.output
    res = _clean(plain, "--text-col", "fritekst", "--out", tmp_path / "p.csv", "--no-language")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "t.csv").read_bytes() == (tmp_path / "p.csv").read_bytes()
    assert pd.read_csv(tmp_path / "t.csv")["id"].tolist() == [1, 2, 3]


@pytest.mark.parametrize("make", [_xlsx, _csv], ids=["xlsx", "csv"])
def test_cli_hint_names_the_option(tmp_path, make):
    src = make(tmp_path / f"a.{'xlsx' if make is _xlsx else 'csv'}")
    res = _clean(src, "--text-col", "fritekst", "--out", tmp_path / "o.csv")
    assert res.exit_code == 2
    msg = _flat(res.output).replace(str(tmp_path), "")
    assert "row 1: empty column name in header (position 2); if the column names are on a later row (a title " \
           "above them), give --header-row N" in msg
    assert "header_row" not in msg


def test_cli_hint_when_the_title_is_the_only_column(tmp_path):
    src = tmp_path / "a.csv"  # ";"-separated data under a one-cell title: read as one column named by the title
    src.write_text(f"{TITLE}\nid;fritekst\n1;Bra\n", encoding="utf-8")
    res = _clean(src, "--text-col", "fritekst", "--out", tmp_path / "o.csv")
    assert res.exit_code == 2
    msg = _flat(res.output)
    assert "no column(s) 'fritekst' (--text-col)" in msg and "give --header-row N" in msg
    res = _clean(src, "--text-col", "fritekst", "--out", tmp_path / "o.csv", "--header-row", 2, "--no-language")
    assert res.exit_code == 0, res.output


def test_cli_bad_header_row_and_sav_refused(tmp_path):
    res = _clean(_csv(tmp_path / "a.csv"), "--text-col", "fritekst", "--out", tmp_path / "o.csv", "--header-row", 0)
    assert res.exit_code == 2 and "--header-row must be a file row number (1 or more), got 0" in _flat(res.output)
    import pyreadstat

    sav = tmp_path / "a.sav"
    pyreadstat.write_sav(pd.DataFrame({"id": [1], "fritekst": ["a"]}), str(sav))
    res = _clean(sav, "--text-col", "fritekst", "--out", tmp_path / "o.csv", "--header-row", 2)
    assert res.exit_code == 2
    msg = _flat(res.output).replace(str(tmp_path), "")  # (the test folder's name holds "header_row")
    assert "a .sav file has no header row to choose (got --header-row 2) — drop --header-row" in msg
    assert "header_row" not in msg


@pytest.mark.parametrize("command", ["code", "review", "discover"])
def test_other_commands_take_header_row(command):
    res = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0
    assert "--header-row" in res.output and "the file row holding the column names" in _flat(res.output)


