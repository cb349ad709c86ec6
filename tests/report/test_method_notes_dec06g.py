"""The method note «Indikatorer» (dec06g): indicators with the same definition (scale, positive codes, codes held
out) are described once, naming them all; an indicator with another definition keeps its own sentence — in the
method data (rapport.json), the HTML's and the sheet «Metode»'s lines, bokmål and nynorsk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from textmine.report import report_from_summary
from textmine.report.excel import _method_data
from textmine.report.html import html_method_lines
from textmine.report.views import method_lines
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

SAME = {"scale": [1, 6]}
SURVEY = {
    "name": "uu", "id": "rid", "min_cell": 5, "excluded_codes": {9: "Vet ikke"},
    "indicators": [
        {"id": "a", "column": "a", "label": "Tilgjengelighet", **SAME},
        {"id": "b", "column": "b", "label": "Informasjon", **SAME},
        {"id": "lav", "column": "lav", "label": "Ventetid", "scale": [1, 6], "positive": [5, 6]},
        {"id": "c", "column": "c", "label": "Respekt", **SAME},
        {"id": "hjelp", "column": "hjelp", "label": "Fikk du hjelp?", "scale": [1, 2], "positive": [1]},
        {"id": "ja", "column": "ja", "label": "Fikk du svar?", "scale": [1, 2], "positive": [1]},
        {"id": "egen", "column": "egen", "label": "Ringte du?", "scale": [1, 6], "excluded": [8]},
        {"id": "d", "column": "d", "label": "Tillit", "scale": [1, 6], "excluded": [9]},  # as inherited: the same
    ],
    "free_text": [{"column": "ft", "label": "Kommentarer?"}],
}
N = 60


@pytest.fixture(scope="module")
def survey():
    return SurveyDefinition.from_dict(SURVEY, warn=False)


def _report(survey, language="nb", labels=None):
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"rid": [f"R-{i:03d}" for i in range(N)], "ft": [f"kommentar {i}" for i in range(N)]})
    for ind in SURVEY["indicators"]:
        top = [8 if ind.get("excluded") == [8] else 9]
        df[ind["column"]] = rng.choice(list(range(1, 7)) + top if ind["scale"] == [1, 6] else [1, 2], N)
    if labels:
        df.attrs["value_labels"] = labels
    coded = pd.DataFrame({"respondent_id": df["rid"], "question": "ft", "text_clean": df["ft"], "is_non_answer": 0,
                          "theme_a": [i % 2 for i in range(N)]})
    s = build_summary({2025: df}, survey, {2025: coded}, quotes=False)
    return report_from_summary(s, survey, frames={2025: df}, language=language)


@pytest.fixture(scope="module")
def note(survey):
    return _report(survey).method["indicators"]


def test_a_shared_definition_is_said_once_naming_every_item(note):
    assert note.count("4–6 på skala 1–6; «vet ikke»") == 1
    assert ("«Tilgjengelighet», «Informasjon», «Respekt» og «Tillit»: andel positive = svar 4–6 på skala "
            "1–6; «vet ikke» er holdt utenfor grunnlaget.") in note


def test_items_with_another_definition_keep_their_own_sentence(note):
    assert "«Ventetid»: andel positive = svar 5–6 på skala 1–6; «vet ikke» er holdt utenfor" in note
    assert "«Ringte du?»: andel positive = svar 4–6 på skala 1–6; «8» er holdt utenfor" in note
    assert "«Fikk du hjelp?» og «Fikk du svar?»: andel positive = svar 1; svar 2 teller ikke som positive" in note
    assert note.count("andel positive = svar") == 4  # 8 indicators, 4 definitions


def test_groups_follow_the_order_of_their_first_item(note):
    order = [note.index(x) for x in ("«Tilgjengelighet»", "«Ventetid»", "«Fikk du hjelp?»", "«Ringte du?»")]
    assert order == sorted(order)


def test_different_value_labels_are_different_definitions(survey):
    note = _report(survey, labels={"hjelp": {1: "Ja", 2: "Nei"}, "ja": {1: "Ja", 2: "Nei"}}).method["indicators"]
    assert "«Fikk du hjelp?» og «Fikk du svar?»: andel positive = svar «Ja (1)»" in note
    note = _report(survey, labels={"hjelp": {1: "Ja", 2: "Nei"}}).method["indicators"]
    assert "«Fikk du hjelp?»: andel positive = svar «Ja (1)»" in note
    assert "«Fikk du svar?»: andel positive = svar 1; svar 2 teller" in note


@pytest.mark.parametrize("language, heading, says", [("nb", "Indikatorer", "andel positive"),
                                                     ("nn", "Indikatorar", "del positive")])
def test_html_excel_and_json_take_the_grouped_note(survey, language, heading, says):
    r = _report(survey, language=language)
    assert r.method["indicators"].count("4–6 på skala 1–6") == 2  # rapport.json: the group and «Ringte du?»
    html = {x["name"]: x["value"] for x in html_method_lines(r)}[heading]
    sheet = dict(method_lines(_method_data(r), language))[heading]
    for line in (html, sheet):
        assert line.count(f"{says} = svar 4–6 på skala 1–6") == 2
        assert f"«Tilgjengelighet», «Informasjon», «Respekt» og «Tillit»: {says} = svar 4–6" in line
        assert line.count(f"{says} = svar") == 4
    if language == "nn":
        assert "andel" not in html.lower() and "holdt utenfor" not in html
