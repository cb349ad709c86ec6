"""Privacy audit 5 December: health statements about a person that the health flag missed."""

import shutil
from pathlib import Path

import pytest

from textmine.preprocess import health_flag
from textmine.preprocess.health import HealthFlagger

WORDLISTS = Path(__file__).resolve().parents[2] / "data" / "wordlists"


@pytest.mark.parametrize(
    "text",
    [
        # the audit's findings
        "Kollegaen vår tok livet sitt i fjor", "han er HIV-positiv", "han er blind på ett øye",
        "hun bruker rullestol",
        "Han er ufør etter ulykken", "Sykmeldt pga. ryggen",
        # the same statements in other words
        "Han tok sitt eget liv", "hun har tatt livet av seg", "hun er hivpositiv", "ho vart blind", "han er svaksynt",
        "en ny medarbeider i rullestol", "ansette en rullestolbruker", "hun ble 50 % ufør",
        "min ansatt ble sykemeldt pga rygg", "sykmeldt i tre uker for nakken",
        "Legen sykemeldte min kokk 100% for vondt i hånden",
        "ansatt sykmeldt med kneskade", "en ansatt med dårlig rygg", "Sykemeldt i 8 uker for en forstuet ankel",
        "Vi har en ansatt som har vært borte med ryggen siden før jul", "hun har vondt i kneet", "han brakk armen",
    ],
)
def test_person_health_statements_flagged(text):
    assert health_flag(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Den ansatte er sykmeldt", "Sykmeldt i 3 uker", "Sykmeldt pga. omorganisering", "Vi har NAV i ryggen",
        "NAV er blind for småbedrifter", "Søknad om uføretrygd tar tid", "dette tok livet av prosjektet",
        "folk fikk vondt i skuldrene", "etter et halvt år er folk allerede borte fra jobben i hodet",
        "fylle ut for hånd", "rullestolrampe mangler ved inngangen",
        "Legene sykmelder for lett. Litt vondt i kneet og vips",
        "jeg fikk vondt i magen av brevet", "hiving av tunge kasser",
    ],
)
def test_sick_leave_and_figures_of_speech_not_flagged(text):
    assert not health_flag(text), text


def test_word_list_folder_without_the_new_lists_still_loads(tmp_path):
    """A custom word-list folder made before these lists (only health_terms.tsv + exclusions) keeps working."""
    for name in ("health_terms.tsv", "health_exclusions.txt"):
        shutil.copy(WORDLISTS / name, tmp_path / name)
    flagger = HealthFlagger.from_wordlists(tmp_path)
    assert flagger.flag("hun har kreft") and not flagger.flag("Sykmeldt pga. ryggen")
    assert HealthFlagger.from_wordlists(WORDLISTS).flag("Sykmeldt pga. ryggen")


def test_painless_is_no_health_detail():
    """"smertefritt" (painless, of a form or a system) holds the term "smerte" but says nothing about health; the
    shipped codebook has such an example, and the service refuses health details in codebook examples."""
    from textmine.preprocess.cleaner import health_flag

    assert not health_flag("Å sende inntektsmeldingen rett fra lønnssystemet går smertefritt.")
    assert not health_flag("Overgangen til nytt system var smertefri")
    assert health_flag("Hun har sterke smerter i ryggen og er sykmeldt")
