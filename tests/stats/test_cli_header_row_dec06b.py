"""``textmine summary`` and ``textmine report`` take ``--header-row`` (a title above the column names), as
``textmine code`` does."""

import pytest

from ..clitools import run_cli as _run
from ..smallwaves import write_mini_survey


@pytest.fixture()
def titled(tmp_path):
    """A two-wave survey whose wave files carry a title on row 1 (column names on row 2), with coded comments."""
    return write_mini_survey(tmp_path, seed=3, n=40, ft=lambda i: "Telefonkøen er lang" if i % 3 == 0 else "",
                             coded="Telefonkøen er lang", title="Eksport fra Questback {year}")


def _args(d, command):
    return [command, d / "w2022.csv", d / "w2023.csv", "--survey", d / "s.yaml", "--embedder", "fallback",
            "--coded", d / "coded2022.csv", "--coded", d / "coded2023.csv", "--out", d / f"o_{command}"]


@pytest.mark.parametrize("command", ["summary", "report"])
def test_header_row_reads_files_with_a_title(titled, command):
    extra = ["--quiet"] if command == "summary" else ["--coder", "keyword"]
    res = _run(*_args(titled, command), *extra)
    assert res.exit_code == 2 and "--header-row" in res.output and "header_row=" not in res.output
    res = _run(*_args(titled, command), *extra, "--header-row", "2")
    assert res.exit_code == 0, res.output
    assert any((titled / f"o_{command}").iterdir())
