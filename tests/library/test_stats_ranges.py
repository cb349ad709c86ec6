"""Tests and adjustments refuse values outside their range (a percentage passed as a share, a negative
p-value) instead of returning a confident wrong answer."""

import numpy as np
import pytest

from textmine.stats import bh_adjust, two_proportion_test


@pytest.mark.parametrize("args, needle", [
    ((45.0, 100, 50.0, 100), "p1: position 0: expected a share in [0, 1] (not a percentage), got 45.0"),
    ((0.4, 100, [0.5, 1.2], 100), "p2: position 1: expected a share in [0, 1]"),
    ((0.4, -5, 0.5, 100), "n1: position 0: expected a group size ≥ 0"),
])
def test_two_proportion_test_refuses_values_out_of_range(args, needle):
    with pytest.raises(ValueError) as exc:
        two_proportion_test(*args)
    assert needle in str(exc.value)


def test_two_proportion_test_still_takes_empty_groups_and_edges():
    assert np.isnan(two_proportion_test(0.5, 0, 0.5, 10)["p_value"])
    assert np.isnan(two_proportion_test(float("nan"), 10, 0.5, 10)["p_value"])
    assert two_proportion_test(0.0, 10, 0.0, 10)["p_value"] == 1.0


def test_bh_adjust_refuses_p_values_out_of_range():
    with pytest.raises(ValueError, match=r"p_values: position 1: expected a p-value in \[0, 1\], got -0.01"):
        bh_adjust([0.2, -0.01, 0.03])
    with pytest.raises(ValueError, match="position 0"):
        bh_adjust([1.5])
    np.testing.assert_allclose(bh_adjust([0.01, np.nan, 0.04]), [0.02, np.nan, 0.04])
