"""Firm and place names in quotes (code review dec06e of the dec06d rule): a firm name before «AS» is masked even
when its words are ordinary words («Fjord Laks AS») and however long it is; text in capitals no longer switches
the rule off for the whole answer; cues in any case and behind quote marks; a run is masked from its first to its
last name only (public names and function words around stay); a mask never crosses a line break."""

import time

import pytest

from textmine.quotes import mask_local_names


@pytest.mark.parametrize("text,want", [
    # «AS»: the suffix is the evidence, whatever the words are
    ("Fjord Laks AS er en liten bedrift.", "[NAVN] AS er en liten bedrift."),
    ("Solheim Transport AS har 12 ansatte.", "[NAVN] AS har 12 ansatte."),
    ("Jobber hos Salmar ASA.", "Jobber hos [NAVN] ASA."),
    ("Takk for hjelpen. Mowi Fish Farming Frøya Nord AS er fornøyd.", "Takk for hjelpen. [NAVN] AS er fornøyd."),
    ("Takk. Sjøtroll Havbruk Region Midt AS", "Takk. [NAVN] AS"),
    ("Takk til Hansen & Sønn AS", "Takk til [NAVN] AS"),
    ("Vi I Mowi AS", "Vi I [NAVN] AS"),
    # text partly or wholly in capitals
    ("Vi i Mowi har fått hjelp av NAV. DET ER BRA MEN VI TRENGER MER HJELP OG MER STØTTE FRA DERE",
     "Vi i [NAVN] har fått hjelp av NAV. DET ER BRA MEN VI TRENGER MER HJELP OG MER STØTTE FRA DERE"),
    ("NAV, IA, BHT og HMS hos Mowi AS", "NAV, IA, BHT og HMS hos [NAVN] AS"),
    ("Mowi AS: NAV OG BHT SVARER ALDRI PÅ TELEFON", "[NAVN] AS: NAV OG BHT SVARER ALDRI PÅ TELEFON"),
    ("VI I SALMAR ASA", "VI I [NAVN] ASA"),
    # a firm name in capitals in a line written in ordinary case (code review dec06e)
    ("Vi i MOWI har det bra.", "Vi i [NAVN] har det bra."),
    ("Hansen og Sønn AS svarer.", "[NAVN] AS svarer."),
    # cues in capitals, behind quote marks, brackets or a colon; «jobber for»; «avd» without a full stop
    ("Vi jobber HOS Mowi på Frøya, og det går fint.", "Vi jobber HOS [NAVN] på [NAVN], og det går fint."),
    ("VI ER FRA Hitra og har fått god hjelp av dere.", "VI ER FRA [NAVN] og har fått god hjelp av dere."),
    ("Vi jobber hos «Mowi» nå.", "Vi jobber hos «[NAVN]» nå."),
    ("Vi jobber hos (Mowi) nå.", "Vi jobber hos ([NAVN]) nå."),
    ("Arbeidssted hos: Mowi", "Arbeidssted hos: [NAVN]"),
    ("Jeg jobber for Mowi på Frøya.", "Jeg jobber for [NAVN] på [NAVN]."),
    ("hos Mowi avd Frøya", "hos [NAVN] avd [NAVN]"),
    ("hos Mowi AVD. Frøya", "hos [NAVN] AVD. [NAVN]"),
    # capitals outside A–Z/ÆØÅ, decomposed letters
    ("Vi jobber hos Östlund Bygg.", "Vi jobber hos [NAVN]."),
    ("Kollega fra Šiauliai.", "Kollega fra [NAVN]."),
    ("Vi jobber pa\u030a Frøya.", "Vi jobber på [NAVN]."),
    # only from the first to the last name: function words, public names and other lines stay
    ("Vi jobber hos Mowi Og Synes Det Er Bra Med NAV", "Vi jobber hos [NAVN] Og Synes Det Er Bra Med NAV"),
    ("Hos Oss I Mowi Er Det Bra", "Hos Oss I [NAVN] Er Det Bra"),
    ("Vi har kontor i Tromsø og Skjervøy.", "Vi har kontor i Tromsø og [NAVN]."),
    ("Vi er på Frøya,\r\nAlt går fint.", "Vi er på [NAVN],\r\nAlt går fint."),
])
def test_names_are_masked(text, want):
    assert mask_local_names(text) == want


@pytest.mark.parametrize("text", [
    "Kontroll fra Mattilsynet og Arbeidstilsynet.",
    "Vi har ansatte fra Vietnam og Ukraina.",
    "Vi har folk fra Tyrkia, Pakistan og Portugal.",
    "Vi er i Trondheim\r\nNå går det bedre.",
    "Det gikk bra stort sett. MEN VI TRENGER HJELP I SYKEFRAVÆRSOPPFØLGINGEN",
    "Han SA nei til det.",
    "DET TAR ALTFOR LANG TID, VI MÅ RINGE FLERE GANGER DA",
    "Vi i Skatteetaten er fornøyd.",
    "Sender melding på SMS i DAG.",
    "HOS OSS ER DET BRA, MEN VI TRENGER HJELP",
])
def test_public_names_words_and_shouting_stay(text):
    assert mask_local_names(text) == text


@pytest.mark.parametrize("text", ["Abc " * 25000, "Abc, " * 20000, "hos Mowi Og " * 8000, "I " * 50000,
                                  "Hansen Bygg " * 9000 + "AS"])
def test_long_text_is_linear(text):
    start = time.perf_counter()
    mask_local_names(text)
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("column,label,want", [("kommune", "Kommune", "[KOMMUNE]"), ("bosted", "Kommune", "[KOMMUNE]"),
                                               ("fylke", "Fylke", "[FYLKE]"), ("region", "Region", "[FYLKE]"),
                                               ("sektor", "Sektor", "[SEKTOR]")])
def test_segment_placeholder_names_the_level(column, label, want):
    """A municipality is masked «[KOMMUNE]», not «[FYLKE]» (user-survey review dec06e)."""
    from types import SimpleNamespace

    from textmine.quotes import _placeholder

    assert _placeholder(SimpleNamespace(column=column, label=label, levels={})) == want
