"""Question values in warnings: the unknown-question warning (library and CLI) and the zero-shot share warning
share one rule (``classify.table.shown_questions``), which hides a value holding personal data by its length."""

import warnings

import numpy as np
import pytest

from textmine.classify.table import hidden_value, shown_questions, warn_unknown_questions


def _fnr(birth: str = "150385", serial: str = "101") -> str:
    """A fødselsnummer with valid mod-11 control digits (birth date DDMMYY + individual number)."""
    def control(digits: str, weights: list[int]) -> int:
        return (11 - sum(int(d) * w for d, w in zip(digits, weights)) % 11) % 11

    for n in range(int(serial), 1000):
        base = f"{birth}{n:03d}"
        k1 = control(base, [3, 7, 6, 1, 8, 9, 4, 5, 2])
        k2 = control(base + str(k1), [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) if k1 < 10 else 10
        if k1 < 10 and k2 < 10:
            return f"{base}{k1}{k2}"
    raise AssertionError("no valid fødselsnummer")


class _RoutedCoder:
    """A coder with per-question theme rates for one question."""

    question_priors = True
    question_priors_ = {"fritekst_generell": {}}


FNR = _fnr()
GROUPED = " ".join([FNR[:2], FNR[2:4], FNR[4:6], FNR[6:9], FNR[9:]])  # "15 03 85 101 90": no 4-digit run


@pytest.mark.parametrize("value", [FNR, f"{FNR[:6]} {FNR[6:]}", GROUPED, f"Spm {GROUPED}", "Ola Nordmann",
                                   "Ring Kari Hansen"])
def test_the_unknown_question_warning_never_shows_personal_data(value):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_unknown_questions(_RoutedCoder(), [value, "fritekst_ukjent"])
    (w,) = [str(c.message) for c in caught]
    digits = "".join(c for c in value if c.isdigit())
    assert value not in w and (not digits or digits[:6] not in w.replace(" ", ""))
    assert hidden_value(value) in w
    assert "'fritekst_ukjent'" in w and "fritekst_generell" in w  # ordinary values still show


def test_ordinary_question_values_still_show():
    assert shown_questions(["fritekst_ukjent", "Spm 3b"]) == "fritekst_ukjent, Spm 3b"
    assert shown_questions(["Hvordan var besøket?"], quote=True) == "'Hvordan var besøket?'"


def test_the_zero_shot_share_warning_hides_a_named_question():
    from textmine.classify.zeroshot import share_warning
    from textmine.codebook import Codebook

    cb = Codebook.from_dict({"name": "t", "version": "1", "themes": [
        {"id": "pris", "label": "Pris", "description": "pris"}, {"id": "ko", "label": "Kø", "description": "kø"}]})
    decided = np.tile([1, 0], (40, 1))
    answered = np.ones(40, dtype=bool)
    hidden = share_warning(cb, decided, answered, question="Ring Ola Nordmann")
    assert hidden and "Nordmann" not in hidden and hidden_value("Ring Ola Nordmann") in hidden
    assert "(question fritekst_pris)" in share_warning(cb, decided, answered, question="fritekst_pris")
