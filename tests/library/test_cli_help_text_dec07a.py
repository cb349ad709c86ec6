"""Every command's ``--help`` (the root, each command, each ``keys``/``store`` subcommand) reads as plain text: no
reStructuredText ``double backticks`` from a docstring, and no help text that rich markup (typer's help renderer)
would change, as «[id,]» was swallowed as a style tag."""

from __future__ import annotations

import pytest
import typer
from rich.text import Text
from typer.testing import CliRunner

from textmine.cli import app


def _commands(command=None, path=()):
    """(path, click command) for the root and every command below it, groups included."""
    command = command if command is not None else typer.main.get_command(app)
    yield list(path), command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, (*path, name))


COMMANDS = list(_commands())


def test_the_tree_walked_holds_the_store_and_keys_subcommands():
    paths = {" ".join(p) for p, _ in COMMANDS}
    assert {"", "review", "store", "store purge", "store cancel-training", "keys create"} <= paths


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "textmine")
def test_help_shows_no_double_backticks(path):
    res = CliRunner().invoke(app, [*path, "--help"], terminal_width=120)
    assert res.exit_code == 0, res.output
    assert "Usage" in res.output
    shown = [line for line in res.output.splitlines() if "``" in line]
    assert not shown, shown


def test_no_help_text_is_changed_by_rich_markup():
    changed = []
    for path, command in COMMANDS:
        texts = [command.help, command.short_help, *(getattr(p, "help", None) for p in command.params)]
        changed += [(" ".join(path), t) for t in texts if t and Text.from_markup(t).plain != t]
    assert not changed, changed
