"""crosstab: Cochran's sparse-cell warning and min_cell row hiding (a methodologist's review, F5)."""
import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.cli import app
from textmine.stats import crosstab


def _frame(small: int = 3) -> pd.DataFrame:
    rows = [("A", "ja")] * 40 + [("A", "nei")] * 30 + [("B", "ja")] * 25 + [("B", "nei")] * 35
    rows += [("C", "ja")] * small + [("C", "nei")] * 20
    return pd.DataFrame(rows, columns=["fylke", "svar"])


def test_sparse_cells_counted_and_warned():
    df = _frame(small=1)
    df = pd.concat([df, pd.DataFrame([("D", "ja")], columns=["fylke", "svar"])], ignore_index=True)
    res = crosstab(df, "fylke", "svar")
    table = np.array([[40, 30], [25, 35], [1, 20], [1, 0]], float)
    expected = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / table.sum()
    assert res["sparse_cells"] == int((expected < 5).sum()) == 2
    assert res["min_expected"] == pytest.approx(expected.min())
    assert len(res["warnings"]) == 1 and "expected count under 5" in res["warnings"][0]


def test_no_warning_when_cells_are_large():
    res = crosstab(_frame(small=15), "fylke", "svar")
    assert res["sparse_cells"] == 0 and res["warnings"] == [] and res["hidden_rows"] == []


def test_min_cell_hides_whole_row_and_tests_the_shown_rows_only():
    df = _frame(small=3)
    full = crosstab(df, "fylke", "svar")
    res = crosstab(df, "fylke", "svar", min_cell=5)
    assert res["hidden_rows"] == ["C"]
    assert res["counts"]["C"] == {"ja": None, "nei": None}  # the 20 is hidden too: 3 = row total − 20
    assert res["row_percent"]["C"] == {"ja": None, "nei": None}
    assert res["counts"]["A"] == full["counts"]["A"] == {"ja": 40, "nei": 30}
    shown = crosstab(df[df.fylke != "C"], "fylke", "svar")  # n and chi2 of the full table would solve for C's split
    assert res["n"] == shown["n"] == 130 and res["chi2"] == pytest.approx(shown["chi2"])
    assert res["chi2"] != pytest.approx(full["chi2"])
    nothing = crosstab(df, "fylke", "svar", min_cell=1000)
    assert nothing["n"] == 0 and nothing["chi2"] is None and nothing["p_value"] is None
    assert any("1 row(s) hidden" in w for w in res["warnings"])
    assert crosstab(df, "fylke", "svar", min_cell=3)["hidden_rows"] == []  # 3 respondents is not below 3


def test_min_cell_counts_respondents_not_weights():
    df = _frame(small=3).assign(w=0.1)
    df.loc[df.fylke == "C", "w"] = 50.0  # 3 people weigh 150: still 3 people
    assert crosstab(df, "fylke", "svar", weight="w", min_cell=5)["hidden_rows"] == ["C"]


def test_negative_min_cell_refused():
    with pytest.raises(ValueError, match="min_cell must be ≥ 0"):
        crosstab(_frame(), "fylke", "svar", min_cell=-1)


def test_cli_uses_the_survey_min_cell_and_prints_warnings(tmp_path):
    data = tmp_path / "w.csv"
    _frame(small=3).assign(rid=lambda d: [f"r{i}" for i in range(len(d))], wave=1).to_csv(data, index=False)
    survey = tmp_path / "s.yaml"
    survey.write_text("name: t\nid: rid\nwave: wave\nmin_cell: 5\nsegments: [fylke]\n", encoding="utf-8")
    out = tmp_path / "x.json"
    r = CliRunner().invoke(app, ["crosstab", str(data), "--row", "fylke", "--col", "svar", "--survey", str(survey),
                                 "--out", str(out)])
    assert r.exit_code == 0, r.output
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["min_cell"] == 5 and d["hidden_rows"] == ["C"]
    assert "warning: 1 row(s) hidden" in r.output
    r = CliRunner().invoke(app, ["crosstab", str(data), "--row", "fylke", "--col", "svar", "--survey", str(survey),
                                 "--out", str(out), "--min-cell", "0"])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text(encoding="utf-8"))["counts"]["C"] == {"ja": 3, "nei": 20}
