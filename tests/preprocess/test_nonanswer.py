import pytest

from textmine.preprocess import is_non_answer


@pytest.mark.parametrize(
    "text",
    ["vet ikke", "Vet ikke.", "Ingen kommentar", "ingen kommentarer!", "Nei", "nei takk", "-", ".", "...", "ok",
     "Ikke aktuelt", "har ingen", "Nei, ingen flere kommentarer fra meg", "ikkje noko å tilføye", "", None,
     "asdfgh", "qwerty", "jkjkjkjk", "xxxx", "sdfg hjkl", "123"],
)
def test_non_answers(text):
    assert is_non_answer(text)


@pytest.mark.parametrize(
    "text",
    ["Nei, dere svarer aldri på telefonen", "Ingen svarer på telefonen", "Vet ikke hvem jeg skal ringe, det er et problem",
     "Bra", "Kortere telefonkø", "NKS", "Altfor lang ventetid", "Eg har ikkje fått svar", "Takk for god hjelp med dialogmøtet"],
)
def test_real_answers(text):
    assert not is_non_answer(text)


def test_repeating_the_question():
    q = "Hva må til for at NAV sin oppfølging av sykmeldte skal bli bedre?"
    assert is_non_answer("Hva må til for at NAV sin oppfølging av sykmeldte skal bli bedre", [q])
    assert is_non_answer("oppfølging av sykmeldte skal bli bedre", [q])
    assert not is_non_answer("oppfølging av sykmeldte må starte tidligere", [q])
    assert not is_non_answer("oppfølging av sykmeldte skal bli bedre", [])


@pytest.mark.parametrize("text", ["Kommer ikke på noe", "nei egentlig ikke", "Nei, ikke for øyeblikket.", "akd", "øaf"])
def test_more_non_answers(text):
    assert is_non_answer(text)


@pytest.mark.parametrize("text", ["tlf", "NKS", "AAP", "bra", "treg"])
def test_short_real_words_are_answers(text):
    assert not is_non_answer(text)


@pytest.mark.parametrize(
    "text",
    ["Har ikke noe å tilføye utover det jeg har skrevet ovenfor.", "Jeg har ingen flere kommentarer", "Har ingen andre merknader",
     "Nei, eg har ikkje noko meir å seie", "eg hev ingen merknader", "Ingen meining", "ingen formeining her",
     "Vet ikke hva som må til", "veit ikkje heilt kva eg skal svare", "Nothing to add.", "Nothing more to say",
     "No further comments, thanks", "nei, jeg har ikke noe mer å si"],
)
def test_composed_non_answers(text):
    """Whole-answer grammar: optional 'nei'/pronoun/'har', a negation, an optional object and a trailing clause."""
    assert is_non_answer(text)


@pytest.mark.parametrize(
    "text",
    ["Har ingen kontaktperson å ringe", "Vet ikke hva jeg skal gjøre med sykmeldte som ikke svarer",
     "Nothing works on the website", "No one answers the phone", "Jeg har ingen tillit til NAV lenger",
     "Ingen meining i at vi må vente så lenge", "vet ikke hvem som har saken"],
)
def test_composed_look_alikes_are_answers(text):
    assert not is_non_answer(text)


@pytest.mark.parametrize(
    "text",
    ["Nei, ikke foreløpig.", "nope, alt er sagt", "Har ikkje meir å seie", "nei takk, ikkje noko",
     "nei det er vel det", "Nope, nothing to add", "ingen meining om det", "Nei, det var alt.", "Tja",
     "Kjem ikkje på noko no.", "Det er ikkje noko å seie som ikkje er sagt før.", "Vet ikke hva jeg skal svare her",
     "Eg har ikkje noko meir å leggje til.", "vet ikke, egentlig"],
)
def test_answers_made_only_of_closing_words(text):
    """Every word is a 'closing' word (no, nothing, more, to say, that was all …) and one of them closes."""
    assert is_non_answer(text)


@pytest.mark.parametrize(
    "text",
    ["Nei, ikke fornøyd", "Alt er bra", "Ikke noe oppfølging i det hele tatt", "Ingen svar", "Det var alt for dårlig",
     "Mer", "kva", "Nei til flere skjema", "Vi har ikke hatt noe behov", "Ingenting skjer før vi ringer"],
)
def test_closing_look_alikes_are_answers(text):
    """A topic word ('fornøyd', 'oppfølging', 'skjema', 'dårlig') or no closing word keeps it an answer."""
    assert not is_non_answer(text)


def test_fresh_non_answers_from_two_later_writers():
    """Non-answers written with two later training files (never seen when the grammar was written: writer H's
    were then used to extend it, writer I's measured once after). All but one are detected."""
    import pandas as pd

    from textmine.paths import EVAL_DIR

    df = pd.read_csv(EVAL_DIR / "nonanswers_fresh.csv", dtype=str, keep_default_na=False)
    assert len(df) == 48 and set(df["split"]) == {"dev", "test"}
    missed = [t for t in df["text"] if not is_non_answer(t)]
    assert missed == ["kva"], missed  # a lone "what": kept as an answer (could be a typo of a topic)
