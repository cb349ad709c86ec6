"""The published HTML's method section: which model each question's adjusted (driver) effects come from, weighted or
not (as the workbook's sheet «Betydning» says), and only Norwegian reader notes under «Merknader» – the tool's
English run warnings and input file names stay with the analyst (terminal, sheet «Metode», JSON)."""

import copy
import json
import re
from html import unescape

import pandas as pd
import pytest

from textmine.report.excel import write_workbook
from textmine.report.html import render_html, view_model
from textmine.report.writer import report_to_dict

LOGIT = "logit (gjennomsnittlig marginaleffekt, uvektet)"
WLS = "lineær sannsynlighetsmodell, vektet WLS, HC1"
FILE_WARNING = ("bruker_2025.sav: column fylke has 220 value(s) not among the declared levels (rows 1, 2, 3, …); "
                "treated as missing")


def _dd(html: str, name: str) -> str:
    m = re.search(rf"<dt>{re.escape(name)}</dt><dd>(.*?)</dd>", html, re.S)
    return unescape(m.group(1)) if m else ""


@pytest.fixture()
def mixed(report_data):
    """The synthetic report with two free-text questions whose driver effects come from different models (one
    question's logit failed and fell back to the weighted linear model), and run warnings as the summary writes them."""
    r = copy.deepcopy(report_data)
    wave = r.current_wave
    q1 = next(iter(r.questions))
    r.questions["fritekst_annet"] = "Har du andre kommentarer?"
    imp = r.impact.copy()
    imp["adjusted_method"] = LOGIT
    other = imp.copy()
    other["question"] = "fritekst_annet"
    other["adjusted_method"] = WLS
    theme = str(other["theme"].iloc[0])
    other.loc[other.index[0], ["adjusted_pp", "adjusted_method"]] = [float("nan"), None]
    r.impact = pd.concat([imp, other], ignore_index=True)
    r.method["warnings"] = "; ".join([
        f"{wave}: {FILE_WARNING}",
        f"{wave}: {q1}: 3 coded comment(s) have respondent ids not in the survey data; ignored",
        f"drivers fritekst_annet {wave}: logistic model failed (RuntimeError); linear probability model used",
        f"drivers fritekst_annet {wave}: theme(s) {theme} left out of the adjusted model: they roll up other themes "
        "in it (one level of the hierarchy only)",
        f"drivers {q1} 1999: theme(s) {theme} left out of the adjusted model: they roll up other themes in it",
    ])
    return r, q1, theme


def test_drivers_note_names_each_questions_model_and_weighting(mixed):
    r, q1, _ = mixed
    html = render_html(r, charts={})
    text = _dd(html, "Justert effekt (drivere)")
    # every model of the sheet «Betydning» (column «Modell»), for its question
    betydning = r.impact.dropna(subset=["adjusted_method"]).groupby("question")["adjusted_method"].first()
    assert set(betydning) == {LOGIT, WLS}
    for q, m in betydning.items():
        assert f"«{r.questions[q][:49]}" in text and m in text
    assert text.index(r.questions["fritekst_annet"]) < text.index(WLS)
    assert "logit-modellen kunne ikke tilpasses" in text  # why that question has a linear model
    assert "Logit-modellen er uvektet" in text and "Den lineære modellen er vektet" in text
    assert "logit-modell for" not in text  # the old text: one model for all


def test_drivers_note_for_one_model_says_it_once(report_data):
    r = copy.deepcopy(report_data)
    r.impact["adjusted_method"] = LOGIT
    text = _dd(render_html(r, charts={}), "Justert effekt (drivere)")
    assert f"Modell: {LOGIT}." in text and "Logit-modellen er uvektet" in text  # the synthetic survey is weighted
    r.method["weights"] = "Uvektet. 95 % konfidensintervall: Wilson."
    text = _dd(render_html(r, charts={}), "Justert effekt (drivere)")
    assert f"Modell: {LOGIT}." in text and "Logit-modellen er uvektet" not in text  # nothing to explain unweighted


