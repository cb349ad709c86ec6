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
