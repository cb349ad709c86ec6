import pytest

from textmine.preprocess import analyze


def test_compound_parts_appended():
    toks = analyze("Telefonkøen er altfor lang", language="nb")
    assert toks[:3] == ["telefonkø", "telefon", "kø"]
    assert "altfor" in toks and "lang" in toks


def test_negations_modals_degree_words_kept():
    toks = analyze("Vi får ikke svar, og NAV må bli bedre. Det bør aldri ta så lang tid.", language="nb")
    for w in ("ikke", "måtte", "bedre", "burde", "aldri"):
        assert w in toks
    for stop in ("vi", "og", "det", "så"):
        assert stop not in toks


@pytest.mark.parametrize(
    "a, b",
    [
        ("sykemeldingen", "sykmeldingen"),
        ("sjukmeldinga", "sykmelding"),
        ("e-post", "mail"),
        ("epost", "e-post"),
        ("tlf-kø", "telefonkø"),
        ("Bank-ID", "BankID"),
        ("Nav", "NAV"),
        ("nav.no", "Nav.no"),
    ],
)
def test_variant_folding(a, b):
    lang = "nn" if a.startswith("sjuk") else "nb"
    assert analyze(a, language=lang)[0] == analyze(b, language="nb")[0]


@pytest.mark.parametrize(
    "abbr, word",
    [("NKS", "kontaktsenter"), ("AAP", "arbeidsavklaringspenger"), ("BHT", "bedriftshelsetjeneste"),
     ("AG", "arbeidsgiver"), ("tlf", "telefon"), ("mnd", "måned"), ("IA", "arbeidsliv")],
)
def test_abbreviations_expanded(abbr, word):
    assert word in analyze(f"{abbr} er viktig", language="nb")


def test_lowercase_ag_and_ia_not_expanded():
    assert "arbeidsgiver" not in analyze("ag", language="nb")


def test_nynorsk_lemmas():
    toks = analyze("Eg fekk ikkje svar på sjukmeldingane frå kontora", language="nn")
    assert "ikke" in toks and "sykmelding" in toks and "kontor" in toks and "eg" not in toks


def test_bokmal_inflections_lemmatised():
    toks = analyze("saksbehandlerne svarte på henvendelsene", language="nb")
    assert "saksbehandler" in toks and "svare" in toks and "henvendelse" in toks


def test_placeholders_and_numbers_not_tokens():
    toks = analyze("Ring [TELEFON] om 20 min, hilsen [NAVN]", language="nb")
    assert "telefon" not in toks and "navn" not in toks and "20" not in toks
