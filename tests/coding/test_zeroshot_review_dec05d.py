"""Review D (NAV personal-user codebook): theme-less answers, one-theme codebooks, two exclusive themes, short
generic answers and the exclusive catch-all in zero-shot coding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from textmine.classify import ZeroShotCoder
from textmine.classify.base import BaseCoder, Prepared, decide
from textmine.codebook import Codebook

from .conftest import TOY_CODEBOOK, FakeEmbedder

PERSON = yaml.safe_load("""\
name: personbruker
version: "1.0"
language: nb
description: >-
  Kodebok for fritekstsvar i brukerundersøkelsen for personbrukere (NAV): dagpenger, AAP, sykepenger,
  NAV-kontor, telefon/chat og nav.no. Eit svar kan ha fleire tema. «annet» brukes bare alene.
types: [klage, ønske, ros]
themes:
  - id: ytelser
    label: "Ytelser og utbetaling"
    description: "Stønader og utbetalinger fra NAV generelt: beløp, utbetalingsdato, feil i utbetaling, tilbakekreving, pensjon og andre ytelser."
    keywords: [utbetaling, utbetalt, penger, beløp, tilbakekreving, pensjon, alderspensjon, trekk, skatt, stønad]
    examples:
      - "Pengene kom en uke etter at husleia skulle betales."
      - "Fikk krav om å betale tilbake 14 000 uten noen forklaring."
  - id: dagpenger
    label: "Dagpenger"
    description: "Dagpenger ved arbeidsløshet og permittering: søknad, meldekort, ventetid, sats og stans."
    keywords: [dagpenger, meldekort, meldekortet, permittert, arbeidsledig, ledig, arbeidssøker, "sende meldekort"]
    examples:
      - "Glemte meldekortet en dag og mistet hele utbetalingen."
      - "Søkte dagpenger i mars og har ikke fått svar enda."
    parent: ytelser
  - id: aap
    label: "Arbeidsavklaringspenger (AAP)"
    description: "Arbeidsavklaringspengar: søknad, aktivitetsplan, arbeidsevnevurdering, forlenging og overgang til uføretrygd."
    keywords: [AAP, arbeidsavklaringspenger, arbeidsavklaringspengar, aktivitetsplan, arbeidsevnevurdering, "uføre", uføretrygd, avklaring]
    examples:
      - "AAP-en går ut om to måneder og ingen vet hva som skjer etterpå."
      - "Aktivitetsplanen blir endret uten at jeg blir spurt."
    parent: ytelser
  - id: sykepenger
    label: "Sykepenger"
    description: "Sykepengar frå NAV til den sjukmelde: søknad om sykepenger, sjukmelding, 52-vekers grensa og utbetaling."
    keywords: [sykepenger, sjukepengar, sykemeldt, sykmeldt, sjukmeld, sykmelding, "søknad om sykepenger", maksdato]
    examples:
      - "Sykepengene stoppet da jeg nådde maksdato, og ingen sa fra på forhånd."
      - "Søknaden om sykepenger var grei å fylle ut på telefonen."
    parent: ytelser
  - id: saksbehandlingstid
    label: "Saksbehandlingstid"
    description: "Hvor lang tid det tar før søknaden blir behandlet og vedtak kommer, og om man får vite status."
    keywords: [saksbehandlingstid, "lang tid", venter, ventet, vedtak, behandlingstid, uker, måneder, "ikke fått svar"]
    examples:
      - "Tre måneder på et vedtak er alt for lenge når man ikke har annen inntekt."
      - "Fikk svar på søknaden etter fire dager, helt utrolig."
  - id: veileder
    label: "NAV-kontor og veileder"
    description: "Møtet med NAV-kontoret og veilederen: å bli sett og hørt, respekt, oppfølging, bytte av veileder."
    keywords: [veileder, veilederen, "NAV-kontoret", kontoret, oppfølging, saksbehandler, møte, "ny veileder", respekt]
    examples:
      - "Veilederen min har vært helt fantastisk og hjulpet meg tilbake i jobb."
      - "Har hatt fire forskjellige veiledere på ett år."
  - id: kontakt
    label: "Telefon og chat"
    description: "Å nå NAV på telefon eller chat: kø, ventetid, brutte samtaler, chatboten Frida, «Skriv til oss»."
    keywords: [telefon, ringe, ringte, kø, chat, chatbot, Frida, "skriv til oss", "55 55 33 33", tilbakeringing]
    examples:
      - "Satt 50 minutter i telefonkø og ble lagt på."
      - "Chatboten skjønner ingenting av det jeg spør om."
  - id: digitale
    label: "nav.no og digitale løysingar"
    description: "Nettsidene, innlogging, Mine saker, digital søknad og opplasting av vedlegg. Gjeld ikkje chat (sjå kontakt)."
    keywords: [nav.no, nettsiden, innlogging, BankID, "Min side", "mine saker", vedlegg, "laste opp", app, digitalt, "på nett"]
    examples:
      - "Umulig å finne ut hvor man skal laste opp vedlegg på nav.no."
      - "Den nye søknaden på nett var enkel og oversiktlig."
  - id: annet
    label: "Annet"
    description: "Svar som ikke passer i noe annet tema, f.eks. om selve undersøkelsen. Brukes alene."
    keywords: [undersøkelsen, spørreskjema, spørsmålene]
    examples:
      - "Denne undersøkelsen var altfor lang."
    exclusive: true
