import pytest


@pytest.mark.parametrize(
    "text, lang",
    [
        ("Jeg har ikke fått svar fra NAV", "nb"),
        ("Eg har ikkje fått svar frå NAV", "nn"),
        ("Legane sjukmelder for lett og for lenge.", "nn"),
        ("Kva skal vi gjere når ingen svarar?", "nn"),
        ("The phone queue is far too long and nobody answers", "en"),
        ("Lang ventetid på telefon", "nb"),
        ("Bra", "nb"),
        ("Ingen kommentar", "nb"),
        ("Det er altfor vanskelig å nå saksbehandleren", "nb"),
        ("Die Wartezeit am Telefon ist viel zu lang und niemand antwortet", "other"),
        ("Время ожидания слишком долгое", "other"),
        ("...", "unknown"),
        ("", "unknown"),
    ],
)
def test_language(resources, text, lang):
    assert resources.language.detect(text) == lang


def test_batch_equals_single(resources):
    texts = ["Lang ventetid på telefon", "Eg veit ikkje", "Too slow", "Stort sett greit"]
    batch = resources.language.detect_many(texts)
    assert batch == [resources.language.detect(t) for t in texts]


@pytest.mark.parametrize(
    "text", ["Chatbot = bortatet tid.", "Bedre informasjonsflyt mellom aNv, ege og arbeidspoass.", "Ko. Ko. Ko"]
)
def test_misspelt_norwegian_is_not_other(resources, text):
    assert resources.language.detect(text) in ("nb", "nn")


def test_polish_is_other_and_swedish_is_sv(resources):
    assert resources.language.detect("Czas oczekiwania na odpowiedź jest za długi") == "other"
    assert resources.language.detect("Handläggningstiden är alldeles för lång och ingen svarar någonsin") == "sv"
