"""Topic labels and keywords: no sign-offs, greetings, function words, light verbs, numbers or places, and a label
word is carried by a fair share of the topic's answers (not one repeated opening phrase of a minority)."""

import numpy as np

from textmine.discover import prepare
from textmine.discover.core import _describe

PHONE = ["Telefonkøen er altfor lang, vi venter en time hver gang.", "Umulig å komme gjennom på telefon.",
         "Ventetiden på telefon er håpløs.", "Vi sitter lenge i telefonkø før noen svarer.",
         "Telefonen blir aldri besvart, ventetiden er lang.", "Lang ventetid i telefonkøen hver gang vi ringer.",
         "Telefonkø på over en time er ikke akseptabelt.", "Kan dere korte ned ventetiden på telefon?",
         "Telefon er eneste kanal og køen er lang.", "Vi gir opp telefonkøen etter en halvtime."]
REFUND = ["Refusjonen kommer alltid for sent.", "Vi venter måneder på refusjon av sykepenger.",
          "Refusjon av sykepenger tar altfor lang tid.", "Utbetaling av refusjon er treg og uforutsigbar.",
          "Vi må forskuttere lønn og refusjonen drøyer.", "Refusjonen stemmer sjelden med det vi har betalt.",
          "Uklart når refusjon blir utbetalt.", "Refusjon for sykepenger kom tre måneder for sent.",
          "Vi savner oversikt over refusjon og utbetaling.", "Treg refusjon gir oss likviditetsproblemer."]
TAILS = ["Mvh daglig leder", "Hilsen oss", "Hei og takk", "Vi har tre ansatte hos oss", "Ellers har vi hatt lyst",
         "Det burde ta kortere tid mens vi venter", "Fra en arbeidsgiver i Agder", "Fra en bedrift i Bodø",
         "Vi har hatt lyst til å ta det opp", "Ellers greit hos oss"]
BANNED = {"mvh", "hilsen", "hilse", "hei", "takk", "daglig", "tre", "hos", "mens", "burde", "ta", "lyst", "hatt",
          "ellers", "agder", "bodø"}


def _topics(texts, labels):
    prep = prepare(texts)
    pool = np.arange(len(texts))
    emb = np.random.default_rng(0).normal(size=(len(texts), 8)).astype(np.float32)
    return _describe(pool, np.asarray(labels), emb, prep["text_clean"].tolist(), prep["lemmas"].tolist(),
                     n_examples=3, n_keywords=10, total=len(texts))


def test_no_filler_function_words_numbers_or_places_in_labels_and_keywords():
    texts = [f"{a} {b}." for a, b in zip(PHONE + REFUND, TAILS + TAILS)]
    topics = _topics(texts, [0] * 10 + [1] * 10)
    assert len(topics) == 2
    for t in topics:
        words = {w for kw in t.keywords for w in kw.split()} | set(t.label.replace("·", " ").split())
        assert not words & BANNED, (t.label, t.keywords)
    assert "telefon" in topics[0].label or "telefonkø" in topics[0].label


MIXED = ["Bruk vanlig norsk, ikke byråkratspråk.", "Tiltaksplassene blir brukt som gratis arbeidskraft.",
         "NAV tror alle arbeidsplasser er kontorarbeidsplasser.", "Reglene for permittering endret seg hele tiden.",
         "Lag en enkel oversikt over frister og plikter.", "Et kort sammendrag øverst i hvert brev hadde hjulpet.",
         "Byråkratisk språk i alle brev.", "Vi får tre ulike svar på samme spørsmål.",
         "Rådene om tilrettelegging er urealistiske for skiftarbeid.", "Mer lokal tilstedeværelse, takk.",
         "Det finnes ingen direkte nummer, alt går via sentralbordet.", "Lite forståelse for drift i produksjon.",
         "Ønsker en avregning som er lett å avstemme mot lønnssystemet.", "Raskere svar på henvendelser.",
         "Kortere ventetid på vedtak.", "Lite kunnskap om hvordan lønnssystemer fungerer.",
         "Tydeligere regler for permittering.", "Spør gjerne de ansatte også.", "Bedre samhandling med kommunen.",
         "Flere med praktisk erfaring, færre teoretikere.", "Hverdagen vår er uforutsigbar.",
         "Oversikt over frister hadde hjulpet oss."]


def test_label_is_not_a_minority_opening_phrase():
    stock = [f"Som leder i en travel hverdag har jeg lite tid til byråkrati. {x}" for x in
             ("Treg behandling.", "Vi venter på refusjon.", "Svarer som personalleder.", "Digital sykmelding er bra.",
              "Bedre samhandling med kommunen.", "Raskere svar.", "Flere møter.", "Mindre papir.")]
    texts = MIXED + stock + PHONE
    topics = _topics(texts, [0] * len(MIXED + stock) + [1] * len(PHONE))
    label = topics[0].label
    assert not {"travel", "hverdag", "byråkrati"} & set(label.replace("·", " ").split()), label
    assert "travel" in " ".join(topics[0].keywords)  # still a keyword: the phrase is what these answers share


def test_a_phrase_most_answers_share_may_label_the_topic():
    texts = [f"Ventetid på telefon er for lang. {x}" for x in ("Hei.", "Takk.", "Ring oss.", "Svar raskere.")] + REFUND
    topics = _topics(texts, [0] * 4 + [1] * len(REFUND))
    assert "telefon" in topics[0].label or "ventetid" in topics[0].label
