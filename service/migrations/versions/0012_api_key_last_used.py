"""API keys record their last use

* ``api_keys.last_used_at`` (nullable, timezone-aware): when the key last authenticated, written at most once a
  minute per key (``service.auth.KeyUse``), so an admin can find keys nobody uses. NULL: not used since this
  revision. A downgrade drops the column (and the times with it); the keys stay as they are.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 00:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE … ADD COLUMN (nullable, no default) on SQLite and PostgreSQL: never a table copy, so the
    # AUTOINCREMENT table of 0010 stays as it is
    op.add_column('api_keys', sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # plain DROP COLUMN (PostgreSQL; SQLite 3.35+), not batch mode (a batch copy would drop AUTOINCREMENT, see 0010)
    op.drop_column('api_keys', 'last_used_at')
