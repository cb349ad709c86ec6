"""Training jobs record when their first step was done

* ``training_jobs.first_step_at`` (nullable, timezone-aware): when the first training step (preparing the rows:
  cleaning, embedding, merging the corrections) was done, written by the training server as the second step
  starts (``service.jobs.report_training_progress``). That step takes much longer or shorter than the others, so
  ``GET /training-jobs/{id}`` derives its ETA from the steps after it (``service.store.training_eta``). NULL: not
  that far yet, or stored before this revision. A downgrade drops the column; the jobs stay.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 01:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE … ADD COLUMN (nullable, no default) on SQLite and PostgreSQL: never a table copy (see 0010)
    op.add_column('training_jobs', sa.Column('first_step_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # plain DROP COLUMN (PostgreSQL; SQLite 3.35+), not batch mode (see 0010)
    op.drop_column('training_jobs', 'first_step_at')
