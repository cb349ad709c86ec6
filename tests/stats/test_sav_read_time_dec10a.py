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


def test_unconvertible_value_names_row_and_column_not_value(tmp_path):
    secs = 1e15  # ~ 30 million years
    pyreadstat.write_sav(pd.DataFrame({"d": [_secs(dt.datetime(2000, 1, 1)), secs]}), str(tmp_path / "x.sav"),
                         variable_format={"d": "DATE11"}, missing_ranges={"d": [{"lo": -np.inf, "hi": 0.0}]})
    with pytest.raises(TableReadError) as e:
        read_table(tmp_path / "x.sav")
    assert (e.value.row, e.value.column) == (2, "d")
    assert "1e+15" not in str(e.value) and "1000000000000000" not in str(e.value)


@pytest.mark.parametrize("secs", [_secs(dt.datetime(2020, 5, 17, 13, 30, 15)) + 0.5, 1e15])
@pytest.mark.parametrize("missing", [None, {"lo": -np.inf, "hi": 0.0}])
def test_time_holding_date_time_seconds_read_as_seconds(tmp_path, secs, missing):
    """A TIME8 variable holding a date-time's seconds (~438 years; more than a Timedelta holds) was refused («a
    duration of 292 years or more»; before that, read as a wrong time of day): the file reads, that column as its
    seconds, with a warning naming it (not its values); its missing values stay numbers."""
    df = pd.DataFrame({"t": [3600.0, secs, np.nan], "x": [1.0, 2.0, 3.0]})
    pyreadstat.write_sav(df, str(tmp_path / "x.sav"), variable_format={"t": "TIME8"},
                         missing_ranges={"t": [missing]} if missing else None)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        got = read_table(tmp_path / "x.sav")
    assert got["t"].tolist()[:2] == [3600, secs] and got["t"].isna().tolist() == [False, False, True]
    assert got["x"].tolist() == [1, 2, 3]
    msgs = [str(m.message) for m in w]
    assert [m for m in msgs if "column t:" in m and "read as seconds" in m], msgs
    assert not any(str(int(secs)) in m or "2020" in m for m in msgs)
    if missing:
        assert got.attrs["spss_missing"]["t"] == [{"lo": -np.inf, "hi": 0}]


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


def test_missing_range_past_24_hours_makes_a_duration_column(tmp_path):
    """A TIME range 79000 THRU 108000 s (21:56:40 to 30 hours) with every answer below 24 hours was read as
    «21:56:40 THRU 06:00» (no answer missing); now durations, and the 22:13:20 answer is a missing code."""
    path = tmp_path / "r.sav"
    pyreadstat.write_sav(pd.DataFrame({"t": [3600.0, 72000.0, 80000.0]}), str(path), variable_format={"t": "TIME8"},
                         missing_ranges={"t": [{"lo": 79000.0, "hi": 108000.0}]})
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        df = read_table(path)
    assert df["t"].tolist() == [pd.Timedelta(seconds=x) for x in (3600, 72000, 80000)]
    assert df.attrs["missing_codes"] == {"t": [pd.Timedelta(seconds=80000)]}
    assert df.attrs["spss_missing"]["t"] == [{"lo": pd.Timedelta(seconds=79000), "hi": pd.Timedelta(hours=30)}]
    assert any("column t:" in str(m.message) and "durations" in str(m.message) for m in w)


@pytest.mark.parametrize("given", [{"lo": 100000.0, "hi": 200000.0}, {"lo": 100000.0, "hi": np.inf}, 150000.0])
def test_duration_missing_values_kept_in_seconds_on_sav_write(tmp_path, given):
    """.sav → .sav of a duration column: its missing values (Timedelta bounds) were dropped silently; now written in
    seconds like the column, and the file read back has the same missing answers."""
    pyreadstat.write_sav(pd.DataFrame({"svar": ["a", "b"], "tid": [3600.0, 150000.0]}), str(tmp_path / "in.sav"),
                         variable_format={"tid": "TIME8"}, missing_ranges={"tid": [given]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = read_table(tmp_path / "in.sav")
    assert df.attrs["missing_codes"] == {"tid": [pd.Timedelta(seconds=150000)]}
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        write_table(df, tmp_path / "out.sav")
    assert not [m for m in w if "tid" in str(m.message)]
    want = given if isinstance(given, dict) else {"lo": given, "hi": given}
    assert pyreadstat.read_sav(str(tmp_path / "out.sav"), user_missing=True)[1].missing_ranges == {"tid": [want]}
    assert read_table(tmp_path / "out.sav").attrs["missing_codes"] == {"tid": [150000]}


def test_encoding_hint_also_when_the_date_read_fails(tmp_path):
    """A file with an open date missing range (read a second time without pyreadstat's date conversion) whose text
    is not in its declared encoding: the error says to pass an encoding (before: «not a readable SPSS .sav file»),
    as it does for the same file with a closed range; with the encoding it reads."""
    df = pd.DataFrame({"d": [_secs(dt.datetime(1900, 1, 1)), _secs(dt.datetime(2000, 1, 1))],
                       "txt": ["Blåbær", "Fjøs"]})
    for name, lo in (("open.sav", -np.inf), ("closed.sav", 0.0)):
        pyreadstat.write_sav(df, str(tmp_path / name), variable_format={"d": "DATE11"},
                             missing_ranges={"d": [{"lo": lo, "hi": _secs(dt.datetime(1901, 1, 1))}]})
        raw = (tmp_path / name).read_bytes()
        for text in ("Blåbær", "Fjøs"):  # (the same length in Latin-1: padded with spaces, which SPSS strips)
            raw = raw.replace(text.encode(), text.encode("latin1").ljust(len(text.encode())))
        (tmp_path / name).write_bytes(raw)
        with pytest.raises(TableReadError, match="not in the encoding the file declares.*pass the right encoding"):
            read_table(tmp_path / name)
        assert read_table(tmp_path / name, encoding="cp1252")["txt"].tolist() == ["Blåbær", "Fjøs"]


def test_lowest_thru_highest_on_a_date_makes_every_date_missing(tmp_path):
    """«LOWEST THRU HIGHEST» on a date variable: every date the column holds is a missing code (before: none, the
    ±inf bounds were compared with the dates as numbers)."""
    pyreadstat.write_sav(pd.DataFrame({"d": [_secs(dt.datetime(1900, 1, 1)), _secs(dt.datetime(2000, 1, 1)), np.nan],
                                       "q": [1.0, 2.0, 3.0]}), str(tmp_path / "a.sav"), variable_format={"d": "DATE11"},
                         missing_ranges={"d": [{"lo": -np.inf, "hi": np.inf}]})
    df = read_table(tmp_path / "a.sav")
    assert df.attrs["missing_codes"] == {"d": [dt.date(1900, 1, 1), dt.date(2000, 1, 1)]}
    assert df.attrs["spss_missing"] == {"d": [{"lo": -np.inf, "hi": np.inf}]}
