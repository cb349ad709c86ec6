"""Keyword matching on a codebook the coder has never seen: particle verbs («logge inn»), verb readings of
keywords the analysis reads as nouns («henger») and the whole-word marker (``feil$``, ``"app"``)."""
import pytest

from textmine.classify.lexical import KeywordMatcher, parse_keyword
from textmine.codebook import Codebook
from textmine.preprocess import Cleaner

CODEBOOK = {"name": "uu", "version": "1", "themes": [
    {"id": "innlogging", "label": "Innlogging", "keywords": ["logge inn", "logget ut", "ringe tilbake"]},
    {"id": "teknisk", "label": "Teknisk", "keywords": ["henger", "laster", "feil$"]},
    {"id": "mobil", "label": "Mobil", "keywords": ['"app"']},
    {"id": "feil", "label": "Feil", "keywords": ["feil"]},
    {"id": "rekruttering", "label": "Rekruttering", "keywords": ["ansette"]},
    {"id": "annet", "label": "Annet", "description": "Alt annet", "exclusive": True},
]}


@pytest.fixture(scope="module")
def match():
    cb = Codebook.from_dict(CODEBOOK)
    matcher = KeywordMatcher(cb, expansions_as_phrases=True, verb_noun_pairs=True)
    cleaner = Cleaner(redact=True, detect_language=False).fit()

    def themes(text: str) -> set[str]:
        clean = cleaner.transform([text])
        counts = matcher.counts(clean["text_clean"].tolist(), clean["lemmas"].fillna("").tolist())
        return {t for t, c in zip(cb.theme_ids, counts[0]) if c > 0}

    return themes


@pytest.mark.parametrize("text", ["Får ikke logget inn med BankID", "Eg får ikkje logga inn", "Logg inn knappen",
                                  "Appen logger meg ut hele tiden", "Eg blir logga ut midt i skjemaet",
                                  "Kan dere ringe meg tilbake?", "Ingen ringte tilbake"])
def test_a_particle_verb_matches_the_verb_in_any_form_followed_by_its_particle(match, text):
    assert "innlogging" in match(text)


@pytest.mark.parametrize("text", ["Jeg logget på nettsiden og gikk inn i menyen", "Har logget. Inn i menyen kom jeg",
                                  "Innholdet i loggen var uklart", "Ringte dem, men ingen svarte"])
def test_the_particle_must_follow_the_verb_closely(match, text):
    assert "innlogging" not in match(text)


@pytest.mark.parametrize("text", ["Siden henger hele tiden", "Siden laster sakte"])
def test_a_present_tense_keyword_matches_its_own_forms(match, text):
    assert "teknisk" in match(text)


def test_a_person_noun_keyword_is_not_read_as_a_verb():
    """«behandler» (the doctor) does not match «saken ble behandlet»; «lagt på» (hung up) is no particle verb, so
    «vi la det på Altinn» is no phone complaint."""
    cb = Codebook.from_dict({"name": "t", "version": "1", "language": "nb", "themes": [
        {"id": "lege", "label": "Lege", "description": "Lege og behandler", "keywords": ["behandler"]},
        {"id": "tlf", "label": "Telefon", "description": "Telefon", "keywords": ["lagt på"]},
        {"id": "annet", "label": "Annet", "description": "Alt annet"}]})
    matcher = KeywordMatcher(cb, expansions_as_phrases=True, verb_noun_pairs=True)
    clean = Cleaner(redact=True, detect_language=False).fit().transform(
        ["Saken ble behandlet raskt", "Vi la det på Altinn", "Behandleren min sa nei", "De har lagt på røret"])
    counts = matcher.counts(clean["text_clean"].tolist(), clean["lemmas"].fillna("").tolist())
    assert counts[:, 0].tolist() == [0, 0, 1, 0] and counts[:, 1].tolist() == [0, 0, 0, 1]


def test_a_verb_keyword_does_not_match_a_noun_read_as_its_participle(match):
    assert "rekruttering" not in match("Vi har en ansatt som er syk")
    assert "rekruttering" in match("Vi ønsker å ansette flere")


@pytest.mark.parametrize("keyword, parsed", [("feil$", ("feil", True)), ('"app"', ("app", True)),
                                             ("«app»", ("app", True)), (" logge  inn ", ("logge inn", False)),
                                             ("$", ("$", False)), ("feil", ("feil", False))])
def test_parse_keyword(keyword, parsed):
    assert parse_keyword(keyword) == parsed


def test_a_whole_word_keyword_matches_the_word_and_its_inflections_only(match):
    assert "teknisk" not in match("Feilmeldingen er uklar")
    assert "feil" in match("Feilmeldingen er uklar")  # unmarked: compounds still match
    assert "teknisk" in match("Det ble en feil") and "teknisk" in match("Feilen kom igjen")
    assert "mobil" not in match("BankID-appen virker ikke") and "mobil" not in match("Applikasjonen er treg")
    assert "mobil" in match("Appen er treg")


def test_theme_prototypes_embed_keywords_without_their_whole_word_marker():
    from textmine.codebook import Codebook
    from textmine.classify.zeroshot import theme_prototype_texts

    cb = Codebook.from_dict({"name": "t", "version": "1", "language": "nb", "themes": [
        {"id": "teknisk", "label": "Teknisk", "description": "Feil på nettsiden", "keywords": ["feil$", '"app"', "henger"]},
        {"id": "annet", "label": "Annet", "description": "Alt annet"}]})
    texts, owner = theme_prototype_texts(cb)
    kw = [t for t in texts if t.startswith("Teknisk: ")]
    assert kw == ["Teknisk: feil, app, henger"]
