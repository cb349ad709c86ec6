"""Benjamini–Hochberg over the published tests only (methodologist's review, Dec 06).

Was: the change families were adjusted before the complement rule (:func:`textmine.summary.hide_small_counts`)
hid some of their rows, so the adjusted p of the file could not be redone from the shown p-values and
``meta.bh_families`` counted tests nobody sees. Now the reader copy adjusts within each family over the shown
tests, and the family counts match them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from textmine import stats as st
from textmine.summary import build_summary

from tests.report.test_suppress_one_summary_dec06a import _definition, _wave

FAMILY = ["kind", "wave_prev", "wave", "segment", "question", "denominator"]


@pytest.fixture(scope="module")
def summary():
    f22, c22 = _wave(2022, shift=3)
    f23, c23 = _wave(2023)
    return build_summary({2022: f22, 2023: f23}, _definition(), {2022: c22, 2023: c23}, quotes=False, drivers=False)


def _shown_tests(ch: pd.DataFrame) -> pd.Series:
    shown = ~ch["suppressed"].astype(bool)
    degenerate = (ch["diff"] == 0) & ((ch["share_prev"] <= 0) | (ch["share_prev"] >= 1))
    return ch["p_value"].where(shown & ~degenerate)


def test_adjusted_p_is_redone_from_the_shown_p_values(summary):
    ch = summary.for_readers(key="t").table("changes")
    hidden = ch[ch["suppressed"].astype(bool) & (ch["segment"] == "naering")]
    assert len(hidden), "the fixture hides change rows by the complement rule"
    p = _shown_tests(ch)
    checked = 0
    for _, idx in ch.groupby(FAMILY, sort=False, dropna=False).groups.items():
        want = st.bh_adjust(p.loc[idx].to_numpy(float))
        got = ch.loc[idx, "p_adjusted"].to_numpy(float)
        ok = ~np.isnan(want)
        np.testing.assert_allclose(got[ok], want[ok], rtol=1e-12)
        checked += int(ok.sum())
    assert checked > 0


def test_a_family_with_a_complement_hidden_row_counts_only_the_shown_tests(summary):
    reader = summary.for_readers(key="t")
    raw_ch, ch = summary.table("changes"), reader.table("changes")
    fam = (ch["kind"] == "indicator") & (ch["segment"] == "naering")
    assert ch.loc[fam, "suppressed"].any() and not raw_ch.loc[fam.to_numpy(), "suppressed"].all()
    fams = {f["family"]: f["tests"] for f in reader.meta["bh_families"] if f["table"] == "changes"}
    shown = int(_shown_tests(ch)[fam].notna().sum())
    assert fams["indicator / naering"] == shown
    raw_fams = {f["family"]: f["tests"] for f in summary.meta["bh_families"] if f["table"] == "changes"}
    assert raw_fams["indicator / naering"] > shown, "the raw summary tests the rows the reader copy hides"
    assert reader.meta["bh_note"] != summary.meta["bh_note"], "the note counts the shown tests too"


def test_verdicts_follow_the_readjusted_p(summary):
    ch = summary.for_readers(key="t").table("changes")
    shown = ch[~ch["suppressed"].astype(bool)]
    want = st.change_verdict(shown["p_value"].to_numpy(float), shown["p_adjusted"].to_numpy(float),
                             ci_low=shown["ci_low"].to_numpy(float), ci_high=shown["ci_high"].to_numpy(float))
    assert list(shown["verdict"]) == list(want)


def test_hiding_twice_changes_nothing(summary):
    from textmine.summary import hide_small_counts

    once = hide_small_counts(summary)
    twice = hide_small_counts(once)
    pd.testing.assert_frame_equal(once.table("changes"), twice.table("changes"))
    assert once.meta["bh_families"] == twice.meta["bh_families"]
