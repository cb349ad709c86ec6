"""Quote rules of a report writer's review (dec05g): a particular person's health, praise themes, near-duplicates,
misspelt quotes, exact headcounts and English quotes."""

import numpy as np
import pandas as pd
import pytest

from textmine.quotes import describes_personal_health, near_duplicate, select_quotes


class WordEmbedder:
    """Bag-of-words over a few fixed words: similarity known by construction, all texts alike (one theme)."""

    name, version, dimension = "toy", "1", 3
    words = ("nav", "refusjon", "svar")

    def encode(self, texts, *, batch_size=64, show_progress=False):
        v = np.array([[t.lower().count(w) for w in self.words] for t in texts], dtype=np.float32) + 1e-3
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def coded(texts, theme="tema", **extra):
    return pd.DataFrame({"respondent_id": [f"r{i:02d}" for i in range(len(texts))], "question": "ft",
                         "text_clean": texts, f"theme_{theme}": 1, **extra})


def pick(df, theme="tema", k=3, **kw):
    return select_quotes(df, theme=theme, k=k, embedder=WordEmbedder(), min_chars=10, **kw)


FILLER = ["NAV svarer raskt og greit på det vi spør om i chatten.",
          "Refusjonen kom til riktig tid og beløpet stemte med det vi ventet.",
          "Saksbehandleren ga oss et klart svar på spørsmålet om tilskudd.",
          "Vi fikk god hjelp av NAV til å finne en kandidat til stillingen.",
          "Nettsidene til NAV er lette å finne fram i for oss som arbeidsgiver."]


@pytest.mark.parametrize("text", [
    "The doctor suggested graded sick leave, which worked well.",
    "Den sjukmelde har ikkje høyrt noko frå nav på fleire månader.",
    "Legen skrev full sykmelding for en ansatt som selv ønsket å jobbe litt.",
    "Vi har en ansatt som har vært sykemeldt i tre måneder uten at NAV har tatt kontakt.",
    "Ein tilsett hos oss har vore sjukmeld lenge utan at nokon frå NAV har ringt.",
    "Our employee has been on sick leave since March and nobody from NAV called.",
    "Vår ansatt fikk en diagnose i vinter, og NAV har ikke fulgt opp.",
])
def test_a_particular_persons_health_is_recognised(text):
    assert describes_personal_health(text)


@pytest.mark.parametrize("text", [
    "Sykmeldte ansatte får for lite oppfølging fra NAV.",
    "Bedre rutiner ved sykefravær, og raskere svar fra NAV.",
    "More use of graded sick leave.",
    "Jeg prøvde å sende inntektsmelding for en ansatt, men skjemaet godtok ikke perioden.",
    "Betre samarbeid mellom NAV, fastlege og arbeidsplassen.",
    "Vi har mange langtidssykmeldte og trenger hjelp fra NAV.",
    "Hei. Følg opp den sykemeldte tettere.",
    "Ønsker at NAV stiller tydeligere krav til den sykmeldte om aktivitet.",
    "Raskere oppfølging når en ansatt blir sykemeldt, helst innen 8 uker.",
    "Legen burde snakke med arbeidsgiver før full sykmelding.",
    "NAV tar for mye hensyn til den sykmeldte og for lite til arbeidsplassen.",
])
def test_general_sick_leave_talk_stays_quotable(text):
    assert not describes_personal_health(text)


def test_a_comment_about_one_employees_sick_leave_is_never_quoted():
    sick = "Vi har en ansatt som har vært sykemeldt i tre måneder uten at NAV har tatt kontakt."
    q = pick(coded([sick, *FILLER]), k=6)
    assert q and all("sykemeldt" not in x.text for x in q)
    assert len(q) == len(FILLER)  # the others are all quoted: only the one comment was refused


def test_near_duplicates_are_recognised():
    assert near_duplicate("BETRE SAMARBEID MELLOM NAV, FASTLEGE OG ARBEIDSPLASSEN.",
                          "Vi ønskjer mykje. Betre samarbeid mellom NAV, fastlege og arbeidsplassen, og kortare kø.")
    assert near_duplicate("Dessuten: forklar trekk i refusjonen, så vi slipper å ringe for å finne ut av det.",
                          "Forklar trekk i refusjonen, så vi slipper å ringe for å finne ut av det, og svar raskere.")
    assert not near_duplicate(FILLER[0], FILLER[1])


