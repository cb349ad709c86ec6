"""The unguided draft codebook's ``language`` is the standard most of its answers are written in (nynorsk review,
finding 8: it said ``nb`` for a wave that was 70 % nynorsk); a base codebook's language is kept."""

from __future__ import annotations

import numpy as np

from textmine.codebook import Codebook
from textmine.discover.core import DiscoveryResult, Topic
from textmine.discover.draft import answers_language, draft_codebook

NN = ["Eg har venta i tre månader på svar frå kommunen.", "Det tek altfor lang tid, og ingen ringde tilbake.",
      "Sakshandsamaren hadde ikkje lese dokumenta mine.", "Dei forklarte ingenting."]
NB = ["Jeg har ventet i tre måneder på svar fra kommunen.", "Saksbehandleren hadde ikke lest dokumentene mine."]


def _result(texts, non_answer=None):
    n = len(texts)
    topic = Topic(id=0, label="svar · kommune", keywords=["svar", "kommune"], size=n, share=1.0, examples=texts[:1])
    return DiscoveryResult(topics=[topic], assignments=np.zeros(n, dtype=int), text_clean=list(texts),
                           is_non_answer=np.asarray(non_answer if non_answer is not None else [0] * n, dtype=bool),
                           method="small-wave", n_outliers_reassigned=0, seed=42, params={"n_valid": n})


def test_draft_of_mostly_nynorsk_answers_is_nynorsk():
    cb = draft_codebook(_result(NN + NB))
    assert cb["language"] == "nn", f"4 nynorsk and 2 bokmål answers: expected language nn, got {cb['language']!r}"


def test_draft_of_mostly_bokmal_answers_is_bokmal():
    assert draft_codebook(_result(NB + NN[:1]))["language"] == "nb"


def test_draft_language_is_bokmal_when_no_answer_decides():
    assert answers_language(_result(["I had to wait four months", "?", "ok"])) == "nb"


def test_non_answers_do_not_count_for_the_draft_language():
    texts = NB[:1] + ["veit ikkje", "ikkje noko å seie", "kan ikkje svare på det"]
    assert answers_language(_result(texts, non_answer=[0, 1, 1, 1])) == "nb"


def test_guided_draft_keeps_the_base_codebook_language():
    base = Codebook.from_dict({"name": "kb", "language": "nb", "themes": [
        {"id": "ventetid", "label": "Ventetid", "description": "Lang ventetid"}]})
    assert draft_codebook(_result(NN), base_codebook=base)["language"] == "nb"
