"""`textmine crosstab` on a .sav shows the value labels (read as `textmine summary` reads them, with
textmine.io.read_table), leaves SPSS user-missing codes out, and with --survey uses the declared segment levels
and leaves an indicator's excluded codes («Vet ikke») out."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from textmine.cli import app

pyreadstat = pytest.importorskip("pyreadstat")

FYLKE = {1: "Oslo", 2: "Vestland", 3: "Trøndelag"}
FORNOYD = {1: "Svært misfornøyd", 6: "Svært fornøyd", 7: "Vet ikke"}  # end points labelled only, as in the review


def _sav(tmp_path, *, user_missing=False):
    rng = np.random.default_rng(7)
    n = 120
    q = rng.integers(1, 8, n).astype(float)
    q[:3] = np.nan
    # codes in an order that is not the label order: sorting labels would put "Trøndelag" before "Vestland"
    df = pd.DataFrame({"resp_id": np.arange(1, n + 1, dtype=float), "fylke": (np.arange(n) % 3 + 1).astype(float),
                       "q_fornoyd": q, "vekt": rng.uniform(0.5, 2.0, n)})
    p = tmp_path / ("um.sav" if user_missing else "d.sav")
    kw = {"missing_ranges": {"q_fornoyd": [7]}} if user_missing else {}
    pyreadstat.write_sav(df, str(p), variable_value_labels={"fylke": FYLKE, "q_fornoyd": FORNOYD}, **kw)
    return p, df


def _crosstab(*args):
    return CliRunner().invoke(app, ["crosstab", *map(str, args)])


def test_sav_rows_and_columns_carry_the_value_labels(tmp_path):
    p, df = _sav(tmp_path)
    out = tmp_path / "x.json"
    r = _crosstab(p, "--row", "fylke", "--col", "q_fornoyd", "--weight", "vekt", "--out", out)
    assert r.exit_code == 0, r.output
    d = json.loads(out.read_text(encoding="utf-8"))
    assert list(d["counts"]) == ["Oslo", "Vestland", "Trøndelag"]  # labels, in code order
    assert list(d["counts"]["Oslo"]) == ["Svært misfornøyd", "2", "3", "4", "5", "Svært fornøyd", "Vet ikke"]
    assert list(d["row_percent"]["Vestland"]) == list(d["counts"]["Vestland"])
    assert d["n"] == int(df["q_fornoyd"].notna().sum())  # no file-declared missing code: nothing else left out
    oslo7 = df[(df.fylke == 1) & (df.q_fornoyd == 7)]["vekt"].sum()
    assert d["counts"]["Oslo"]["Vet ikke"] == pytest.approx(oslo7)


def test_sav_user_missing_codes_are_left_out(tmp_path):
    p, df = _sav(tmp_path, user_missing=True)
    out = tmp_path / "x.json"
    r = _crosstab(p, "--row", "fylke", "--col", "q_fornoyd", "--out", out)
    assert r.exit_code == 0, r.output
    d = json.loads(out.read_text(encoding="utf-8"))
    n7 = int((df.q_fornoyd == 7).sum())
    assert "Vet ikke" not in d["counts"]["Oslo"] and d["n"] == int(df.q_fornoyd.between(1, 6).sum())
    assert f"{n7} answer(s) with code 7 («Vet ikke») left out (SPSS missing code)" in r.output
    assert d["left_out"] and "q_fornoyd" in d["left_out"][0]


@pytest.mark.parametrize("levels", [["Oslo", "Vestland", "Trøndelag"], {1: "Oslo", 2: "Vestland", 3: "Trøndelag"}])
def test_survey_definition_levels_and_excluded_codes(tmp_path, levels):
    p, df = _sav(tmp_path)
    spec = {"name": "s", "id": "resp_id", "weight": "vekt", "excluded_codes": {7: "Vet ikke"},
            "segments": [{"column": "fylke", "label": "Fylke", "levels": levels}],
            "indicators": [{"id": "fornoyd", "column": "q_fornoyd", "label": "Fornøyd", "scale": [1, 6]}]}
    sy = tmp_path / "s.yaml"
    sy.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "x.json"
    r = _crosstab(p, "--row", "fylke", "--col", "q_fornoyd", "--survey", sy, "--out", out, "--min-cell", "0")
    assert r.exit_code == 0, r.output
    d = json.loads(out.read_text(encoding="utf-8"))
    assert list(d["counts"]) == ["Oslo", "Vestland", "Trøndelag"]
    assert list(d["counts"]["Oslo"]) == ["Svært misfornøyd", "2", "3", "4", "5", "Svært fornøyd"]
    assert d["n"] == int(df.q_fornoyd.between(1, 6).sum()) and d["dof"] == 2 * 5
    assert "code 7 («Vet ikke») left out (excluded code of the survey)" in r.output


def test_csv_crosstab_unchanged(tmp_path):
    src = tmp_path / "d.csv"
    pd.DataFrame({"kontor": ["B", "A", "B", "A"] * 10, "svar": [3, 1, 2, 1] * 10}).to_csv(src, index=False)
    out = tmp_path / "x.json"
    r = _crosstab(src, "--row", "kontor", "--col", "svar", "--out", out)
    assert r.exit_code == 0, r.output
    d = json.loads(out.read_text(encoding="utf-8"))
    assert list(d["counts"]) == ["A", "B"] and list(d["counts"]["A"]) == ["1", "2", "3"] and "left_out" not in d
