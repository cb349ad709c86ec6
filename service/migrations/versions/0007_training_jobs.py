"""training jobs; coding and training jobs record the textmine and word-list versions they ran with

* ``training_jobs``: ``POST /models`` trains in the background (answer 202 with a job; ``GET /training-jobs/{id}``
  shows its state and, when done, the model it made). One row per request: the checked parameters (codebook, name,
  minimums), the state (queued|running|done|failed|cancelled), the model when done, a value-free error message.
* ``coding_jobs.textmine_version`` and ``coding_jobs.lexicon_version`` (nullable): what the job coded with
  (:func:`service.library.run_versions`: the textmine package version and a hash of the word lists that
  ``textmine.preprocess`` loads). Existing jobs get NULL: what they ran with is not known.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 00:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'training_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('codebook_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=True),
        sa.Column('min_examples', sa.Integer(), nullable=False),
        sa.Column('min_theme_examples', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('model_id', sa.Integer(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('textmine_version', sa.String(length=50), nullable=True),
        sa.Column('lexicon_version', sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(['codebook_id'], ['codebooks.id'], ),
        sa.ForeignKeyConstraint(['model_id'], ['models.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_training_jobs_state', 'training_jobs', ['state'], unique=False)
    # plain ALTER TABLE … ADD COLUMN (nullable, no default) on SQLite and PostgreSQL: never a table copy (see 0005)
    op.add_column('coding_jobs', sa.Column('textmine_version', sa.String(length=50), nullable=True))
    op.add_column('coding_jobs', sa.Column('lexicon_version', sa.String(length=100), nullable=True))


def downgrade() -> None:
    # plain DROP COLUMN (PostgreSQL; SQLite 3.35+), not batch mode: a batch copy of coding_jobs would drop the old
    # table while foreign keys are enforced and cascade-delete every coding result on SQLite (see 0003, 0005)
    op.drop_column('coding_jobs', 'lexicon_version')
    op.drop_column('coding_jobs', 'textmine_version')
    op.drop_index('ix_training_jobs_state', table_name='training_jobs')
    op.drop_table('training_jobs')
