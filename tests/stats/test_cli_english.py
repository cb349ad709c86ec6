"""CLI status lines are English (reports, data and theme labels stay Norwegian by design)."""

import ast
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import textmine.cli as cli_pkg

from ..clitools import run_cli

CLI_DIR = Path(cli_pkg.__file__).parent
MODULES = tuple(sorted(p.name for p in CLI_DIR.glob("*.py")))
PRINTERS = {"echo", "secho", "print", "status", "add_task", "_note", "_fail"}
NORWEGIAN = re.compile(
    r"[æøåÆØÅ]|\b(skrev|skrevet|lagret|rader|kommentarer|ferdig|filer|bølge|renser|koder|leser|skriver|laster|"
    r"beregner|sammendrag|rapport|figurer|resultater|kjikvadrat|syntetiske|kodede|svar|og|av|til|på|ingen|"
    r"tekstanalyse|fritekstsvar)\b", re.IGNORECASE)


def _literal_text(node) -> list[str]:
    """The literal parts of a string or f-string argument (not the values put into it)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    if isinstance(node, ast.IfExp):
        return _literal_text(node.body) + _literal_text(node.orelse)
    return []


def _printed_strings(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name in PRINTERS:
                for arg in node.args:
                    for text in _literal_text(arg):
                        yield node.lineno, text
        elif isinstance(node, ast.FunctionDef) and node.name == "_root" and ast.get_docstring(node):
            yield node.lineno, ast.get_docstring(node)  # the app callback's docstring: root help text


@pytest.mark.parametrize("module", MODULES)
def test_cli_status_lines_are_english(module):
    hits = [(line, text) for line, text in _printed_strings(CLI_DIR / module)
            if NORWEGIAN.search(text)]
    assert not hits, f"{module}: Norwegian status line(s): {hits}"


def test_crosstab_prints_its_result_in_english(tmp_path):
    data = tmp_path / "d.csv"
    pd.DataFrame({"sektor": ["P", "O"] * 10, "q": [1, 2, 1, 1, 2] * 4}).to_csv(data, index=False)
    res = run_cli("crosstab", data, "--row", "sektor", "--col", "q", "--out", tmp_path / "x.json")
    assert res.exit_code == 0, res.output
    assert "chi-square = " in res.output and "kjikvadrat" not in res.output
    pd.DataFrame({"sektor": ["P", "O"] * 3, "q": [1] * 6}).to_csv(data, index=False)
    res = run_cli("crosstab", data, "--row", "sektor", "--col", "q", "--out", tmp_path / "y.json")
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "y.json").read_text(encoding="utf-8"))["p_value"] is None  # one column: no test
    assert "(no test)" in res.output and "ingen" not in res.output


def test_summary_says_what_it_wrote_in_english(tmp_path):
    rng = np.random.default_rng(5)
    spec = {"name": "mini", "id": "rid", "wave": "aar", "min_cell": 5,
            "segments": [{"column": "sektor", "levels": {"P": "Privat", "O": "Offentlig"}}],
            "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    pd.DataFrame({"rid": [f"r{i}" for i in range(30)], "aar": 2023, "sektor": rng.choice(["P", "O"], 30),
                  "q1": rng.integers(1, 7, 30)}).to_csv(tmp_path / "w.csv", index=False)
    res = run_cli("summary", tmp_path / "w.csv", "--survey", tmp_path / "s.yaml", "--out", tmp_path / "o",
                  "--no-quotes", "--quiet")
    assert res.exit_code == 0, res.output
    assert re.search(r"Wrote \d+ files to ", res.output) and "Skrev" not in res.output