""")  # the reviewer's codebook

TWO_EXCL = {
    "name": "to", "version": "1", "types": ["klage"],
    "themes": [
        {"id": "pris", "label": "Pris", "description": "Hva maten koster."},
        {"id": "mat", "label": "Maten", "description": "Smak og kvalitet på maten."},
        {"id": "ko", "label": "Kø", "description": "Kø i kassa."},
        {"id": "annet", "label": "Annet", "description": "Passer ikke i noe annet tema.", "exclusive": True},
        {"id": "undersokelsen", "label": "Om undersøkelsen", "description": "Om spørreskjemaet.",
         "exclusive": True},
    ],
}


def _prep(kw: np.ndarray, texts: list[str] | None = None) -> Prepared:
    n = kw.shape[0]
    texts = texts or ["et svar som sier en hel del om noe"] * n
    return Prepared(list(texts), list(texts), np.ones(n, bool), np.zeros((n, 4), np.float32),
                    np.asarray(kw, np.float32), pd.RangeIndex(n))


def _person_sims(base: float, **near: float) -> list[list[float]]:
    """One row of similarities to the themes of PERSON: ``base`` except the themes named."""
    return [[near.get(t["id"], base) for t in PERSON["themes"]]]


def _fixed(zs: ZeroShotCoder, sims: list[list[float]]) -> ZeroShotCoder:
    arr = np.array(sims, np.float32)
    zs.similarities = lambda emb: arr  # type: ignore[method-assign]
    return zs


# ---------------------------------------------------------------- 1. answers with no theme
def test_decide_may_leave_an_answer_without_a_theme_only_when_allowed():
    cb = Codebook.from_dict(TOY_CODEBOOK)
    probs = np.array([[0.07, 0.02, 0.01, 0.03], [0.9, 0.1, 0.1, 0.1]])
    thr = np.full(4, 0.5)
    forced = decide(cb, probs, thr, np.ones(2, bool))
    assert forced[0].tolist() == [1, 0, 0, 0]  # the shipped behaviour: the nearest theme
    free = decide(cb, probs, thr, np.ones(2, bool), allow_empty=True)
    assert free[0].tolist() == [0, 0, 0, 0], "nothing reached its threshold: no theme"
    assert free[1].tolist() == [1, 0, 0, 0]


class _Fixed(BaseCoder):
    """A coder with given probabilities (what a supervised model computes) and the training metrics it saved."""

    def __init__(self, codebook, embedder=None, *, probs=None, metrics=None):
        super().__init__(codebook, embedder)
        self.probs, self.training_metrics_ = probs, metrics

    def _theme_probs(self, prep):
        return np.tile(self.probs, (len(prep), 1)), np.full(len(self.codebook), 0.5)

    def _types(self, prep):
        return ["klage"] * len(prep)


@pytest.mark.parametrize(("metrics", "expected"), [
    ({"n_train": 40, "n_no_theme": 6}, ""),  # trained on "no theme applies" answers: may answer none
    ({"n_train": 40, "n_no_theme": 0}, "mat"),  # trained only on answers with a theme: forced as before
    ({"n_train": 40}, "mat"),  # a model saved before the count was kept (the shipped one): unchanged
    (None, "mat"),
])
def test_coder_trained_with_theme_less_answers_gives_none(metrics, expected):
    cb = Codebook.from_dict(TOY_CODEBOOK)
    coder = _Fixed(cb, FakeEmbedder(), probs=np.array([0.07, 0.02, 0.01, 0.03]), metrics=metrics)
    out = coder.predict(["Ingen problemer, alt gikk fint"])
    assert out.loc[0, "themes"] == expected, out.T
    assert coder.allows_no_theme() is (expected == "")


def test_shipped_model_records_no_theme_less_training_and_keeps_forcing_a_theme():
    from textmine.classify.artefact import load_coder
    from textmine.paths import DEFAULT_CODEBOOK, DEFAULT_MODEL_DIR

    coder = load_coder(DEFAULT_MODEL_DIR, codebook=DEFAULT_CODEBOOK, embedder=_ShippedEmbedder())
    assert coder.allows_no_theme() is False


class _ShippedEmbedder(FakeEmbedder):
    """Name/version/dimension of the shipped model's embedder (loading checks them; nothing is encoded here)."""

    def __init__(self):
        import json

        from textmine.paths import DEFAULT_MODEL_DIR

        info = json.loads((DEFAULT_MODEL_DIR / "manifest.json").read_text(encoding="utf-8"))["embedder"]
        super().__init__(info["version"])
        self.name, self.dimension = info["name"], int(info["dimension"])


