"""``textmine crosstab --not-personal COL``: the analyst's per-column override of the personal-data refusal
(company names such as "Hansen AS" look like names); columns not named stay protected."""

import json

import pandas as pd
import pytest

from ..clitools import assert_clean_fail, run_cli

PHONE = "91234567"


@pytest.fixture()
def data(tmp_path):
    p = tmp_path / "d.csv"
    pd.DataFrame({"firma": ["Hansen AS", "Olsen og Sønn AS", "Hansen AS", "Berg Bygg AS"],
                  "kommentar": [f"ring {PHONE}", "Per Hansen svarte", "bra", "greit"],
                  "q": [1, 2, 1, 2]}).to_csv(p, index=False)
    return p


def test_company_names_are_refused_and_the_message_names_the_override(data, tmp_path):
    out = tmp_path / "x.json"
    res = run_cli("crosstab", data, "--row", "firma", "--col", "q", "--out", out)
    assert_clean_fail(res, "'firma'", "personal data", "--not-personal firma")
    assert "Hansen" not in res.output and not out.exists()


def test_not_personal_lets_the_named_column_through(data, tmp_path):
    out = tmp_path / "x.json"
    res = run_cli("crosstab", data, "--row", "firma", "--col", "q", "--out", out, "--not-personal", "firma")
    assert res.exit_code == 0, res.output
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["counts"]["Hansen AS"] == {"1": 2, "2": 0} and d["n"] == 4


def test_columns_not_named_stay_protected(data, tmp_path):
    out = tmp_path / "x.json"
    res = run_cli("crosstab", data, "--row", "firma", "--col", "kommentar", "--out", out, "--not-personal", "firma")
    assert_clean_fail(res, "'kommentar'", "personal data", "--not-personal kommentar")
    assert "'firma'" not in res.output and PHONE not in res.output and "Hansen" not in res.output
    assert not out.exists()


def test_not_personal_must_name_the_row_or_col(data, tmp_path):
    out = tmp_path / "x.json"
    res = run_cli("crosstab", data, "--row", "kommentar", "--col", "q", "--out", out, "--not-personal", "Firma")
    assert_clean_fail(res, "--not-personal 'Firma'", "--row 'kommentar'", "--col 'q'")
    assert PHONE not in res.output and not out.exists()
