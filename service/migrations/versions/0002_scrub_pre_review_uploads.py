"""scrub pre-review uploads: apply today's upload rules to waves stored by older code

Waves uploaded before the review fixes may hold undeclared columns in ``respondents.answers``, undeclared
segment levels, unmasked values of free-valued segments, and warnings that quote cell values. This data
migration runs :func:`service.scrub.scrub_store` (all logic and its tests live there) on the migration's
connection, in the migration's transaction. Schema unchanged.

On SQLite the scrub runs with ``PRAGMA secure_delete`` on, so that the replaced values are overwritten in the
database file too. On PostgreSQL the old row versions stay in the table files until they are vacuumed (VACUUM
cannot run inside the migration's transaction): run ``VACUUM FULL respondents, waves`` after the upgrade to
remove them from disk.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 00:00:00
"""
import logging

from alembic import context, op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

log = logging.getLogger("textmine.service")


def upgrade() -> None:
    if context.is_offline_mode():  # rows must be read and redacted: no SQL script can do it
        log.warning("migration 0002 (store scrub) skipped in offline mode: it needs a database connection "
                    "(run service.scrub.scrub_store on the store)")
        return
    from service.scrub import scrub_on_connection

    counts = scrub_on_connection(op.get_bind())  # on SQLite with secure_delete on (freed space zeroed)
    if counts["waves_changed"] or counts["waves_skipped"]:
        log.info("store scrub (migration 0002): %s", ", ".join(f"{k}={v}" for k, v in counts.items()))


def downgrade() -> None:
    """No-op: the scrub removed or masked data (undeclared columns, undeclared segment levels, personal data in
    free-valued segments, value-quoting warnings) that cannot be restored; downgrading only moves the revision
    marker back to 0001, and the schema is the same."""
