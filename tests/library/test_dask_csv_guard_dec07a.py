"""The Dask engine's CSV blocks take off the CSV formula guard's «'» as read_table does (same answers)."""

import pandas as pd

from textmine.distributed import _csv_frames
from textmine.io import read_table, write_table


def test_dask_csv_blocks_read_the_text_read_table_reads(tmp_path):
    df = pd.DataFrame({"id": ["1", "2", "3", "4"], "tekst": ["- punkt om NAV", "-", "'plain", "=1+1"]})
    path = tmp_path / "coded.csv"
    write_table(df, path)
    assert "'- punkt" in path.read_text(encoding="utf-8")  # the writer guarded it
    fmt = {"encoding": "utf-8", "delimiter": ","}
    blocks = list(_csv_frames(path, fmt, rows=3, header_only=False))
    got = pd.concat(blocks, ignore_index=True)["tekst"].tolist()
    assert got == df["tekst"].tolist() == read_table(path)["tekst"].tolist()
