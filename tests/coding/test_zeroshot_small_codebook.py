"""Zero-shot with a small codebook: within a comment the z-score over n themes is at most √(n−1), so the
within-comment z is stretched (ZeroShotCoder.z_gain) for small n; large codebooks are untouched."""

import numpy as np
import pytest

from textmine.classify import ZeroShotCoder
from textmine.codebook import Codebook, load_codebook

SMALL = {
    "name": "lite", "version": "1", "language": "nb", "types": ["klage", "ønske", "ros"],
    "themes": [
        {"id": "refusjon", "label": "Refusjon av sykepenger",
         "description": "Refusjon av sykepenger til arbeidsgiver, utbetaling som kommer sent eller med feil beløp."},
        {"id": "permittering", "label": "Permittering",
         "description": "Permittering av ansatte, permitteringsvarsel og lønnsplikt ved permittering."},
        {"id": "digitalt", "label": "Digitale tjenester",
         "description": "Innlogging, nettsider, skjema og digitale løsninger på nett."},
        {"id": "annet", "label": "Annet", "description": "Svar som ikke passer i noe annet tema.", "exclusive": True},
    ],
}


def test_gain_is_one_for_large_codebooks_and_stretches_small_ones():
    zs = ZeroShotCoder(Codebook.from_dict(SMALL), embedder=object())
    assert zs.z_gain(16) == 1.0 and zs.z_gain(13) == 1.0 and zs.z_gain(40) == 1.0 and zs.z_gain(1) == 1.0
    for n in (2, 3, 4, 8):  # tau sits at Z_REACH of the largest reachable z
        assert zs.z_gain(n) * zs.Z_REACH * np.sqrt(n - 1) == pytest.approx(zs.tau)



@pytest.mark.slow
def test_small_codebook_codes_on_topic_comments_by_meaning(e5):
    zs = ZeroShotCoder(Codebook.from_dict(SMALL), e5)  # no keywords: meaning alone
    texts = ["Refusjonen kom tre måneder for sent", "Sykepengene til arbeidsgiver blir utbetalt altfor sent",
             "Vi måtte permittere halve staben og fikk ikke svar om lønnsplikten",
             "Innloggingen på nettsiden feiler hver gang vi skal sende skjema"]
    out = zs.predict(texts)
    assert out["themes"].tolist() == ["refusjon", "refusjon", "permittering", "digitalt"], out
    assert (out["theme_annet"] == 0).all()


@pytest.mark.slow
def test_sample_codebook_scores_are_unchanged_by_the_small_codebook_correction(e5):
    from textmine.paths import DEFAULT_CODEBOOK

    cb = load_codebook(DEFAULT_CODEBOOK)
    zs = ZeroShotCoder(cb, e5)
    assert len(cb) >= 13 and zs.z_gain(len(cb)) == 1.0
    prep = zs.prepare(zs.clean(["Refusjonen kom tre måneder for sent", "Umulig å komme gjennom på telefon"]))
    sims = zs.similarities(prep.emb).astype(np.float64)
    z = (sims - sims.mean(1, keepdims=True)) / (sims.std(1, keepdims=True) + 1e-6)
    expect = z + zs.lexical_weight * 2.0 * np.log1p(prep.kw.astype(np.float64))
    excl = np.array([t.exclusive for t in cb.themes])
    expect[:, excl] = np.maximum(expect[:, excl], 2 * zs.tau - expect[:, ~excl].max(1, keepdims=True))
    assert np.array_equal(zs.scores(prep), expect)  # the pre-correction formula, bit for bit
