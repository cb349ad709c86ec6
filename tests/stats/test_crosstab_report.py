"""Reproduce a report-style crosstab from printed counts: percentages round the same way, p agrees.

Fixture (our own, shaped like a NAV staff-survey table): "Hvor fornøyd er du med arbeidsmiljøet?" by office.
Printed in the "report": counts, row percentages as whole numbers (rounded half-up, so a row may sum to 101)
and "p < 0,001". Hand computation of the Pearson statistic (expected = row total · column total / N):
  Kontor A (60): 30 / 20 / 10 → expected 17.142857, 21.428571, 21.428571
  Kontor B (80): 10 / 30 / 40 → expected 22.857143, 28.571429, 28.571429
  chi2 = 9.642857 + 0.095238 + 6.095238 + 7.232143 + 0.071429 + 4.571429 = 27.708333, dof = 2,
  and for dof = 2 the survival function is exp(−chi2/2) = 9.62e-07.
"""

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency
from typer.testing import CliRunner

from textmine.stats import crosstab

COUNTS = {"Kontor A": {"Misfornøyd": 30, "Nøytral": 20, "Fornøyd": 10}, "Kontor B": {"Misfornøyd": 10, "Nøytral": 30, "Fornøyd": 40}}
PRINTED_PERCENT = {"Kontor A": {"Misfornøyd": 50, "Nøytral": 33, "Fornøyd": 17}, "Kontor B": {"Misfornøyd": 13, "Nøytral": 38, "Fornøyd": 50}}
COLS = ["Misfornøyd", "Nøytral", "Fornøyd"]


def _microdata(counts) -> pd.DataFrame:
    rows = [(r, c) for r, cs in counts.items() for c, k in cs.items() for _ in range(k)]
    return pd.DataFrame(rows, columns=["kontor", "svar"])


def test_report_percentages_and_p_value_reproduced():
    df = _microdata(COUNTS)
    res = crosstab(df, "kontor", "svar", col_order=COLS, decimals=0)
    assert res["counts"] == COUNTS
    assert res["row_percent"] == PRINTED_PERCENT  # 12.5 → 13 and 37.5 → 38, as printed (not banker's 12)
    assert sum(res["row_percent"]["Kontor B"].values()) == 101
    assert res["n"] == 140 and res["dof"] == 2
    assert res["chi2"] == pytest.approx(27.708333, abs=1e-6)
    assert res["p_value"] == pytest.approx(math.exp(-27.708333 / 2), rel=1e-6)
    assert res["p_value"] < 0.001  # "p < 0,001" in the report
    table = np.array([[COUNTS[r][c] for c in COLS] for r in COUNTS])
    chi2, p, dof, _ = chi2_contingency(table, correction=False)
    assert (res["chi2"], res["p_value"]) == (pytest.approx(chi2), pytest.approx(p))
    one_dec = crosstab(df, "kontor", "svar", col_order=COLS)  # default: one decimal, half-up
    assert one_dec["row_percent"]["Kontor A"]["Nøytral"] == 33.3 and one_dec["row_percent"]["Kontor B"]["Misfornøyd"] == 12.5


def test_two_by_two_without_continuity_correction_unless_asked():
    df = _microdata({"Kvinne": {"Ja": 45, "Nei": 55}, "Mann": {"Ja": 30, "Nei": 70}})
    res = crosstab(df, "kontor", "svar")
    assert res["chi2"] == pytest.approx(4.8)  # by hand, see test_stats_core
    assert round(res["p_value"], 3) == 0.028  # printed "p = 0,028"
    yates = crosstab(df, "kontor", "svar", correction=True)
    assert yates["chi2"] == pytest.approx(49 * (2 / 37.5 + 2 / 62.5)) and round(yates["p_value"], 3) == 0.041


def test_weighted_crosstab_constant_weights_equal_unweighted_test():
    df = _microdata(COUNTS).assign(w=2.0)
    res = crosstab(df, "kontor", "svar", weight="w", col_order=COLS)
    assert res["weighted"] and res["counts"]["Kontor A"]["Misfornøyd"] == 60.0
    assert res["chi2"] == pytest.approx(27.708333, abs=1e-6)  # scaled to n, design effect 1
    rng = np.random.default_rng(0)
    df["w"] = rng.gamma(2, 0.5, len(df))
    res = crosstab(df, "kontor", "svar", weight="w", col_order=COLS)
    wt = df.pivot_table(index="kontor", columns="svar", values="w", aggfunc="sum")[COLS].to_numpy()
    n, n_eff = len(df), df["w"].sum() ** 2 / (df["w"] ** 2).sum()
    chi2_scaled = chi2_contingency(wt * n / wt.sum(), correction=False)[0]
    assert res["chi2"] == pytest.approx(chi2_scaled / (n / n_eff))
    assert res["n_effective"] == pytest.approx(n_eff)


def test_crosstab_cli_writes_stable_keys(tmp_path):
    from textmine.cli import app

    src = tmp_path / "data.csv"
    _microdata(COUNTS).to_csv(src, index=False, sep=";", encoding="cp1252")
    out = tmp_path / "x.json"
    r = CliRunner().invoke(app, ["crosstab", str(src), "--row", "kontor", "--col", "svar", "--out", str(out)])
    assert r.exit_code == 0, r.output
    d = json.loads(out.read_text(encoding="utf-8"))
    assert {"counts", "row_percent", "chi2", "dof", "p_value", "n"} <= set(d)
    assert d["counts"]["Kontor B"]["Fornøyd"] == 40 and d["n"] == 140
    assert d["row_percent"]["Kontor A"]["Misfornøyd"] == 50.0
    codes = pd.DataFrame({"sektor": ["P", "P", "O", "O", "P"], "q": [1, 2, np.nan, 2, 7]})
    codes.to_csv(src, index=False)
    r = CliRunner().invoke(app, ["crosstab", str(src), "--row", "sektor", "--col", "q", "--out", str(out)])
    assert r.exit_code == 0, r.output
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["counts"]["P"] == {"1": 1, "2": 1, "7": 1} and d["n"] == 4  # codes as written, blank row left out
    bad = CliRunner().invoke(app, ["crosstab", str(src), "--row", "nope", "--col", "svar", "--out", str(out)])
    assert bad.exit_code != 0 and "nope" in bad.output
