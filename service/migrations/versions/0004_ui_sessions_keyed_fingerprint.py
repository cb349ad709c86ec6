"""UI sessions in the database; wave fingerprints keyed over the raw content

* ``ui_sessions``: browser logins (:mod:`service.web.sessionstore`), shared by every server process and kept
  across restarts. A row holds a SHA-256 of the cookie's session id, the key's id, the API key sealed with a key
  derived from the session id (the session id itself is never stored, so a copy of the table opens nothing and
  reveals no key) and the login / last-request times.
* ``store_secrets``: a random secret made here for this store (``wave_fingerprint``).
* ``waves.content_hmac`` (nullable): HMAC-SHA256 of a wave's raw content (respondent ids, structured answers and
  the comments as uploaded, before redaction) keyed with that secret (:func:`service.store.content_hmac`): one
  value per wave, never per person, and a new redactor does not change it. Existing waves keep their
  ``content_sha256`` (redacted content) and get no ``content_hmac``: the raw comments are not stored (or not
  readable) to compute it; a re-upload is compared with them by the old fingerprint.

In offline mode (SQL script) the secret is written into the script: keep the script as secret as the database.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 00:00:00
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ui_sessions',
        sa.Column('id_hash', sa.String(length=64), primary_key=True),
        sa.Column('key_id', sa.Integer(), sa.ForeignKey('api_keys.id', ondelete='CASCADE'), nullable=False),
        sa.Column('sealed_key', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.Float(), nullable=False),
        sa.Column('last_seen_at', sa.Float(), nullable=False),
    )
    op.create_index('ix_ui_sessions_key_id', 'ui_sessions', ['key_id'])
    op.create_index('ix_ui_sessions_last_seen_at', 'ui_sessions', ['last_seen_at'])
    secrets_table = op.create_table(
        'store_secrets',
        sa.Column('name', sa.String(length=50), primary_key=True),
        sa.Column('value', sa.String(length=128), nullable=False),
    )
    op.bulk_insert(secrets_table, [{'name': 'wave_fingerprint', 'value': secrets.token_hex(32)}])
    with op.batch_alter_table('waves', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_hmac', sa.String(length=64), nullable=True))


def downgrade() -> None:
    # plain DROP COLUMN, not batch mode (see 0003: a batch copy of waves would cascade-delete its rows on SQLite)
    op.drop_column('waves', 'content_hmac')
    op.drop_table('store_secrets')
    op.drop_index('ix_ui_sessions_last_seen_at', table_name='ui_sessions')
    op.drop_index('ix_ui_sessions_key_id', table_name='ui_sessions')
    op.drop_table('ui_sessions')
