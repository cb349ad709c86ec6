"""A report writer's findings on the page's and workbook's wording (dec05g).

p-values below 0,001 as «< 0,001», weighted shares beside unweighted counts said so, a direction word with
«signifikant», the legend that does not read as «95 % sure», «dekning (recall)», the title in the report's
language, «Lita gruppe» in nynorsk, and one wording for «ingen sikker endring» in each language."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

from textmine.report.html import render_html, view_model
from textmine.report.numbers import fmt_p
from textmine.report.wording import NN, change_verdict, say, small_group_label, verdict

NBSP = "\u00a0"


def _lang(r, language):
    return dataclasses.replace(r, language=language)


def _plain(html: str) -> str:
    return html.replace("&nbsp;", " ").replace(NBSP, " ")


# --- 1. p-values
def test_fmt_p_small_values():
    assert fmt_p(0.0004) == f"<{NBSP}0,001"
    assert fmt_p(0.0) == f"<{NBSP}0,001"
    assert fmt_p(0.001) == "0,001"
    assert fmt_p(0.0426) == "0,043"
    assert fmt_p(np.nan) == "–"


def test_change_rows_print_small_p(report_data):
    vm = view_model(report_data, {})
    p_small = [c for t in vm["change_tables"] for c in t["rows"]]
    assert p_small, "the fixture has two waves"
    raw = report_data.changes.set_index("label")["p_value"]
    for c in p_small:
        p = raw.get(c["label"])
        if p is not None and not pd.isna(p) and p < 0.001:
            assert c["p_raw"] == f"<{NBSP}0,001"
        assert c["p_raw"] != "0,000" and c["p"] != "0,000"
    assert any(c["p_raw"] == f"<{NBSP}0,001" for c in p_small)  # telefon: 25 % → 45 %


@pytest.fixture(scope="module")
def workbooks(report_data, tmp_path_factory):
    from textmine.report.excel import write_workbook

    out = tmp_path_factory.mktemp("wb_dec05g")
    paths = {}
    for lang in ("nb", "nn"):
        paths[lang] = write_workbook(_lang(report_data, lang), out / f"rapport_{lang}.xlsx", row_level=False)
    return {k: openpyxl.load_workbook(p) for k, p in paths.items()}


def _column(ws, header):
    head = [c.value for c in ws[1]]
    i = head.index(header)
    return [row[i] for row in ws.iter_rows(min_row=2)]


def test_workbook_p_value_format_keeps_number(workbooks, report_data):
    ws = workbooks["nb"]["Endring"]
    cells = [c for c in _column(ws, "p-verdi (ujustert)") if c.value is not None]
    assert cells
    assert {c.number_format for c in cells} == {'[<0.001]"< 0,001";0.000'}
    assert any(isinstance(c.value, float) and c.value < 0.001 for c in cells)  # the number itself is kept


# --- 2. weighted shares beside unweighted counts
def test_weighted_keyfacts_and_quote_leads_say_weighted(report_data):
    vm = view_model(report_data, {})
    assert vm["keyfacts"]
    for k in vm["keyfacts"]:
        if "n\u00a0=" in k["trace"]:
            assert k["text"].startswith(" (vektet)"), k
    leads = [g["lead"] for g in vm["quotes"] if g["lead"]]
    assert leads and all(re.match(r"^\S+\u00a0% \(vektet\) av dem som svarte", x) for x in leads), leads[:2]
    nn = view_model(_lang(report_data, "nn"), {})
    assert all(" (vekta)" in k["text"] for k in nn["keyfacts"] if "n\u00a0=" in k["trace"])
    assert all("(vekta)" in g["lead"] for g in nn["quotes"] if g["lead"])


def _unweighted(synthetic):
    import importlib.util
    from pathlib import Path

    from textmine.report import report_from_summary
    from textmine.summary import build_summary
    from textmine.survey import SurveyDefinition

    spec = importlib.util.spec_from_file_location("report_conftest_dec05g", Path(__file__).with_name("conftest.py"))
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    survey = SurveyDefinition.from_dict({k: v for k, v in conf.SURVEY.items() if k != "weight"})
    frames = {int(k): v for k, v in synthetic["frames"].items()}
    coded = {int(k): v for k, v in synthetic["coded"].items()}
    summary = build_summary(frames, survey, coded, theme_labels=conf.LABELS, embedder="fallback")
    return report_from_summary(summary, survey, frames=frames, coded=coded, codebook=synthetic["codebook"])


def test_unweighted_report_has_no_weighted_mark(synthetic):
    r = _unweighted(synthetic)
    vm = view_model(r, {})
    assert vm["keyfacts"] and vm["quotes"]
    assert not any("vektet" in k["text"] for k in vm["keyfacts"])
    assert not any("vektet" in g["lead"] for g in vm["quotes"])


def test_weighted_chart_labels_say_weighted(report_data):
    from textmine.report.charts import share_bars

    rows = pd.DataFrame({"label": ["A"], "share": [0.166], "ci_low": [0.13], "ci_high": [0.2], "count": [76],
                         "base": [457]})
    plain = share_bars(rows, name="x", title="T", png=False)
    weighted = share_bars(rows, name="x", title="T", png=False, weighted=True)
    assert "(vektet)" not in plain.svg and "(vektet)" in weighted.svg
    assert "(vekta)" in share_bars(rows, name="x", title="T", png=False, weighted=True, language="nn").svg


# --- 3. direction of a significant change
def test_change_verdict_has_direction():
    assert change_verdict("signifikant", 0.2) == "signifikant økning"
    assert change_verdict("signifikant", -0.2) == "signifikant nedgang"
    assert change_verdict("signifikant", 0.2, "nn") == "signifikant auke"
    assert change_verdict("signifikant", -0.2, "nn") == "signifikant nedgang"
    assert change_verdict("tendens", 0.2) == "tendens"
    assert change_verdict("ingen sikker endring", 0.01, "nn") == "inga sikker endring"


def test_change_tables_keyfacts_and_legend(report_data):
    vm = view_model(report_data, {})
    rows = [c for t in vm["change_tables"] for c in t["rows"]]
    sig = [c for c in rows if c["verdict_key"] == "signifikant"]
    assert sig
    for c in sig:
        assert c["verdict_text"] in ("signifikant økning", "signifikant nedgang")
        assert c["verdict"] == "signifikant"  # (the bare word: the service's badge class)
        rising = not c["diff"].startswith(("−", "-"))
        assert (c["verdict_text"] == "signifikant økning") == rising
    page_nb = _plain(render_html(report_data, {}))
    assert re.search(r'class="badge signifikant">signifikant (økning|nedgang)</span>', page_nb)
    findings = [k for k in vm["keyfacts"] if "signifikant" in k["text"]]
    assert 1 <= len(findings) <= 3
    page = _plain(render_html(report_data, {}))
    assert "95 % sikkerhet" not in page
    assert "større enn tilfeldig variasjon kan forklare" in page
    assert "z-test" in page and "Benjamini–Hochberg" in page
    nn_page = _plain(render_html(_lang(report_data, "nn"), {}))
    assert "signifikant auke" in nn_page or "signifikant nedgang" in nn_page
    assert "endringa er større enn tilfeldig variasjon kan forklare" in nn_page
    assert "endringen er større" not in nn_page and "95 % tryggleik" not in nn_page


def test_change_chart_annotation_has_direction_and_language():
    from textmine.report.charts import change_dumbbell

    rows = pd.DataFrame({"label": ["A", "B"], "prev_share": [0.25, 0.5], "share": [0.45, 0.49],
                         "diff": [0.2, -0.01], "verdict": ["signifikant", "ingen sikker endring"]})
    nb = change_dumbbell(rows, name="x", title="T", png=False)
    assert "signifikant økning" in nb.svg or "signifikant økning" in nb.alt
    nn = change_dumbbell(rows, name="x", title="T", png=False, language="nn")
    assert "signifikant auke" in nn.alt and "inga sikker endring" in nn.alt


# --- 4. recall
def test_recall_wording():
    from textmine.report.pipeline import _agreement_text

    text = _agreement_text({"n": 100, "micro_f1": 0.8, "precision": 0.8, "recall": 0.7, "exact_match": 0.5,
                            "mean_kappa": 0.6})
    assert "dekning (recall) 0,70" in text and "treffsikkerhet" not in text
    from textmine.report.wording import nn_text

    assert "dekning (recall)" in nn_text(text, "nn")


# --- 5. title
def test_title_in_report_language(summary, survey, synthetic):
    from textmine.report import report_from_summary

    nb = report_from_summary(summary, survey, codebook=synthetic["codebook"])
    nn = report_from_summary(summary, survey, codebook=synthetic["codebook"], language="nn")
    assert nb.title == "Arbeidsgiverundersøkelsen"
    assert nn.title == "Arbeidsgivarundersøkinga"
    own = report_from_summary(summary, survey, codebook=synthetic["codebook"], language="nn", title="Min tittel")
    assert own.title == "Min tittel"


def test_cli_has_title_option():
    from typer.testing import CliRunner

    from textmine.cli import app

    result = CliRunner().invoke(app, ["report", "--help"], env={"COLUMNS": "200"})
    assert "--title" in result.output


# --- 6. «Lita gruppe» in nynorsk
def test_small_group_label_rendered_in_nynorsk():
    assert small_group_label("Liten gruppe 2", "nn") == "Lita gruppe 2"
    assert small_group_label("Liten gruppe", "nn") == "Lita gruppe"
    assert small_group_label("Liten gruppe 2", "nb") == "Liten gruppe 2"
    assert small_group_label("Privat, Liten gruppe 1", "nn") == "Privat, Lita gruppe 1"
    assert small_group_label("Litengruppe", "nn") == "Litengruppe"
    assert "«Lita gruppe»" in say("«Liten gruppe» = en gruppe med så få svar et sted i rapporten at tallene der er "
                                  "skjult; navnet vises ikke fordi det kan gjøre det mulig å kjenne igjen dem som "
                                  "svarte. Gruppen har samme nøytrale navn i alle tabeller og figurer, også der "
                                  "tallene vises. Små grupper står sist, etter alle grupper med navn, og numrene "
                                  "følger ikke gruppenes navn.", "nn")


# --- 7. one wording of «ingen sikker endring» per language
def test_no_change_wording_matches_legend():
    assert verdict("ingen sikker endring", "nn") == "inga sikker endring"
    legends = [v for k, v in NN.items() if k.startswith("Signifikant")]
    assert legends and all("inga sikker endring" in v.lower() and "påviseleg" not in v for v in legends)
    nb_legends = [k for k in NN if k.startswith("Signifikant")]
    assert all("ingen sikker endring" in k.lower() and "påviselig" not in k for k in nb_legends)


def _small_groups_report():
    """The small-groups report of tests/report/test_small_groups_dec05c.py (free-valued «kontor», hidden levels)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).with_name("test_small_groups_dec05c.py")
    spec = importlib.util.spec_from_file_location("small_groups_dec05g", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_small_groups()["report"]


def test_small_group_rendered_lita_in_nynorsk_page_and_workbook(tmp_path):
    from textmine.report import write_report

    r = _small_groups_report()
    stored = set(r.themes["segment"].astype(str))
    assert any(s.startswith("Liten gruppe") for s in stored)
    nn = _lang(r, "nn")
    page = render_html(nn)
    assert "Lita gruppe" in page
    assert not re.search(r"[Ll]iten gruppe", page), re.findall(r".{40}[Ll]iten gruppe.{20}", page)[:3]
    assert set(nn.themes["segment"].astype(str)) == stored  # the stored value is unchanged
    assert "Liten gruppe" in render_html(r) and "Lita gruppe" not in render_html(r)
    write_report(nn, tmp_path, formats=("xlsx",))
    wb = openpyxl.load_workbook(tmp_path / "rapport.xlsx", read_only=True)
    values = [str(v) for v in (c for row in wb["Tema"].iter_rows(values_only=True) for c in row) if v is not None]
    assert any(v.startswith("Lita gruppe") for v in values)
    assert not any(re.search(r"[Ll]iten gruppe", v) for v in values)


def test_known_title_follows_a_language_set_later(report_data):
    """A report built in bokmål and printed in nynorsk (``write_report(language="nn")``, the service) shows the
    nynorsk title; a user's own title is never translated."""
    from textmine.report.excel import workbook_title

    nn = _lang(report_data, "nn")
    assert nn.title == "Arbeidsgiverundersøkelsen"  # (the stored title stays)
    page = render_html(nn, {})
    assert "<h1>Arbeidsgivarundersøkinga:" in page and "Arbeidsgiverundersøkelsen" not in page
    assert workbook_title(nn).startswith("Arbeidsgivarundersøkinga – ")
    own = dataclasses.replace(report_data, language="nn", title="Arbeidsgiverundersøkelsen 2023 (utkast)")
    assert "<h1>Arbeidsgiverundersøkelsen 2023 (utkast):" in render_html(own, {})


def test_workbook_change_verdicts_have_direction(workbooks):
    nb = {c.value for c in _column(workbooks["nb"]["Endring"], "Vurdering")}
    assert {"signifikant økning", "signifikant nedgang"} <= nb and "signifikant" not in nb
    nn = {c.value for c in _column(workbooks["nn"][say("Endring", "nn")], say("Vurdering", "nn"))}
    assert "signifikant auke" in nn and "inga sikker endring" in nn


def test_spss_file_label_carries_the_title_in_the_report_language(report_data, tmp_path):
    """kodede_svar.sav's file label starts with the title as printed (nynorsk report: the nynorsk title)."""
    import pyreadstat

    from textmine.report.spss import write_sav

    nn = _lang(report_data, "nn")
    if nn.coded is None or len(nn.coded) == 0:
        pytest.skip("no coded rows in this report")
    _, meta = pyreadstat.read_sav(str(write_sav(nn, tmp_path / "nn.sav")), metadataonly=True)
    assert meta.file_label.startswith("Arbeidsgivarundersøkinga – "), meta.file_label
