"""Persistence: ORM models, engine/session factory, migrations and repository functions."""
