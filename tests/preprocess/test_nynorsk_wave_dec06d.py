"""Vestland nynorsk wave (6 December): nynorsk survey words that did not meet their bokmål twin on one lemma
("tilskot"/"tilskudd", "marknadskontakt"/"markedskontakt", "bedriftshelsetenesta"), wrong readings in both
standards ("åtte" → "eie", "ros" → "rosa", "bedrift" → "bed" + "rift"), nynorsk answers detected as bokmål
("har vore" in a long answer) and a nynorsk non-answer ("Ikkje aktuelt for oss")."""

from __future__ import annotations

import pytest

from textmine.preprocess import analyze, detect_language, is_non_answer


@pytest.mark.parametrize("nn, nb, lemma", [
    ("tilskotet", "tilskuddet", "tilskudd"),
    ("lønstilskotet", "lønnstilskuddet", "lønnstilskudd"),
    ("tilretteleggingstilskot", "tilretteleggingstilskudd", "tilretteleggingstilskudd"),
    ("marknadskontakten", "markedskontakten", "markedskontakt"),
    ("bedriftshelsetenesta", "bedriftshelsetjenesten", "bedriftshelsetjeneste"),
    ("forskottere", "forskuttere", "forskuttere"),
    ("førebyggje", "forebygge", "forebygge"),
    ("tilsetje", "ansette", "ansette"),
    ("nøgd", "fornøyd", "fornøyd"),
    ("vellukka", "vellykket", "vellykket"),
    ("seint", "sent", "sen"),
    ("veko", "uke", "uke"),
    ("løna", "lønna", "lønn"),
    ("meine", "mene", "mene"),
    ("meinte", "mene", "mene"),
    ("skrivne", "skrevet", "skrive"),
])
def test_nynorsk_word_meets_its_bokmal_twin(nn, nb, lemma):
    got_nn, got_nb = analyze(nn, language="nn"), analyze(nb, language="nb")
    assert got_nn and got_nn[0] == lemma, f"{nn} (nn): expected lemma {lemma!r} first, got {got_nn}"
    assert got_nb and got_nb[0] == lemma, f"{nb} (nb): expected lemma {lemma!r} first, got {got_nb}"


@pytest.mark.parametrize("language", ["nn", "nb"])
@pytest.mark.parametrize("word, lemma", [("åtte", "åtte"), ("ros", "ros")])
def test_frequent_words_keep_their_survey_reading(word, lemma, language):
    assert analyze(word, language=language) == [lemma], f"{word} ({language}): expected [{lemma!r}]"


@pytest.mark.parametrize("language", ["nn", "nb"])
@pytest.mark.parametrize("word, bad", [("bedrift", {"bed", "rift"}), ("engelsk", {"eng", "elsk"})])
def test_no_fragment_split(word, bad, language):
    tokens = analyze(word, language=language)
    assert tokens and tokens[0] == word, f"{word} ({language}): expected the word itself, got {tokens}"
    assert not bad & set(tokens), f"{word} ({language}): fragments {bad & set(tokens)} in {tokens}"


def test_compound_with_bedrift_keeps_its_real_parts():
    tokens = analyze("bedriftshelsetjenesten", language="nb")
    assert "bedrift" in tokens and "helsetjeneste" in tokens, tokens
    assert "rift" not in tokens, tokens


@pytest.mark.parametrize("text", [
    "Kari Nordmann på NAV Voss har vore til stor hjelp, ring henne på +47 912 34 567.",
    "Det har vore mange endringar i regelverket i år og det er vanskeleg å henge med på alt.",
    "Ingen kommentarar.",
])
def test_nynorsk_answers_are_nynorsk(text):
    assert detect_language(text) == "nn", f"expected nn for {text[:30]!r}"


@pytest.mark.parametrize("text", ["Jeg har vært syk i to uker og fått god hjelp fra NAV Voss.",
                                  "Det vore bra om ni kunde svara snabbare, jag har väntat länge."])
def test_vore_weight_does_not_pull_bokmal_or_swedish_into_nynorsk(text):
    assert detect_language(text) != "nn", text


@pytest.mark.parametrize("text", ["Ikkje aktuelt for oss.", "Ikke aktuelt for oss", "Ikkje relevant for oss."])
def test_not_applicable_to_us_is_a_non_answer(text):
    assert is_non_answer(text), text


@pytest.mark.parametrize("text", ["Har ikkje noko å klage på.", "Ikkje aktuelt med fleire dialogmøte for oss."])
def test_answers_with_content_are_not_non_answers(text):
    assert not is_non_answer(text), text


def test_dialect_negation_is_a_negation():
    tokens = analyze("Det e'kje lett å forstå kva dei meiner.", language="nn")
    assert "ikke" in tokens, f"expected the negation 'ikke' among {tokens}"
    assert "e'kje" not in tokens, tokens


def _fnr(d6: str) -> str:
    """A fødselsnummer with both mod-11 check digits valid, built from a birth date (no real person)."""
    for ind in range(100, 999):
        base = d6 + f"{ind:03d}"
        k1 = (11 - sum(int(a) * w for a, w in zip(base, (3, 7, 6, 1, 8, 9, 4, 5, 2))) % 11) % 11
        if k1 == 10:
            continue
        k2 = (11 - sum(int(a) * w for a, w in zip(base + str(k1), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2))) % 11) % 11
        if k2 != 10:
            return base + str(k1) + str(k2)
    raise AssertionError("no valid number")


@pytest.mark.parametrize("text, secrets, places", [
    ("Kari Nordmann på NAV Voss har vore til stor hjelp, ring henne på +47 912 34 567.",
     ["Kari", "Nordmann", "912 34 567"], ["NAV Voss"]),
    ("Eg heiter Per Olav Hauge og ringde frå 456 78 901 i går utan å kome fram.",
     ["Per Olav", "Hauge", "456 78 901"], []),
    ("Saksbehandlar Ingrid Myklebust lova å ringje tilbake, men det har ho ikkje gjort.",
     ["Ingrid", "Myklebust"], []),
    ("Han Arne på kontoret i Florø tok seg god tid til oss.", ["Arne"], ["Florø"]),
    (f"Den tilsette vår (fnr {_fnr('120385')}) har venta på refusjon i tre månader.", [_fnr("120385")], []),
    ("NAV Vestland burde ha eit kontor i Nordfjordeid, ikkje berre i Førde og Bergen.", [],
     ["NAV Vestland", "Nordfjordeid", "Førde", "Bergen", "ikkje berre"]),
    ("Heile Hardanger manglar eit skikkeleg NAV-kontor, Odda er for langt unna Ulvik.", [],
     ["Heile Hardanger", "Odda", "Ulvik"]),
])
def test_nynorsk_personal_data_masked_and_places_kept(text, secrets, places):
    from textmine.preprocess import redact

    masked, _ = redact(text)
    for s in secrets:
        assert s not in masked, f"personal data left in the masked text (value {len(s)} chars long)"
    for p in places:
        assert p in masked, f"{p!r} masked: {masked}"
