"""Swedish / Danish answers read as bokmål or nynorsk (fresh sentences, written for this test), and the Norwegian
answers the new Swedish / Danish evidence must leave alone."""

import pytest

from textmine.preprocess.language import LanguageDetector, NeighbourMarkers

_BOKMAL_WORD_FOR_WORD = "word for word bokmål but for one Danish form (os / I / none): stays nb"

SWEDISH = [
    "Jag ringde men ingen svarade",
    "Det är svårt att få tag på någon",
    "Vi fick inget svar",
    "Jag har väntat i tre veckor",
    "Ingen har hört av sig",
    "Handläggaren ringde aldrig tillbaka",
    "Svårt att hitta rätt person",
    "Jag förstod inte frågorna",
    "Vi ville ha mer stöd",
    "Det fungerade bra, tack",
    "Alldeles för lång väntetid",
    "Jag fick ingen återkoppling",
    "Vi visste inte vart vi skulle vända oss",
    "Ni borde svara snabbare på mejl",
    "Blanketten var krånglig",
    "Vi skickade in papperen men hörde inget",
]

DANISH = [
    "Jeg har ringet flere gange uden at få svar",
    "Vi har ventet i flere uger",
    pytest.param("Ingen har kontaktet os", marks=pytest.mark.xfail(strict=True, reason=_BOKMAL_WORD_FOR_WORD)),
    "Jeg forstod ikke spørgsmålene",
    "Det var svært at finde den rigtige person",
    "Sagsbehandleren ringede aldrig tilbage",
    "Vi vidste ikke hvem vi skulle spørge",
    pytest.param("I skal svare hurtigere på mails", marks=pytest.mark.xfail(strict=True, reason=_BOKMAL_WORD_FOR_WORD)),
    "Skemaet var besværligt at udfylde",
    "Vi sendte papirerne men hørte ikke noget",
    "Det fungerede godt, tak",
    pytest.param("Alt for lang ventetid på telefonen",
                 marks=pytest.mark.xfail(strict=True, reason=_BOKMAL_WORD_FOR_WORD)),
    "Jeg fik ingen tilbagemelding",
    "Man skal bruge alt for lang tid på det",
]

# written after the marker words were chosen, not tuned on: 17 of 20 (12 of 20 before)
_NOT_TUNED = "held-out sentence the marker words miss"
HELD_OUT = [
    ("Jag har försökt ringa flera gånger", "sv"),
    ("Handläggaren var mycket hjälpsam", "sv"),
    ("Det tog lång tid innan vi fick besked", "sv"),
    ("Vi har inte fått någon information om reglerna", "sv"),
    ("Svårt att förstå vad man ska göra", "sv"),
    pytest.param("Ingen återkom till oss", "sv", marks=pytest.mark.xfail(strict=True, reason=_NOT_TUNED)),
    ("Vi är nöjda med hjälpen vi fick", "sv"),
    ("Kontakten med kontoret fungerade dåligt", "sv"),
    ("Man får vänta alldeles för länge i telefon", "sv"),
    ("Jag tycker att blanketterna är för krångliga", "sv"),
    ("Vi har ikke hørt noget fra jer i lang tid", "da"),
    ("Sagsbehandleren var meget hjælpsom", "da"),
    pytest.param("Det tog lang tid før vi fik svar", "da", marks=pytest.mark.xfail(strict=True, reason=_NOT_TUNED)),
    ("Vi har ikke fået nogen information om reglerne", "da"),
    ("Svært at forstå hvad man skal gøre", "da"),
    ("Ingen vendte tilbage til os", "da"),
    ("Vi er tilfredse med den hjælp vi fik", "da"),
    ("Kontakten med kontoret fungerede dårligt", "da"),
    ("Man skal vente alt for længe i telefonen", "da"),
    pytest.param("Jeg synes at blanketterne er for besværlige", "da",
                 marks=pytest.mark.xfail(strict=True, reason=_NOT_TUNED)),
]

# Norwegian answers with a Swedish / Danish word, a Swedish name or a foreign-keyboard letter: each would turn
# sv / da if one such word sufficed, if lingua's agreement sufficed, or if names and Norwegian -ade words counted
NORWEGIAN = [
    ("Samarbeid med Arbetsförmedlingen fungerer bra", "nb"),  # lingua: Swedish 0.80
    ("Frågan er uklar", "nb"),  # lingua: Swedish 0.67
    ("Snabbare svar takk", "nb"),
    ("Det gick greit", "nb"),
    ("Godt samarbeid med Björn og Jörgen på kontoret", "nb"),
    ("Vi har ventet i tre uker pä svar", "nb"),
    ("Det er för dårlig", "nb"),
    ("Må bruge mye tid på skjema", "nb"),
    ("Han fikk en kneskade og ble sykmeldt i tre uker", "nb"),
    ("Eg fick ikkje svar frå dei", "nn"),
]


@pytest.mark.parametrize("text", SWEDISH)
def test_swedish_is_sv(resources, text):
    assert resources.language.detect(text) == "sv"


@pytest.mark.parametrize("text", DANISH)
def test_danish_is_da(resources, text):
    assert resources.language.detect(text) == "da"


@pytest.mark.parametrize("text, lang", HELD_OUT)
def test_held_out_neighbour_sentences(resources, text, lang):
    assert resources.language.detect(text) == lang


@pytest.mark.parametrize("text, lang", NORWEGIAN)
def test_norwegian_with_neighbour_words_keeps_its_language(resources, text, lang):
    assert resources.language.detect(text) == lang


def test_batch_equals_single(resources):
    texts = [SWEDISH[0], SWEDISH[2], DANISH[1], NORWEGIAN[0][0], NORWEGIAN[-1][0]]
    assert resources.language.detect_many(texts) == ["sv", "sv", "da", "nb", "nn"]
    assert resources.language.detect_many(texts) == [resources.language.detect(t) for t in texts]


def _toy(known: set[str], rows: list[list[str]]) -> LanguageDetector:
    return LanguageDetector(markers={}, known_words=frozenset(known), use_lingua=False,
                            neighbours=NeighbourMarkers.from_rows(rows))


def test_markers_that_are_norwegian_words_never_decide_alone():
    rows = [["jag", "sv", "2"], ["sig", "sv", "1"], ["mig", "sv", "1"]]
    assert _toy({"jag", "sig", "mig"}, rows).by_neighbours("jag sig mig") is None
    assert _toy({"jag", "sig"}, rows).by_neighbours("jag sig mig") == "sv"  # «mig» is no Norwegian word here


def test_swedish_past_and_letters_are_no_guess_for_norwegian_words():
    det = _toy({"skade", "jag"}, [["jag", "sv", "2"]])
    assert det.by_neighbours("jag svarade") == "sv"
    assert det.by_neighbours("jag kneskade") is None  # …skade is a Norwegian word
    assert det.by_neighbours("jag hörde") == "sv"  # ä / ö in a lower-case word: strong
    assert det.by_neighbours("Jag och Björn") is None  # a name with ö is no evidence


def test_strong_markers_that_are_norwegian_words_are_named(resources):
    """Weight-2 Swedish / Danish words that are bokmål words (Ordbank) or nynorsk forms (simplemma) are named
    here, so that a new one is a decision, not an accident; they never decide without a non-Norwegian word."""
    det = resources.language
    norwegian = {w for w, weights in det.neighbours.words.items() if 2 in weights.values() and det._norwegian(w)}
    assert norwegian == {"jag", "vad", "kunde", "innan", "nogen", "blev", "bliver", "været", "andet", "møder"}