def test_a_weighted_logit_is_not_called_unweighted(report_data):
    r = copy.deepcopy(report_data)
    weighted = "logit (gjennomsnittlig marginaleffekt, vektet, robust SE)"
    r.impact["adjusted_method"] = weighted
    text = _dd(render_html(r, charts={}), "Justert effekt (drivere)")
    assert f"Modell: {weighted}." in text  # the synthetic survey is weighted, and so is its logit
    assert "uvektet" not in text and "ikke helt sammenlignbare" not in text


def test_html_notes_are_norwegian_reader_notes_only(mixed, tmp_path):
    r, q1, theme = mixed
    html = render_html(r, charts={})
    notes = _dd(html, "Merknader")
    label = r.theme_label(theme)
    assert notes.startswith(f"Temaet «{label}» er ikke med i den justerte modellen for «Har du andre kommentarer?»")
    assert "overordnet tema" in notes
    assert "1999" not in notes  # another wave's model is not this report's
    for english in ("bruker_2025.sav", "column fylke", "respondent ids", "logistic model failed", "drivers ",
                    "left out of", "treated as missing"):
        assert english not in html, english
    # the table says why the theme has no adjusted effect
    assert "Ikke i modellen: det er et overordnet tema" in html
    # the analyst keeps every run warning: JSON and the workbook's sheet «Metode»
    assert FILE_WARNING in json.dumps(report_to_dict(r), ensure_ascii=False)
    write_workbook(r, tmp_path / "r.xlsx")
    metode = pd.read_excel(tmp_path / "r.xlsx", sheet_name="Metode")
    merk = metode.loc[metode["Punkt"] == "Merknader", "Beskrivelse"].iloc[0]
    assert FILE_WARNING in merk and "logistic model failed" not in merk  # said by «Justert effekt» in Norwegian
    drivers = metode.loc[metode["Punkt"] == "Justert effekt (drivere)", "Beskrivelse"]
    assert drivers.str.contains("logit-modellen kunne ikke tilpasses").any()


def test_html_without_reader_notes_has_no_notes_line(report_data):
    r = copy.deepcopy(report_data)
    r.method["warnings"] = f"{r.current_wave}: {FILE_WARNING}"
    names = [m["name"] for m in view_model(r, {})["method"]]
    assert "Merknader" not in names
    assert "Små grupper" in names  # the suppression note is for readers and stays


def test_cli_report_keeps_run_warnings_out_of_the_html(tmp_path):
    """End to end: a coded file without some answers makes the summary warn (English); the terminal and the JSON
    have it, the HTML does not, nor the names of the input files."""
    import numpy as np
    import yaml

    from ..clitools import run_cli

    spec = {"name": "mini", "id": "rid", "wave": "aar", "min_cell": 5,
            "indicators": [{"id": "helhet", "column": "q1", "label": "Fornøyd", "scale": [1, 5]}],
            "free_text": [{"column": "ft", "label": "Andre kommentarer?"}]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    n = 60
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"rid": [f"r{i}" for i in range(n)], "aar": 2025, "q1": rng.integers(1, 6, n),
                       "ft": ["Telefonkøen er lang" if i % 2 else "Saksbehandlingen tar tid" for i in range(n)]})
    wave = tmp_path / "bolge_2025_intern.csv"
    df.to_csv(wave, index=False)
    coded = df.assign(theme_telefon=[i % 2 for i in range(n)], theme_annet=[1 - i % 2 for i in range(n)])
    coded = coded.iloc[:-12]  # 12 answers without a coded row
    cfile = tmp_path / "kodet_intern_rettet.csv"
    coded.to_csv(cfile, index=False)
    res = run_cli("report", wave, "--survey", tmp_path / "s.yaml", "--coded", cfile, "--coder", "keyword",
                  "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    assert "no coded row" in res.output  # the analyst sees it in the terminal
    j = json.loads((tmp_path / "o" / "rapport.json").read_text(encoding="utf-8"))
    assert "no coded row" in j["method"]["warnings"]
    html = (tmp_path / "o" / "rapport.html").read_text(encoding="utf-8")
    assert "no coded row" not in html and "bolge_2025_intern" not in html and "kodet_intern_rettet" not in html
