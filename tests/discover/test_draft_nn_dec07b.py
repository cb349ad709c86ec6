"""A draft codebook's fixed description words follow its language: nynorsk for a nynorsk base codebook or, without
one, for mostly nynorsk answers (they were always bokmål: "Utkast fra temaoppdagelse ... kommentarer om ...")."""

from __future__ import annotations

import numpy as np

from textmine.codebook import Codebook
from textmine.discover.core import DiscoveryResult, Topic
from textmine.discover.draft import draft_codebook

NN = ["Eg har venta i tre månader på svar frå kommunen.", "Det tek altfor lang tid, og ingen ringde tilbake.",
      "Sakshandsamaren hadde ikkje lese dokumenta mine.", "Dei forklarte ingenting."]
NB = ["Jeg har ventet i tre måneder på svar fra kommunen.", "Saksbehandleren hadde ikke lest dokumentene mine.",
      "Det tar altfor lang tid, og ingen ringte tilbake."]
BOKMAL_ONLY = ("fra ", "oppdagelse", "kommentarer", "generert", "etiketter", "beskrivelser", "eksempler",
               " et nytt navn", "uten ", "Nærmeste", "eksisterende", "Funnet ")


def _result(texts, nearest=None):
    n = len(texts)
    topic = Topic(id=0, label="svar · kommune", keywords=["svar", "kommune"], size=n, share=1.0, examples=texts[:1],
                  nearest_theme=nearest)
    return DiscoveryResult(topics=[topic], assignments=np.zeros(n, dtype=int), text_clean=list(texts),
                           is_non_answer=np.zeros(n, dtype=bool), method="small-wave", n_outliers_reassigned=0,
                           seed=42, params={"n_valid": n})


def _fixed_texts(cb) -> list[str]:
    return [cb["description"]] + [t["description"] for t in cb["themes"] if t["id"].startswith(("ny_", "svar"))]


def test_nynorsk_answers_get_nynorsk_descriptions():
    cb = draft_codebook(_result(NN, nearest="ventetid"))
    assert cb["language"] == "nn"
    texts = _fixed_texts(cb)
    bokmal = [(w, t) for t in texts for w in BOKMAL_ONLY if w in t]
    assert not bokmal, f"bokmål words in a nynorsk draft: {bokmal}"
    theme = cb["themes"][0]["description"]
    assert "frå temaoppdaging" in theme and "kommentarar om svar, kommune" in theme
    assert "Næraste eksisterande tema: ventetid." in theme
    assert "utan «utkast»" in cb["description"]


def test_bokmal_answers_keep_bokmal_descriptions():
    cb = draft_codebook(_result(NB, nearest="ventetid"))
    assert cb["language"] == "nb"
    theme = cb["themes"][0]["description"]
    assert "fra temaoppdagelse" in theme and "kommentarer om svar, kommune" in theme
    assert "Nærmeste eksisterende tema: ventetid." in theme
    assert "uten «utkast»" in cb["description"]


def test_guided_draft_follows_the_base_codebook_language_not_the_answers():
    def base(lang):
        return Codebook.from_dict({"name": "kb", "language": lang, "themes": [
            {"id": "ventetid", "label": "Ventetid", "description": "Lang ventetid"}]})

    nn = draft_codebook(_result(NB), base_codebook=base("nn"))
    new = [t for t in nn["themes"] if t["id"].startswith("ny_")]
    assert nn["language"] == "nn" and new and "kommentarar om" in new[0]["description"]
    assert "etikettar" in nn["description"]
    nb = draft_codebook(_result(NN), base_codebook=base("nb"))
    new = [t for t in nb["themes"] if t["id"].startswith("ny_")]
    assert nb["language"] == "nb" and "kommentarer om" in new[0]["description"]
    assert [t["description"] for t in nb["themes"] if t["id"] == "ventetid"] == ["Lang ventetid"]  # kept as written
