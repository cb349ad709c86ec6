"""One rule for names holding personal data (:func:`textmine.masking.mask_personal`), shared by the output files'
column names, the survey's warnings, the service's messages and the CLI's errors, each with its own marker; and the
corrections coder's name as one constant."""

import pytest

from service import library
from service.library import hide_personal_ids, redact_name
from textmine.classify.table import HIDDEN_COLUMN_NAME, masked_column_names
from textmine.cli import redact_message
from textmine.masking import mask_personal
from textmine.survey import _shown_column_name

FNR = "01019012480"  # synthetic, valid mod-11
IDS = ("ola_nordmann_91234567", "q_per_hansen_15038512363", f"kari_{FNR}", "Anne_Lise")
LEAKS = ("ola", "nordmann", "hansen", "91234567", "15038512363", "kari", FNR, "anne", "lise")
ORDINARY = ("fritekst_generell", "respondent_id", "dato_20240115", "svar_2023", "spm_3.b-2", "Fornøyd med NAV (1-6)")


def _leaks(text: str) -> list[str]:
    words = text.casefold().replace("[", " ").replace("]", " ")
    return [leak for leak in LEAKS if leak in words]


# -- hide_personal_ids: words with «/» ------------------------------------------------------------------------------

@pytest.mark.parametrize("word", [f"ola_nordmann_91234567/2", f"kari_{FNR}/2", f"x/kari_{FNR}.csv",
                                  "x/ola_nordmann_91234567", "kari.nordmann@nav.no/ola", "rapporter\\Anne_Lise.csv"])
def test_words_with_a_slash_are_checked_part_by_part(word):
    message = f"could not read {word}: no such file"
    hidden = hide_personal_ids(message)
    assert hidden.startswith("could not read ") and hidden.endswith(": no such file")
    assert library.HIDDEN_ID in hidden
    assert not _leaks(redact_name(message).removeprefix("could not read "))


def test_an_email_address_in_a_path_is_left_to_the_redaction():
    hidden = hide_personal_ids("kari.nordmann@nav.no/ola.")
    assert hidden == f"kari.nordmann@nav.no/{library.HIDDEN_ID}."
    assert redact_name("kari.nordmann@nav.no/ola.") == f"[EPOST]/{library.HIDDEN_ID}."


@pytest.mark.parametrize("text", ["text/csv", "ja/nei", "1/2", "data/svar_2023.csv", "og/eller",
                                  "https://www.nav.no/kontakt", "spm_3/fritekst_generell", "12345678901/2"])
def test_ordinary_words_with_a_slash_stay(text):
    assert hide_personal_ids(f"see {text}.") == f"see {text}."


# -- one rule, each caller's marker -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", IDS)
def test_an_id_holding_personal_data_is_hidden_whole_by_every_caller(name):
    assert masked_column_names([name]) == {name: HIDDEN_COLUMN_NAME} and HIDDEN_COLUMN_NAME == "[REDIGERT]"
    assert _shown_column_name(name) == "[navn skjult]"
    assert hide_personal_ids(f"column {name}") == f"column {library.HIDDEN_ID}"
    assert redact_message(f"no such file: data/{name}") == "no such file: data/[navn skjult]"


@pytest.mark.parametrize("name, masked", [(f"Kari Nordmann {FNR}", "[NAVN] [FØDSELSNUMMER]"),
                                          ("Ola Nordmann 91234567", "[NAVN] [TELEFON]")])
def test_a_name_the_redaction_masks_is_shown_redacted_alike(name, masked):
    assert masked_column_names([name]) == {name: masked}
    assert _shown_column_name(name) == masked == redact_name(name)


@pytest.mark.parametrize("name", ["hansen", "nordmann"])  # (a lone surname the running-text redaction lets pass)
def test_what_the_redaction_leaves_personal_is_masked_in_files_and_warnings_alike(name):
    assert masked_column_names([name]) == {name: HIDDEN_COLUMN_NAME}
    assert _shown_column_name(name) == "[navn skjult]"


@pytest.mark.parametrize("name", ORDINARY)
def test_ordinary_names_stay_everywhere(name):
    assert mask_personal(name, "<x>") == name and mask_personal(name, "<x>", file=True, whole=True) == name
    assert masked_column_names([name]) == {} and _shown_column_name(name) == name
    assert hide_personal_ids(f"column {name}") == f"column {name}"
    assert redact_message(f"no such file: data/{name}") == f"no such file: data/{name}"


def test_whole_and_file_decide_between_the_redacted_name_and_the_marker():
    name = f"Kari Nordmann {FNR}"
    assert mask_personal(name, "<x>") == "[NAVN] [FØDSELSNUMMER]"
    assert mask_personal(name, "<x>", whole=True) == "<x>"
    assert mask_personal("ola.csv", "<x>") == "ola.csv" and mask_personal("ola.csv", "<x>", file=True) == "<x>"
    assert mask_personal("   ", "<x>") == "   "


# -- the corrections coder: one constant ------------------------------------------------------------------------------

def test_corrections_coders_are_the_shared_constants_and_read_as_corrections():
    from textmine import pipeline
    from textmine.cli import coding
    from textmine.report.pipeline import coding_origin

    assert coding.CORRECTIONS_CODED_BY is pipeline.REVIEW_CORRECTIONS_CODER
    assert library.CORRECTIONS_CODED_BY is pipeline.SERVICE_CORRECTIONS_CODER
    # stored in records already written: the values may not change
    assert pipeline.CORRECTIONS_CODERS == ("corrections (textmine review)", "corrections (textmine service)")
    for coder in pipeline.CORRECTIONS_CODERS:
        assert coding_origin({"model": coder}) == ("corrections", None)
    assert coding_origin({"model": "corrections (textmine other)"})[0] == "model"
