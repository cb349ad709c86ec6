"""The one lexical near-duplicate rule (textmine.neardup), each branch on small hand-made cases, and its callers."""

from __future__ import annotations

import pytest

from textmine import neardup, quotes
from textmine.discover.core import NEAR_DUPLICATE, pick_examples
from textmine.neardup import fold_words, near_duplicate, near_duplicate_of_any, reading


def test_words_are_folded_without_case_punctuation_or_redaction_markers():
    assert fold_words("[NAVN] svarte på E-post 2 ganger!!!") == ["svarte", "på", "e-post", "2", "ganger"]
    assert reading("Telefonkøen er HÅPLØS!!!").key == reading("  telefonkøen er håpløs ").key == \
        "telefonkøen er håpløs"


def test_same_words_are_near_duplicates_whatever_the_other_branches():
    a, b = "Telefonkøen er håpløs!!!", "telefonkøen   er håpløs"
    assert near_duplicate(a, b) and near_duplicate(a, b, overlap=False)
    assert near_duplicate("Lang kø", "lang kø.")  # even two words (too short for the overlap branches)


def test_a_text_without_words_is_nobodys_near_duplicate():
    assert not near_duplicate("", "")
    assert not near_duplicate("!!!", "...")
    assert not near_duplicate("[NAVN]", "[TELEFON]")


@pytest.mark.parametrize("a, b", [
    ("Permitteringsreglene endres hele tiden", "permiteringsreglene endres hele tiden"),  # typo
    ("Telefonkøen er håpløs", "Telefonkøen er håplaus"),  # nynorsk spelling
])
def test_as_many_words_spelled_nearly_alike_are_near_duplicates_where_asked(a, b):
    assert near_duplicate(a, b, overlap=False, spelling=neardup.SPELLING)
    assert not near_duplicate(a, b, overlap=False, spelling=0.99)  # the named threshold decides
    assert not near_duplicate(a, b)  # off by default (quotes, examples)


def test_long_texts_differing_in_a_few_short_words_are_no_spelling_variants_by_default():
    a = "Telefonen svarer aldri, bal og bam venter, brevet ban kom aldri fram"
    b = "Telefonen svarer aldri, bel og bem venter, brevet ben kom aldri fram"
    assert near_duplicate(a, b, spelling=neardup.SPELLING) and not near_duplicate(a, b)


def test_an_added_word_is_no_spelling_variant():
    a, b = "Køen i kassa er for lang", "Køen i kassa er ikke for lang"
    assert not near_duplicate(a, b, overlap=False, spelling=neardup.SPELLING)
    assert near_duplicate(a, b)  # but 6 of 7 words in common: the same reading for a quote


def test_a_text_held_whole_by_another_is_a_near_duplicate_from_three_words():
    short = "Betre samarbeid mellom NAV"
    long_ = "Vi ønskjer mykje. Betre samarbeid mellom NAV, fastlege og arbeidsplassen, og kortare kø i lang tid."
    assert near_duplicate(short, long_) and near_duplicate(long_, short)
    assert not near_duplicate(short, long_, overlap=False)
    assert not near_duplicate("lang kø", "Det er lang kø hver eneste dag på kontoret vårt")  # two words only


def test_a_shared_run_of_six_words_makes_near_duplicates():
    a = "Forklar trekk i refusjonen så vi slipper å ringe"
    b = "Vi ønsker at dere forklar trekk i refusjonen så vi alle får det bedre med tiden nå"
    assert near_duplicate(a, b)
    five = "Vi ønsker at dere forklar trekk i refusjonen slik at vi alle får det bedre med tiden nå"
    assert not near_duplicate(a, five)  # "forklar trekk i refusjonen" is a run of four only
    assert not near_duplicate(a, b, overlap=False)


def test_the_share_of_common_words_is_a_named_threshold():
    a, b = "Maten er dyr og kald", "kald og dyr er suppa"  # 4 of 6 distinct words in common: 0.67
    assert not near_duplicate(a, b)  # the default SHARED_WORDS 0.7
    assert near_duplicate(a, b, shared_words=0.6)
    assert near_duplicate("maten er dyr og kald hver dag", "hver dag er maten kald og dyr")  # all words, reordered
    assert not near_duplicate("dyr og kald", "kald og dyr")  # under four distinct words: no word-share rule


def test_near_duplicate_of_any_passes_the_rule_on():
    chosen = [reading("Maten er dyr og kald"), reading("Chatten svarer aldri")]
    assert near_duplicate_of_any("kald og dyr er suppa", chosen, shared_words=0.6)
    assert not near_duplicate_of_any("kald og dyr er suppa", chosen)


def test_the_callers_share_the_rule():
    assert quotes.near_duplicate is neardup.near_duplicate
    assert quotes.SHARED_RUN == neardup.SHARED_RUN and quotes.SHARED_WORDS == neardup.SHARED_WORDS
    assert NEAR_DUPLICATE == 0.6
    # a discovered topic's examples use their own share of common words: 4 of 6 words in common repeat an example
    # (not a quote)
    ranked = ["Maten er dyr og kald", "Kald og dyr er suppa", "Chatten svarer aldri på noe"]
    assert pick_examples(ranked, 3) == [ranked[0], ranked[2]]
