"""The change test can be redone from the files (methodologist's review, Dec 06).

Was: changes.csv and the sheet «Endring» gave the unweighted base (n_prev, n), but a weighted survey's test runs on
Kish's effective n, so the p-value could not be recomputed from the file. Now both carry the effective n of each
wave (``n_eff_prev``, ``n_eff``; «Effektiv n forrige», «Effektiv n»), blank on hidden rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from textmine import stats as st
from textmine.report.views import report_from_summary
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

from tests.report.test_suppress_one_summary_dec06a import _wave


@pytest.fixture(scope="module")
def built():
    frames, coded = {}, {}
    for wave, shift in ((2022, 3), (2023, 0)):
        f, c = _wave(wave, shift=shift)
        f["vekt"] = [0.5 + (i % 4) * 0.5 for i in range(len(f))]
        frames[wave], coded[wave] = f, c
    d = SurveyDefinition.from_dict({
        "name": "small", "id": "rid", "wave": "aar", "min_cell": 5, "weight": "vekt",
        "segments": [{"column": "naering", "levels": {k: k for k in ("prim", "ind", "tj", "off", "bygg")}}],
        "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 5], "positive": [4, 5]}],
        "free_text": [{"column": "ft", "label": "Kommentar?"}]})
    s = build_summary(frames, d, coded, quotes=False, drivers=False)
    assert s.meta["weighted"]
    return s, d


def test_changes_csv_has_the_effective_n_and_the_p_value_can_be_redone(built, tmp_path):
    s, _ = built
    s.write(tmp_path, formats=("csv",))
    ch = pd.read_csv(tmp_path / "changes.csv")
    shown = ch[~ch["suppressed"].astype(bool) & ch["p_value"].notna()]
    assert len(shown)
    assert (shown["n_eff"] < shown["n"]).any(), "unequal weights: effective n below n"
    r = st.two_proportion_test(shown["share_prev"].to_numpy(float), shown["n_eff_prev"].to_numpy(float),
                               shown["share"].to_numpy(float), shown["n_eff"].to_numpy(float))
    np.testing.assert_allclose(r["p_value"], shown["p_value"].to_numpy(float), rtol=1e-9)
    hidden = ch[ch["suppressed"].astype(bool)]
    assert len(hidden) and hidden["n_eff"].isna().all() and hidden["n_eff_prev"].isna().all()


def test_the_change_sheet_has_the_effective_n(built, tmp_path):
    from openpyxl import load_workbook

    from textmine.report.excel import write_workbook

    s, d = built
    r = report_from_summary(s, d, key="t")
    assert {"n_eff_prev", "n_eff"} <= set(r.changes.columns)
    wb = load_workbook(write_workbook(r, tmp_path / "r.xlsx", row_level=False), read_only=True)
    header, *rows = list(wb["Endring"].iter_rows(values_only=True))
    assert "Effektiv n forrige" in header and "Effektiv n" in header
    want = r.changes.iloc[0]
    got = rows[0][header.index("Effektiv n")]
    assert got == pytest.approx(float(want["n_eff"]), abs=0.5)


def test_method_notes_say_the_change_ci_is_not_adjusted(built):
    """A change whose CI excludes 0 can be «ingen sikker endring» (BH-adjusted p): the method text says why."""
    from textmine.report.html import render_html
    from textmine.report.views import method_lines

    s, d = built
    r = report_from_summary(s, d, key="t")
    text = " ".join(t for _, t in method_lines(r.method))
    assert "ikke justert for mange sammenligninger" in text
    nn = " ".join(t for _, t in method_lines(r.method, "nn"))
    assert "ikkje justert for mange samanlikningar" in nn
    r.language = "nn"
    page = render_html(r, {})
    assert "ikkje justert for mange samanlikningar" in page
