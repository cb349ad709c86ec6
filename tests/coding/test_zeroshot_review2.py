"""Zero-shot review 2: exclusive themes on an unseen codebook, and negated praise in the type facet."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from textmine.classify import ZeroShotCoder
from textmine.classify.base import Prepared
from textmine.classify.typefacet import TypeRules, cue_features
from textmine.codebook import Codebook

UU = {
    "name": "tilgjengelighet", "version": "1.0", "language": "nb", "types": ["klage", "ønske", "ros"],
    "themes": [
        {"id": "kontakt", "label": "Kontakt med NAV", "description": "Hvor lett det er å komme i kontakt med NAV.",
         "keywords": ["kontakt"]},
        {"id": "telefon", "label": "Telefon", "parent": "kontakt",
         "description": "Å ringe NAV: telefonkø, ventetid på telefon, tilbakeringing.",
         "keywords": ["telefon", "telefonkø", "ventetid", "lang ventetid"]},
        {"id": "chat", "label": "Chat og skriv til oss", "parent": "kontakt",
         "description": "Chatbot, chat med veileder og meldinger via Skriv til oss.",
         "keywords": ["chat", "chatbot", "melding"]},
        {"id": "uu", "label": "Universell utforming",
         "description": "Tilgjengelighet for personer med nedsatt funksjonsevne: skjermleser, kontrast, "
                        "tekststørrelse, tegnspråk.",
         "keywords": ["skjermleser", "kontrast", "tekststørrelse", "tegnspråk", "blind", "svaksynt", "døv"]},
        {"id": "sprak", "label": "Språk og forståelighet",
         "description": "Om brev og nettsider er forståelige: klarspråk, fagord, andre språk enn norsk, tolk.",
         "keywords": ["klarspråk", "fagord", "tolk", "forståelig", "uforståelig"]},
        {"id": "innlogging", "label": "Innlogging", "description": "Innlogging med BankID, MinID og ID-porten.",
         "keywords": ["bankid", "minid", "innlogging", "logge inn"]},
        {"id": "oppmote", "label": "Oppmøte på NAV-kontor",
         "description": "Besøk på NAV-kontoret: åpningstider, timeavtale, lokaler og tilgjengelighet for rullestol.",
         "keywords": ["nav-kontor", "timeavtale", "rullestol", "heis", "åpningstid"]},
        {"id": "ingen", "label": "Ingen kommentar / vet ikke", "description": "Svaret sier ikke noe konkret.",
         "exclusive": True},
    ],
}


def _prep(kw: np.ndarray) -> Prepared:
    n = kw.shape[0]
    return Prepared(["x"] * n, ["x"] * n, np.ones(n, bool), np.zeros((n, 4), np.float32), kw.astype(np.float32),
                    pd.RangeIndex(n))


def test_generic_exclusive_theme_does_not_beat_keyword_and_nearest_theme():
    """e5 cosines of "Trenger tolk men fikk ikke" to the theme texts (rounded): the generic text of the exclusive
    theme "ingen" is the nearest, "sprak" (keyword "tolk" found) the nearest of the others. Standardised with the
    exclusive theme in the row, "ingen" won with p≈0.95 and "sprak" was dropped."""
    cb = Codebook.from_dict(UU)
    zs = ZeroShotCoder(cb, embedder=object())
    sims = np.array([[0.82, 0.81, 0.82, 0.82, 0.83, 0.82, 0.81, 0.87]], np.float32)
    zs.similarities = lambda emb: sims  # type: ignore[method-assign]
    kw = np.zeros((1, len(cb)))
    kw[0, cb.index("sprak")] = 1
    out = zs.predict_prepared(_prep(kw))
    assert out["themes"].tolist() == ["sprak"], out.T
    assert out.loc[0, "theme_ingen"] == 0


def test_exclusive_theme_still_wins_when_nothing_else_stands_out():
    cb = Codebook.from_dict(UU)
    zs = ZeroShotCoder(cb, embedder=object())
    sims = np.array([[0.83, 0.83, 0.82, 0.83, 0.82, 0.83, 0.82, 0.88]], np.float32)
    zs.similarities = lambda emb: sims  # type: ignore[method-assign]
    out = zs.predict_prepared(_prep(np.zeros((1, len(cb)))))
    assert out["themes"].tolist() == ["ingen"], out.T


def test_default_scores_the_trained_prior_reads_are_unchanged():
    """``scores()`` without ``exclusive_apart`` is what a trained model's zero-shot prior was fitted on."""
    cb = Codebook.from_dict(UU)
    zs = ZeroShotCoder(cb, embedder=object())
    sims = np.array([[0.82, 0.81, 0.82, 0.82, 0.83, 0.82, 0.81, 0.87]], np.float64)
    zs.similarities = lambda emb: sims.astype(np.float32)  # type: ignore[method-assign]
    s = sims.astype(np.float32).astype(np.float64)
    z = (s - s.mean(1, keepdims=True)) / (s.std(1, keepdims=True) + 1e-6) * zs.z_gain(len(cb))
    mirror = 2 * zs.tau - z[:, :-1].max(1, keepdims=True)
    z[:, -1:] = np.maximum(z[:, -1:], mirror)
    assert np.array_equal(zs.scores(_prep(np.zeros((1, len(cb))))), z)


