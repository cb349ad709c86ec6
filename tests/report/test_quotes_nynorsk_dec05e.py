"""Quote selection's spelling check knows nynorsk: correct nynorsk is not a typo, real typos still are."""

import pandas as pd
import pytest

from textmine.preprocess.cleaner import default_resources
from textmine.quotes import MAX_TYPO_SHARE, LexicalFallbackEmbedder, quote_lexicon, select_quotes, typo_share

NYNORSK = [  # correct nynorsk (reviewer's words: fekk, fleire, heiter, utan, sjølv, umogleg, kome, månader …)
    "Det er umogleg å kome gjennom på telefonen, eg har ringt fleire gonger utan svar.",
    "Dei passar ikkje på at vi får svar, vi ventar og ventar i fleire dagar.",
    "Eg måtte sjølv finne ut av alt saman, det er ikkje greitt.",
    "Eg fekk aldri svar, og sakshandsamaren heiter visst noko anna no.",
]
NYNORSK_TYPOS = [
    "Eg fkek aldri svarr, og sakshandsmaren hieter visst nko anna no.",
    "Det er umolgeg å koem gjenom på telefonnen, eg har rignt fleier gonger utna svar.",
]
BOKMAL_TYPOS = [
    "Jeg vil gjern utdype svarwne mine littt om telefon, ffår aldri svar på telefon dt samme.",
    "Vi fikk ikke svar paa henvendelsen vaar, og det tok et aar.",  # å written aa: still a typo, as before
]


@pytest.mark.parametrize("text", NYNORSK)
def test_correct_nynorsk_is_within_the_typo_limit(text):
    bokmal = default_resources().language.known_words
    share = typo_share(text, quote_lexicon())
    assert share <= MAX_TYPO_SHARE, f"{text!r}: typo share {share:.2f} > {MAX_TYPO_SHARE}; unknown: " + str(
        [w for w in text.lower().replace(",", " ").replace(".", " ").split() if w not in quote_lexicon()])
    assert typo_share(text, bokmal) > MAX_TYPO_SHARE  # what the bokmål lexicon alone made of it


@pytest.mark.parametrize("text", NYNORSK_TYPOS + BOKMAL_TYPOS)
def test_misspelt_words_are_still_typos_in_both_standards(text):
    share = typo_share(text, quote_lexicon())
    assert share > MAX_TYPO_SHARE, f"{text!r}: typo share {share:.2f}, expected over {MAX_TYPO_SHARE}"


def test_nynorsk_forms_are_known_and_misspellings_noise_and_ascii_spellings_are_not():
    known = quote_lexicon()
    for word in ("fekk", "fleire", "heiter", "utan", "sjølv", "mogleg", "månader", "skjemaa", "ventar"):
        assert word in known, f"nynorsk form {word!r} should be known"
    for word in ("fkek", "hieter", "sakshandsmaren", "svarwne", "ffår", "ikjke",  # misspellings
                 "sev", "ege", "sv",  # short noise in the nynorsk dictionary
                 "paa", "aar", "vaar"):  # å written aa
        assert word not in known, f"{word!r} should count as a typo"
    for word in ("ikke", "kommunen", "saksbehandleren", "eg", "ikkje"):  # bokmål and function words as before
        assert word in known, f"{word!r} should be known"


def _frame(texts, languages):
    return pd.DataFrame({"respondent_id": [f"r{i}" for i in range(len(texts))], "text_clean": texts,
                         "language": languages, "theme_t": 1})


def test_correct_nynorsk_comments_are_not_filtered_out_of_quotes():
    bokmal = ["Telefonkøen er lang, og vi venter ofte over en halvtime.",
              "Det er vanskelig å nå riktig person på telefon hos kommunen.",
              "Svartiden på telefon har blitt bedre det siste året."]
    texts = NYNORSK[:3] + bokmal  # three well-spelt bokmål comments: enough to fill k=3 without the nynorsk ones
    df = _frame(texts, ["nn"] * 3 + ["nb"] * 3)
    q = select_quotes(df, theme="t", k=3, embedder=LexicalFallbackEmbedder(), min_chars=10)
    assert len(q) == 3
    assert any(x.language == "nn" for x in q), (
        f"no nynorsk quote among {[(x.language, x.text) for x in q]}: correct nynorsk read as misspelt")


def test_well_spelt_nynorsk_is_preferred_over_misspelt_nynorsk():
    texts = NYNORSK_TYPOS + ["Eg fkek ikkje svar på telefonn, dei rignde aldri tibake til meg."] + NYNORSK[:3]
    df = _frame(texts, ["nn"] * len(texts))
    q = select_quotes(df, theme="t", k=3, embedder=LexicalFallbackEmbedder(), min_chars=10)
    chosen = {x.respondent_id for x in q}
    assert len(q) == 3 and not {"r0", "r1", "r2"} & chosen, f"misspelt nynorsk quoted: {[x.text for x in q]}"
