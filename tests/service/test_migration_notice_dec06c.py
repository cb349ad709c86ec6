"""An upgrade of an existing store's schema is said (a warning naming both revisions), since it cannot be undone
and an older server already running on the store does not notice; a new store or a current one says nothing."""
from __future__ import annotations

import logging

from conftest import move_store

from service.db.session import MIGRATIONS_DIR, Database


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()


def _upgrade_messages(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "schema was upgraded" in r.getMessage()]


def test_an_upgrade_of_an_old_store_is_warned_naming_both_revisions(tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    move_store(url, "0008")
    with caplog.at_level(logging.WARNING, logger="textmine.service"):
        Database(url).dispose()
    messages = _upgrade_messages(caplog)
    assert len(messages) == 1 and f"from revision 0008 to {_head()}" in messages[0] and "backup" in messages[0]


def test_a_new_or_current_store_says_nothing(tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    with caplog.at_level(logging.WARNING, logger="textmine.service"):
        Database(url).dispose()  # created
        Database(url).dispose()  # current
    assert _upgrade_messages(caplog) == []
