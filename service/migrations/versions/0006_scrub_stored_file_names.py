"""scrub again with today's rules: stored file names holding a first name or surname

Stores upgraded past 0002 before the file-name rule existed keep upload file names such as "kari_svar.csv".
This data migration runs :func:`service.scrub.scrub_store` again (all logic and its tests live there; it is
idempotent, so a store that 0002 has just scrubbed is unchanged): a file name holding personal data becomes
``upload.<suffix>`` and the warnings quoting it are renamed alike. Schema unchanged. As in 0002, SQLite runs it
with ``secure_delete`` on, and :func:`service.db.session.migrate` clears the old row versions afterwards.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 00:00:00
"""
import logging

from alembic import context, op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

log = logging.getLogger("textmine.service")


def upgrade() -> None:
    if context.is_offline_mode():  # rows must be read: no SQL script can do it
        log.warning("migration 0006 (store scrub) skipped in offline mode: it needs a database connection "
                    "(run service.scrub.scrub_store on the store)")
        return
    from service.scrub import scrub_on_connection

    counts = scrub_on_connection(op.get_bind())
    if counts["waves_changed"] or counts["waves_skipped"]:
        log.info("store scrub (migration 0006): %s", ", ".join(f"{k}={v}" for k, v in counts.items()))


def downgrade() -> None:
    """No-op: replaced file names cannot be restored; downgrading only moves the revision marker back to 0005."""
