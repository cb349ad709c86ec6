"""wave content fingerprint: find the same wave uploaded twice under different labels

Adds ``waves.content_sha256`` (nullable): SHA-256 over the wave's stored, redacted content
(:func:`service.store.content_fingerprint`: respondent ids, structured answers and redacted comments, in
respondent-id order; one digest per wave, never per person, never raw text). A new upload whose content a wave of
the same survey already holds is refused (409 ``duplicate_wave``) unless ``allow_duplicate`` is given.

Existing waves are fingerprinted here from their stored rows (:func:`service.scrub.fingerprint_waves`), so that
waves stored before this revision are found too. In offline mode (SQL script) the column is added and left NULL;
run ``service.scrub.fingerprint_waves`` on the store afterwards.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 00:00:00
"""
import logging

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.orm import Session

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

log = logging.getLogger("textmine.service")


def upgrade() -> None:
    with op.batch_alter_table('waves', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_sha256', sa.String(length=64), nullable=True))
    if context.is_offline_mode():  # rows must be read and hashed: no SQL script can do it
        log.warning("migration 0003: existing waves left without a content fingerprint in offline mode "
                    "(run service.scrub.fingerprint_waves on the store)")
        return
    from service.scrub import fingerprint_waves

    session = Session(bind=op.get_bind())
    try:
        n = fingerprint_waves(session)
        session.flush()
    finally:
        session.close()
    if n:
        log.info("migration 0003: content fingerprints stored for %d existing wave(s)", n)


def downgrade() -> None:
    # a plain ALTER TABLE … DROP COLUMN (PostgreSQL; SQLite 3.35+), not batch mode: batch mode copies the table on
    # SQLite, and dropping the old waves table while foreign keys are enforced would cascade-delete every
    # respondent, response and coding job (the pragma cannot be turned off inside the migration's transaction)
    op.drop_column('waves', 'content_sha256')
