"""A one-word answer that is a codebook keyword is an answer; the writer's own sick leave is health data
(reviewer round dec05d, NAV personal-user survey)."""

import pytest

from textmine.preprocess.nonanswer import is_keyword_answer, keyword_forms

KEYWORDS = ["telefon", "chat", "chatbot", "Frida", "skriv til oss", "55 55 33 33", "AAP"]


@pytest.fixture(scope="module")
def detector(resources):
    return resources.nonanswer


def test_a_lone_keyword_is_an_answer_where_the_codebook_is_given(detector):
    assert detector.detect("chat")  # no codebook at hand: an unknown lone 4-letter fragment, as before
    assert not detector.detect("chat", keywords=KEYWORDS)
    assert not detector.detect("Chat!", keywords=KEYWORDS)
    assert not detector.detect("skriv til oss", keywords=KEYWORDS)
    assert not detector.detect("aap", keywords=KEYWORDS)


@pytest.mark.parametrize("text", ["vet ikke", "xqz", "asdfgh", "-", "ingen kommentar", "55 55 33 33"])
def test_keywords_do_not_turn_non_answers_into_answers(detector, text):
    assert detector.detect(text, keywords=KEYWORDS)


def test_keyword_forms_and_whole_answer_match():
    forms = keyword_forms(KEYWORDS)
    assert {"chat", "frida", "skriv til oss", "aap"} <= forms
    assert is_keyword_answer(" Chat. ", forms) and is_keyword_answer("chat", KEYWORDS)
    assert not is_keyword_answer("chat er tregt", forms) and not is_keyword_answer(None, forms)
    assert not is_keyword_answer("chat", [])


# ---------------------------------------------------------------- the writer's own sick leave
OWN_SICK_LEAVE = [
    "Jeg har vært sykmeldt i ett år og har ikke hørt noe fra veilederen.",
    "Eg har vore sjukmeld i snart eitt år og veit framleis ikkje kva som skjer.",
    "Da jeg var sjukmeld fikk jeg ingen hjelp.",
    "Jeg er 50 % sykmeldt og får ikke svar.",
    "Eg er framleis sjukmeld.",
    "Jeg ble sykmeldt i mars.",
    "Jeg har nå vært 100 % sykemeldt i åtte måneder.",
    "Legen sykmeldte meg i februar.",
    "Min sykmelding ble ikke registrert.",
    "Sykemeldingen min ble ikke registrert og sykepengene stoppet.",
    "Sjukmeldinga mi gjekk ut i går.",
]
NOT_OWN = [
    "Vår ansatte er sykmeldt og har ikke fått oppfølging.",
    "Sykmeldte ansatte får for lite oppfølging.",
    "Vi har tre sykmeldte nå.",
    "Den ansatte er sykmeldt.",
    "Jeg er sykmeldtes nærmeste leder og får ingen informasjon.",
    "Jeg har en ansatt som er sykmeldt.",
    "Jeg har sykmeldte på alle avdelingene.",
    "Jeg er leder for sykmeldte i hjemmetjenesten.",
    "Eg har to tilsette som har vore sjukmelde lenge.",
    "jeg er ikke sykmeldt, men kona er det",
    "Sykmeldingen kom fram til oss for sent.",
]


@pytest.mark.parametrize("text", OWN_SICK_LEAVE)
def test_own_sick_leave_is_health_data(resources, text):
    assert resources.health.flag(text)
    assert "helse" in resources.health.categories(text)


@pytest.mark.parametrize("text", NOT_OWN)
def test_an_employers_sick_leave_stays_unflagged(resources, text):
    assert not resources.health.flag(text)
