"""``--engine dask`` reads a CSV whose every line ends with a delimiter (Excel's `;` at the end) as ``read_table``
does: the empty unnamed last column is dropped, not refused."""

import pandas as pd

from textmine.distributed import ROW_COL, _input_columns, iter_input_partitions
from textmine.io import read_table


def test_trailing_delimiter_is_read_like_the_local_engine(tmp_path):
    p = tmp_path / "in.csv"
    p.write_text("id;kommentar;likert;\n1;Køen er lang;4;\n2;Maten er dyr;;\n3;Tromsø;5;\n", encoding="utf-8")
    local = read_table(p)
    assert list(local.columns) == ["id", "kommentar", "likert"]
    assert _input_columns(p) == ["id", "kommentar", "likert"]
    whole = pd.concat(list(iter_input_partitions(p, 2)), ignore_index=True)
    assert whole[ROW_COL].tolist() == [0, 1, 2]
    assert whole["kommentar"].tolist() == local["kommentar"].tolist() == ["Køen er lang", "Maten er dyr", "Tromsø"]
    assert [c for c in whole.columns if c != ROW_COL] == ["id", "kommentar", "likert"]
