"""Zero-shot and the catch-all theme: an answer that fits none of the other themes gets the exclusive theme
(«annet»/«anna»), judged against the codebook's own texts (ZeroShotCoder.null_levels), never a fixed cosine.
Before, in a small codebook the stretched z of the best other theme passed tau for any answer and the catch-all
never won («Kantina i bygget deres er for dyr» went to a theme)."""

import numpy as np
import pytest

from textmine.classify import ZeroShotCoder
from textmine.codebook import Codebook

PERSONBRUKER = {
    "name": "personbruker", "version": "1", "language": "nb", "types": ["klage", "ønske", "ros"],
    "themes": [
        {"id": "utbetaling", "label": "Utbetaling",
         "description": "Når pengene kommer, feil beløp, forsinket eller stanset utbetaling av ytelser.",
         "keywords": ["utbetaling", "utbetalt", "penger", "beløp", "forsinket"],
         "examples": ["Pengene kom en uke for sent denne måneden.", "Fikk utbetalt feil beløp uten forklaring."]},
        {"id": "veileder", "label": "Veileder og oppfølging",
         "description": "Kontakten med veilederen, oppfølging og møter på NAV-kontoret.",
         "keywords": ["veileder", "oppfølging", "møte", "saksbehandler"],
         "examples": ["Veilederen min har byttet tre ganger på et år.", "Fikk god oppfølging av veilederen."]},
        {"id": "nettside", "label": "Nettsider og digitale tjenester",
         "description": "nav.no, innlogging, søknadsskjema, meldekort og digitale løsninger.",
         "keywords": ["nav.no", "innlogging", "nettsiden", "meldekort", "skjema", "app"],
         "examples": ["Meldekortet på nett er lett å fylle ut.", "Innloggingen feiler hele tiden."]},
        {"id": "telefon", "label": "Telefon og ventetid",
         "description": "Å komme gjennom på telefon, kø og ventetid hos kontaktsenteret.",
         "keywords": ["telefon", "ringe", "kø", "ventetid"],
         "examples": ["Satt en time i telefonkø.", "Ingen tok telefonen da jeg ringte."]},
        {"id": "vedtak", "label": "Vedtak og saksbehandlingstid",
         "description": "Hvor lang tid det tar å få vedtak på søknaden, avslag og klage.",
         "keywords": ["vedtak", "søknad", "avslag", "klage", "saksbehandlingstid"],
         "examples": ["Har ventet fire måneder på vedtak.", "Fikk avslag uten begrunnelse."]},
        {"id": "annet", "label": "Annet", "description": "Svar som ikke passer i noen av de andre temaene.",
         "exclusive": True},
    ],
}

THEMED = [
    ("Pengene kom ikke på konto før etter ti dager", "utbetaling"),
    ("Utbetalingen ble stanset uten at noen sa ifra", "utbetaling"),
    ("Jeg fikk mye mindre utbetalt enn jeg skulle ha", "utbetaling"),
    ("Veilederen min svarer aldri på meldinger", "veileder"),
    ("Har hatt fire ulike veiledere på to år og må forklare alt på nytt", "veileder"),
    ("God oppfølging fra saksbehandleren på kontoret", "veileder"),
    ("Meldekortet er enkelt å sende på nav.no", "nettside"),
    ("Innloggingen med BankID feiler stadig vekk", "nettside"),
    ("Appen krasjer når jeg skal laste opp dokumenter", "nettside"),
    ("Umulig å komme gjennom på telefon, satt i kø i over en time", "telefon"),
    ("Har ventet et halvt år på vedtak om uføretrygd", "vedtak"),
    ("Søknaden min om AAP er fortsatt ikke behandlet etter fire måneder", "vedtak"),
    ("Fikk avslag og skjønner ikke begrunnelsen", "vedtak"),
]
UNRELATED = [
    "Kantina i bygget deres er for dyr",
    "Parkeringa ved kontoret er elendig",
    "Været har vært fryktelig dårlig hele sommeren",
    "Naboen min spiller høy musikk hver natt",
    "Bussen til sentrum går altfor sjelden",
    "Strømprisene i vinter var helt vanvittige",
    "Jeg liker å gå på tur i skogen i helgene",
    "Fotballaget mitt tapte igjen på lørdag",
]
NON_ANSWERS = ["-", "vet ikke", "nei", "Ingen kommentar", "."]


def _codebook(exclusive: bool = True) -> Codebook:
    raw = {**PERSONBRUKER, "themes": [t for t in PERSONBRUKER["themes"] if exclusive or not t.get("exclusive")]}
    return Codebook.from_dict(raw)


# ---------------------------------------------------------------- the "nothing fits" score itself (no model)
NULLS = (2.7, 0.85, 0.01)  # (best score, its similarity, that similarity's spread) of texts that fit nothing


