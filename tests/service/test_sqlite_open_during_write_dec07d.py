"""Opening a store whose schema is current takes no lock (``service.db.session.migrate`` reads the revision first):
it does not wait behind another connection's write transaction (a long upload), as every ``textmine store …``
command and server start did while the check itself took SQLite's write lock."""

from __future__ import annotations

import sqlite3
import threading
import time

from service.db.session import make_engine, migrate


def test_a_current_store_opens_while_another_connection_holds_a_write_transaction(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    migrate(engine)  # the store at the newest revision
    engine.dispose()
    writer = sqlite3.connect(tmp_path / "store.db", isolation_level=None, timeout=1)
    writer.execute("CREATE TABLE upload_in_progress (x INTEGER)")
    writer.execute("BEGIN IMMEDIATE")  # the write lock, held as by an upload's transaction
    writer.execute("INSERT INTO upload_in_progress VALUES (1)")
    done: list[float] = []
    errors: list[BaseException] = []

    def open_store() -> None:
        other = make_engine(url)
        try:
            start = time.monotonic()
            migrate(other)
            done.append(time.monotonic() - start)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            other.dispose()

    try:
        t = threading.Thread(target=open_store, daemon=True)
        t.start()
        t.join(3.0)
        assert not t.is_alive(), "opening a current store waited for the other connection's write lock"
        assert not errors, errors
        assert done and done[0] < 3.0
    finally:
        writer.execute("ROLLBACK")
        writer.close()
