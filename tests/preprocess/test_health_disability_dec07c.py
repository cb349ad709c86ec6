"""Disability disclosures in accessibility surveys are health data (GDPR art. 9); a group named in general is not."""
import pytest

from textmine.preprocess.health import HealthFlagger


@pytest.fixture(scope="module")
def flagger() -> HealthFlagger:
    return HealthFlagger.from_wordlists()


@pytest.mark.parametrize("text", [
    "Jeg har dysleksi og de lange tekstene blir altfor mye.",
    "Eg er dyslektikar, så skjemaet tok meg ein heil kveld",
    "Som blind bruker er skjermleseren alt jeg har",
    "Blind bruker her: knappene har ikke navn",
    "Jeg er fargeblind og ser ikke forskjell på rød og grønn knapp",
    "Jeg er døv og kan ikke ringe dere",
    "Som døv er chatten det eneste som fungerer",
    "Jeg er hørselshemmet, så telefonkø er uaktuelt",
    "Eg er sterkt synshemma",
    "Høreapparatet mitt piper når jeg ringer",
])
def test_a_person_telling_of_a_disability_is_flagged(flagger, text):
    assert flagger.flag(text), text


@pytest.mark.parametrize("text", [
    "NAV har døve ører for det vi sier",
    "Tilrettelegging for blinde brukere mangler helt",
    "Det er ikke mulig for døve å ringe sentralbordet",
    "Jeg er blind for slike detaljer, ærlig talt",
    "Vi planlegger i blinde",
    "Sentralbordet er en blindvei",
])
def test_idioms_and_groups_in_general_are_not_flagged(flagger, text):
    assert not flagger.flag(text), text
