"""Topic labels and keywords of the review dec07c survey: no function words («alt», «oppå») and no verb left
unlemmatised («finner», «hopper»: Ordbank also has them as nouns, and its merge picked the noun, so
``lemma_overrides.tsv`` gives the verb reading)."""

import numpy as np

from textmine.discover import prepare
from textmine.discover.core import _describe
from textmine.discover.labels import norwegian_stop_words

NAV = ["Søkefunksjonen på nettsiden finner aldri det jeg leter etter.", "Jeg finner aldri riktig skjema i menyen.",
       "Menyen havner oppå teksten når jeg zoomer.", "Alt for mange steg i menyen før skjemaet.",
       "Menyen er rotete, alt ligger oppå hverandre.", "Finner ikke fram i menyen på nettsiden.",
       "NVDA hopper over menyen og alt i skjemaet.", "Skjemaet har en meny som hopper rundt."]
LOGIN = ["BankID på mobil fungerer ikke, alt stopper.", "Innlogging med BankID tar alt for lang tid.",
         "Får ikke logget inn med BankID oppå alt annet.", "BankID-appen krasjer ved innlogging.",
         "Innlogging feiler hver gang med BankID.", "Jeg finner ikke innlogging med BankID på mobil.",
         "BankID hopper ut av innloggingen.", "Innloggingen med BankID henger."]
FUNCTION = {"alt", "oppå", "finner", "hopper", "havner", "hverandre"}


def test_labels_hold_no_function_word_and_no_unlemmatised_verb():
    texts = NAV + LOGIN
    prep = prepare(texts)
    lemmas = " ".join(prep["lemmas"].astype(str))
    assert "finne" in lemmas.split() and "finner" not in lemmas.split()  # the verb reading
    emb = np.random.default_rng(0).normal(size=(len(texts), 8)).astype(np.float32)
    topics = _describe(np.arange(len(texts)), np.asarray([0] * 8 + [1] * 8), emb, prep["text_clean"].tolist(),
                       prep["lemmas"].tolist(), n_examples=3, n_keywords=10, total=len(texts))
    assert len(topics) == 2
    for t in topics:
        words = {w for kw in t.keywords for w in kw.split()} | set(t.label.replace("·", " ").split())
        assert not words & FUNCTION, (t.label, t.keywords)
    assert "meny" in topics[0].label and "bankid" in topics[1].label


def test_function_words_are_stop_words_and_theme_keywords_are_not():
    stop = norwegian_stop_words()
    assert {"alt", "oppå", "gjennom", "ifølge"} <= stop
    assert not {"nede", "ute", "meny", "skjema", "innlogging"} & stop  # («nede»: a theme's keyword)
