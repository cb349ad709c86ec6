"""A codebook per wave (``textmine summary`` / ``report`` ``--codebook WAVE=FILE``, ``build_summary(codebooks=)``):
a theme two compared waves' codebooks define differently is not compared («ikke testbar», one warning naming it,
both versions and waves), an unchanged theme still is, a theme only in the earlier codebook keeps its label, and
the per-wave option's misuse is a one-line error."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from textmine.codebook import Codebook
from textmine.summary import build_summary, codebook_theme_labels
from textmine.survey import SurveyDefinition

from ..clitools import assert_clean_fail, run_cli
from ..smallwaves import write_mini_survey

KONTAKT_10 = {"id": "kontakt", "label": "Kontaktperson", "description": "Navngitt kontakt i NAV.",
              "keywords": ["kontakt"]}
KONTAKT_11 = {**KONTAKT_10, "label": "Fast kontaktperson i NAV", "description": "Fast kontaktperson over tid."}
ANNET = {"id": "annet", "label": "Annet", "description": "Alt annet.", "keywords": ["annet"]}
TELEFON = {"id": "telefon", "label": "Telefon og ventetid", "description": "Telefonkø.", "keywords": ["telefon"]}
KO = {"id": "telefon_ko", "label": "Telefonkø", "description": "Kø på telefon.", "keywords": ["kø"]}
V10 = {"name": "arbeidsgiver", "version": "1.0", "themes": [TELEFON, KONTAKT_10, ANNET]}
V11 = {"name": "arbeidsgiver", "version": "1.1", "themes": [KO, KONTAKT_11, ANNET]}
THEMES = {2022: ["telefon", "kontakt", "annet"], 2023: ["telefon_ko", "kontakt", "annet"]}


@pytest.fixture()
def waves(tmp_path):
    """The mini survey (w2022/2023.csv, s.yaml), coded2022/2023.csv coded with codebooks 1.0 (cb10.yaml) and 1.1
    (cb11.yaml): every second respondent comments, themes drawn at random (2023: more «kontakt»)."""
    write_mini_survey(tmp_path, seed=3, n=400, ft=lambda i: "En kommentar" if i % 2 == 0 else "")
    rng = np.random.default_rng(5)
    for year, themes in THEMES.items():
        df = pd.read_csv(tmp_path / f"w{year}.csv", keep_default_na=False)
        c = df[df["ft"] != ""][["rid"]].rename(columns={"rid": "respondent_id"}).assign(
            question="ft", text_clean="En kommentar", is_non_answer=0, health_flag=0)
        for t in themes:
            c[f"theme_{t}"] = (rng.random(len(c)) < (0.6 if (t, year) == ("kontakt", 2023) else 0.3)).astype(int)
        c.to_csv(tmp_path / f"coded{year}.csv", index=False)
    for name, cb in (("cb10.yaml", V10), ("cb11.yaml", V11)):
        (tmp_path / name).write_text(yaml.safe_dump(cb, allow_unicode=True), encoding="utf-8")
    return tmp_path


def _summary(d, *codebooks, out="o"):
    args = [a for cb in codebooks for a in ("--codebook", cb)]
    return run_cli("summary", d / "w2022.csv", d / "w2023.csv", "--survey", d / "s.yaml", "--no-quotes", "--quiet",
                   "--coded", d / "coded2022.csv", "--coded", d / "coded2023.csv", "--out", d / out, *args)


def _theme_changes(out) -> pd.DataFrame:
    ch = pd.read_csv(out / "changes.csv")
    return ch[(ch["kind"] == "theme") & (ch["segment"] == "Totalt") & (ch["denominator"] == "kommentatorer")
              ].set_index("item")


WARNING = ("theme kontakt is defined differently in codebook 'arbeidsgiver' v1.0 (wave 2022) and v1.1 (wave 2023): "
           "not compared")


def test_changed_theme_is_not_compared_and_the_unchanged_one_is(waves):
    res = _summary(waves, f"2022={waves / 'cb10.yaml'}", f"2023={waves / 'cb11.yaml'}")
    assert res.exit_code == 0, res.output
    ch = _theme_changes(waves / "o")
    k = ch.loc["kontakt"]
    assert k["verdict"] == "ikke testbar" and np.isnan(k["p_value"]) and np.isnan(k["diff"])
    assert k["share_prev"] > 0 and k["share"] > k["share_prev"]  # both waves' shares still shown
    a = ch.loc["annet"]  # the catch-all: telefon → telefon_ko is no declared rename, so it is not compared (dec07c)
    assert np.isnan(a["p_value"]) and a["verdict"] == "ikke testbar" and a["share_prev"] > 0
    assert WARNING in " ".join(res.output.split())
    meta = json.loads((waves / "o" / "summary.json").read_text(encoding="utf-8"))["meta"]
    assert meta["theme_labels"]["telefon"] == "Telefon og ventetid"  # only in 1.0: its old label, not the id
    assert meta["theme_labels"]["kontakt"] == "Fast kontaktperson i NAV"  # the latest wave's label


def test_the_same_files_with_one_codebook_compare_every_theme(waves):
    res = _summary(waves, waves / "cb11.yaml")
    assert res.exit_code == 0, res.output
    ch = _theme_changes(waves / "o")
    assert not np.isnan(ch.loc["kontakt", "p_value"]) and "defined differently" not in res.output


def test_a_plain_codebook_is_the_default_of_the_waves_not_named(waves):
    res = _summary(waves, waves / "cb11.yaml", f"2022={waves / 'cb10.yaml'}")
    assert res.exit_code == 0, res.output
    assert _theme_changes(waves / "o").loc["kontakt", "verdict"] == "ikke testbar"


@pytest.mark.parametrize("args, needles", [
    (["1999={cb10}", "2023={cb11}"], ["1999", "not one of the waves", "2022", "2023"]),
    (["2022={cb10}", "2022={cb11}"], ["2022", "given twice"]),
    (["2022={cb10}"], ["2023", "no codebook"]),
])
def test_per_wave_codebook_misuse_is_a_one_line_error(waves, args, needles):
    given = [a.format(cb10=waves / "cb10.yaml", cb11=waves / "cb11.yaml") for a in args]
    assert_clean_fail(_summary(waves, *given), "--codebook", *needles)
    assert not (waves / "o").exists()


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_report_per_wave_codebooks_are_named_in_the_method_section(waves, language):
    import openpyxl

    res = run_cli("report", waves / "w2022.csv", waves / "w2023.csv", "--survey", waves / "s.yaml",
                  "--coded", waves / "coded2022.csv", "--coded", waves / "coded2023.csv", "--coder", "keyword",
                  "--codebook", f"2022={waves / 'cb10.yaml'}", "--codebook", f"2023={waves / 'cb11.yaml'}",
                  "--language", language, "--out", waves / "r")
    assert res.exit_code == 0, res.output
    html = " ".join((waves / "r" / "rapport.html").read_text(encoding="utf-8").split())
    both = "rbeidsgiver versjon 1.0 (måling 2022); arbeidsgiver versjon 1.1 (måling 2023)"
    assert both in html and "Telefon og ventetid" in html
    assert "theme kontakt is defined differently" in " ".join(res.output.split())
    assert "versjon 1.1." not in html.replace(both, "")  # no one-codebook line for both waves
    method = openpyxl.load_workbook(waves / "r" / "rapport.xlsx")["Metode"]
    assert any(both in str(c) for row in method.iter_rows(values_only=True) for c in row)


def test_library_codebooks_mark_the_changed_theme(waves):
    survey = SurveyDefinition.from_yaml(waves / "s.yaml")
    frames = {y: pd.read_csv(waves / f"w{y}.csv", keep_default_na=False) for y in (2022, 2023)}
    coded = {y: pd.read_csv(waves / f"coded{y}.csv", dtype={"respondent_id": str}) for y in (2022, 2023)}
    cbs = {2022: Codebook.from_dict(V10), 2023: Codebook.from_dict(V11)}
    s = build_summary(frames, survey, coded, codebooks=cbs, quotes=False, drivers=False)
    ch = s.table("changes")
    th = ch[(ch["kind"] == "theme") & ~ch["suppressed"].astype(bool)]
    assert (th[th["item"] == "kontakt"]["verdict"] == "ikke testbar").all()
    assert th[th["item"] == "annet"]["p_value"].isna().all()  # the catch-all: the other themes changed (dec07c)
    assert sum("kontakt is defined differently" in w for w in s.warnings) == 1
    assert s.meta["codebooks"][2022]["version"] == "1.0"
    assert codebook_theme_labels(cbs, [2022, 2023])["telefon"] == "Telefon og ventetid"


def test_a_reworded_label_or_other_examples_leave_a_theme_comparable():
    """Only fields that decide what is coded make a theme incomparable (code review dec06e: a label fix blocked
    every comparison of the theme)."""
    from textmine.codebook import Codebook
    from textmine.summary import _incomparable_themes

    def cb(version, **telefon):
        theme = {"id": "telefon", "label": "Telefon", "description": "Vanskelig å nå fram på telefon",
                 "keywords": ["telefon"]} | telefon
        return Codebook.from_dict({"name": "k", "version": version, "language": "nb", "themes": [
            theme, {"id": "annet", "label": "Annet", "description": "Alt annet", "exclusive": True}]})

    base = cb("1.0")
    assert _incomparable_themes({1: base, 2: cb("1.1", label="Tlf")}, [(1, 2)])[0] == {}
    assert _incomparable_themes({1: base, 2: cb("1.1", examples=["ringte i timevis"])}, [(1, 2)])[0] == {}
    changed, msgs = _incomparable_themes({1: base, 2: cb("1.1", keywords=["telefon", "svartid"])}, [(1, 2)])
    assert changed == {(1, 2): {"telefon"}} and "telefon" in msgs[0]
