"""``textmine demo``: the main job end to end on the bundled synthetic sample."""

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def demo() -> None:
        """Kjør hele analysen på det syntetiske eksempelet (under arbeid)."""
        typer.echo("demo: not wired yet")
