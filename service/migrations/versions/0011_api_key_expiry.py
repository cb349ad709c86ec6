"""API keys can expire

* ``api_keys.expires_at`` (nullable, timezone-aware): after it the key is refused like a revoked one
  (``service.auth``). NULL: the key never expires, as every key made before this revision. A downgrade revokes
  every key that has an expiry (it would otherwise never expire).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 00:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE … ADD COLUMN (nullable, no default) on SQLite and PostgreSQL: never a table copy, so the
    # AUTOINCREMENT table of 0010 stays as it is
    op.add_column('api_keys', sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # a key with an expiry would never expire without the column: revoke it first (expired or not), so a downgrade
    # cannot bring an expired key back to life
    op.execute(sa.text("UPDATE api_keys SET revoked = :yes WHERE expires_at IS NOT NULL").bindparams(yes=True))
    # plain DROP COLUMN (PostgreSQL; SQLite 3.35+), not batch mode (a batch copy would drop AUTOINCREMENT, see 0010)
    op.drop_column('api_keys', 'expires_at')
