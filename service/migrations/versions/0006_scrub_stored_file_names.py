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

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from service.scrub import scrub_in_migration

    scrub_in_migration("0006")


def downgrade() -> None:
    """No-op: replaced file names cannot be restored; downgrading only moves the revision marker back to 0005."""
