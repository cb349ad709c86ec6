"""The ``textmine`` command line (typer). Each area registers its own commands."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="textmine",
    help="Text analytics for Norwegian free-text survey answers (bokmål and nynorsk).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _root() -> None:
    """textmine: text analytics for free-text survey answers."""


def _register_all() -> None:
    from . import clean, coding, demo, discover, report, service, stats

    for module in (demo, clean, discover, coding, stats, report, service):
        module.register(app)


_register_all()


def main() -> None:  # console entry point
    from ..paths import CacheDirError

    try:
        app()
    except CacheDirError as e:  # a setting to fix, not a bug: one line, exit 2
        typer.echo(f"Error: {e.strerror}", err=True)
        raise SystemExit(2) from None
