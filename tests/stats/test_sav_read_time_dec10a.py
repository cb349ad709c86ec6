"""Reading .sav date and time variables: a missing range open at one end (LOWEST THRU …, … THRU HIGHEST) on a date
or date-time variable is read (pyreadstat alone cannot convert it), with the same values a normal read gives; TIME
and DTIME values of 24 hours or more are read as durations (pandas Timedelta), not wrapped to a time of day."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest

from textmine.io import TableReadError, read_table, write_table

pyreadstat = pytest.importorskip("pyreadstat")

EPOCH = dt.datetime(1582, 10, 14)


def _secs(d: dt.datetime) -> float:
    return (d - EPOCH).total_seconds()


def _frame() -> pd.DataFrame:
    """Dates, date-times (a fraction of a second, a year before 1582), times and labelled Likert codes."""
    return pd.DataFrame({
        "d": [dt.date(1900, 1, 1), dt.date(2020, 5, 17), None, dt.date(1500, 2, 28)],
        "ts": [dt.datetime(1900, 1, 1, 12), dt.datetime(2020, 5, 17, 8, 30, 15, 500000), None,
               dt.datetime(1650, 1, 1)],
        "t": [dt.time(1, 2, 3), None, dt.time(23, 59, 59), dt.time(0)],
        "q1": [1.0, 5.0, 99.0, np.nan],
    })


def _write(path, lo: float) -> None:
    pyreadstat.write_sav(_frame(), str(path), variable_value_labels={"q1": {1: "Helt uenig", 99: "Vet ikke"}},
                         missing_ranges={"d": [{"lo": lo, "hi": _secs(dt.datetime(1901, 1, 1))}],
                                         "ts": [{"lo": _secs(dt.datetime(2020, 1, 1)), "hi": -lo}],
                                         "q1": [99.0]})


def test_open_date_missing_ranges_read_as_the_closed_ones(tmp_path):
    """LOWEST THRU 1901-01-01 on a date and 2020-01-01 THRU HIGHEST on a date-time: the file reads (before: «not a
    readable SPSS .sav file»), every column and attr as for the same file with finite bounds, the open bounds as
    ∓inf (shown as LOWEST/HIGHEST) and the dates inside them missing codes."""
    _write(tmp_path / "open.sav", -np.inf)
    _write(tmp_path / "closed.sav", _secs(dt.datetime(1000, 1, 1)))  # (HIGHEST: +1000-01-01 → year 2163)
    got, want = read_table(tmp_path / "open.sav"), read_table(tmp_path / "closed.sav")
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.attrs["spss_missing"]["d"] == [{"lo": -np.inf, "hi": dt.date(1901, 1, 1)}]
    assert got.attrs["spss_missing"]["ts"] == [{"lo": dt.datetime(2020, 1, 1), "hi": np.inf}]
    assert got.attrs["missing_codes"] == {"d": [dt.date(1500, 2, 28), dt.date(1900, 1, 1)],
                                          "ts": [pd.Timestamp("2020-05-17 08:30:15.5")], "q1": [99]}
    for key in set(want.attrs) - {"source", "spss_missing"}:
        assert got.attrs[key] == want.attrs[key], key


def test_converted_here_exactly_as_pyreadstat_converts(tmp_path, monkeypatch):
    """The read without pyreadstat's date conversion gives the very frame and attrs of a normal read."""
    path = tmp_path / "a.sav"
    _write(path, _secs(dt.datetime(1000, 1, 1)))
    want = read_table(path)
    real = pyreadstat.read_sav

    def no_conversion(*a, **k):
        if not k.get("disable_datetime_conversion"):
            raise ValueError("cannot convert float NaN to integer")
        return real(*a, **k)

    monkeypatch.setattr(pyreadstat, "read_sav", no_conversion)
    got = read_table(path)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.attrs == want.attrs


@pytest.mark.filterwarnings("ignore:.*read as durations")
@pytest.mark.parametrize("fmt, missing", [("DATE11", {"d": [{"lo": -np.inf, "hi": 0.0}]}), ("TIME8", None)])
def test_unconvertible_value_names_row_and_column_not_value(tmp_path, fmt, missing):
    secs = 1e15  # ~ 30 million years
    first = 3600.0 if fmt.startswith("TIME") else _secs(dt.datetime(2000, 1, 1))
    pyreadstat.write_sav(pd.DataFrame({"d": [first, secs]}), str(tmp_path / "x.sav"),
                         variable_format={"d": fmt}, missing_ranges=missing)
    with pytest.raises(TableReadError) as e:
        read_table(tmp_path / "x.sav")
    assert (e.value.row, e.value.column) == (2, "d")
    assert "1e+15" not in str(e.value) and "1000000000000000" not in str(e.value)


@pytest.mark.parametrize("fmt", ["TIME8", "DTIME9"])
def test_times_of_24_hours_or_more_read_as_durations(tmp_path, fmt):
    """90000 s is 25 hours, not 01:00 (what pyreadstat gives): the column is read as Timedelta, with a warning
    naming it (not its values); a column of times of day stays as it was."""
    path = tmp_path / "t.sav"
    pyreadstat.write_sav(pd.DataFrame({"dur": [3600.0, 90000.5, np.nan], "tod": [3600.0, 7200.0, 0.0]}), str(path),
                         variable_format={"dur": fmt, "tod": fmt})
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        df = read_table(path)
    assert df["dur"].tolist()[:2] == [pd.Timedelta(hours=1), pd.Timedelta(hours=25, milliseconds=500)]
    assert df["dur"].isna().tolist() == [False, False, True]
    assert df["tod"].tolist() == [dt.time(1), dt.time(2), dt.time(0)]
    msgs = [str(x.message) for x in w]
    assert any("column dur" in m and "durations" in m for m in msgs)
    assert not any("tod" in m for m in msgs) and not any("90000" in m or "25:00" in m for m in msgs)


def test_duration_missing_value_not_wrapped_onto_midnight(tmp_path):
    """A DTIME missing value of 3 days is not 00:00: a 00:00 answer is not a missing code (before: it was)."""
    path = tmp_path / "k.sav"
    pyreadstat.write_sav(pd.DataFrame({"t": [0.0, 3600.0, 259200.0]}), str(path), variable_format={"t": "DTIME9"},
                         missing_ranges={"t": [259200.0, {"lo": 90000.0, "hi": 100000.0}]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = read_table(path)
    assert df.attrs["missing_codes"] == {"t": [pd.Timedelta(days=3)]}
    assert df.attrs["spss_missing"]["t"] == [{"lo": pd.Timedelta(seconds=90000), "hi": pd.Timedelta(seconds=100000)},
                                             pd.Timedelta(days=3)]


def test_durations_written_to_sav_as_seconds(tmp_path):
    """A Timedelta column is written as numbers of seconds (before: text «1 days 01:00:00»)."""
    df = pd.DataFrame({"dur": pd.to_timedelta([3600, 90000, np.nan], unit="s")})
    write_table(df, tmp_path / "w.sav")
    back, _ = pyreadstat.read_sav(str(tmp_path / "w.sav"))
    assert back["dur"].tolist()[:2] == [3600.0, 90000.0] and np.isnan(back["dur"].iloc[2])
