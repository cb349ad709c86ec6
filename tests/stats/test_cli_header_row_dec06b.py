"""``textmine summary`` and ``textmine report`` take ``--header-row`` (a title above the column names), as
``textmine code`` does."""

import numpy as np
import pandas as pd
import pytest
import yaml

from ..clitools import run_cli as _run


@pytest.fixture()
def titled(tmp_path):
    """A two-wave survey whose wave files carry a title on row 1 (column names on row 2), with coded comments."""
    rng = np.random.default_rng(3)
    n = 40
    spec = {"name": "mini", "id": "rid", "wave": "aar", "weight": "vekt", "min_cell": 5,
            "segments": [{"column": "sektor", "levels": {"P": "Privat", "O": "Offentlig"}}],
            "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}],
            "free_text": [{"column": "ft"}]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    for year in (2022, 2023):
        df = pd.DataFrame({"rid": [f"{year}-{i}" for i in range(n)], "aar": year,
                           "sektor": rng.choice(["P", "O"], n), "vekt": np.round(rng.uniform(0.5, 1.5, n), 3),
                           "q1": rng.integers(1, 7, n),
                           "ft": ["Telefonkøen er lang" if i % 3 == 0 else "" for i in range(n)]})
        path = tmp_path / f"w{year}.csv"
        path.write_text(f"Eksport fra Questback {year}\n" + df.to_csv(index=False), encoding="utf-8")
        df[df["ft"] != ""][["rid"]].rename(columns={"rid": "respondent_id"}).assign(
            question="ft", text_clean="Telefonkøen er lang", is_non_answer=0, health_flag=0,
            theme_telefon=1, theme_annet=0).to_csv(tmp_path / f"coded{year}.csv", index=False)
    return tmp_path


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
