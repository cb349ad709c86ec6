"""Firm and place names in quotes that the dec06e rule missed (red-team r1, finding 6): firm suffixes «A/S», «ENK»,
«NUF», «Aksjeselskap», lower-case «as» after a name, hyphenated «Olsen-Rør-AS», «<Sted> kommune», «NAV <Sted>», and
places that are also ordinary words («på Otta», «i Lom»); ordinary words before «as» and national or county names
stay."""

import pytest

from textmine.quotes import mask_local_names


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Vi i vinstra rør as venter på svar.", "Vi i [NAVN] as venter på svar."),  # lower case
        ("Vinstra Rør A/S har ventet lenge.", "[NAVN] A/S har ventet lenge."),
        ("Vinstra Rør as har ventet lenge.", "[NAVN] as har ventet lenge."),
        ("Vinstra Rør ENK har ventet lenge.", "[NAVN] ENK har ventet lenge."),
        ("Vinstra Rør NUF har ventet lenge.", "[NAVN] NUF har ventet lenge."),
        ("Vinstra Rør Aksjeselskap har ventet lenge.", "[NAVN] Aksjeselskap har ventet lenge."),
        ("Takk fra Olsen-Rør-AS til dere.", "Takk fra [NAVN] til dere."),
        ("Olsen-Rør-AS har ventet lenge.", "[NAVN]-AS har ventet lenge."),
        ("Hos oss på Otta venter vi fortsatt.", "Hos oss på [NAVN] venter vi fortsatt."),
        ("Jeg jobber ved Otta sykehjem.", "Jeg jobber ved [NAVN] sykehjem."),
        ("Vi er en liten bedrift i Lom.", "Vi er en liten bedrift i [NAVN]."),
        ("Sel kommune som arbeidsgiver er fornøyd.", "[NAVN] kommune som arbeidsgiver er fornøyd."),
        ("Vi i Vågå kommune er fornøyd.", "Vi i [NAVN] kommune er fornøyd."),
        ("Innlandet fylkeskommune og Skjåk kommune samarbeider.",
         "Innlandet fylkeskommune og [NAVN] kommune samarbeider."),
        ("Vi ringte NAV Sel i går.", "Vi ringte NAV [NAVN] i går."),
        ("NAV Vinstra svarte aldri.", "NAV [NAVN] svarte aldri."),
        ("Vi driver Kiwi Vinstra og venter.", "Vi driver [NAVN] og venter."),  # «driver» + a run with a place
    ],
)
def test_masks_firm_and_place(text, expected):
    assert mask_local_names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Vi trenger svar så snart som mulig as",  # ordinary words before «as»
        "We need an answer as soon as possible.",  # English
        "Same as last year.",
        "Oslo kommune er en stor arbeidsgiver.",  # a county / large town
        "Vestland fylkeskommune har mange ansatte.",
        "Vår kommune har gode rutiner.",  # a function word before «kommune»
        "Hele kommune sektoren sliter.",
        "NAV Kontaktsenter svarte raskt.",  # an ordinary word after NAV
        "NAV Vestland har vært flinke.",
        "Vi får betalt per time og har hytte på ski.",  # lower case: words
        "Vi driver Butikk og Kafé i sentrum.",  # «driver» + ordinary words
        "Vi i Fjord Laks as venter.",  # ordinary words before lower-case «as» (capitalised «AS» is caught)
        "MER TILSTEDEVÆRELSE FRA NAV I SYKEFRAVÆRSSAKENE, IKKE BARE SKJEMAER.",  # capitals: shouted text
        "Har bare gode erfaringer med NAV Ordrenr 1234",  # an unknown word after NAV is no place
    ],
)
def test_ordinary_words_and_public_names_stay(text):
    assert mask_local_names(text) == text
