"""A known first name followed by a surname written as an ordinary lower-case word ("kari nordmann",
"kari lie") is a full name; the surname word alone ("nordmann", "lie") is not."""

import pytest

from textmine.preprocess import redact


@pytest.mark.parametrize(
    "text, expected",
    [
        ("kari nordmann ringte meg i går", "[NAVN] ringte meg i går"),
        ("vi snakket med kari nordmann i går", "vi snakket med [NAVN] i går"),  # was "[NAVN] nordmann"
        ("Kari nordmann ringte", "[NAVN] ringte"),  # was "[NAVN] nordmann"
        ("spør ola nordmann om det", "spør [NAVN] om det"),
        ("kari lie var veldig flink", "[NAVN] var veldig flink"),  # surname that is also a word
        ("ingrid berg svarte aldri", "[NAVN] svarte aldri"),
        ("møtet med kari lie gikk fint", "møtet med [NAVN] gikk fint"),
        ("kari Nordmann svarte raskt", "[NAVN] svarte raskt"),  # lower-case first name, capitalised surname
        ("kari Hansen svarte raskt", "[NAVN] svarte raskt"),  # was "kari [NAVN]"
        ("god hjelp fra ingrid berg på telefon", "god hjelp fra [NAVN] på telefon"),  # already caught (cue)
        ("per olav nordmann svarte aldri", "[NAVN] svarte aldri"),
        ("vi fikk svar fra trude johnsen og siri nygaard", "vi fikk svar fra [NAVN] og [NAVN]"),
    ],
)
def test_lower_case_full_names(text, expected):
    out, counts = redact(text)
    assert out == expected


@pytest.mark.parametrize(
    "text",
    [
        "Som nordmann synes jeg dette er tungvint.",
        "en vanlig nordmann forstår ikke brevene",
        "nordmann eller ikke, reglene er like",
        "Berg og dal, opp og ned hele året.",
        "Lie ned og vent, sa de.",  # ambiguous surname at sentence start
        "Strand og sjø er fint om sommeren",
        "per dag betaler vi mye",
        "dag lie",  # two ambiguous words
        "liv strand",
        "jan og feb var tunge måneder",
        "Vi bor ved en strand og en bakke.",
        "mellom lie og strand",
    ],
)
def test_surname_words_alone_stay(text):
    out, counts = redact(text)
    assert out == text and counts["navn"] == 0, out
