"""Personal data in texts no check read (red-team r1, dec06g): a .sav's value labels in the report's «Metode»
indicator note (2) and in a crosstab's rows, columns and left-out notes (5); ``--question-col`` values in the
zero-shot share warning (9); a free-text question's ``asked_if.item`` and ``codebook`` in a survey definition (12).
A label or value that fails the project's personal-data test is shown as its code (or its length), or refused."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from textmine.classify.zeroshot import share_warning
from textmine.cli import app
from textmine.codebook import Codebook
from textmine.report import report_from_summary
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition, definition_texts, personal_data_fields

FNR = "15038510190"
PHONE = "91234567"
EMAIL = "ola.nordmann@example.no"
POISON = (FNR, PHONE, EMAIL, "Nordmann")
N = 60


def _clean(text: str) -> bool:
    return not any(p.lower() in text.lower() for p in POISON)


# ---------------------------------------------------------------- 2: value labels in the «Metode» indicator note
REPORT_SURVEY = {
    "name": "uu", "id": "rid", "min_cell": 5,
    "indicators": [{"id": "kontakt", "column": "q_kontakt", "label": "Hadde kontakt med NAV", "scale": [1, 2],
                    "positive": [1]}],
    "free_text": [{"column": "ft", "label": "Kommentarer?"}],
}


def _indicator_note(labels: dict) -> str:
    survey = SurveyDefinition.from_dict(REPORT_SURVEY, warn=False)
    df = pd.DataFrame({"rid": [f"R-{i:03d}" for i in range(N)], "ft": [f"kommentar {i}" for i in range(N)],
                       "q_kontakt": [1 + i % 2 for i in range(N)]})
    df.attrs["value_labels"] = {"q_kontakt": labels}
    coded = pd.DataFrame({"respondent_id": df["rid"], "question": "ft", "text_clean": df["ft"], "is_non_answer": 0,
                          "theme_a": [i % 2 for i in range(N)]})
    s = build_summary({2025: df}, survey, {2025: coded}, quotes=False)
    return report_from_summary(s, survey, frames={2025: df}).method["indicators"]


def test_a_personal_value_label_is_shown_as_its_code_only():
    note = _indicator_note({1: f"Ja, ring Ola Nordmann {PHONE}", 2: f"Nei {FNR}"})
    assert "«Hadde kontakt med NAV»: andel positive = svar 1; svar 2 teller ikke som positive" in note
    assert _clean(note), note


def test_a_clean_label_beside_a_personal_one_is_still_named():
    note = _indicator_note({1: "Ja", 2: f"Nei {EMAIL}"})
    assert "andel positive = svar «Ja (1)»; svar 2 teller ikke som positive" in note
    assert _clean(note), note


# ---------------------------------------------------------------- 5: crosstab of a .sav's labelled codes
def _sav(tmp_path, kontakt_labels: dict, helhet_labels: dict):
    """A .sav of N answers: q_kontakt (1/2) and q_helhet (1–5, code 7 four times), with these value labels."""
    pyreadstat = pytest.importorskip("pyreadstat")
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"q_kontakt": rng.choice([1.0, 2.0], N), "q_helhet": [7.0] * 4 + list(rng.choice(
        [1.0, 2.0, 3.0, 4.0, 5.0], N - 4))})
    path = tmp_path / "w2023.sav"
    pyreadstat.write_sav(df, str(path), variable_value_labels={"q_kontakt": kontakt_labels,
                                                                "q_helhet": helhet_labels})
    return path


HELHET = {1: "Svært misfornøyd", 2: "Misfornøyd", 3: "Nøytral", 4: "Fornøyd", 5: "Svært fornøyd"}


def _crosstab(tmp_path, sav, *extra):
    out = tmp_path / "ct.json"
    res = CliRunner().invoke(app, ["crosstab", str(sav), "--row", "q_kontakt", "--col", "q_helhet", "--out",
                                   str(out), *extra])
    return res, out


def test_crosstab_refuses_personal_value_labels_as_it_refuses_a_csv_column(tmp_path):
    sav = _sav(tmp_path, {1: f"Ja, ring Ola Nordmann {PHONE}", 2: f"Nei {FNR}"},
               {**HELHET, 5: f"Svært fornøyd {EMAIL}"})
    res, out = _crosstab(tmp_path, sav)
    assert res.exit_code == 2, res.output
    assert "'q_kontakt'" in res.output and "'q_helhet'" in res.output and "label" in res.output
    assert "--not-personal" in res.output and _clean(res.output), res.output
    assert not out.exists()


def test_crosstab_with_not_personal_copies_the_checked_labels(tmp_path):
    sav = _sav(tmp_path, {1: "Ja", 2: f"Nei {FNR}"}, HELHET)
    res, out = _crosstab(tmp_path, sav, "--not-personal", "q_kontakt")
    assert res.exit_code == 0, res.output
    assert f"Nei {FNR}" in json.loads(out.read_text(encoding="utf-8"))["counts"]


def test_a_left_out_code_note_names_a_personal_label_by_its_code_only(tmp_path):
    sav = _sav(tmp_path, {1: "Ja", 2: "Nei"}, {**HELHET, 7: "Vet ikke Ola Nordmann"})
    survey = tmp_path / "survey.yaml"
    survey.write_text(yaml.safe_dump({"name": "x", "id": "rid", "excluded_codes": {7: "Vet ikke"}, "indicators": [
        {"id": "helhet", "column": "q_helhet", "label": "Helhet", "scale": [1, 5]}]}), encoding="utf-8")
    res, out = _crosstab(tmp_path, sav, "--survey", str(survey))
    assert res.exit_code == 0, res.output
    assert "q_helhet: 4 answer(s) with code 7 left out" in res.output
    left_out = json.loads(out.read_text(encoding="utf-8"))["left_out"]
    assert "q_helhet: 4 answer(s) with code 7 left out (excluded code of the survey)" in left_out
    assert _clean(res.output) and _clean(json.dumps(left_out, ensure_ascii=False)), res.output


def test_a_clean_left_out_label_is_still_named(tmp_path):
    sav = _sav(tmp_path, {1: "Ja", 2: "Nei"}, {**HELHET, 7: "Vet ikke"})
    survey = tmp_path / "survey.yaml"
    survey.write_text(yaml.safe_dump({"name": "x", "id": "rid", "excluded_codes": {7: "Vet ikke"}, "indicators": [
        {"id": "helhet", "column": "q_helhet", "label": "Helhet", "scale": [1, 5]}]}), encoding="utf-8")
    res, _ = _crosstab(tmp_path, sav, "--survey", str(survey))
    assert res.exit_code == 0 and "with code 7 («Vet ikke») left out" in res.output, res.output


# ---------------------------------------------------------------- 9: question values in zero-shot share warnings
def _share(question: str) -> str:
    cb = Codebook.from_dict({"name": "t", "version": "1", "language": "nb", "themes": [
        {"id": "a", "label": "A", "description": "a"}, {"id": "b", "label": "B", "description": "b"}]})
    msg = share_warning(cb, pd.DataFrame({"a": [1] * 40, "b": [0] * 40}).to_numpy(), [True] * 40,
                        question=question)
    assert msg
    return msg


@pytest.mark.parametrize("question", [f"fnr {FNR}", "Ring Ola Nordmann", EMAIL])
def test_a_personal_question_value_is_shown_by_its_length(question):
    msg = _share(question)
    assert f"(question <a value of {len(question)} characters, not shown>)" in msg and _clean(msg), msg


def test_a_question_name_is_still_shown():
    assert "(question fritekst_generell)" in _share("fritekst_generell")


# ---------------------------------------------------------------- 12: asked_if.item and codebook of a free text
def _definition(item: str, codebook: str) -> SurveyDefinition:
    return SurveyDefinition.from_dict({
        "name": "x", "id": "rid",
        "indicators": [{"id": "kontakt", "column": "q_kontakt", "label": "Kontakt", "scale": [1, 5]}],
        "free_text": [{"column": "ft", "label": "Kommentar", "codebook": codebook,
                       "asked_if": {"item": item, "codes": [1]}}]}, warn=False)


def test_asked_if_item_and_codebook_are_checked_fields():
    d = _definition(EMAIL, f"codebooks/Ola_Nordmann_{FNR}.yaml")
    paths = [p for p, _, _ in definition_texts(d)]
    assert "free_text[0].asked_if.item" in paths and "free_text[0].codebook" in paths
    assert personal_data_fields(d) == ["free_text[0].asked_if.item", "free_text[0].codebook"]
    clean = _definition("kontakt", "codebooks/arbeidsgiver.yaml")
    assert personal_data_fields(clean) == []


def test_the_codebooks_folder_is_not_checked_only_its_file_name():
    # the CLI resolves the path: the analyst's own folders (a home folder named after them) are not published
    assert personal_data_fields(_definition("q_kontakt", "/home/ola.nordmann/codebooks/arbeidsgiver.yaml")) == []


def test_the_service_refuses_them_naming_the_field():
    store = pytest.importorskip("service.store")
    from service.errors import ApiError

    for item, codebook, field in ((EMAIL, "arbeidsgiver.yaml", "free_text[0].asked_if.item"),
                                  ("kontakt", f"Ola_Nordmann_{FNR}.yaml", "free_text[0].codebook")):
        with pytest.raises(ApiError) as e:
            store.refuse_personal_data_in_definition(_definition(item, codebook))
        assert e.value.code == "personal_data_in_name" and e.value.details["field"] == field
        assert _clean(str(e.value)), str(e.value)


def test_the_new_fields_are_matched_not_read_so_no_invisible_character_check():
    # the item names a data column and the codebook a file: as column names, they must equal what they name
    d = _definition("q\u200ekontakt", "kodebok\u200f.yaml")
    assert d.free_text[0].asked_item == "q\u200ekontakt" and d.free_text[0].codebook.name == "kodebok\u200f.yaml"