@pytest.mark.parametrize("keywords", [["telefon"], ["x"]])
def test_one_theme_codebook_no_longer_gives_every_answer_its_theme(keywords):
    """With one theme there is no other to be nearer than: the argmax gave it to every answer at p = 0.0067."""
    cb = Codebook.from_dict({"name": "t", "version": "1", "types": ["klage"],
                             "themes": [{"id": "a", "label": "A", "keywords": keywords}]})
    out = ZeroShotCoder(cb, FakeEmbedder()).predict(
        ["Har ikke fått svar på søknaden enda", "Ringte men ingen tok telefonen", "Venta lenge på svar"])
    hit = keywords == ["telefon"]
    assert out["themes"].tolist() == ["", "a" if hit else "", ""], out
    assert out.loc[0, "score_a"] < 0.5


def test_one_theme_codebook_uses_the_fitted_scale_of_its_theme():
    """Fitted on unlabelled comments, the similarity counts against that theme's own scale (batch-independent)."""
    cb = Codebook.from_dict({"name": "t", "version": "1", "types": ["klage"],
                             "themes": [{"id": "a", "label": "A", "description": "Telefonkø og ventetid."}]})
    zs = ZeroShotCoder(cb, embedder=object())
    zs.theme_mean_, zs.theme_std_ = np.array([0.80]), np.array([0.01])
    _fixed(zs, [[0.84], [0.80]])
    out = zs.predict_prepared(_prep(np.zeros((2, 1))))
    assert out["themes"].tolist() == ["a", ""], out


# ---------------------------------------------------------------- 2. two exclusive themes
def test_two_exclusive_themes_are_told_apart_by_their_own_evidence():
    """Both got the mirror 2·tau − max(others) when nothing else stood out, so the first always won the tie."""
    cb = Codebook.from_dict(TWO_EXCL)
    zs = _fixed(ZeroShotCoder(cb, embedder=object()), [[0.80, 0.80, 0.80, 0.81, 0.83], [0.80, 0.80, 0.80, 0.83, 0.81]])
    prep = _prep(np.zeros((2, len(cb))))
    s = zs.scores(prep, exclusive_apart=True)
    assert s[0, 4] > s[0, 3] and s[1, 3] > s[1, 4]
    assert zs.predict_prepared(prep)["themes"].tolist() == ["undersokelsen", "annet"]


def test_exclusive_keyword_decides_between_two_exclusive_themes():
    cb = Codebook.from_dict(TWO_EXCL)
    zs = _fixed(ZeroShotCoder(cb, embedder=object()), [[0.80, 0.80, 0.80, 0.81, 0.81]])
    kw = np.zeros((1, len(cb)))
    kw[0, 4] = 1
    assert zs.predict_prepared(_prep(kw))["themes"].tolist() == ["undersokelsen"]


# ---------------------------------------------------------------- 3./4. the catch-all and short answers
def test_weak_best_theme_with_its_keyword_is_not_sent_to_the_catch_all():
    """P015 «Mitt fødselsnummer er [FØDSELSNUMMER], kan noen se på saken min? Har ikke fått penger siden mai.»:
    keyword "penger" (ytelser), no theme near by meaning (its e5 similarities below): the mirror 2·tau − m of
    the weak best theme sent it to annet, whose own text is not near it."""
    cb = Codebook.from_dict(PERSON)
    sims = [[0.8644, 0.8739, 0.8559, 0.8718, 0.8706, 0.8412, 0.8552, 0.8749, 0.8538]]
    zs = _fixed(ZeroShotCoder(cb, embedder=object()), sims)
    kw = np.zeros((1, len(cb)))
    kw[0, cb.index("ytelser")] = 1
    out = zs.predict_prepared(_prep(kw))
    assert out["themes"].tolist() == ["ytelser"], out.T


