"""A table read from a .sav whose date variable has SPSS missing values (dates in ``attrs``) could not be written to
Parquet: pandas stores ``attrs`` as JSON and failed with «Object of type date is not JSON serializable» (also numpy
integers). The metadata is now written as JSON text (dates ISO, durations in seconds); the data is unchanged."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from textmine.io import read_table, write_table

pyreadstat = pytest.importorskip("pyreadstat")


def test_a_sav_with_date_missing_codes_writes_to_parquet(tmp_path):
    df = pd.DataFrame({"id": [1.0, 2.0, 3.0], "dato": [dt.date(2020, 5, 17), dt.date(2021, 1, 1), None],
                       "q1": [1.0, 9.0, 4.0]})
    spss_1582 = dt.datetime(1582, 10, 14)
    may17 = (dt.datetime(2020, 5, 17) - spss_1582).total_seconds()
    pyreadstat.write_sav(df, str(tmp_path / "in.sav"), variable_format={"dato": "DATE11"},
                         missing_ranges={"dato": [may17], "q1": [9.0]})
    table = read_table(tmp_path / "in.sav")
    assert table.attrs["spss_missing"]["dato"] == [dt.date(2020, 5, 17)]  # (what made Parquet fail)
    table.attrs["extra"] = {"n": np.int64(3), "span": pd.Timedelta(hours=25)}
    write_table(table, tmp_path / "out.parquet")
    back = read_table(tmp_path / "out.parquet")
    pd.testing.assert_frame_equal(back[["id", "q1"]], table[["id", "q1"]])
    assert back["dato"].tolist()[:2] == table["dato"].tolist()[:2]
    assert back["dato"].isna().tolist() == [False, False, True]
    assert back.attrs["spss_missing"]["dato"] == ["2020-05-17"] and back.attrs["spss_missing"]["q1"] == [9.0]
    assert back.attrs["extra"] == {"n": 3, "span": 90000.0}
    assert table.attrs["spss_missing"]["dato"] == [dt.date(2020, 5, 17)]  # the caller's table is not changed


def test_numpy_value_label_keys_write_to_parquet(tmp_path):
    """Value labels keyed by numpy integers (codes taken from a column) failed: «keys must be str, int, …, not
    numpy.int64»; they are stored with text keys, as JSON stores every key."""
    df = pd.DataFrame({"q": [1, 2]})
    df.attrs["value_labels"] = {"q": {np.int64(1): "Ja", np.int64(2): "Nei"}}
    write_table(df, tmp_path / "k.parquet")
    back = read_table(tmp_path / "k.parquet")
    assert back["q"].tolist() == [1, 2]
    assert back.attrs["value_labels"] == {"q": {"1": "Ja", "2": "Nei"}}
    assert list(df.attrs["value_labels"]["q"]) == [1, 2]  # (the caller's table is not changed)
