"""Theme × indicator rows with both groups 0 % (or both 100 %) are no test, as the change rows: no ``p_value`` or
``p_adjusted``, kept out of the Benjamini–Hochberg family, verdict «ingen sikker forskjell»; every writer shows the
blank as an empty cell / null, never «nan»."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from textmine import stats as st
from textmine.summary import _adjust_theme_indicators, build_summary

from .test_method_review_dec06h import _definition, _wave


def _frame(p_values, degenerate_row: int) -> tuple[pd.DataFrame, np.ndarray]:
    n = len(p_values)
    t = pd.DataFrame({"wave": 2023, "question": "ft", "indicator": "helhet", "theme": [f"t{i}" for i in range(n)],
                      "suppressed": False, "applicable": True, "p_value": p_values,
                      "ci_low": [-0.3, 0.0, 0.05][:n], "ci_high": [-0.01, 0.0, 0.4][:n]})
    deg = np.zeros(n, dtype=bool)
    deg[degenerate_row] = True
    return t, deg


def test_a_degenerate_row_has_no_p_and_stays_out_of_the_family():
    real = [0.004, 0.03]
    t, deg = _frame([real[0], 1.0, real[1]], degenerate_row=1)  # row 1: 0 % vs 0 % (two_proportion_test's p = 1)
    out, families = _adjust_theme_indicators(t, deg)
    assert np.isnan(out.loc[1, "p_value"]) and np.isnan(out.loc[1, "p_adjusted"])
    assert out.loc[1, "verdict"] == st.VERDICT_NO_CLEAR_DIFFERENCE
    np.testing.assert_allclose(out.loc[[0, 2], "p_adjusted"].to_numpy(), st.bh_adjust(real))
    assert families == [{"table": "theme_indicators", "wave": 2023, "family": "ft / helhet", "tests": 2}]
    assert list(out.loc[[0, 2], "verdict"]) == list(st.difference_verdict(
        np.array(real), st.bh_adjust(real), ci_low=np.array([-0.3, 0.05]), ci_high=np.array([-0.01, 0.4])))


def test_a_hidden_degenerate_row_keeps_its_p_as_a_hidden_change_row():
    t, deg = _frame([0.004, 1.0, 0.03], degenerate_row=1)
    t.loc[1, "suppressed"] = True  # hidden: no published test; the caller gives it «for få svar»
    out, families = _adjust_theme_indicators(t, deg)
    assert out.loc[1, "p_value"] == 1.0 and np.isnan(out.loc[1, "p_adjusted"])
    assert families[0]["tests"] == 2


def _degenerate_summary():
    # weighted: every positive answer has weight 0, so both groups are 0 % weighted while the indicator varies
    levels = {"A": {"n": 30, "com": 30, "pos": 6, "theme": 15}, "B": {"n": 30, "com": 30, "pos": 6, "theme": 12}}
    f, c = _wave(levels, 2023, weight=lambda lv, i: 0.0 if i < 6 else 1.0 + (i % 3) * 0.25)
    return build_summary({2023: f}, _definition(levels), {2023: c}, quotes=False)


def test_the_built_table_and_every_summary_file_show_the_blank(tmp_path):
    s = _degenerate_summary()
    t = s.table("theme_indicators")
    row = t[(t["theme"] == "pris") & (t["indicator"] == "helhet")].iloc[0]
    assert row["applicable"] and not row["suppressed"]
    assert row["share_mention"] == 0 and row["share_other"] == 0
    assert pd.isna(row["p_value"]) and pd.isna(row["p_adjusted"])
    assert row["verdict"] == st.VERDICT_NO_CLEAR_DIFFERENCE
    fam = [f for f in s.meta["bh_families"] if f["table"] == "theme_indicators"]
    assert fam and fam[0]["tests"] == 0

    s.write(tmp_path)
    data = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    rec = next(r for r in data["tables"]["theme_indicators"] if r["theme"] == "pris")
    assert rec["p_value"] is None and rec["p_adjusted"] is None and rec["verdict"] == "ingen sikker forskjell"
    for name in ("theme_indicators.csv", "summary_tidy.csv"):
        cells = pd.read_csv(tmp_path / name, keep_default_na=False, dtype=str).to_numpy().ravel()
        assert not {str(v).lower() for v in cells} & {"nan", "none", "<na>"}
    csv = pd.read_csv(tmp_path / "theme_indicators.csv", keep_default_na=False)
    pris = csv[csv["theme"] == "pris"].iloc[0]
    assert pris["p_value"] == "" and pris["p_adjusted"] == ""
    ws = load_workbook(tmp_path / "summary.xlsx", read_only=True)["theme_indicators"]
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[0])
    xrow = next(r for r in rows[1:] if r[head.index("theme")] == "pris")
    assert xrow[head.index("p_value")] is None and xrow[head.index("p_adjusted")] is None
    assert "nan" not in s.to_text_table().lower()
