"""A new user's and a methodologist's findings: absence told of one employee is health; the Metode names each
driver model in Norwegian."""
import pytest

from textmine.quotes import describes_personal_health
from textmine.report.views import _driver_model_text


@pytest.mark.parametrize("text", [
    "Vi har en ansatt som har vært borte i 3 mnd, og det eneste vi har fått fra NAV er automatiske brev.",
    "Ein tilsett har vore vekke i fire månader utan at nokon ringde.",
    "Den ansatte hadde fravær i 12 uker uten at NAV tok kontakt.",
    "One employee has been absent for months and nobody called.",
])
def test_one_employees_absence_is_told_health(text):
    assert describes_personal_health(text)


@pytest.mark.parametrize("text", [
    "Når en ansatt er borte lenge bør NAV ringe.",          # a wish about absence in general
    "Vi har hatt mye fravær i år.",                        # no particular person
    "Saksbehandleren var borte og ingen svarte.",          # NAV's caseworker, not a health account
    "We called and the advisor was away.",                 # «away» is no health word (too broad)
])
def test_absence_in_general_is_not(text):
    assert not describes_personal_health(text)


def test_the_method_text_names_each_driver_model_in_norwegian():
    assert _driver_model_text("logit") == "logit-modell"
    assert _driver_model_text("linear") == "lineær sannsynlighetsmodell"
    mixed = _driver_model_text("logit (lineær for fritekst_generell 2023)")
    assert mixed == "logit-modell (lineær sannsynlighetsmodell for fritekst_generell 2023)"


def test_a_firm_before_lower_case_as_er_is_masked():
    from textmine.quotes import mask_local_names

    assert mask_local_names("vi i vinstra rør as er fornøyd med nav") == "vi i [NAVN] as er fornøyd med nav"
    assert mask_local_names("things such as the rules") == "things such as the rules"  # English stays


def test_the_nynorsk_workbook_says_del_positive_with_the_positive_codes():
    from types import SimpleNamespace

    from textmine.report.excel import SHEETS, _scale_headers
    from textmine.report.wording import say

    headers = SHEETS[0][2]  # «Indikatorer»
    r = SimpleNamespace(language="nn", method={"labels": {"positive": "4–6", "scale": "1–6"}})
    shown = {k: say(v, "nn") for k, v in _scale_headers(r, headers).items()}
    assert shown["share"] == "Del positive (4–6)"
