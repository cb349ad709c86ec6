"""Privacy fixes of 5 December (helper B): redaction misses, over-masking and the special-category flag.

A letter l/I typed for a one in a phone number after a phone cue; a sole proprietor's org number before "ENK"; an
ambiguous first name as the subject of a finite verb ("Per har vært hjelpsom", not "Per i dag har"); "Sam" as an
ambiguous name ("SAM-prosjektet", "Sam- arbeidet" stay; "Alex" stays a name anywhere). Flag: elected office for a
named party in any assembly, "svart" as the verb "svare", "tillitsvalgt" (a union role) versus "verneombud" (not
one). One source for the name lists (``NameWords`` on ``NameLists``) and for the quotes' flagger (the cleaner's).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from textmine.preprocess import redact
from textmine.preprocess.health import HealthFlagger, NameWords
from textmine.preprocess.redact import NameLists

WORDLISTS = Path(__file__).resolve().parents[2] / "data" / "wordlists"


def _check(text: str, expected: str, kind: str | None = None) -> None:
    out, counts = redact(text)
    assert out == expected, f"{text!r}: expected {expected!r}, got {out!r}"
    if kind is not None:
        assert counts[kind] >= 1, f"{text!r}: no {kind} counted in {counts}"


@pytest.fixture(scope="module")
def flagger():
    return HealthFlagger.from_wordlists()


# -- redaction: l/I for a one in a phone number --------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("ring meg på 9l2 34 567", "ring meg på [TELEFON]"),
        ("Ring meg på 9I2 34 567 etter kl 15.", "Ring meg på [TELEFON] etter kl 15."),
        ("Tlf: 4l 23 45 67", "Tlf: [TELEFON]"),
        ("mobil 9l23 4567", "mobil [TELEFON]"),
        ("ring meg på 9l234567.", "ring meg på [TELEFON]."),
        ("ring meg på 9l2 O4 567", "ring meg på [TELEFON]"),  # an O for a zero in the same number
    ],
)
def test_letter_l_for_one_in_a_cued_phone_is_masked(text, expected):
    _check(text, expected, "telefon")


@pytest.mark.parametrize(
    "text",
    [
        "Koden er 9l2 34 567",  # no phone cue
        "ring meg på l2 34 56 78",  # starts with a one: no Norwegian number
        "ring meg på 9ll ll 567",  # letters for more than two digits
        "Modell Il 2000 er utgått",
    ],
)
def test_letter_l_look_alikes_stay(text):
    _check(text, text)


# -- redaction: a sole proprietor's number before "ENK" ------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        # 998877665 has a wrong check digit: a company's number would stay, the owner's number goes all the same
        ("Org nr: 998877665 (ENK, Kari Hansen)", "Org nr: [ORGNUMMER] (ENK, [NAVN])"),
        ("Org nr: 998877665 (ENK, Per Berg)", "Org nr: [ORGNUMMER] (ENK, [NAVN])"),
        ("Orgnr 998 877 665 - enkeltpersonforetak eid av Berit Lie",
         "Orgnr [ORGNUMMER] - enkeltpersonforetak eid av [NAVN]"),
        ("Fakturer 998877665 ENK.", "Fakturer [ORGNUMMER] ENK."),
    ],
)
def test_org_number_before_enk_and_the_owner_are_masked(text, expected):
    _check(text, expected, "orgnummer")


@pytest.mark.parametrize("text", ["Org nr: 998877665 (AS)", "Omsetning 998 877 665 kr (ENK)"])
def test_invalid_company_numbers_and_amounts_before_enk_stay(text):
    _check(text, text)


# -- redaction: an ambiguous first name as the subject of a finite verb ----------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("Per har vært hjelpsom", "[NAVN] har vært hjelpsom"),
        ("Per er flink med folk.", "[NAVN] er flink med folk."),
        ("Hans var syk i to uker.", "[NAVN] var syk i to uker."),
        ("Vi ringte. Finn kom aldri tilbake.", "Vi ringte. [NAVN] kom aldri tilbake."),
        ("Sam var til stede.", "[NAVN] var til stede."),
        ("Alex jobber her nå.", "[NAVN] jobber her nå."),
    ],
)
def test_ambiguous_first_name_before_a_finite_verb_is_masked(text, expected):
    _check(text, expected, "navn")


@pytest.mark.parametrize(
    "text",
    [
        "Per i dag har vi fem ansatte.", "Per time betaler vi 500 kr.", "Per ansatt koster det mye.",
        "Liv er viktigere enn penger.", "Dag var lang og travel.", "Tone er viktig i brev fra NAV.",
        "Helga var travel.", "Strand er stengt.", "Berg er fint.",
    ],
)
def test_prepositions_nouns_and_surnames_before_a_verb_stay(text):
    _check(text, text)


# -- redaction: "Sam" and "Alex" need a name context -----------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "SAM-prosjektet er bra.",
        "Sam- arbeidet med NAV er bra.",  # "Samarbeidet" split at a line break
        "Sam arbeidet med NAV er bra.",
        "Per- sonalet er fornøyd.",
    ],
)
def test_sam_as_abbreviation_or_word_part_stays(text):
    _check(text, text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Kim, Sam og Alex kom på intervju.", "[NAVN], [NAVN] og [NAVN] kom på intervju."),
        ("Vi har Sam og Alex i teamet.", "Vi har [NAVN] og [NAVN] i teamet."),
        ("Takk til Alex for god hjelp.", "Takk til [NAVN] for god hjelp."),
        ("Alex sin søknad kom i går.", "[NAVN] sin søknad kom i går."),
    ],
)
def test_sam_and_alex_in_a_name_context_are_masked(text, expected):
    _check(text, expected, "navn")


# -- special categories ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Jeg sitter i kommunestyret for Ap", "Hun er medlem av bystyret for Ap",
        "Han er medlem av kommunestyret for Høyre", "Hun sitter i fylkestinget for SV",
        "Han er stortingsrepresentant for Frp", "Hun er på Stortinget for Arbeiderpartiet",
        "Hun er bystyremedlem for Ap", "Han er varamedlem til bystyret for Rødt",
        "Hun ble valgt inn i kommunestyret for Senterpartiet", "Ho er medlem av heradsstyret for Sp",
        "Kari er med i bystyret for Høyre",
    ],
)
def test_elected_office_for_a_party_is_political_opinion(flagger, text):
    assert flagger.categories(text) == {"politikk"}, text


@pytest.mark.parametrize(
    "text",
    [
        "Kommunestyret for Ap vedtok det", "Medlemmer av bystyret for Ap stemte nei", "Hun er medlem av kommunestyret",
        "Han er ordfører", "Det er mange i bystyret for Ap", "Han er i kommunestyret for Venstre side",
        "Saken er i kommunestyret for behandling",
    ],
)
def test_assemblies_and_offices_without_a_party_are_not_flagged(flagger, text):
    assert flagger.categories(text) == set(), text


@pytest.mark.parametrize(
    "text",
    [
        "Vi har ikke svart på henvendelsen", "Jeg har ikke svart", "Den ansatte ble svart raskt",
        "Hun ble svart av saksbehandleren", "Hun har blitt svart", "Den ansatte er ikke svart ennå",
    ],
)
def test_svart_as_the_verb_svare_is_not_flagged(flagger, text):
    assert flagger.categories(text) == set(), text


@pytest.mark.parametrize("text", ["Han er stor og svart", "Kari er svart", "Hun er svart."])
def test_svart_said_of_a_person_stays_flagged(flagger, text):
    assert flagger.categories(text) == {"etnisitet"}, text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Den ansatte er tillitsvalgt", {"fagforening"}),
        ("Hun er verneombud og tillitsvalgt", {"fagforening"}),
        ("Den ansatte er verneombud", set()),
        ("Han er hovedverneombud", set()),
        ("Hun er verneombud for avdelingen", set()),
        ("Han er tillitsvalgt i borettslaget", set()),  # another body's representative, not a union's
    ],
)
def test_tillitsvalgt_is_a_union_role_verneombud_is_not(flagger, text, expected):
    assert flagger.categories(text) == expected, text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Per er kristen", {"religion"}),
        ("Alex er kristen", {"religion"}),
        ("Per i dag er kristen", set()),
        ("Liv er kristen", set()),
    ],
)
def test_flag_reads_an_ambiguous_name_before_a_verb_as_a_person(flagger, text, expected):
    assert flagger.categories(text) == expected, text


# -- one source for the name lists and the quotes' flagger -----------------------------------------------------------
def test_name_words_are_the_redactors_name_lists():
    lists, words = NameLists.from_wordlists(), NameWords.from_wordlists()
    assert words.first == lists.first and words.ambiguous == lists.ambiguous and words.blocked == lists.blocked
    assert words.last == lists.last | lists.last_extra
    assert "sam" in words.ambiguous and "alex" not in words.ambiguous  # "Alex" is no word: a name anywhere


def test_name_lists_missing_files_raise_unless_optional(tmp_path):
    """The redactor needs its name lists; the flagger (custom folders without them) reads them as empty."""
    shutil.copy(WORDLISTS / "name_first_no.txt", tmp_path / "name_first_no.txt")
    with pytest.raises(FileNotFoundError, match="name_cues.tsv"):
        NameLists.from_wordlists(tmp_path)
    names = NameLists.from_wordlists(tmp_path, required=False)
    assert "sam" in names.first and names.ambiguous == frozenset() and names.cues_before == frozenset()
    words = NameWords.from_wordlists(tmp_path)
    assert words.first == names.first and words.ambiguous == frozenset() and words.blocked == frozenset()


class _FlatEmbedder:
    name, version, dimension = "flat", "1", 3

    def encode(self, texts, *, batch_size=64, show_progress=False):
        v = np.array([[1.0, (i % 5) / 10, (i % 3) / 10] for i, _ in enumerate(texts)], dtype=np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_quotes_use_the_cleaners_flagger(monkeypatch):
    import textmine.preprocess.health as health
    import textmine.quotes as quotes

    assert not hasattr(health, "default_flagger")  # no second cached flagger
    texts = {"r0": "Telefonen er umulig å komme gjennom på, vi venter i timevis.",
             "r1": "Vi ringer og ringer på telefon, men ingen tar den.",
             "r2": "Telefontiden er for kort for oss som jobber skift."}
    ids = sorted(texts)
    df = pd.DataFrame({"respondent_id": ids, "question": "ft", "text_clean": [texts[i] for i in ids],
                       "is_non_answer": 0, "theme_telefon": 1})
    flag_r1 = SimpleNamespace(flag=lambda t: t.startswith("Vi ringer"))
    from textmine.preprocess.cleaner import default_resources

    known = default_resources().language  # (the spelling check's lexicon, unchanged)
    monkeypatch.setattr(quotes, "default_resources", lambda: SimpleNamespace(health=flag_r1, language=known))
    picked = {q.respondent_id for q in quotes.select_quotes(df, theme="telefon", k=3, embedder=_FlatEmbedder(),
                                                            min_chars=10)}
    assert picked == {"r0", "r2"}
