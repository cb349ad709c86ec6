"""Representative examples: no spelling-variant or bokmål/nynorsk duplicates, no sentence in two topics, the
sentences carrying the topic's words first, and the quotes' safety rules (headcounts, places, one person's health)."""

import numpy as np

from textmine.discover import prepare
from textmine.discover.core import _describe, pick_examples


def test_bokmal_nynorsk_and_spelling_variants_are_duplicates():
    ranked = ["Vi har ikke fått noen hjelp til å forebygge sykefravær.",
              "Vi har ikkje fått hjelp til å førebyggje sjukefråvær.",
              "Tettere oppfølging av den sykmeldte.", "Tettare oppfølging av dei sjukmelde.",
              "Følg opp den sykemeldte tettere.", "følg opp den sykmeldte tettere.",
              "Chatten svarer aldri."]
    assert pick_examples(ranked, 5) == [ranked[0], ranked[2], ranked[4], ranked[6]]


def test_examples_holding_a_label_word_come_first():
    ranked = ["Det er bra at dere spør oss.", "Vi bruker en hel formiddag på å komme gjennom til kontaktsenteret.",
              "Ellers fint."]
    out = pick_examples(ranked, 2, words=("formiddag", "kontaktsenter"))
    assert out[0] == ranked[1]


def test_a_long_comment_shows_the_sentences_carrying_the_topic():
    text = ("Vi er en liten bedrift og har mye å gjøre. Vi har hatt mange runder med NAV om mye rart i år. "
            "Refusjonen av sykepenger kommer alltid for sent. Ellers er det greit, og vi er fornøyde med "
            "kontaktpersonen vår som alltid svarer raskt og hyggelig på det vi spør om.")
    out = pick_examples([text], 1, words=("refusjon", "sykepenger"))
    assert out == ["Refusjonen av sykepenger kommer alltid for sent."]


def test_no_example_names_a_headcount_a_county_or_one_persons_health():
    ranked = ["Vi er en liten bedrift innen varehandel med 6 ansatte og venter på refusjon.",
              "Fra en arbeidsgiver i Agder: refusjonen kommer sent.",
              "Refusjonen kom sent mens hun har vært sykmeldt i tre måneder.",
              "Refusjonen kommer for sent hver gang."]
    out = pick_examples(ranked, 4)
    assert "Refusjonen kommer for sent hver gang." in out
    assert not any("Agder" in x or "sykmeldt" in x for x in out), out
    assert not any("6 ansatte" in x for x in out), out
    assert any("[ANTALL] ansatte" in x for x in out), out  # masked as in the report's quotes, not dropped


def test_the_same_sentence_is_never_an_example_of_two_topics():
    shared = "Hvorfor snakker ikke Nav-kontoret og legen sammen?"
    a = [shared, "Nav-kontoret og legen må snakke sammen.", "Legen og Nav-kontoret snakker ikke sammen.",
         "Samarbeid mellom lege og Nav-kontor mangler."]
    b = [shared, "Legen sykmelder uten å snakke med oss.", "Sykmeldingen fra legen kommer sent.",
         "Legen vurderer sykmelding uten kontakt med arbeidsgiver."]
    texts = a + b
    prep = prepare(texts)
    emb = np.zeros((len(texts), 4), np.float32)
    emb[:, 0] = 1.0
    topics = _describe(np.arange(len(texts)), np.array([0] * 4 + [1] * 4), emb, prep["text_clean"].tolist(),
                       prep["lemmas"].tolist(), n_examples=3, n_keywords=10, total=len(texts))
    shown = [x for t in topics for x in t.examples]
    assert shown.count(shared) <= 1, [t.examples for t in topics]


def test_a_sentence_shown_for_one_topic_is_not_shown_inside_another_answer():
    shown: set = set()
    text = "Hvorfor snakker ikke Nav-kontoret og legen sammen? Hilsen en frustrert arbeidsgiver"
    first = pick_examples([text], 1, shown=shown)
    assert first
    second = pick_examples(["Hvorfor snakker ikke Nav-kontoret og legen sammen? Ellers: sykmeldinger blir datert "
                            "tilbake 13 uker", "Vi får aldri kontakt med legen om tilrettelegging."], 2, shown=shown)
    assert second == ["Vi får aldri kontakt med legen om tilrettelegging."]


def test_a_comment_about_several_things_shows_the_sentence_about_the_topic():
    text = ("Svarer som personalleder. Kø. Kø. Tlf-kø. Håpløst. Vi ønsker et godt samarbeid fremover. "
            "Ha en fin dag.")
    assert pick_examples([text], 1, words=("samarbeid",)) == ["Vi ønsker et godt samarbeid fremover."]


def test_an_answer_without_the_topics_words_is_no_example_next_to_one_with_them():
    ranked = ["ØNSKER AT LEGEN DELTAR PÅ DIALOGMØTET.", "Reglane for permittering var uklare.",
              "Reglene for permittering endret seg hele tiden."]
    assert pick_examples(ranked, 3, words=("permittering", "regel")) == ranked[1:]
    assert pick_examples(ranked[:1], 3, words=("permittering",)) == ranked[:1]  # alone: shown
