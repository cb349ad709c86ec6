"""Report wording (dec08a): the method note names each code held out of the base once, as a Norwegian list with
the codes after a label that stands for several (the survey's ``excluded_codes`` and a .sav's SPSS user-missing
codes with the same labels); the segment dot chart draws no empty legend (no matplotlib warning) when every
level is hidden."""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest

from textmine.report.charts import segment_dots
from textmine.report.views import _excluded_text, _indicators_text, method_lines
from textmine.survey import SurveyDefinition

SURVEY = {
    "name": "ag", "id": "rid", "min_cell": 5, "excluded_codes": {7: "Vet ikke", 8: "Ikke benyttet tjenesten"},
    "indicators": [{"id": "a", "column": "a", "label": "Helhet", "scale": [1, 6]},
                   {"id": "b", "column": "b", "label": "Tillit", "scale": [1, 6]}],
}
# a .sav's labelled user-missing codes (textmine.io.read_table: df.attrs["spss_excluded"]), other case and order
SAV = {97: "Ikke benyttet tjenesten", 98: "VET IKKE", 99: "Ønsker ikke å svare"}


@pytest.fixture(scope="module")
def survey():
    return SurveyDefinition.from_dict(SURVEY, warn=False).with_excluded({"a": SAV, "b": SAV})


def test_each_excluded_label_is_named_once_in_a_norwegian_list(survey):
    text = _excluded_text(survey, survey.indicators[0])
    assert text == "«vet ikke» (7, 98), «ikke benyttet tjenesten» (8, 97) og «ønsker ikke å svare» (99)"
    assert " og " not in text.replace(" og «ønsker", "")  # «og» only before the last label


def test_distinct_labels_keep_their_plain_wording():
    s = SurveyDefinition.from_dict(SURVEY, warn=False)
    assert _excluded_text(s, s.indicators[0]) == "«vet ikke» og «ikke benyttet tjenesten»"
    three = s.with_excluded({"a": {99: "Ønsker ikke å svare"}})
    assert _excluded_text(three, three.indicators[0]) == "«vet ikke», «ikke benyttet tjenesten» og «ønsker ikke å svare»"


def test_method_note_lines_bokmal_and_nynorsk(survey):
    note = _indicators_text(survey, None)
    assert note.count("«vet ikke»") == 1 and note.count("«ikke benyttet tjenesten»") == 1
    assert ("«Helhet» og «Tillit»: andel positive = svar 4–6 på skala 1–6; «vet ikke» (7, 98), «ikke benyttet "
            "tjenesten» (8, 97) og «ønsker ikke å svare» (99) er holdt utenfor grunnlaget.") in note
    nn = dict(method_lines({"indicators": note}, "nn"))
    text = next(v for v in nn.values() if "grunnlaget" in v)
    assert "(8, 97) og «ønsker ikke å svare» (99) er haldne utanfor grunnlaget." in text
    assert text.count("«vet ikke»") == 1


def _rows(hidden: set[str]) -> pd.DataFrame:
    return pd.DataFrame([{"label": t, "segment": s, "share": 0.3, "ci_low": 0.25, "ci_high": 0.35,
                          "suppressed": s in hidden, "count": 10, "base": 40}
                         for t in ("Telefon", "Ros") for s in ("Privat", "Offentlig")])


def test_dot_chart_with_every_level_hidden_raises_no_legend_warning():
    rows = _rows({"Privat", "Offentlig"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = segment_dots(rows, name="d", title="Temaer etter sektor", theme_order=["Telefon", "Ros"], png=False)
    assert "Skjult: Privat, Offentlig" in c.alt and "legend" not in c.svg


def test_dot_chart_with_a_shown_level_keeps_its_legend():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = segment_dots(_rows({"Privat"}), name="d", title="Temaer etter sektor", theme_order=["Telefon", "Ros"],
                         png=False)
    texts = re.findall(r">([^<>]+)</text>", c.svg)
    assert "Offentlig" in texts and "Privat" not in texts  # the shown level in the legend, the hidden one not
    assert 'id="d-legend_1"' in c.svg
