"""Review mends of 5 December (H7): two pairs of twin rules made one.

* Small levels of free-valued segments: the service's summaries and pages («(liten gruppe N)») and the CLI report's
  tables («liten gruppe N») name them by one library function, :func:`textmine.disclosure.neutral_level_names`,
  with the label's wording as a parameter.
* Ids and codes read as words for the redaction: the survey definition check (:func:`personal_data_fields`), the
  service's 422 (``refuse_personal_data``) and its validation-error locations (``_loc_part``) use one function,
  :func:`textmine.disclosure.identifier_words`."""

from __future__ import annotations

import pandas as pd
import pytest

from service import store
from service.errors import _loc_part
from service.library import redact_name
from textmine.disclosure import SMALL_GROUP, identifier_words, neutral_level_names
from textmine.report.views import small_level_names
from textmine.survey import SurveyDefinition, personal_data_fields

FNR = "01019012480"  # a valid fødselsnummer

# ---------------------------------------------------------------- identifiers as words
IDS = {  # camelCase, snake_case, digits, Norwegian letters, runs of separators
    f"kari_nordmann_{FNR}": f"kari nordmann {FNR}",
    "Åse_Ødegård-91234567": "Åse Ødegård 91234567",
    "fornøydMedLeder": "fornøyd Med Leder",  # camelCase split (a name inside it is found)
    f"kariNordmann{FNR}": f"kari Nordmann {FNR}",  # and a long digit run from the letters before it
    "svar2024": "svar2024",  # a short number stays on its word
    "spm_3.b-2": "spm 3 b 2",
    "q1__a--b..c": "q1 a b c",
    "  _ærlig_svar_ ": "ærlig svar",
}


@pytest.mark.parametrize(("text", "words"), IDS.items())
def test_identifier_words_reads_an_id_as_words(text, words):
    assert identifier_words(text) == words


def _seen_by_survey_check(column: str) -> set[str]:
    """The texts personal_data_fields hands the redaction for a free-text column named ``column``."""
    seen: list[str] = []
    sd = SurveyDefinition.from_dict({"name": "mini", "id": "rid", "free_text": [{"column": column}]})
    personal_data_fields(sd, redact=lambda t: (seen.append(t), (t, {}))[1])
    return {t for t in seen if t not in {"mini", "rid"}}


def _seen_by_error_location(part: str) -> set[str]:
    """The texts the service's validation-error location hands the redaction for the key ``part``."""
    seen: list[str] = []
    _loc_part(part, lambda t: (seen.append(t), t)[1])
    return set(seen)


@pytest.mark.parametrize("text", IDS)
def test_survey_check_and_service_read_an_id_as_the_same_words(text):
    assert _seen_by_survey_check(text) == _seen_by_error_location(text) == {text, identifier_words(text)}


@pytest.mark.parametrize("text", [f"kari_nordmann_{FNR}", "Åse_Ødegård-91234567", "Kari_Nordmann",
                                  f"kariNordmann{FNR}", "KariNordmann", "olaHansen"])
def test_a_name_inside_an_id_is_found_by_the_survey_check_and_the_service(text):
    sd = SurveyDefinition.from_dict({"name": "mini", "id": "rid", "free_text": [{"column": text}]})
    assert "free_text[0].column" in personal_data_fields(sd)  # (and its label, which defaults to the column)
    assert _loc_part(text, redact_name) == "[REDIGERT]"
    with pytest.raises(store.ApiError) as err:
        store.refuse_personal_data(text, "code", identifier=True)
    assert (err.value.status, err.value.code) == (422, "personal_data_in_name") and text not in err.value.message


@pytest.mark.parametrize("text", ["fornøydMedLeder", "svar2024", "spm_3.b-2", "fritekst_forbedring"])
def test_an_ordinary_id_passes_the_survey_check_and_the_service(text):
    sd = SurveyDefinition.from_dict({"name": "mini", "id": "rid", "free_text": [{"column": text}]})
    assert personal_data_fields(sd) == []
    assert _loc_part(text, redact_name) == text
    store.refuse_personal_data(text, "code", identifier=True)  # no 422


# ---------------------------------------------------------------- small levels of free-valued segments
SMALL = ["ZX 98765", "Åsgårdstrand bakeri", "kariNordmann92", "kontor_nord 7"]  # one respondent each
LARGE = "Kontor A"


def _survey() -> SurveyDefinition:
    return SurveyDefinition.from_dict({
        "name": "mini", "id": "rid", "wave": "aar", "min_cell": 5,
        "segments": [{"column": "fylke", "label": "Fylke", "levels": {"OS": "Oslo", "FM": "Finnmark"}},
                     {"column": "kontor", "label": "Kontor"}]})


def _service_names(small: list[str]) -> dict[str, str]:
    """{level: shown value} as the service's summaries rename the wave's «kontor» (one respondent per small level)."""
    values = [*small, *[LARGE] * 10]
    frame = pd.DataFrame({"rid": range(len(values)), "aar": 2024, "fylke": "FM", "kontor": values})
    out = store.neutral_small_levels({"2024": frame}, _survey())["2024"]
    return dict(zip(values, out["kontor"]))


def _report_names(small: list[str]) -> dict[str, str]:
    """{level: neutral label} as the CLI report names the hidden rows of the same levels."""
    t = pd.DataFrame({"segment_var": ["kontor"] * (len(small) + 1) + ["fylke"],
                      "segment": [*small, LARGE, "Finnmark"], "suppressed": [True] * len(small) + [False, True]})
    return {level: label for (_, level), label in small_level_names(_survey(), t).items()}


@pytest.mark.parametrize("small", [SMALL, SMALL[:1], SMALL[::-1]])
def test_service_and_report_name_small_levels_alike(small):
    service, report = _service_names(small), _report_names(small)
    assert set(report) == set(small), report  # declared levels (Finnmark) and shown ones keep their names
    assert {level: service[level] for level in small} == {level: f"({report[level]})" for level in small}
    assert service[LARGE] == LARGE
    expected = [SMALL_GROUP] if len(small) == 1 else [f"{SMALL_GROUP} {i}" for i in range(1, len(small) + 1)]
    assert sorted(report[level] for level in small) == expected  # numbered in the private key's order


def test_neutral_level_names_numbers_per_segment_with_the_wording_as_a_parameter():
    levels = [("kontor", "ZX 98765"), ("sted", "Ørsta"), ("kontor", "kariNordmann92"), ("kontor", "ZX 98765")]
    assert neutral_level_names(levels) == {("kontor", "ZX 98765"): "liten gruppe 1",
                                           ("kontor", "kariNordmann92"): "liten gruppe 2",
                                           ("sted", "Ørsta"): "liten gruppe"}
    assert neutral_level_names(levels, fmt="({})")[("sted", "Ørsta")] == "(liten gruppe)"
    assert neutral_level_names([]) == {}
