"""Training jobs record their progress in steps

* ``training_jobs.done`` and ``training_jobs.total`` (nullable integers): the training steps finished and known
  to come (preparing the rows, each cross-validation fold, calibrating, the final fit, the later stages the trainer
  announces, saving), written by the training server as each step starts (``service.jobs.run_training_job``);
  ``GET /training-jobs/{id}`` derives its ETA from them and ``started_at``. NULL: not started, or stored before this
  revision (shown as 0). A downgrade drops the columns; the jobs stay.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 21:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE … ADD COLUMN (nullable, no default) on SQLite and PostgreSQL: never a table copy (see 0010)
    op.add_column('training_jobs', sa.Column('done', sa.Integer(), nullable=True))
    op.add_column('training_jobs', sa.Column('total', sa.Integer(), nullable=True))


def downgrade() -> None:
    # plain DROP COLUMN (PostgreSQL; SQLite 3.35+), not batch mode (see 0010)
    op.drop_column('training_jobs', 'total')
    op.drop_column('training_jobs', 'done')
