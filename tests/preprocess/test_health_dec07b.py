"""The care a relative of the writer receives (home nursing, home help, BPA, a nursing home) is health data about a
third person and is flagged as the writer's own is (7 December, b); the service itself and work in it are not."""

from __future__ import annotations

import pytest

from textmine.preprocess.health import HealthFlagger


@pytest.fixture(scope="module")
def flagger() -> HealthFlagger:
    return HealthFlagger.from_wordlists()


CARE_OF_A_PERSON = [
    # a relative's care
    "mor mi er nøgd med heimetenesta",
    "far min får hjemmesykepleie",
    "sønnen vår har fått BPA",
    "Min mor har brukerstyrt personlig assistanse.",
    "Far min bur på sjukeheim no.",
    "Mor mi har fått plass på sykehjem.",
    "Nå får mor mi hjemmesykepleie to ganger om dagen.",
    "Mamma har trygghetsalarm.",
    "Kona mi er veldig fornøyd med hjemmetjenesten.",
    "Mor mi (86) får hjelp frå heimetenesta.",
    "Etter ulykka har sonen vår fått BPA.",
    "Dattera vår har støttekontakt.",
    "Vi er fornøyd med heimetenesta til far.",
    # the writer's own
    "Jeg får hjemmesykepleie.",
    "Eg har fått innvilga BPA.",
    "Jeg har pleiepenger for sønnen min.",
]

NOT_A_PERSONS_CARE = [
    "Hjemmesykepleien i kommunen er bra.",
    "Kommunen tilbyr BPA.",
    "Heimetenesta er for dårleg bemanna.",
    "Jeg jobber i hjemmesykepleien.",
    "Mannen min jobbar i heimetenesta.",
    "Mor mi er sjukepleiar i heimetenesta.",
    "Vi har mange ansatte i hjemmetjenesten.",
    "Jeg er leder for hjemmetjenesten.",
    "Eg er sjukepleiar på sjukeheimen.",
    "Vi har støttekontakter og BPA-assistenter.",
    "Jeg har hjemmesykepleiere i staben.",
    "Vi har to ansatte på pleiepenger.",
    "Vi er et sykehjem i distriktet og får ikke tak i sykepleiere.",
    "Mor og far var hjemme.",
]


@pytest.mark.parametrize("text", CARE_OF_A_PERSON)
def test_care_of_the_writer_or_a_relative_is_flagged(flagger, text):
    assert flagger.flag(text), text
    assert "helse" in flagger.categories(text)


@pytest.mark.parametrize("text", NOT_A_PERSONS_CARE)
def test_the_service_and_work_in_it_are_not_flagged(flagger, text):
    assert not flagger.flag(text), text


def test_cleaner_sets_the_health_flag_for_a_relatives_care():
    from textmine.preprocess import Cleaner

    out = Cleaner(redact=True, detect_language=False).fit().transform(
        __import__("pandas").Series(["far min får hjemmesykepleie", "Hjemmesykepleien i kommunen er bra"]))
    assert out["health_flag"].tolist() == [1, 0]