def test_catch_all_still_wins_when_its_own_evidence_leads():
    cb = Codebook.from_dict(PERSON)
    zs = _fixed(ZeroShotCoder(cb, embedder=object()), _person_sims(0.85, annet=0.88, kontakt=0.852))
    kw = np.zeros((1, len(cb)))
    kw[0, cb.index("annet")] = 1  # "undersøkelsen"
    assert zs.predict_prepared(_prep(kw))["themes"].tolist() == ["annet"]


def test_default_scores_for_the_trained_prior_keep_the_old_mirror():
    cb = Codebook.from_dict(TWO_EXCL)
    zs = _fixed(ZeroShotCoder(cb, embedder=object()), [[0.80, 0.80, 0.80, 0.81, 0.83]])
    s = zs.scores(_prep(np.zeros((1, len(cb)))))
    assert s[0, 3] == s[0, 4] == pytest.approx(2 * zs.tau - s[0, :3].max())


@pytest.mark.parametrize("text", ["Greit nok", "idk"])
def test_short_answer_without_keywords_goes_to_review(text):
    """«Greit nok», «idk» got digitale with needs_review 0 (and «dere er flinke» veileder at confidence 0.73: see
    the e5 test below); the z-scores are standardised within the comment, so a few generic words can look sure."""
    cb = Codebook.from_dict(PERSON)
    zs = _fixed(ZeroShotCoder(cb, embedder=object()), _person_sims(0.80, veileder=0.83))
    out = zs.predict_prepared(_prep(np.zeros((1, len(cb))), [text]))
    assert out.loc[0, "themes"] == "veileder"
    assert out.loc[0, "confidence"] < zs.review_threshold and out.loc[0, "needs_review"] == 1, out.T
    longer = zs.predict_prepared(_prep(np.zeros((1, len(cb))), ["veilederen på kontoret tok seg god tid til meg"]))
    assert longer.loc[0, "needs_review"] == 0 and longer.loc[0, "confidence"] > out.loc[0, "confidence"]


def test_short_answer_with_a_keyword_of_its_theme_keeps_its_confidence():
    cb = Codebook.from_dict(PERSON)
    zs = _fixed(ZeroShotCoder(cb, embedder=object()), _person_sims(0.80, kontakt=0.83))
    kw = np.zeros((1, len(cb)))
    kw[0, cb.index("kontakt")] = 1
    out = zs.predict_prepared(_prep(kw, ["Telefon"]))
    assert out.loc[0, "themes"] == "kontakt" and out.loc[0, "needs_review"] == 0, out.T


# ---------------------------------------------------------------- with the real encoder
@pytest.mark.slow
def test_two_theme_codebook_is_not_sure_of_an_answer_near_neither(e5):
    """«Har ikke fått svar på søknaden enda» → sjuk at 0.97: over two themes the z-score is ±1 for any
    difference, stretched by the small-codebook gain to a sure theme."""
    cb = Codebook.from_dict({"name": "t", "version": "1", "types": ["klage", "ønske", "ros"], "themes": [
        {"id": "sjuk", "label": "Sjukepengar", "keywords": ["sjukepengar", "sjukmelding", "sjukmeld", "lækjar"]},
        {"id": "tlf", "label": "Telefon", "keywords": ["telefon", "ringje", "telefonkø"]}]})
    texts = ["Venta lenge på svar om sjukepengar", "Har ikke fått svar på søknaden enda",
             "Ringte men ingen tok telefonen"]
    out = ZeroShotCoder(cb, e5).predict(texts)
    assert out["themes"].tolist()[0] == "sjuk" and out["themes"].tolist()[2] == "tlf"
    assert out.loc[0, "needs_review"] == 0 and out.loc[2, "needs_review"] == 0
    assert out.loc[1, "confidence"] < 0.35 and out.loc[1, "needs_review"] == 1, out.T
    alone = ZeroShotCoder(cb, e5).predict([texts[1]])  # batch-independent
    assert np.array_equal(alone.filter(like="score_").to_numpy(), out.filter(like="score_").to_numpy()[1:2])


@pytest.mark.slow
def test_personal_user_answers_with_placeholders_and_short_praise(e5):
    zs = ZeroShotCoder(Codebook.from_dict(PERSON), e5)
    texts = ["Mitt fødselsnummer er 15038510190, kan noen se på saken min? Har ikke fått penger siden mai.",
             "dere er flinke", "Greit nok",
             "For mange spørsmål i denne undersøkelsen, og noen av dem var umulige å svare på."]
    out = zs.predict(texts)
    assert out.loc[0, "themes"] == "ytelser", out.T
    assert out.loc[1, "needs_review"] == 1 and out.loc[2, "needs_review"] == 1
    assert out.loc[3, "themes"] == "annet"
    again = zs.predict(texts[::-1])
    assert np.array_equal(again.filter(like="score_").to_numpy()[::-1], out.filter(like="score_").to_numpy())
