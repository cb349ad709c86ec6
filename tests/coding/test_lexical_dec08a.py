"""Keyword matching (8 December): a strong verb's keyword («henger», «henge») matches its present and past forms
the analysis reads as other words (nynorsk «heng», past «hang»), from a small table (STRONG_VERB_FORMS), without
reading -er person nouns as verbs («behandler» is still no «behandlet»); a whole-word keyword (``app$``,
``"app"``) matches the word with a hyphenated inflection («app-en») but not a hyphenated compound
(«BankID-appen»)."""
import pytest

from textmine.classify.lexical import STRONG_VERB_FORMS, KeywordMatcher
from textmine.codebook import Codebook
from textmine.preprocess import Cleaner

CODEBOOK = {"name": "uu", "version": "1", "themes": [
    {"id": "henger", "label": "Henger", "keywords": ["henger"]},
    {"id": "henge", "label": "Henge", "keywords": ["henge"]},
    {"id": "app_dollar", "label": "App dollar", "keywords": ["app$"]},
    {"id": "app_quoted", "label": "App quoted", "keywords": ['"app"']},
    {"id": "lege", "label": "Lege", "keywords": ["behandler"]},
    {"id": "annet", "label": "Annet", "description": "Alt annet", "exclusive": True},
]}


@pytest.fixture(scope="module")
def match():
    cb = Codebook.from_dict(CODEBOOK)
    matchers = [KeywordMatcher(cb), KeywordMatcher(cb, expansions_as_phrases=True, verb_noun_pairs=True)]
    cleaner = Cleaner(redact=True, detect_language=False).fit()

    def themes(text: str) -> set[str]:
        clean = cleaner.transform([text])
        found = []
        for m in matchers:  # the trained coders' matcher and the zero-shot coder's agree
            counts = m.counts(clean["text_clean"].tolist(), clean["lemmas"].fillna("").tolist())
            found.append({t for t, c in zip(cb.theme_ids, counts[0]) if c > 0})
        assert found[0] == found[1]
        return found[0]

    return themes


@pytest.mark.parametrize("text", ["Sida heng seg opp heile tida", "Siden hang da jeg skulle sende",
                                  "Siden henger hele tiden", "Nettsida hang seg", "Siden har hengt seg opp",
                                  "Siden hengte seg opp igjen"])
@pytest.mark.parametrize("theme", ["henger", "henge"])
def test_a_strong_verb_keyword_matches_its_present_and_past_forms(match, text, theme):
    assert theme in match(text)


@pytest.mark.parametrize("text", ["Det henvises til regelverket", "Vi fikk ingen hengivenhet",
                                  "Saken ble behandlet raskt"])
def test_other_words_do_not_match_the_strong_verb(match, text):
    assert not {"henger", "henge"} & match(text)


def test_the_person_noun_keyword_is_still_not_read_as_a_verb(match):
    assert "lege" not in match("Saken ble behandlet raskt")
    assert "lege" in match("Behandleren min sa nei")


def test_the_table_lists_each_lemma_among_its_forms_and_is_lower_case():
    for lemma, forms in STRONG_VERB_FORMS.items():
        assert lemma in forms and all(f == f.lower() and f.isalpha() for f in forms), lemma


@pytest.mark.parametrize("theme", ["app_dollar", "app_quoted"])
@pytest.mark.parametrize("text", ["App-en virker ikke", "Jeg lastet ned app-en", "Alle app-ene er trege",
                                  "Appen er treg", "Bruk app."])
def test_a_whole_word_keyword_matches_a_hyphenated_inflection(match, theme, text):
    assert theme in match(text)


@pytest.mark.parametrize("theme", ["app_dollar", "app_quoted"])
@pytest.mark.parametrize("text", ["BankID-appen virker ikke", "Applikasjonen er treg", "En app-basert løsning",
                                  "BankID-app-en virker ikke"])
def test_a_whole_word_keyword_does_not_match_compounds(match, theme, text):
    assert theme not in match(text)
