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


def read_county_aliases(directory: Path | None = None) -> dict[str, tuple[str, ...]]:
    """``county_aliases.tsv``: county → its aliases (old names, regions, towns, demonyms), a «=County» row taking
    over that county's name and aliases (a merged county); no entries when the list is missing. Raises
    ``ValueError`` naming the line of a row without exactly two columns."""
    rows = read_table_optional("county_aliases.tsv", directory)
    own: dict[str, list[str]] = {}
    for i, row in enumerate(rows, 1):
        if len(row) != 2 or not all(row):
            raise ValueError(f"county_aliases.tsv: entry {i} ({' | '.join(row)!r}): expected «county<TAB>alias»")
        own.setdefault(row[0], []).append(row[1])
    out = {}
    for county, names in own.items():
        expanded = []
        for name in names:
            part = name[1:].strip() if name.startswith("=") else None
            expanded += [part, *(n for n in own.get(part, ()) if not n.startswith("="))] if part else [name]
        out[county] = tuple(dict.fromkeys(expanded))
    return out
