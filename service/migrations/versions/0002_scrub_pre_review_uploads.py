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

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from service.scrub import scrub_in_migration

    scrub_in_migration("0002")


def downgrade() -> None:
    """No-op: the scrub removed or masked data (undeclared columns, undeclared segment levels, personal data in
    free-valued segments, value-quoting warnings) that cannot be restored; downgrading only moves the revision
    marker back to 0001, and the schema is the same."""
