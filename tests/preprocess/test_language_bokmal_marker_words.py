"""Marker words correct in both written standards ("both" in lang_markers.tsv: radical bokmål sjukmeldt,
aleine, blei, tida, framleis ...; nynorsk hos, også, blitt ...) do not decide the language when a marker word
of the other standard is in the text."""

from __future__ import annotations

import pytest

from textmine.paths import WORDLIST_DIR
from textmine.preprocess.wordlists import read_table


@pytest.mark.parametrize("text", [
    "Jeg blei sjukmeldt i mars",
    "Hun er aleine med to barn og sjukmeldt",
    "Jeg er sjukemeldt og får ikke svar fra NAV",
    "Er sjukemeldt og får ikke svar",
    "Jeg har framleis ikke fått svar",
])
def test_bokmal_with_words_valid_in_both_standards_is_bokmal(resources, text):
    assert resources.language.detect(text) == "nb"


@pytest.mark.parametrize("text", ["Er sjukemeldt og får ikke svar", "Jeg blei sjukmeldt i mars"])
def test_lemma_language_is_bokmal_too(resources, text):
    assert resources.language.by_markers(text) == "nb"


@pytest.mark.parametrize("text", [
    "Eg er sjukmeldt",
    "Blei sjukmeldt",
    "Sjukmeldinga kom fram til oss etter tre veker",
    "Ho har vore sjukmeld lenge, og er framleis heime hos oss",
    "Det har blitt betre med åra, også hos NAV",
    "Sjukefråværet er høgt hos oss",
    "Fekk to gode kandidatar gjennom NAV til barnehagen. Begge er framleis hos oss.",
])
def test_nynorsk_stays_nynorsk(resources, text):
    assert resources.language.detect(text) == "nn"


def test_shared_nynorsk_markers_are_bokmal_forms(resources):
    """Safety net for the table: every nynorsk marker marked "both" is a form the bokmål Ordbank lists."""
    rows = [r for r in read_table("lang_markers.tsv", WORDLIST_DIR) if len(r) >= 4 and r[3] == "both"]
    assert rows
    for word, lang, *_ in rows:
        assert lang in ("nb", "nn")
        if lang == "nn":
            assert word in resources.lexicon.forms, word
    assert resources.language.shared == frozenset(r[0] for r in rows)


def test_both_only_for_norwegian_markers(tmp_path):
    from textmine.preprocess.language import LanguageDetector

    (tmp_path / "lang_markers.tsv").write_text("the\ten\t2\tboth\n", encoding="utf-8")
    (tmp_path / "lang_neighbours.tsv").write_text((WORDLIST_DIR / "lang_neighbours.tsv").read_text(encoding="utf-8"),
                                                  encoding="utf-8")
    with pytest.raises(ValueError, match="only nb/nn"):
        LanguageDetector.from_wordlists(tmp_path)
