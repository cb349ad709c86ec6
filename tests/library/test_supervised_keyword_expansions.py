"""The trained coder's keyword features: an abbreviation keyword ("NKS" → "nav kontaktsenter") needs its whole
expansion, as in zero-shot coding; artefacts trained before the option keep the features they were trained on."""

from __future__ import annotations

import json

from textmine.classify import SupervisedCoder, load_coder, save_coder
from textmine.codebook import Codebook

from ..coding.test_zeroshot_review2 import UU

TEXTS = ["NAV svarer aldri på søknaden", "Ringte NKS tre ganger", "NAV kontaktsenter la på",
         "Ring meg på tlf", "Betre samarbeid mellom NAV-kontora"]


def _codebook():
    return Codebook.from_dict({**UU, "themes": [{**UU["themes"][1], "parent": None, "keywords": ["NKS", "tlf"]},
                                                *UU["themes"][3:]]})


def _telefon_hits(coder, cb):
    prep = coder.prepare(coder.clean(TEXTS), embed=False)
    return prep.kw[:, cb.index("telefon")].tolist()


def test_new_supervised_coder_needs_the_whole_expansion_of_an_abbreviation_keyword():
    cb = _codebook()
    assert _telefon_hits(SupervisedCoder(cb, embedder=object()), cb) == [0, 1, 1, 1, 0]
    legacy = SupervisedCoder(cb, embedder=object(), keyword_expansions=False)
    assert _telefon_hits(legacy, cb) == [1, 1, 1, 1, 1]  # the first word ("nav") was enough


def test_keyword_expansions_round_trip_and_old_artefacts_load_without_them(tmp_path, codebook, train, embedder):
    coder = SupervisedCoder(codebook, embedder, embedder_spec="fake", cv=3).fit(train["text"], train["themes"])
    save_coder(coder, tmp_path / "m")
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["params"]["keyword_expansions"] is True
    assert load_coder(tmp_path / "m", embedder=embedder).keyword_expansions is True
    del manifest["params"]["keyword_expansions"]  # as written before the option existed
    (tmp_path / "m" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert load_coder(tmp_path / "m", embedder=embedder).keyword_expansions is False
