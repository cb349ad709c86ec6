import math

import pytest

from textmine.preprocess import normalize


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Lang\u00a0ventetid", "Lang ventetid"),
        ("08:00\u201316:00", "08:00-16:00"),
        ("NAV\u2010kontoret", "NAV-kontoret"),
        ("\u00abaltfor treg\u00bb og \u201dtregt\u201d", '"altfor treg" og "tregt"'),
        ("Svar&nbsp;kom &amp; gikk", "Svar kom & gikk"),
        ("<p>Bra <b>hjelp</b></p><br/>takk", "Bra hjelp takk"),
        ("Første linje_x000D_\nandre linje", "Første linje andre linje"),
        ("  mange   mellomrom \t her ", "mange mellomrom her"),
        ("ﬁnt", "fint"),  # NFKC ligature
    ],
)
def test_normalize_rules(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("raw", [None, float("nan"), "nan", "NULL", "  None ", "#N/A", ""])
def test_null_cells_become_empty(raw):
    assert normalize(raw) == ""


def test_pdf_hyphenation_joins_lowercase_split():
    assert normalize("flere dia-\nlogmøter i år") == "flere dialogmøter i år"


def test_pdf_hyphenation_keeps_capitalised_compound_and_suspended_compound():
    assert normalize("på NAV-\nkontoret") == "på NAV-kontoret"
    assert normalize("helse-\nog sosialtjenester") == "helse- og sosialtjenester"
    assert normalize("helse- og sosialtjenester") == "helse- og sosialtjenester"


@pytest.mark.parametrize("text", ["20 min", "08:00 - 16:00", "11 uker", "100%", "kr 12 500", "2023/123456", "16 861"])
def test_numbers_times_durations_untouched(text):
    assert normalize(text) == text


def test_urls_kept_whole():
    assert normalize("Se https://www.nav.no/arbeidsgiver/sykmelding-2 nå") == (
        "Se https://www.nav.no/arbeidsgiver/sykmelding-2 nå"
    )


def test_footnote_digit_removed():
    assert normalize("oppfølgingen3 av sykmeldte") == "oppfølgingen av sykmeldte"


def test_non_string_numbers_are_stringified():
    assert normalize(5) == "5"
    assert not math.isnan(len(normalize(1.5)))


def test_idempotent():
    raw = ["dia-\nlogmøter på NAV-\nkontoret", "«Hei»&nbsp;du", "Linja_x000D_\nny", "oppfølgingen3 av", "20 min"]
    for r in raw:
        once = normalize(r)
        assert normalize(once) == once
