"""CLI commands for this area (filled in by its owner)."""

import typer


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the main app."""
    return None