def test_a_theme_never_quotes_the_same_sentence_twice():
    repeat = "Forklar trekk i refusjonen, så vi slipper å ringe NAV for å finne ut av det."
    texts = [repeat, "Hei! Dessuten: " + repeat.lower() + " Takk.", repeat + " Ellers greit med NAV.", *FILLER[:3]]
    q = pick(coded(texts), k=5)
    assert sum("trekk i refusjonen" in x.text.lower() for x in q) == 1


def test_a_sentence_quoted_under_another_theme_is_avoided_when_there_are_alternatives():
    repeat = "Forklar trekk i refusjonen, så vi slipper å ringe NAV for å finne ut av det."
    df = coded([repeat, *FILLER])
    free = pick(df, k=3)
    avoided = pick(df, k=3, avoid=[repeat.upper()])
    assert all("trekk i refusjonen" not in x.text.lower() for x in avoided)
    assert any("trekk i refusjonen" in x.text.lower() for x in pick(coded([repeat, *FILLER[:2]]), k=3,
                                                                       avoid=[repeat]))  # no alternative: kept
    assert len(free) == len(avoided) == 3


def test_praise_theme_prefers_comments_typed_as_praise():
    mixed = "TOPP! - MEN VI FIKK ET BREV MED FRIST, MEN INGEN SVAR FRA NAV PÅ TELEFON!!"
    praise = ["Veldig god hjelp fra NAV hele veien, takk for det.", "Raske svar og hyggelige folk hos NAV.",
              "NAV fulgte oss godt opp under hele refusjonen."]
    df = coded([mixed, *praise, "Likevel: ønsker at dere tar telefonen raskere hos NAV, ellers fint."], theme="ros",
               type=["ros", "ros", "ros", "ros", "klage"])
    q = pick(df, theme="ros", k=3)
    assert sorted(x.text for x in q) == sorted(praise)  # the typed-ros but mixed comment loses to plain praise


def test_praise_theme_without_a_type_column_prefers_comments_without_a_complaint():
    mixed = ["TOPP! - MEN VI FIKK ET BREV MED FRIST, MEN INGEN SVAR FRA NAV!!",
             "Bra med NAV. Likevel: ønsker at dere tar telefonen raskere, svar tar lang tid."]
    praise = ["Veldig god hjelp fra NAV hele veien, takk for det.", "Raske svar og hyggelige folk hos NAV.",
              "NAV fulgte oss godt opp under hele refusjonen."]
    q = pick(coded([*mixed, *praise], theme="ros"), theme="ros", k=3)
    assert sorted(x.text for x in q) == sorted(praise)
    # not a praise theme: the same comments compete as they are
    q = pick(coded([*mixed, *praise], theme="telefon"), theme="telefon", k=5)
    assert len(q) == 5


def test_misspelt_comments_give_way_to_enough_well_spelt_ones():
    # one misspelling in 16 words: under the old 15 % limit, and the most central comment of the theme
    typos = "Lønnstilskuddet kom ikke før etter ni måneder, og vi fikk forskjellih informasjon fra NAV om det."
    vectors = np.vstack([np.full(4, 0.5), np.eye(4), [[0.6, 0.8, 0, 0]]])
    q = select_quotes(coded([typos, *FILLER]), theme="tema", k=4, vectors=vectors, min_chars=10)
    assert len(q) == 4 and all("forskjellih" not in x.text for x in q)
    few = coded([typos, *FILLER[:2]])  # too few others: it may still be quoted
    assert any("forskjellih" in x.text for x in select_quotes(few, theme="tema", k=3, vectors=vectors[:3],
                                                             min_chars=10))


def test_an_exact_headcount_is_masked_in_the_quote():
    df = coded(["Vi har rundt 140 ansatte fordelt på flere avdelinger, og NAV svarer sent.", *FILLER[:2]])
    text = " ".join(x.text for x in pick(df, k=3))
    assert "140" not in text and "[ANTALL] ansatte" in text


def test_english_comments_give_way_to_norwegian_ones_and_keep_their_language_otherwise():
    english = "NAV answered quickly and the refund arrived on time, thank you."
    df = coded([english, *FILLER], language=["en"] + ["nb"] * len(FILLER))
    assert all(x.language != "en" for x in pick(df, k=4))
    few = coded([english, *FILLER[:2]], language=["en", "nb", "nb"])
    q = pick(few, k=3)
    assert [x.language for x in q if x.text == english] == ["en"]
