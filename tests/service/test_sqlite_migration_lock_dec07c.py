"""SQLite migrations run in one transaction holding the write lock (``service.db.session._begin_immediate``): a
failed upgrade leaves the store exactly at its old revision (no tables of later revisions under the old version
number, which made every later start fail), and two processes upgrading one store together both succeed, the
second finding the schema current."""

from __future__ import annotations

import logging
import sqlite3
import threading

from conftest import move_store

from service.db.session import make_engine, migrate


def _tables(path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        con.close()


def _revision(path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        con.close()


def _sql(path, statement: str) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute(statement)
        con.commit()
    finally:
        con.close()


def test_a_failed_upgrade_is_rolled_back_whole_and_can_be_run_again(tmp_path):
    path = tmp_path / "store.db"
    url = f"sqlite:///{path}"
    move_store(url, "0006")
    before = _tables(path)
    assert "training_jobs" not in before
    _sql(path, "ALTER TABLE api_keys ADD COLUMN last_used_at DATETIME")  # makes 0012 fail, after 0007–0011 ran
    engine = make_engine(url)
    try:
        try:
            migrate(engine)
        except Exception as exc:  # noqa: BLE001 - the duplicate column
            assert "last_used_at" in str(exc)
        else:
            raise AssertionError("the upgrade should have failed at 0012")
        assert _revision(path) == "0006"
        assert _tables(path) == before  # 0007's training_jobs and the rest rolled back with it
        _sql(path, "ALTER TABLE api_keys DROP COLUMN last_used_at")  # the operator removes the conflict
        migrate(engine)
    finally:
        engine.dispose()
    assert _revision(path) >= "0015"
    assert "training_jobs" in _tables(path)


def test_two_processes_upgrading_one_store_together_both_succeed(tmp_path, caplog):
    for round_ in range(3):
        path = tmp_path / f"store{round_}.db"
        url = f"sqlite:///{path}"
        move_store(url, "0006")
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def upgrade() -> None:
            engine = make_engine(url)  # each thread its own engine and connection, as two servers have
            try:
                start.wait()
                migrate(engine)
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)
            finally:
                engine.dispose()

        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="textmine.service"):
            threads = [threading.Thread(target=upgrade) for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
        assert not errors, errors
        assert "training_jobs" in _tables(path)
        upgraded = [r for r in caplog.records if "schema was upgraded from revision 0006" in r.getMessage()]
        assert len(upgraded) == 1  # one process upgraded; the other found the schema current