@pytest.mark.parametrize("text", [
    "Ikke noe særlig bra service",
    "Ikkje særleg god hjelp",
    "Ikke veldig fornøyd med svaret",
    "Ikke helt fornøyd",
    "Ikkje so bra",
    "Ikkje noko særleg god hjelp å få",
])
def test_negated_praise_with_softeners_is_not_ros(text):
    assert TypeRules().predict([text]) == ["klage"]
    assert cue_features([text])[0, 3] == 1


def test_negated_praise_needs_a_whole_praise_word():
    # "ikke godkjent" / "ikke godtatt" are no negated "god"
    assert cue_features(["Søknaden ble ikke godkjent", "ikke godtatt"])[:, 3].tolist() == [0, 0]
    assert TypeRules().predict(["Ikke fornøyd", "Veldig fornøyd, ikke noe å klage på"]) == ["klage", "ros"]



@pytest.mark.slow
def test_unseen_codebook_real_comments(e5):
    zs = ZeroShotCoder(Codebook.from_dict(UU), e5)
    texts = ["Trenger tolk men fikk ikke", "Ventetida på telefonen var altfor lang", "Eg venta lenge i telefonkøen",
             "Klarte ikke logge inn med BankID", "Ingen spesielle synspunkter utover det"]
    out = zs.predict(texts)
    assert out["themes"].tolist() == ["sprak", "kontakt;telefon", "kontakt;telefon", "innlogging", "ingen"], out
    again = zs.predict(list(reversed(texts)))
    assert again["themes"].tolist()[::-1] == out["themes"].tolist()
    assert np.array_equal(again.filter(like="score_").to_numpy()[::-1], out.filter(like="score_").to_numpy())


def test_type_follows_the_codebook_spelling_of_types():
    """A codebook with ``types: [Klage, Ønske, Ros]`` got "Klage" for every comment (the rules' lower-case
    "ros" was not among its types, so the first type was used)."""
    cb = Codebook.from_dict({**UU, "types": ["Klage", "Ønske", "Ros"]})
    zs = ZeroShotCoder(cb, embedder=object())
    texts = ["Tusen takk, veldig fornøyd", "Dere burde ha åpent lenger", "Elendig service"]
    prep = Prepared(texts, [""] * 3, np.ones(3, bool), np.zeros((3, 4), np.float32),
                    np.zeros((3, len(cb)), np.float32), pd.RangeIndex(3))
    assert zs._types(prep) == ["Ros", "Ønske", "Klage"]


def test_abbreviation_keyword_needs_its_whole_expansion():
    """The keyword "NKS" is analysed as "nav kontaktsenter"; only its first lemma ("nav") was required, so every
    comment naming NAV (a third of the eval set) counted as a keyword hit for the theme."""
    cb = Codebook.from_dict({**UU, "themes": [{**UU["themes"][1], "parent": None,
                                                "keywords": ["NKS", "tlf"]}, *UU["themes"][3:]]})
    zs = ZeroShotCoder(cb, embedder=object())
    texts = ["NAV svarer aldri på søknaden", "Ringte NKS tre ganger", "NAV kontaktsenter la på",
             "Ring meg på tlf", "Betre samarbeid mellom NAV-kontora"]
    prep = zs.prepare(zs.clean(texts), embed=False)
    assert prep.kw[:, cb.index("telefon")].tolist() == [0, 1, 1, 1, 0]
    from textmine.classify.lexical import KeywordMatcher

    legacy = KeywordMatcher(cb)  # what a trained model's features were computed with: unchanged
    assert legacy.counts(prep.text_clean, prep.lemmas)[:, cb.index("telefon")].tolist() == [1, 1, 1, 1, 1]
