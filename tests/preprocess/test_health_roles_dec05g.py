"""Sick leave or benefits of a role there is one of in a municipality or at an employer («Rådmannen i Røst kommune
er sykmeldt», «Kommunedirektøren», «ordføraren», «dagleg leiar», «styrelederen», «sjefen», «enhetslederen») single a
person out: health data (the DPIA review, 5 December, g). The role alone, plural roles and the employer's talk about
sick staff stay unflagged."""

import pytest

from textmine.preprocess.health import HealthFlagger

SINGLED_OUT_ROLES = [
    "Rådmannen i Røst kommune er sykmeldt.",
    "Rådmannen er sykmeldt, så saken ligger.",
    "Kommunedirektøren har vært sykmeldt siden mars.",
    "Kommunedirektøren i Vestvågøy er sykmeldt.",
    "Ordføreren er sykmeldt og kan ikke svare.",
    "Styrelederen er sykmeldt.",
    "Styreleder er sykmeldt.",
    "Sjefen er sykmeldt igjen.",
    "Sjefen går på AAP.",
    "Lederen er sykmeldt.",
    "Enhetslederen er sykmeldt.",
    "Rektor ved skolen er sykmeldt.",
    "Eieren av butikken er sykmeldt.",
    "Daglig leder i bedriften er sykmeldt.",
    # nynorsk
    "Rådmannen er sjukmeld.",
    "Kommunedirektøren er sjukmeld.",
    "Ordføraren er sjukmeld.",
    "Dagleg leiar i verksemda er sjukmeld.",
    "Styreleiaren er sjukmeld.",
    "Einingsleiaren har vore sjukmeld lenge.",
    "Leiaren er sjukmeld.",
]

GUARDS = [
    "Rådmannen svarer aldri på e-post.",
    "Mange ledere har sykmeldte ansatte.",
    "Lederne er sykmeldt oftere enn før.",
    "Rådmannen i kommunen sier at mange er sykmeldte.",
    "Ordføreren er opptatt av sykefraværet.",
    "Lederen for de som er sykmeldt har for mye å gjøre.",
    "Sjefen for de sykmeldte ringte i går.",
    "Rektor ønsker at færre er sykmeldt.",
    "Daglig leder har ansvar for de sykmeldte.",
    "Styrelederen mener sykmeldte får for lite oppfølging.",
    "Enhetsledere er sykmeldt like ofte som andre.",
    "Kommunedirektøren i Bodø svarer at ingen er sykmeldt.",
]


@pytest.fixture(scope="module")
def health():
    return HealthFlagger.from_wordlists()


@pytest.mark.parametrize("text", SINGLED_OUT_ROLES)
def test_a_singled_out_roles_sick_leave_is_health_data(health, text):
    assert health.flag(text), f"sick leave of a role there is one of not flagged: {text!r}"
    assert "helse" in health.categories(text), f"expected category 'helse' for {text!r}"


@pytest.mark.parametrize("text", GUARDS)
def test_roles_without_their_own_sick_leave_stay_unflagged(health, text):
    assert not health.flag(text), f"flagged, but says nothing about one singled-out person's health: {text!r}"
