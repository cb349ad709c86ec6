"""``textmine summary`` end to end on a small survey with pre-coded comments (no model needed)."""

import json

import numpy as np
import pandas as pd
import yaml
from typer.testing import CliRunner

from textmine.cli import app


def _survey_files(tmp_path, n=120):
    rng = np.random.default_rng(7)
    spec = {
        "name": "mini", "id": "rid", "wave": "aar", "weight": "vekt", "min_cell": 5,
        "segments": [{"column": "sektor", "levels": {"P": "Privat virksomhet", "O": "Offentlig virksomhet"}}],
        "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6], "excluded": [7]}],
        "free_text": [{"column": "ft", "asked_if": {"item": "helhet", "codes": [1, 2, 3, 4, 5, 6]}}],
    }
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    paths, coded_paths = [], []
    for year, shift in ((2022, 0), (2023, 1)):
        df = pd.DataFrame({
            "rid": [f"{year}-{i}" for i in range(n)], "aar": year,
            "sektor": rng.choice(["P", "O"], n), "vekt": np.round(rng.uniform(0.5, 1.5, n), 3),
            "q1": np.clip(rng.integers(1, 7, n) + shift, 1, 7),
            "ft": ["Telefonkøen er lang og vi får ikke svar" if i % 3 == 0 else "" for i in range(n)],
        })
        p = tmp_path / f"w{year}.csv"
        df.to_csv(p, index=False, sep=";", decimal=",", encoding="cp1252")
        paths.append(p)
        c = df[df["ft"] != ""][["rid"]].rename(columns={"rid": "respondent_id"}).assign(
            question="ft", text_clean=lambda d: [f"Telefonkøen er lang, nr {i}, og vi får ikke svar" for i in range(len(d))],
            is_non_answer=0, health_flag=0, theme_telefon=1, theme_annet=0)
        cp = tmp_path / f"coded{year}.csv"
        c.to_csv(cp, index=False)
        coded_paths.append(cp)
    return tmp_path / "s.yaml", paths, coded_paths


def test_summary_cli_writes_csv_json_xlsx(tmp_path):
    survey, paths, coded = _survey_files(tmp_path)
    out = tmp_path / "out"
    args = ["summary", *map(str, paths), "--survey", str(survey), "--out", str(out), "--embedder", "fallback"]
    for c in coded:
        args += ["--coded", str(c)]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "helhet" in r.output or "q1" in r.output or "mini 2023" in r.output
    d = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert d["waves"] == [2022, 2023] and d["meta"]["weighted"]
    th = pd.read_csv(out / "themes.csv")
    k = th[(th.wave == 2023) & (th.theme == "telefon") & (th.denominator == "kommentatorer") & (th.segment == "Totalt")]
    assert k["share"].iloc[0] == 1.0 and k["n"].iloc[0] == 40
    xl = pd.read_excel(out / "summary.xlsx", sheet_name=None)
    assert {"meta", "indicators", "themes", "changes", "quotes"} <= set(xl)
    assert len(xl["changes"]) == len(pd.read_csv(out / "changes.csv"))


def test_summary_cli_errors_are_clear(tmp_path):
    survey, paths, coded = _survey_files(tmp_path)
    r = CliRunner().invoke(app, ["summary", str(paths[0]), "--survey", str(survey), "--out", str(tmp_path / "o"), "--coded", str(coded[0]), "--coded", str(coded[1])])
    assert r.exit_code == 2 and "once per wave" in r.output
    bad = tmp_path / "bad.csv"
    bad.write_text("rid;aar;sektor;vekt;q1;ft\n1;2022;P;1;9;\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["summary", str(bad), "--survey", str(survey), "--out", str(tmp_path / "o"), "--no-quotes", "--coded", str(coded[0])])
    assert r.exit_code == 2 and "row 2, column q1: expected a code on the scale" in r.output
