"""Code-review fixes: the «setter pris på» idiom must not swallow a real price («har aldri sett en pris på …»,
«prisverdien»), and a named relative's care is health data as an unnamed one's is."""
import pytest

from textmine.classify.lexical import _idiom_spans
from textmine.preprocess.cleaner import health_flag


@pytest.mark.parametrize("text, idiom", [
    ("har aldri sett en pris på over 5000 kr før", False),
    ("jeg har aldri sett så høy pris på en tjeneste", False),
    ("de setter en pris på tjenesten som er for høy", False),
    ("prisverdien er for høy", False),
    ("vi setter stor pris på hjelpen", True),
    ("det satte vi veldig stor pris på", True),
    ("vi har satt stor pris på kontakten", True),
    ("eg set pris på det", True),
    ("eit prisverd tiltak", True),
])
def test_price_idiom_only_where_it_means_appreciate(text, idiom):
    assert bool(_idiom_spans(text)) is idiom


@pytest.mark.parametrize("text", ["far min Per får hjemmehjelp", "far min, Per, får hjemmehjelp",
                                  "mor Kari bor på sykehjem", "far min får hjemmehjelp"])
def test_named_relatives_care_is_health_data(text):
    assert health_flag(text)


@pytest.mark.parametrize("text", ["Hjemmesykepleien i kommunen er bra", "Kari jobber i hjemmesykepleien"])
def test_the_service_or_work_in_it_is_not(text):
    assert not health_flag(text)
