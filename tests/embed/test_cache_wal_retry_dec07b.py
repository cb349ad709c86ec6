"""Opening one cache file from several processes at once: switching to WAL may answer «database is locked» at
once (no busy handler); the cache tries again instead of failing (a CI run saw one of four workers fail)."""
import sqlite3

import pytest

from textmine.embed.cache import _wal


class _Con:
    def __init__(self, errors):
        self.errors, self.calls = list(errors), 0

    def execute(self, sql):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)


def test_locked_is_tried_again_until_it_works():
    con = _Con([sqlite3.OperationalError("database is locked")] * 3)
    _wal(con, wait_seconds=5)
    assert con.calls == 4


def test_other_errors_and_a_lock_past_the_deadline_are_raised():
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        _wal(_Con([sqlite3.OperationalError("disk I/O error")]), wait_seconds=5)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        _wal(_Con([sqlite3.OperationalError("database is locked")] * 1000), wait_seconds=0.05)
