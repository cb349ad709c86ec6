"""Norwegian number formatting."""

import math

import pytest

from textmine.report.numbers import NBSP, fmt_ci, fmt_decimal, fmt_int, fmt_n_base, fmt_pct, fmt_pp, verbal_share


def test_percent_has_space_and_rounds_half_to_nearest():
    assert fmt_pct(0.857) == f"86{NBSP}%"
    assert fmt_pct(0.8649, 1) == f"86,5{NBSP}%"
    assert fmt_pct(0.003) == f"<1{NBSP}%"
    assert fmt_pct(0.0) == f"0{NBSP}%"
    assert fmt_pct(float("nan")) == "–"


def test_decimal_comma_and_thousands_space():
    assert fmt_decimal(1234.56, 1) == f"1{NBSP}234,6"
    assert fmt_decimal(-0.25, 2) == "−0,25"
    assert fmt_int(16861) == f"16{NBSP}861"
    assert fmt_n_base(312, 1204) == f"n{NBSP}={NBSP}312 av 1{NBSP}204"


def test_ci_and_percentage_points():
    assert fmt_ci(0.81, 0.884) == f"81–88{NBSP}%"
    assert fmt_pp(0.034) == f"+3{NBSP}pp"
    assert fmt_pp(-0.046) == f"−5{NBSP}pp"
    assert fmt_pp(0.001) == f"±0{NBSP}pp"


@pytest.mark.parametrize("share,text", [(0.70, "7 av 10"), (0.5, "halvparten"), (0.48, "nesten halvparten"),
                                        (0.25, "1 av 4"), (0.33, "1 av 3"), (0.86, "nesten 9 av 10"), (0.1, "1 av 10"),
                                        (0.02, "svært få"), (0.99, "nesten alle")])
def test_verbal_rounding(share, text):
    assert verbal_share(share) == text


def test_verbal_rejects_percentages():
    with pytest.raises(ValueError, match="between 0 and 1"):
        verbal_share(86)
    assert verbal_share(math.nan) == "–"
