"""Norwegian number formatting: decimal comma, "86 %", "7 av 10", "om lag halvparten"."""

from __future__ import annotations

import math
from fractions import Fraction

NBSP = "\u00a0"
THIN = "\u202f"  # narrow no-break space, used as thousands separator

_VERBAL_FRACTIONS: list[tuple[Fraction, str]] = [
    (Fraction(1, 10), "1 av 10"), (Fraction(1, 5), "1 av 5"), (Fraction(1, 4), "1 av 4"),
    (Fraction(3, 10), "3 av 10"), (Fraction(1, 3), "1 av 3"), (Fraction(2, 5), "4 av 10"),
    (Fraction(1, 2), "om lag halvparten"), (Fraction(3, 5), "6 av 10"), (Fraction(2, 3), "2 av 3"),
    (Fraction(7, 10), "7 av 10"), (Fraction(3, 4), "3 av 4"), (Fraction(4, 5), "8 av 10"),
    (Fraction(9, 10), "9 av 10"),
]


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_int(n, *, sep: str = NBSP) -> str:
    """Whole number with a (no-break) space as thousands separator: 16861 -> "16 861"."""
    if _missing(n):
        return "–"
    s = f"{int(round(float(n))):,}"
    return s.replace(",", sep)


def fmt_decimal(x, digits: int = 1, *, sep: str = NBSP) -> str:
    """Decimal comma and grouped thousands: 1234.56 -> "1 234,6"."""
    if _missing(x):
        return "–"
    s = f"{float(x):,.{digits}f}"
    # python uses "," for groups and "." for decimals; swap to Norwegian
    s = s.replace(",", "\x00").replace(".", ",").replace("\x00", sep)
    if s.startswith("-"):
        s = "−" + s[1:]  # typographic minus
    return s


def fmt_pct(p, digits: int = 0, *, share: bool = True) -> str:
    """A share (0–1, or a percentage with ``share=False``) as "86 %" (space before %, decimal comma)."""
    if _missing(p):
        return "–"
    value = float(p) * 100 if share else float(p)
    if digits == 0 and abs(value) < 0.5 and value != 0:
        return f"<1{NBSP}%" if value > 0 else f"−<1{NBSP}%"
    return f"{fmt_decimal(value, digits)}{NBSP}%"


def fmt_pp(diff, digits: int = 0, *, share: bool = True) -> str:
    """A difference in percentage points with sign: +3 / −4 "prosentpoeng" shortened to "pp"."""
    if _missing(diff):
        return "–"
    value = float(diff) * 100 if share else float(diff)
    text = fmt_decimal(abs(value), digits)
    if round(value, digits) == 0:
        return f"±0{NBSP}pp"
    sign = "+" if value > 0 else "−"
    return f"{sign}{text}{NBSP}pp"


def fmt_ci(low, high, digits: int = 0, *, share: bool = True) -> str:
    """A confidence interval as "81–88 %"."""
    if _missing(low) or _missing(high):
        return "–"
    lo = fmt_decimal(float(low) * 100 if share else float(low), digits)
    hi = fmt_decimal(float(high) * 100 if share else float(high), digits)
    return f"{lo}–{hi}{NBSP}%"


def verbal_share(p) -> str:
    """Verbal rounding the way Norwegian reports write it: 0.71 -> "7 av 10", 0.52 -> "om lag halvparten".

    Very small and very large shares get words ("svært få", "nesten alle") rather than a false fraction.
    """
    if _missing(p):
        return "–"
    p = float(p)
    if not 0 <= p <= 1:
        raise ValueError(f"verbal_share expects a share between 0 and 1, got {p!r}")
    if p < 0.05:
        return "svært få"
    if p > 0.95:
        return "nesten alle"
    best = min(_VERBAL_FRACTIONS, key=lambda fr: (abs(float(fr[0]) - p), fr[0].denominator))
    return best[1]


def fmt_n_base(n, base) -> str:
    """Traceability line: "n = 312 av 1 204"."""
    return f"n{NBSP}={NBSP}{fmt_int(n)} av {fmt_int(base)}"
