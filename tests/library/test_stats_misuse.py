"""Survey statistics with the inputs a notebook gets wrong: scale codes for 0/1, odd weights, text in numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from textmine import stats as st


def test_proportion_refuses_values_other_than_zero_and_one():
    """Was: a scale code (2) was summed as a count, so the share of "1" could be wrong without a word."""
    with pytest.raises(ValueError, match=r"y: position 0: expected 0 or 1"):
        st.proportion([2, 0, 1])
    assert st.proportion([1, 0, np.nan, 1]).share == pytest.approx(2 / 3)


@pytest.mark.parametrize("fn", [st.proportion, st.weighted_share, st.weighted_mean])
def test_weights_are_checked(fn):
    """Was: negative weights gave NaN or shares above 1, a wrong length a numpy broadcasting error."""
    with pytest.raises(ValueError, match="weights: position 1: expected a finite number ≥ 0"):
        fn([1, 0, 1], [1, -0.5, 1])
    with pytest.raises(ValueError, match="weights: position 0"):
        fn([1, 0, 1], [np.inf, 1, 1])
    with pytest.raises(ValueError, match="got 2 weights for 3 values"):
        fn([1, 0, 1], [1, 1])
    with pytest.raises(ValueError, match="weights: position 1"):
        st.kish_n([1, -1])


def test_a_non_number_is_located_but_not_echoed():
    with pytest.raises(ValueError, match="values: position 1: expected a number") as info:
        st.weighted_mean(["4", "Kari Nordmann"])
    assert "Kari" not in str(info.value)


def test_crosstab_refuses_infinite_weights_and_names_the_row():
    df = pd.DataFrame({"a": ["x", "y", "x", "y"], "b": [1, 2, 2, 1], "w": [1, 1, np.inf, 1]})
    with pytest.raises(ValueError, match=r"weight column 'w' has missing, negative or infinite values \(row 4, 1"):
        st.crosstab(df, "a", "b", weight="w")


def test_checked_and_fine_intervals_at_n_zero_and_one():
    assert all(np.isnan(st.wilson_ci(0, 0)))
    lo, hi = st.wilson_ci(1, 1)
    assert 0 < lo < 1 and hi == 1.0
    assert all(np.isnan(st.logit_ci(0.5, 0)))
    m = st.weighted_mean([4.0])
    assert m.mean == 4.0 and np.isnan(m.ci_low)
    e = st.proportion([])
    assert e.n == 0 and np.isnan(e.share) and np.isnan(e.ci_low)
    assert np.isnan(st.proportion([1, 0], [0, 0]).share)  # zero-sum weights: no estimate, not a crash
    r = st.two_proportion_test(0.5, 0, 0.5, 10)
    assert np.isnan(r["p_value"])
    with pytest.raises(ValueError, match=r"confidence level must be in \(0, 1\)"):
        st.z_value(95)
