"""training jobs record which server trains them and when it last said so (several servers on one database)

* ``training_jobs.worker`` (nullable): the training server's ``host:pid:token`` (:func:`service.jobs.worker_id`).
* ``training_jobs.heartbeat_at`` (nullable): refreshed by that server while it trains. A running job is failed as
  interrupted only when its heartbeat is older than the stale limit, or its server's process on this host is
  gone, so a server that (re)starts no longer fails another live server's training. Jobs from before this
  revision have NULL in both: a running one is failed at the next start, as before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 08:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE … ADD COLUMN (nullable, no default) on SQLite and PostgreSQL: never a table copy (see 0005)
    op.add_column('training_jobs', sa.Column('worker', sa.String(length=200), nullable=True))
    op.add_column('training_jobs', sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # plain DROP COLUMN (PostgreSQL; SQLite 3.35+), not batch mode (see 0007)
    op.drop_column('training_jobs', 'heartbeat_at')
    op.drop_column('training_jobs', 'worker')
