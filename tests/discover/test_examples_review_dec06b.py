"""Discovery examples and label words after a code review: a full stop inside a word or before a lower-case word
ends no sentence (an example was cut to «… skjema på nav.»), an inflection match is no looser than an ending,
a repeated phrase's words leave a label even inside a phrase with a topic word, an Oslo office may show, and the
examples of many topics cost the same per topic."""

from textmine.discover.core import _example_text, _showable, pick_examples
from textmine.discover.labels import in_stock_phrase


def test_a_full_stop_inside_a_word_or_an_abbreviation_ends_no_sentence():
    assert _example_text("Vanskelig å finne skjema på nav.no", 300, ["skjema"]) == "Vanskelig å finne skjema på nav.no"
    text = "Ring f.eks. kontoret, de svarer aldri på telefon."
    assert _example_text(text, 300, ["telefon"]) == text
    two = "Maten er god. Telefonen svarer aldri."
    assert _example_text(two, 300, ["telefon"]) == "Telefonen svarer aldri."


def test_inflections_match_but_other_words_with_the_same_start_do_not():
    assert in_stock_phrase("hverdag", {"hverdagen"}) and in_stock_phrase("ringe", {"ringte"})
    assert in_stock_phrase("refusjon", {"refusjonene"})
    assert not in_stock_phrase("kontor", {"kontakt"})
    assert not in_stock_phrase("system", {"systematisk"})


def test_an_oslo_office_may_show_a_county_may_not():
    assert _showable("Kontoret i Oslo er veldig bra.")
    assert not _showable("Fra en arbeidsgiver i Agder: bra.")


def test_examples_of_many_topics_do_not_compare_with_every_topic_before(monkeypatch):
    """The fuzzy comparison runs within a topic only (earlier topics' sentences are compared exactly): its number
    of calls per topic does not grow with the number of topics described before."""
    from textmine.discover import core

    calls = []
    real = core.same_content
    monkeypatch.setattr(core, "same_content", lambda a, b, **kw: calls.append(1) or real(a, b, **kw))
    shown: set = set()
    per_topic = []
    for t in range(30):
        texts = [f"Svar {t} nummer {i} om ventetid og saksbehandling hos NAV." for i in range(50)]
        before = len(calls)
        assert pick_examples(texts, 3, words=["ventetid"], shown=shown)
        per_topic.append(len(calls) - before)
    assert max(per_topic[-5:]) <= max(per_topic[:5])
    assert len(shown) >= 30  # every topic's example is remembered
