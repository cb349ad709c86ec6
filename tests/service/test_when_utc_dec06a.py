"""The CLI prints stored times in UTC, whatever offset the database hands back (re-test of Dec 06)."""
from datetime import datetime, timedelta, timezone

from textmine.cli.service import _when


def test_an_offset_time_is_converted_to_utc():
    assert _when(datetime(2026, 12, 6, 1, 0, tzinfo=timezone(timedelta(hours=2)))) == "2026-12-05 23:00 UTC"
    assert _when(datetime(2026, 12, 6, 1, 0)) == "2026-12-06 01:00 UTC"  # SQLite: stored in UTC, no zone
    assert _when(None) == ""