def test_nothing_fits_crosses_the_best_other_theme_at_the_codebooks_null_level():
    zs = ZeroShotCoder(_codebook(), embedder=object())
    best = np.array([[1.5], [2.4], [2.7], [3.0], [4.5]])
    sim = np.full(5, 0.85)  # at the null similarity: only the score decides
    out = zs._nothing_fits(best, sim, np.zeros(5, dtype=bool), NULLS)[:, 0]
    assert (out[:2] > zs.tau).all() and (out[:2] > best[:2, 0]).all(), out  # weaker than nothing-fits: catch-all
    assert out[2] == pytest.approx(2.7)  # at the null level: level with the best theme
    assert (out[3:] < best[3:, 0]).all(), out  # a theme stands out: it beats the catch-all


def test_nothing_fits_counts_a_low_similarity_against_the_codebooks_own_texts():
    zs = ZeroShotCoder(_codebook(), embedder=object())
    best = np.array([[2.9], [2.9]])
    out = zs._nothing_fits(best, np.array([0.80, 0.90]), np.zeros(2, dtype=bool), NULLS)[:, 0]
    # five of the codebook's standard deviations below its null similarity: the same best score no longer fits
    assert out[0] > best[0, 0] and out[1] < best[1, 0], out


def test_a_keyword_of_another_theme_rules_the_catch_all_out():
    zs = ZeroShotCoder(_codebook(), embedder=object())
    out = zs._nothing_fits(np.array([[0.5], [0.5]]), np.array([0.8, 0.8]), np.array([True, False]), NULLS)[:, 0]
    assert out[0] == -np.inf and out[1] > zs.tau, out


def test_null_level_comes_from_the_codebooks_own_texts(fake_embedder):
    zs = ZeroShotCoder(_codebook(), fake_embedder)
    zs.prototypes()
    null_score, null_sim, spread = zs.null_levels()
    assert np.isfinite(null_score) and 0 < spread < 1 and -1 <= null_sim <= 1
    assert ZeroShotCoder(_codebook(), fake_embedder).null_levels() is None  # prototypes not embedded yet


def test_no_null_level_without_an_exclusive_theme_or_with_too_few_themes(fake_embedder):
    none = ZeroShotCoder(_codebook(exclusive=False), fake_embedder)
    none.prototypes()
    assert none.null_levels() is None
    three = {**PERSONBRUKER, "themes": PERSONBRUKER["themes"][:3] + PERSONBRUKER["themes"][-1:]}
    small = ZeroShotCoder(Codebook.from_dict(three), fake_embedder)
    small.prototypes()
    assert small.null_levels() is None  # against two other themes a text's z is ±1 whatever it says


# ---------------------------------------------------------------- with the shipped e5 embedder
@pytest.mark.slow
def test_unrelated_answers_get_the_catch_all(e5):
    out = ZeroShotCoder(_codebook(), e5).predict(UNRELATED)
    got = dict(zip(UNRELATED, out["themes"], strict=True))
    assert all(v == "annet" for v in got.values()), got


@pytest.mark.slow
def test_themed_answers_keep_their_theme_and_do_not_gain_the_catch_all(e5):
    texts = [t for t, _ in THEMED]
    out = ZeroShotCoder(_codebook(), e5).predict(texts)
    wrong = {t: got for (t, want), got in zip(THEMED, out["themes"], strict=True) if got != want}
    assert not wrong, wrong
    assert (out["theme_annet"] == 0).all()


@pytest.mark.slow
def test_non_answers_get_no_theme(e5):
    out = ZeroShotCoder(_codebook(), e5).predict(NON_ANSWERS + UNRELATED[:1])
    assert out["themes"].tolist() == [""] * len(NON_ANSWERS) + ["annet"], out["themes"].tolist()


@pytest.mark.slow
def test_catch_all_is_batch_independent(e5):
    zs = ZeroShotCoder(_codebook(), e5)
    texts = [t for t, _ in THEMED] + UNRELATED
    together = zs.predict(texts)
    alone = [ZeroShotCoder(_codebook(), e5).predict([t]) for t in UNRELATED[:3]]
    for t, one in zip(UNRELATED[:3], alone, strict=True):
        row = together[together.index == texts.index(t)]
        assert one["themes"].iloc[0] == row["themes"].iloc[0] == "annet"
        assert one["score_annet"].iloc[0] == row["score_annet"].iloc[0]


@pytest.mark.slow
def test_codebook_without_exclusive_theme_scores_as_before(e5):
    zs = ZeroShotCoder(_codebook(exclusive=False), e5)
    texts = [t for t, _ in THEMED[:4]] + UNRELATED[:4]
    prep = zs.prepare(zs.clean(texts))
    sims = zs.similarities(prep.emb).astype(np.float64)
    n = sims.shape[1]
    z = (sims - sims.mean(1, keepdims=True)) / (sims.std(1, keepdims=True) + 1e-6) * zs.z_gain(n)
    expect = z + zs.lexical_weight * 2.0 * np.log1p(prep.kw.astype(np.float64))
    assert np.array_equal(zs.scores(prep, exclusive_apart=True), expect)  # the formula before, bit for bit
    assert "annet" not in "".join(zs.predict(texts)["themes"])
