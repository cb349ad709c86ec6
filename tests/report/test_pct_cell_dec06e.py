"""pct_cell never prints 0 or 100 for a share that is neither (review dec06e): a share too close to 0 or 1 for three
decimals prints as pct_number writes it («<0,001», «>99,999»), a tiny negative share keeps its sign."""

from __future__ import annotations

import pytest

from textmine.report.numbers import NBSP, pct_cell, pct_number


@pytest.mark.parametrize("p, expected", [
    (1e-7, "<0,001"), (4.9e-6, "<0,001"), (0.9999999, ">99,999"), (1 - 4.9e-6, ">99,999"),
    (-1e-9, "−<0,001"),
])
def test_shares_beyond_three_decimals_print_with_a_bound(p, expected):
    assert pct_cell(p) == expected == pct_number(p, 3)


@pytest.mark.parametrize("p, expected", [(0.0, "0"), (1.0, "100"), (0.0004, "0,04"), (0.9996, "99,96"),
                                         (0.285, "29"), (5e-6, "0,001"), (0.99999, "99,999"), (-0.05, "−5"),
                                         (0.000012, "0,001"), (float("nan"), "–")])
def test_other_shares_print_as_before(p, expected):
    assert pct_cell(p) == expected


def test_no_share_between_none_and_all_prints_as_0_or_100():
    # (within 1e-9 of 0 or 1 is float noise of an exact share: see the last test)
    for p in (1e-8, 1e-7, 4e-6, 0.5e-5, 1 - 1e-8, 1 - 1e-7, 1 - 4e-6, -1e-8, -1e-7):
        text = pct_cell(p)
        assert text.lstrip("−<>").replace(",", ".").strip("0.") != "" and text not in ("100", "100,000"), (p, text)
        assert NBSP not in text


def test_float_noise_of_none_or_all_prints_as_exact():
    """A weighted share of everyone summed in another order is 0.9999999999999998, not «>99,999» (review dec06e)."""
    from textmine.report.numbers import pct_cell

    weights = [0.1, 0.2, 0.3]
    assert pct_cell(sum(reversed(weights)) / sum(weights)) == pct_cell(1.0) == "100"
    assert pct_cell(1e-17) == pct_cell(-1e-17) == pct_cell(0.0) == "0"
    assert pct_cell(0.9999999) == ">99,999"
