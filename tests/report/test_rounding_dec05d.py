"""One display rounding rule in the report and the terminal tables: half up on the decimal value, and a share that
is neither none nor all never prints as «0 %» or «100 %»."""

import pytest

from textmine.report.numbers import (NBSP, fmt_ci, fmt_decimal, fmt_int, fmt_pct, fmt_pp, pct_number, pp_number,
                                     shown, verbal_share)
from textmine.texttables import _ci, _percent, _points


@pytest.mark.parametrize("k, n, text", [
    (1, 40, "3"),  # 2.5 % (binary 0.025 = 0.025000000000000001): half up, not «2»
    (169, 200, "85"),  # 84.5 %: the float 0.845 × 100 is 84.49999…, the decimal value is 84.5
    (1, 8, "13"),  # 12.5 %: half up, not to even
    (7, 200, "4"),
    (1, 200, "1"),  # 0.5 % rounds up to 1 %, not «0 %»
    (2, 400, "1"),
    (1, 250, "<1"),  # 0.4 %: positive, rounds to 0
    (199, 200, ">99"),  # 99.5 %: not all, rounds to 100
    (999, 1000, ">99"),
    (0, 10, "0"),
    (10, 10, "100"),
])
def test_percent_rounds_half_up_and_never_hides_a_share(k, n, text):
    assert fmt_pct(k / n) == f"{text}{NBSP}%"
    assert _percent(k / n) == text  # the terminal table prints the same number


def test_no_positive_share_prints_zero_or_hundred():
    for n in range(1, 2001):
        for k in (1, n - 1):
            if 0 < k < n:
                assert fmt_pct(k / n) not in (f"0{NBSP}%", f"100{NBSP}%"), (k, n, fmt_pct(k / n))
                assert _percent(k / n) not in ("0", "100"), (k, n)


def test_decimals_follow_the_same_rule():
    assert fmt_pct(0.0004, 1) == f"<0,1{NBSP}%"
    assert fmt_pct(0.9996, 1) == f">99,9{NBSP}%"
    assert fmt_pct(0.12345, 1) == f"12,3{NBSP}%"
    assert fmt_pct(0.12345, 2) == f"12,35{NBSP}%"  # 12.345 half up (the float is 12.344999…)
    assert fmt_decimal(2.675, 2) == "2,68"  # Python's own format gives 2.67 (binary 2.67499…)
    assert fmt_decimal(0.125, 2) == "0,13"  # not round-half-to-even 0.12
    assert fmt_decimal(-0.04, 1) == "0,0"  # never «−0,0»
    assert fmt_int(2.5) == "3" and fmt_int(3.5) == "4"


@pytest.mark.parametrize("diff, text", [
    (0.005, "+1"), (-0.005, "−1"), (0.0049, "0"), (0.025, "+3"), (-0.025, "−3"), (0.015, "+2"), (0.0, "0"),
])
def test_percentage_points_round_half_up_in_report_and_terminal(diff, text):
    assert pp_number(diff) == text
    assert _points(diff) == text
    assert fmt_pp(diff) == (f"±0{NBSP}pp" if text == "0" else f"{text}{NBSP}pp")


def test_ci_bounds_round_half_up_in_report_and_terminal():
    assert fmt_ci(0.025, 0.845) == f"3–85{NBSP}%"
    assert _ci(0.025, 0.845) == "3–85"
    assert _ci(0.001, 0.02) == "0–2"  # a CI bound is a bound, not a share: plainly rounded


def test_verbal_share_reads_the_printed_percent():
    # 1/40 prints «3 %» now: it gets the phrase of 3 %, not the «svært få» of 2 %
    assert fmt_pct(1 / 40) == fmt_pct(0.03)
    assert verbal_share(1 / 40) == verbal_share(0.03)
    assert int(shown(169 / 200, share=True)) == 85


def test_non_finite_numbers_print_as_missing():
    inf = float("inf")
    assert fmt_pct(inf) == fmt_pp(-inf) == fmt_decimal(inf) == fmt_ci(0.1, inf) == "–"
    assert _percent(inf) == _points(inf) == "–"


def test_change_table_checks_the_sum_with_the_printed_rounding():
    """«Does the change add up» uses the printed (half-up) rounding: 14.5 % → 16 % with a change of 1.5 pp prints
    «15 % → 16 %, +2 pp» with whole numbers, which does not add up, so one decimal is used."""
    from textmine.report.html import _shown_adds_up
    from textmine.report.numbers import change_digits as _change_digits

    assert not _shown_adds_up(0.145, 0.16, 0.015, 0)
    assert _change_digits(0.145, 0.16, 0.015) == 1
    assert _shown_adds_up(0.14, 0.16, 0.02, 0) and _change_digits(0.14, 0.16, 0.02) == 0
