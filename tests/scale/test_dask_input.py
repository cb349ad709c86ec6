"""The Dask engine reads CSV like ``read_table`` (delimiter, encoding), names the file in errors and
leaves no empty output folder behind when a run fails."""

import pandas as pd
import pytest

import textmine.distributed as distributed
from textmine.distributed import ROW_COL, _input_columns, code_with_dask, iter_input_partitions
from textmine.io import TableReadError, read_table


def test_semicolon_cp1252_csv_is_read_like_the_local_engine(tmp_path):
    p = tmp_path / "in.csv"
    p.write_bytes("id;kommentar;likert\n1;Køen er lang; 4\n2;Maten, den er dyr;\n3;Tromsø;5\n".encode("cp1252"))
    assert _input_columns(p) == ["id", "kommentar", "likert"]
    parts = list(iter_input_partitions(p, 2))
    assert [len(x) for x in parts] == [2, 1]
    whole = pd.concat(parts, ignore_index=True)
    assert whole[ROW_COL].tolist() == [0, 1, 2]
    assert whole["kommentar"].tolist() == read_table(p)["kommentar"].tolist() == ["Køen er lang", "Maten, den er dyr",
                                                                                  "Tromsø"]


@pytest.mark.parametrize("size", [1, 2, 3, 10])
def test_blank_lines_are_read_like_the_local_engine(tmp_path, size):
    """A blank line between data rows is a row (output row i = input row i), trailing blank lines are not."""
    p = tmp_path / "in.csv"
    p.write_text("id,kommentar\n1,Køen er lang\n\n3,Tromsø\n,\n\n5,ok\n\n,\n\n", encoding="utf-8")
    whole = pd.concat(list(iter_input_partitions(p, size)), ignore_index=True)
    local = read_table(p)
    assert len(whole) == len(local) == 6
    assert whole[ROW_COL].tolist() == list(range(6))
    assert whole["kommentar"].tolist() == local["kommentar"].fillna("").tolist() == [
        "Køen er lang", "", "Tromsø", "", "", "ok"]
    assert whole["id"].tolist() == ["1", "", "3", "", "", "5"]


def test_unreadable_csv_errors_name_the_file(tmp_path):
    p = tmp_path / "mixed.csv"
    p.write_bytes("id,kommentar\n1,Køen\n".encode("utf-8") + "2,Tromsø\n".encode("cp1252"))
    with pytest.raises(TableReadError, match="mixed.csv.*row 3"):
        _input_columns(p)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("id,kommentar\n" + "1,ok\n" * 5 + "2,a,b,c\n", encoding="utf-8")
    with pytest.raises(TableReadError, match="ragged.csv"):
        list(iter_input_partitions(ragged, 2))


def test_failed_run_leaves_no_output_folder(tmp_path, monkeypatch):
    p = tmp_path / "in.csv"
    p.write_text("id,kommentar\n1,Køen er lang\n", encoding="utf-8")
    monkeypatch.setattr(distributed, "load_coder_for", lambda *a: None)

    def fail(input_path, out_dir, *a, **k):
        (out_dir / "part-00000.parquet").write_bytes(b"partial")
        raise TableReadError("broken row", file=input_path)

    monkeypatch.setattr(distributed, "_run_dask", fail)
    out = tmp_path / "new" / "out"
    with pytest.raises(TableReadError, match="in.csv"):
        code_with_dask(p, out, "cb.yaml", None, "kommentar")
    assert not out.exists() and not (tmp_path / "new").exists()
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "keep.txt").write_text("x")
    with pytest.raises(TableReadError):
        code_with_dask(p, existing, "cb.yaml", None, "kommentar")
    assert sorted(x.name for x in existing.iterdir()) == ["keep.txt"]
