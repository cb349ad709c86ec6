"""A date, date-time or time variable's SPSS user-missing definition (dec 10) was dropped when a table read from a
.sav was written back to .sav (``write_table``, ``textmine code … --out x.sav``): pyreadstat takes it in SPSS
seconds (since 1582-10-14; a time: since midnight), not as the dates it reads it as. Now it is kept, or, where it
is no date, left out with a warning naming the column."""

import datetime as dt
import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from textmine.io import read_table, write_table

pyreadstat = pytest.importorskip("pyreadstat")

_spec = importlib.util.spec_from_file_location("_sav_output_dec05f",
                                               Path(__file__).with_name("test_sav_output_dec05f.py"))
_dec05f = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_dec05f)
fake_e5, cb = _dec05f.fake_e5, _dec05f.cb  # (fixtures: keyword codebook, hashed embedder)

SPSS_1900 = (dt.datetime(1900, 1, 1) - dt.datetime(1582, 10, 14)).total_seconds()
DAY = 86400.0
#: as SPSS stores them: a date-time range «1900-01-01 THRU 1901-02-05» and one more date-time, two dates, a time range
MISSING = {"dato_tid": [{"lo": SPSS_1900, "hi": SPSS_1900 + 400 * DAY}, SPSS_1900 - DAY],
           "dato": [SPSS_1900, SPSS_1900 + DAY], "tid": [{"lo": 86000.0, "hi": 86399.0}]}


def _dated_sav(path: Path, **more) -> Path:
    df = pd.DataFrame({"respondent_id": ["001", "002", "003"],
                       "dato_tid": [dt.datetime(1960, 1, 1), dt.datetime(1900, 1, 1), dt.datetime(1901, 6, 1)],
                       "dato": [dt.date(1960, 1, 1), dt.date(1900, 1, 2), None],
                       "tid": [dt.time(1, 0), dt.time(23, 59, 59), dt.time(12, 0)],
                       "q": [1.0, 2.0, 98.0], **more})
    pyreadstat.write_sav(df, str(path), missing_ranges={**MISSING, "q": [98.0]})
    return path


def _missing(path: Path) -> dict:
    return pyreadstat.read_sav(str(path), user_missing=True, metadataonly=True)[1].missing_ranges


def test_a_date_variables_missing_definition_survives_a_round_trip(tmp_path):
    first = read_table(_dated_sav(tmp_path / "in.sav"))
    assert first.attrs["missing_codes"]["dato_tid"] == [pd.Timestamp(1900, 1, 1)]
    write_table(first, tmp_path / "out.sav")
    again = read_table(tmp_path / "out.sav")
    assert _missing(tmp_path / "out.sav") == _missing(tmp_path / "in.sav")  # (had only «q»)
    for key in ("spss_missing", "missing_codes"):
        assert again.attrs[key] == first.attrs[key], key
    pd.testing.assert_frame_equal(again, first)


