"""Redaction placeholders ([TELEFON], [NAVN]…) stay in the text users see but are no evidence for any theme or
type: keyword counts, char n-grams, the embedder's input and the type cues all read ``feature_text``."""

import numpy as np
import pytest

from textmine.classify import SupervisedCoder, ZeroShotCoder
from textmine.classify.lexical import CharHasher, KeywordMatcher, feature_text
from textmine.codebook import Codebook

from .conftest import TOY_CODEBOOK, TOY_TRAIN, FakeEmbedder

PHONE_CODEBOOK = {
    "name": "telefoni", "version": "1", "language": "nb", "types": ["klage", "ønske", "ros"],
    "themes": [
        {"id": "telefon", "label": "Telefon", "description": "Telefonkø og ventetid på telefon.",
         "keywords": ["telefon", "ringe"]},
        {"id": "navn", "label": "Navn", "description": "Navnet på saksbehandleren.", "keywords": ["navn"]},
        {"id": "refusjon", "label": "Refusjon", "description": "Refusjon av sykepenger.", "keywords": ["refusjon"]},
    ],
}


def test_feature_text_drops_placeholders_and_leaves_other_texts_as_they_are():
    plain = "Refusjonen kom  for sent [sic]."  # no placeholder: the very same string
    assert feature_text(plain) is plain
    assert feature_text("Ring meg på [TELEFON] angående refusjonen") == "Ring meg på angående refusjonen"
    assert feature_text("[NAVN] var flink, ring [TELEFON].") == "var flink, ring."
    assert feature_text("Kontakt [NAVN]/[NAVN] på [EPOST]") == "Kontakt / på"
    assert feature_text("[FØDSELSNUMMER]") == ""
    assert feature_text(None) == ""


def test_keyword_counts_ignore_placeholders():
    m = KeywordMatcher(Codebook.from_dict(PHONE_CODEBOOK))
    texts = ["Ring meg på [TELEFON] om refusjonen", "Spør [NAVN] om refusjonen", "Telefonkøen er lang"]
    lem = ["ring meg refusjon", "spør refusjon", "telefonkø telefon kø lang"]
    c = m.counts(texts, lem)
    assert c[:, 0].tolist() == [0, 0, 1]  # [TELEFON] is not "telefon"
    assert c[:, 1].tolist() == [0, 0, 0]  # [NAVN] is not "navn"
    assert c[:, 2].tolist() == [1, 1, 0]


def test_char_ngrams_ignore_placeholders():
    h = CharHasher(2**12)
    a = h.transform(["Ring meg på [TELEFON] om refusjonen", "Ring meg på om refusjonen"])
    assert (a[0] != a[1]).nnz == 0


class RecordingEmbedder(FakeEmbedder):
    def __init__(self):
        super().__init__()
        self.seen: list[str] = []

    def encode(self, texts, **kw):
        self.seen.extend(texts)
        return super().encode(texts, **kw)


def test_embedder_never_sees_placeholders_but_text_clean_keeps_them():
    emb = RecordingEmbedder()
    zs = ZeroShotCoder(Codebook.from_dict(PHONE_CODEBOOK), emb)
    prep = zs.prepare(zs.clean(["Ring meg på 912 34 567 om refusjonen", "Ring meg om refusjonen"]))
    assert "[TELEFON]" in prep.text_clean[0]  # what users see is still redacted, not stripped
    assert prep.feature_text[0] == "Ring meg på om refusjonen"
    assert emb.seen and not any("[TELEFON]" in t for t in emb.seen)
    assert prep.subset(np.array([0])).feature_text == [prep.feature_text[0]]


def test_zero_shot_scores_the_same_with_or_without_a_redacted_phone_number():
    zs = ZeroShotCoder(Codebook.from_dict(PHONE_CODEBOOK), FakeEmbedder())
    out = zs.predict(["Ring meg på 912 34 567 angående refusjonen for mars",
                      "Ring meg på angående refusjonen for mars"])
    a, b = out.iloc[0], out.iloc[1]
    assert a.drop("themes").equals(b.drop("themes")) and a["themes"] == b["themes"]
    assert out.loc[0, "theme_telefon"] == 0


def test_supervised_coder_scores_the_same_with_or_without_placeholders():
    texts, labels, types = zip(*TOY_TRAIN)
    sup = SupervisedCoder(Codebook.from_dict(TOY_CODEBOOK), FakeEmbedder(), cv=3).fit(list(texts), list(labels),
                                                                                     list(types))
    out = sup.predict(["Ring meg på 912 34 567, maten var kald og dyr", "Ring meg på, maten var kald og dyr",
                       "Hilsen Kari Nordmann: køen i kassa er alltid lang", "Hilsen: køen i kassa er alltid lang"])
    pd_equal = out.iloc[0].equals(out.iloc[1])
    assert pd_equal, out
    prep = sup.prepare(sup.clean(["Ring meg på 912 34 567, maten var kald og dyr",
                                  "Ring meg på, maten var kald og dyr"]))
    X = sup.features(prep)
    assert (X[0] != X[1]).nnz == 0


@pytest.mark.slow
def test_shipped_fast_model_ignores_a_redacted_phone_number():
    from textmine.classify import default_coder
    from textmine.paths import FAST_MODEL_DIR

    if not (FAST_MODEL_DIR / "manifest.json").exists():
        pytest.skip("models/fast not built")
    fast = default_coder(FAST_MODEL_DIR, strict=True)
    out = fast.predict(["Ring meg på 912 34 567 angående refusjonen for mars",
                        "Ring meg på angående refusjonen for mars"])
    assert out.loc[0, "themes"] == out.loc[1, "themes"] == "refusjon"
    assert out.iloc[0].equals(out.iloc[1])
