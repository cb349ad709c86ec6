"""Loading the small word lists under ``data/wordlists`` (pure readers, no caching here)."""

from __future__ import annotations

from pathlib import Path

from textmine.paths import WORDLIST_DIR


def _lines(name: str, directory: Path | None = None) -> list[str]:
    path = Path(directory or WORDLIST_DIR) / name
    if not path.exists():
        raise FileNotFoundError(f"word list missing: {path}")
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip("\n\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        out.append(line.strip())
    return out


def read_list(name: str, directory: Path | None = None) -> list[str]:
    """One entry per line; ``#`` comments and blank lines skipped."""
    return _lines(name, directory)


def read_table(name: str, directory: Path | None = None) -> list[list[str]]:
    """Tab-separated rows; ``#`` comments and blank lines skipped."""
    return [[c.strip() for c in line.split("\t")] for line in _lines(name, directory)]


def read_list_optional(name: str, directory: Path | None = None) -> list[str]:
    """``read_list``, or no entries when the list is missing (a custom word-list folder without the newer lists)."""
    try:
        return read_list(name, directory)
    except FileNotFoundError:
        return []


def read_table_optional(name: str, directory: Path | None = None) -> list[list[str]]:
    """``read_table``, or no rows when the table is missing (a custom word-list folder without the newer lists)."""
    try:
        return read_table(name, directory)
    except FileNotFoundError:
        return []
