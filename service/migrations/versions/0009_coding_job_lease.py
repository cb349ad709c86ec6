"""coding jobs record which server codes them and when it last said so (a lease, several servers on one database)

* ``coding_jobs.worker`` (nullable): the coding server's ``host:pid:token`` (:func:`service.jobs.worker_id`).
* ``coding_jobs.heartbeat_at`` (nullable): refreshed by that server while it codes. Every server's job runner
  claims queued jobs, and running jobs whose heartbeat is older than the lease, so that a job left running by a
  killed server is resumed by another one; a job with a fresh heartbeat is never coded by two servers at once.
  Jobs from before this revision have NULL in both: a running one is claimable at once, as at a restart before.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 18:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE … ADD COLUMN (nullable, no default) on SQLite and PostgreSQL: never a table copy (see 0005)
    op.add_column('coding_jobs', sa.Column('worker', sa.String(length=200), nullable=True))
    op.add_column('coding_jobs', sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # plain DROP COLUMN (PostgreSQL; SQLite 3.35+), not batch mode (see 0007)
    op.drop_column('coding_jobs', 'heartbeat_at')
    op.drop_column('coding_jobs', 'worker')
