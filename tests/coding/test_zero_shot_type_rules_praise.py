"""Zero-shot comment type (no labelled data): praise the cue list lacked ("hyggelig", "respektfull"), a complaint
denied ("ingenting å klage på"), negated praise, and praise followed by "men" and a complaint. Found by a user
review: "Hyggelig og respektfull behandling" and "Alt gikk greit, ingenting å klage på" were typed klage."""

import pytest

from textmine.classify.typefacet import TypeRules


@pytest.mark.parametrize("text,expected", [
    ("Hyggelig og respektfull behandling på NAV-kontoret.", "ros"),
    ("Alt gikk greit, ingenting å klage på.", "ros"),
    ("Ingen problemer med refusjonen i år", "ros"),
    ("Hyggelige og imøtekommende folk, stå på!", "ros"),
    ("Vennleg og god rettleiing", "ros"),
    ("Saksbehandler var ikke hyggelig", "klage"),  # negated
    ("Ikke særlig vennlig på telefonen", "klage"),
    ("Flinke folk, men lang ventetid.", "klage"),  # praise, then the complaint that matters
    ("Lang ventetid, men veldig hyggelige folk", "ros"),
    ("Vi vil gjerne ha mer hjelp, men vet ikke hvem vi skal ringe", "ønske"),  # a wish stays a wish
    ("Ventetiden er altfor lang.", "klage"),
    ("Det hadde vært fint med mer oppfølging.", "ønske"),
])
def test_zero_shot_type(text, expected):
    assert TypeRules().predict([text.lower()]) == [expected]
