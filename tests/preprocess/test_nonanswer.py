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
