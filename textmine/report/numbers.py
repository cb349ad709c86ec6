"""Norwegian number formatting: decimal comma, "86 %", "7 av 10", "nesten 9 av 10".

One rounding rule for every printed number (report, exports, terminal tables): half up (away from zero) on the
decimal value as written (:func:`shown`: 0.845 is 84,5 % → «85 %», not the binary float's 84.4999… → «84 %»;
0.125 → «13 %», not round-half-to-even «12 %»). A share that is neither 0 nor 1 never prints as «0 %» or «100 %»:
it prints «<1 %» when it rounds to 0 and «>99 %» when it rounds to 100 (with decimals «<0,1 %», «>99,9 %»)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

NBSP = "\u00a0"
THIN = "\u202f"  # narrow no-break space, used as thousands separator

#: the plain-language shares ("k av N"), in increasing order. A share is written from its shown whole percent
#: (:func:`fmt_pct`), so the same «4 %» always gets the same phrase: the phrase whose value rounds to that percent,
#: else the nearest phrase with «nesten» (the share is a little below it) or «drøyt» (a little above): 86 % is
#: «nesten 9 av 10», 8 % «1 av 12». Under 3 % is «svært få», over 95 % «nesten alle».
_VERBAL_FRACTIONS: list[tuple[Fraction, str]] = [
    (Fraction(1, 30), "1 av 30"),
    (Fraction(1, 25), "1 av 25"), (Fraction(1, 20), "1 av 20"), (Fraction(1, 17), "1 av 17"),
    (Fraction(1, 15), "1 av 15"), (Fraction(1, 14), "1 av 14"), (Fraction(1, 12), "1 av 12"),
    (Fraction(1, 11), "1 av 11"), (Fraction(1, 10), "1 av 10"), (Fraction(1, 9), "1 av 9"),
    (Fraction(1, 8), "1 av 8"), (Fraction(1, 7), "1 av 7"), (Fraction(3, 20), "3 av 20"),
    (Fraction(1, 6), "1 av 6"), (Fraction(1, 5), "1 av 5"), (Fraction(1, 4), "1 av 4"),
    (Fraction(3, 10), "3 av 10"), (Fraction(1, 3), "1 av 3"), (Fraction(2, 5), "4 av 10"),
    (Fraction(1, 2), "halvparten"), (Fraction(3, 5), "6 av 10"), (Fraction(2, 3), "2 av 3"),
    (Fraction(7, 10), "7 av 10"), (Fraction(3, 4), "3 av 4"), (Fraction(4, 5), "8 av 10"),
    (Fraction(9, 10), "9 av 10"),
]
_VERBAL_LOW, _VERBAL_HIGH = 3, 95  # shown whole percents: below LOW «svært få», above HIGH «nesten alle»


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_int(n, *, sep: str = NBSP) -> str:
    """Whole number with a (no-break) space as thousands separator: 16861 -> "16 861" (rounded half up)."""
    if _missing(n):
        return "–"
    s = f"{int(shown(n, 0)):,}"  # half up, like every printed number
    return s.replace(",", sep)


def _decimal(x, share: bool = False) -> Decimal:
    """``x`` as the decimal number it is written as (its shortest repr: 0.845, not 0.84499999…), × 100 for a
    share."""
    d = Decimal(repr(float(x)))
    return d.scaleb(2) if share else d


def shown(x, digits: int = 0, *, share: bool = False) -> Decimal:
    """``x`` rounded as printed: half up (away from zero) on its decimal value, to ``digits`` decimals; × 100 first
    for a share (``share=True``: 0.845 → 85, 1/8 → 13, 1/200 → 1). Use it to check that shown numbers add up."""
    return _decimal(x, share).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _grouped(d: Decimal, digits: int, sep: str) -> str:
    """A rounded decimal in Norwegian marks: decimal comma, ``sep`` between thousands, typographic minus."""
    s = f"{abs(d):,.{digits}f}".replace(",", "\x00").replace(".", ",").replace("\x00", sep)  # Norwegian marks
    return ("−" + s) if d < 0 else s  # typographic minus; never «−0»


def fmt_decimal(x, digits: int = 1, *, sep: str = NBSP) -> str:
    """Decimal comma and grouped thousands, rounded half up: 1234.56 -> "1 234,6", 2.25 -> "2,3"."""
    if _missing(x):
        return "–"
    if not math.isfinite(float(x)):
        return "–"
    return _grouped(shown(x, digits), digits, sep)


#: the smallest p-value printed as a number: smaller ones read «< 0,001» (three decimals would print «0,000»)
P_FLOOR = 0.001


def fmt_p(p) -> str:
    """A p-value with three decimals, «< 0,001» below :data:`P_FLOOR` (never «0,000»); «–» when missing."""
    if _missing(p) or not math.isfinite(float(p)):
        return "–"
    if float(p) < P_FLOOR:
        return f"<{NBSP}0,001"
    return fmt_decimal(p, 3)


def pct_number(p, digits: int = 0, *, share: bool = True, sep: str = NBSP) -> str:
    """The number of :func:`fmt_pct` without « %»: «86», «<1» (a positive share that rounds to 0), «>99» (a share
    under 100 % that rounds to 100), «0» and «100» only for exactly none and all; «–» when missing."""
    if _missing(p) or not math.isfinite(float(p)):
        return "–"
    value, rounded = _decimal(p, share), shown(p, digits, share=share)
    step = Decimal(1).scaleb(-digits)
    if rounded == 0 and value != 0:
        return f"{'' if value > 0 else '−'}<{_grouped(step, digits, sep)}"
    if rounded == 100 and 0 < value < 100:
        return f">{_grouped(100 - step, digits, sep)}"
    return _grouped(rounded, digits, sep)


#: a share this close to 0 or 1 is float noise of an exact 0 or 1 (summing weights in another order), not a share
SHARE_NOISE = 1e-9


def pct_cell(p) -> str:
    """A share (0–1) as a bare percent for a number cell whose column head carries «%»: rounded half up as
    :func:`fmt_pct` («29» for 0.285, never the float's «28»), with one decimal where a whole percent would print
    0 or 100 for a share that is neither («0,3», «99,7»: a cell holds a number, not «<1»); one still 0 or 100 at
    three decimals prints as :func:`pct_number` bounds it («<0,001», «>99,999», «−<0,001»); «–» when missing."""
    if _missing(p) or not math.isfinite(float(p)):
        return "–"
    for exact in (0.0, 1.0):  # float noise of a share of none or all (a weighted sum divided by itself) is exact
        if abs(float(p) - exact) < SHARE_NOISE:
            p = exact
    value, whole = _decimal(p, share=True), shown(p, 0, share=True)
    digits = 1 if (whole == 0 and value != 0) or (whole == 100 and value != 100) else 0
    if digits:  # the fewest decimals (up to 3) that neither print 0 nor 100 («0,04», «99,96»)
        while digits < 3 and shown(p, digits, share=True) in (0, 100):
            digits += 1
        if shown(p, digits, share=True) in (0, 100):  # closer to none or all than three decimals show
            return pct_number(p, digits)
    return _grouped(shown(p, digits, share=True), digits, NBSP)


def fmt_pct(p, digits: int = 0, *, share: bool = True) -> str:
    """A share (0–1, or a percentage with ``share=False``) as "86 %" (space before %, decimal comma), rounded half
    up; «<1 %» / «>99 %» for a share that is neither none nor all but would round to 0 / 100 (:func:`pct_number`)."""
    text = pct_number(p, digits, share=share)
    return text if text == "–" else f"{text}{NBSP}%"


def change_digits(prev, cur, diff) -> int:
    """Decimals to print a change with: 0, or 1 when the rounded shares would not add up to the rounded change
    («3 % → 3 %, +1 pp»); 0 when a value is missing. The report and the terminal tables use it alike."""
    vals = [prev, cur, diff]
    if any(_missing(v) or not math.isfinite(float(v)) for v in vals):
        return 0
    p0, c0, d0 = (shown(v, share=True) for v in vals)  # as printed (half up)
    return 0 if c0 - p0 == d0 else 1


def pp_number(diff, digits: int = 0, *, share: bool = True) -> str:
    """A difference in percentage points as a signed number rounded half up: «+3», «−4», «0» (no «−0»); «–» when
    missing."""
    if _missing(diff) or not math.isfinite(float(diff)):
        return "–"
    rounded = shown(diff, digits, share=share)
    if rounded == 0:
        return "0"
    return f"{'+' if rounded > 0 else ''}{_grouped(rounded, digits, NBSP)}"


def fmt_pp(diff, digits: int = 0, *, share: bool = True) -> str:
    """A difference in percentage points with sign: +3 / −4 "prosentpoeng" shortened to "pp" (rounded half up:
    0.5 pp → «+1 pp»; «±0 pp» when it rounds to 0)."""
    text = pp_number(diff, digits, share=share)
    if text == "–":
        return text
    return f"±0{NBSP}pp" if text == "0" else f"{text}{NBSP}pp"


def fmt_pp_ci(low, high, digits: int = 0, *, share: bool = True) -> str:
    """A confidence interval of a difference as "+0,5 pp til +5 pp".

    A bound that is not 0 is never printed as "±0": it gets more decimals (up to 3) until it shows its sign, so an
    interval that excludes 0 never looks as if it includes it ("+0,5 pp til +5 pp", not "±0 pp til +5 pp")."""
    if _missing(low) or _missing(high):
        return "–"
    return f"{_pp_bound(low, digits, share)} til {_pp_bound(high, digits, share)}"


def _pp_bound(x, digits: int, share: bool) -> str:
    value = float(x) * 100 if share else float(x)
    if not math.isfinite(value):
        return "–"
    d = digits
    while value != 0 and shown(x, d, share=share) == 0 and d < 3:
        d += 1
    if value != 0 and shown(x, d, share=share) == 0:
        return f"{'+' if value > 0 else '−'}<{fmt_decimal(10 ** -d, d)}{NBSP}pp"
    return fmt_pp(x, d, share=share)


def fmt_ci(low, high, digits: int = 0, *, share: bool = True) -> str:
    """A confidence interval as "81–88 %"."""
    if _missing(low) or _missing(high):
        return "–"
    if not (math.isfinite(float(low)) and math.isfinite(float(high))):
        return "–"
    lo, hi = (_grouped(shown(v, digits, share=share), digits, NBSP) for v in (low, high))
    return f"{lo}–{hi}{NBSP}%"


def verbal_share(p, language: str = "nb") -> str:
    """The share ``p`` (0–1) in words, from its shown whole percent so that it never contradicts «86 %» and the
    same percent always reads the same: 0.86 -> "nesten 9 av 10", 0.08 -> "1 av 12", 0.04 -> "1 av 25",
    0.5 -> "halvparten", 0.52 -> "drøyt halvparten".

    A phrase of ``_VERBAL_FRACTIONS`` is used as it is when its value rounds to the shown percent (within half a
    point), else the nearest one with «nesten» (share below it) or «drøyt» (above; ties go to «drøyt» of the smaller
    phrase). 0 is "ingen", 1 "alle", under 3 % "svært få", over 95 % "nesten alle". ``language="nn"``: nynorsk
    («drygt» for «drøyt»; the other words are the same)."""
    if _missing(p):
        return "–"
    p = float(p)
    if not 0 <= p <= 1:
        raise ValueError(f"verbal_share expects a share between 0 and 1, got {p!r}")
    if p == 0:
        return "ingen"
    if p == 1:
        return "alle"
    pct = int(shown(p, 0, share=True))  # the whole percent fmt_pct prints
    if pct < _VERBAL_LOW:
        return "svært få"
    if pct > _VERBAL_HIGH:
        return "nesten alle"
    gaps = [(abs(pct - float(f) * 100), float(f), f, text) for f, text in _VERBAL_FRACTIONS]
    gap, _, frac, text = min(gaps)
    if gap <= 0.5 + 1e-9:
        return text
    return f"nesten {text}" if float(frac) * 100 > pct else f"{'drygt' if language == 'nn' else 'drøyt'} {text}"


def fmt_n_base(n, base) -> str:
    """Traceability line: "n = 312 av 1 204"."""
    return f"n{NBSP}={NBSP}{fmt_int(n)} av {fmt_int(base)}"