def test_textmine_code_keeps_a_date_variables_missing_definition(tmp_path, cb, fake_e5):
    from typer.testing import CliRunner

    from textmine.cli import app

    src = _dated_sav(tmp_path / "in.sav", kommentar=["Maten er dyr.", "Suppen var kald.", ""])
    out = tmp_path / "coded.sav"
    res = CliRunner().invoke(app, ["code", str(src), "--codebook", str(cb), "--text-col", "kommentar",
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    kept = _missing(out)
    assert {c: kept.get(c) for c in MISSING} == {c: _missing(src)[c] for c in MISSING}


def test_a_missing_definition_that_is_no_date_is_left_out_with_a_warning(tmp_path):
    """A date column whose definition is no date (here: changed after reading) cannot be written as one: the file is
    written without it, and the warning names the column, not the values (a date can be personal)."""
    df = read_table(_dated_sav(tmp_path / "in.sav"))
    df.attrs["spss_missing"]["dato"] = ["12.03.1961"]
    with pytest.warns(UserWarning, match=r"column dato: its SPSS missing values are not dates") as caught:
        write_table(df, tmp_path / "out.sav")
    assert not any("1961" in str(w.message) for w in caught)
    kept = _missing(tmp_path / "out.sav")
    assert "dato" not in kept and kept["dato_tid"] == _missing(tmp_path / "in.sav")["dato_tid"]


def test_a_date_columns_missing_value_given_in_spss_seconds_is_written_as_given(tmp_path):
    df = read_table(_dated_sav(tmp_path / "in.sav"))
    df.attrs["spss_missing"]["dato"] = [SPSS_1900 + DAY]  # (as pyreadstat.write_sav takes it)
    write_table(df, tmp_path / "out.sav")
    assert read_table(tmp_path / "out.sav").attrs["spss_missing"]["dato"] == [dt.date(1900, 1, 2)]


def _written(df: pd.DataFrame, path: Path) -> list[str]:
    """``df`` written to ``path`` (.sav); the warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_table(df, path)
    return [str(w.message) for w in caught]


@pytest.mark.parametrize("bad", [pd.NaT, float("nan"), {"lo": dt.datetime(1950, 1, 1), "hi": pd.NaT}],
                         ids=["NaT", "NaN", "range to NaT"])
def test_a_missing_date_of_nat_or_nan_is_left_out_and_the_file_stays_readable(tmp_path, bad):
    """Before: NaT/NaN was written as the missing value and the .sav could not be read again («cannot convert float
    NaN to integer»)."""
    from textmine.io import _spss_seconds

    assert [_spss_seconds(v) for v in (pd.NaT, float("nan"), float("inf"), -float("inf"))] == [None] * 4
    df = read_table(_dated_sav(tmp_path / "in.sav"))
    df.attrs["spss_missing"]["dato_tid"] = [bad]
    shown = _written(df, tmp_path / "out.sav")
    assert any("column dato_tid: its SPSS missing values are not dates" in m for m in shown), shown
    again = read_table(tmp_path / "out.sav")
    assert "dato_tid" not in again.attrs["spss_missing"] and again.attrs["spss_missing"]["dato"]
    pd.testing.assert_frame_equal(again, df)


def test_lowest_or_highest_on_a_date_column_is_left_out_with_a_warning(tmp_path):
    """A date variable's range open at one end (LOWEST/HIGHEST: ±inf) made a .sav pyreadstat cannot read."""
    df = read_table(_dated_sav(tmp_path / "in.sav"))
    df.attrs["spss_missing"]["dato"] = [{"lo": float("-inf"), "hi": dt.date(1900, 1, 1)}]
    df.attrs["spss_missing"]["q"] = [{"lo": float("-inf"), "hi": 0.0}, 98.0]  # (a number's: kept)
    shown = _written(df, tmp_path / "out.sav")
    assert [m for m in shown if "LOWEST/HIGHEST" in m and "column dato:" in m and "1900" not in m], shown
    kept = _missing(tmp_path / "out.sav")
    assert "dato" not in kept and kept["q"][0] == {"lo": float("-inf"), "hi": 0.0}


def test_an_all_missing_date_column_keeps_its_format_and_missing_definition(tmp_path):
    """pyreadstat reads a date variable without a value as numbers (float64): it was written as «F8.2» without its
    missing definition, silently."""
    pyreadstat.write_sav(pd.DataFrame({"d": [float("nan")] * 2, "n": [1.0, 2.0]}), str(tmp_path / "in.sav"),
                         variable_format={"d": "ADATE10"}, missing_ranges={"d": [SPSS_1900], "n": [2.0]})
    df = read_table(tmp_path / "in.sav")
    assert df["d"].dtype == "float64" and df.attrs["spss_missing"]["d"] == [dt.date(1900, 1, 1)]
    assert not _written(df, tmp_path / "out.sav")
    meta = pyreadstat.read_sav(str(tmp_path / "out.sav"), metadataonly=True)[1]
    assert meta.original_variable_types == {"d": "ADATE10", "n": "F8.2"}
    assert _missing(tmp_path / "out.sav") == _missing(tmp_path / "in.sav")


def test_dates_as_missing_values_of_a_column_without_dates_are_not_dropped_silently(tmp_path):
    df = pd.DataFrame({"d": [float("nan")] * 2, "n": [1.0, 2.0]})
    df.attrs = {"spss_missing": {"d": [dt.date(1961, 3, 12)], "n": [2.0]}}
    shown = _written(df, tmp_path / "out.sav")
    assert [m for m in shown if "column d: its SPSS missing values are dates or times but its values are not" in m
            and "1961" not in m], shown
    assert _missing(tmp_path / "out.sav") == {"n": [{"lo": 2.0, "hi": 2.0}]}


@pytest.mark.parametrize("fmt, given", [
    ("TIME8", {"lo": 80000.0, "hi": 90000.0}),  # (was read as 22:13:20 THRU 01:00)
    ("DTIME9", 3 * DAY)])  # (was read as 00:00)
def test_a_missing_time_of_24_hours_or_more_is_kept_in_seconds(tmp_path, fmt, given):
    """A missing value of 24 hours or more makes the column durations (all its answers below 24 hours), so that it is
    not written as a wrong time of day: the .sav written holds the column and its missing values in seconds."""
    pyreadstat.write_sav(pd.DataFrame({"t": [3600.0, 7200.0, float("nan")]}), str(tmp_path / "in.sav"),
                         variable_format={"t": fmt}, missing_ranges={"t": [given]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = read_table(tmp_path / "in.sav")
    assert df["t"].tolist()[:2] == [pd.Timedelta(hours=1), pd.Timedelta(hours=2)]
    shown = _written(df, tmp_path / "out.sav")
    assert not [m for m in shown if "column t:" in m], shown
    want = given if isinstance(given, dict) else {"lo": given, "hi": given}
    assert _missing(tmp_path / "out.sav") == {"t": [want]}
    assert pyreadstat.read_sav(str(tmp_path / "out.sav"))[0]["t"].tolist()[:2] == [3600.0, 7200.0]


def test_a_time_as_a_date_columns_missing_value_is_left_out_with_a_warning(tmp_path):
    """01:00 was written as 3600 seconds: the date 1582-10-14."""
    df = read_table(_dated_sav(tmp_path / "in.sav"))
    df.attrs["spss_missing"]["dato"] = [dt.time(1, 0)]
    shown = _written(df, tmp_path / "out.sav")
    assert any("column dato: its SPSS missing values are not dates" in m for m in shown), shown
    assert "dato" not in _missing(tmp_path / "out.sav")


@pytest.mark.parametrize("year", [1500, 1650, 2300])
def test_a_date_time_outside_1677_to_2262_is_written(tmp_path, year):
    """pyreadstat reads such a date-time as datetime64[us]: converting it to nanoseconds failed, with the cell's
    value in the error («Out of bounds nanosecond timestamp: 1500-01-01 12:00:00»)."""
    pyreadstat.write_sav(pd.DataFrame({"dt": [dt.datetime(year, 1, 1, 12), dt.datetime(1990, 1, 1)], "n": [1.0, 2.0]}),
                         str(tmp_path / "in.sav"), missing_ranges={"dt": [0.0]})
    df = read_table(tmp_path / "in.sav")
    assert str(df["dt"].dtype) == "datetime64[us]"
    assert not _written(df, tmp_path / "out.sav")
    again = read_table(tmp_path / "out.sav")
    pd.testing.assert_frame_equal(again, df)
    assert again.attrs["spss_missing"] == df.attrs["spss_missing"] == {"dt": [dt.datetime(1582, 10, 14)]}


def test_a_date_time_no_sav_can_hold_is_refused_without_its_value(tmp_path):
    df = pd.DataFrame({"dt": pd.Series(np.array(["300000-06-01"], dtype="datetime64[s]"))})
    with pytest.raises(ValueError, match="column dt: a date-time more than 290 000 years") as err:
        write_table(df, tmp_path / "out.sav")
    assert "300000" not in str(err.value)


def test_a_date_time_column_with_a_dateutil_zone_is_written_as_a_date_time_in_utc(tmp_path):
    """pyreadstat wrote a dateutil-zoned column as text («2022-03-01 12:00:00+01:00», A25), and at second resolution
    it failed with a TypeError; a zoneinfo zone was written as UTC date-times. Both are UTC date-times now."""
    dateutil_tz = pytest.importorskip("dateutil.tz")
    for zone in (dateutil_tz.gettz("Europe/Oslo"), "Europe/Oslo"):
        for unit in ("s", "ns"):
            t = pd.Series(pd.to_datetime(["2022-03-01 12:00:00", None])).dt.tz_localize(zone).dt.as_unit(unit)
            write_table(pd.DataFrame({"t": t}), tmp_path / "tz.sav")
            back, meta = pyreadstat.read_sav(str(tmp_path / "tz.sav"))
            assert meta.original_variable_types["t"].startswith("DATETIME"), (zone, unit)
            assert back["t"][0] == pd.Timestamp("2022-03-01 11:00:00") and pd.isna(back["t"][1])
