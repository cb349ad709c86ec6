"""Publication review of `textmine report` on the sample data (wording, rounding, method notes, charts):
- a change interval that excludes 0 is never printed with a «±0» bound;
- the plain-language share ("1 av 20") is the nearest phrase and monotone (5 % is not «1 av 10», 4,7 % not «svært få»);
- Hovedfunn says «av dem som svarte» and never cuts the question mid-word;
- the quotes intro names the markers the quotes carry ([EPOST], [FØDSELSNUMMER] …);
- the method notes are Norwegian (no class names, no module names, thousands space);
- synthetic data is said so at the top of the report, only when the survey definition says so;
- segment charts: hidden levels are marked, panel titles wrapped to the panel."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest

from textmine.report import numbers as nb
from textmine.report.numbers import NBSP, verbal_share


def fmt_pp_ci(*a, **kw):
    return nb.fmt_pp_ci(*a, **kw)

def _conftest():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("report_conftest_copy", Path(__file__).with_name("conftest.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------ 1. change intervals


def test_ci_bound_that_rounds_to_zero_keeps_a_decimal_and_its_sign():
    # Digitale tjenester (indikator) in the sample report: +0,46 to +5,19 pp, p = 0,019
    assert fmt_pp_ci(0.004582, 0.051859) == f"+0,5{NBSP}pp til +5{NBSP}pp"
    # «NAV gir oss svar …» (p = 0,095): the interval includes 0, and now says so with its sign
    assert fmt_pp_ci(-0.003845, 0.047885) == f"−0,4{NBSP}pp til +5{NBSP}pp"
    assert fmt_pp_ci(0.00004, 0.03) == f"+0,004{NBSP}pp til +3{NBSP}pp"
    assert fmt_pp_ci(0.000001, 0.03) == f"+<0,001{NBSP}pp til +3{NBSP}pp"
    assert fmt_pp_ci(0.0, 0.03) == f"±0{NBSP}pp til +3{NBSP}pp"  # a bound that is 0 is 0
    assert fmt_pp_ci(-0.02, 0.031, 1) == f"−2,0{NBSP}pp til +3,1{NBSP}pp"
    assert fmt_pp_ci(float("nan"), 0.03) == "–"


@pytest.mark.parametrize("lo,hi", [(0.004582, 0.0518), (-0.049, -0.0001), (0.0004, 0.2), (-0.3, -0.004999)])
def test_interval_excluding_zero_never_prints_plus_minus_zero(lo, hi):
    assert "±0" not in fmt_pp_ci(lo, hi)


def test_change_table_shows_signed_bounds_and_a_rounding_footnote(report_data):
    from textmine.report.html import render_html, view_model

    ch = report_data.changes.copy()
    i = ch.index[0]
    ch.loc[i, ["ci_low", "ci_high", "p_value"]] = [0.004582, 0.051859, 0.019]
    r = replace(report_data, changes=ch)
    trace = f"{nb.fmt_int(ch.loc[i, 'n_prev'])} / {nb.fmt_int(ch.loc[i, 'n'])}"
    row = next(c for c in view_model(r, {})["changes"] if c["label"] == ch.loc[i, "label"] and c["trace"] == trace)
    assert row["ci"].startswith(f"+0,5{NBSP}pp til +5")
    html = render_html(r, charts={})
    section = html[html.index('id="endring"'):html.index("</section>", html.index('id="endring"'))]
    assert "regnet ut fra uavrundede andeler" in section


# ------------------------------------------------------------------ 2. plain-language shares


@pytest.mark.parametrize("share,text", [
    (0.0, "ingen"), (0.02, "svært få"), (0.0249, "svært få"), (0.03, "1 av 30"), (0.04, "1 av 25"),
    (0.047, "1 av 20"), (0.05, "1 av 20"), (0.06, "1 av 17"), (0.07, "1 av 14"), (0.08, "1 av 12"),
    (0.10, "1 av 10"), (0.125, "1 av 8"), (0.16, "nesten 1 av 6"), (0.2, "1 av 5"),
    (0.42, "drøyt 4 av 10"), (0.5, "halvparten"), (0.86, "nesten 9 av 10"), (0.96, "nesten alle"), (1.0, "alle"),
])
def test_verbal_share_is_the_nearest_phrase(share, text):
    assert verbal_share(share) == text


_QUALIFIER = {"nesten": -1, "": 0, "drøyt": 1}


def _phrase_value(text: str) -> tuple[float, int]:
    """(the phrase's value, −1 «nesten» / 0 / +1 «drøyt»)."""
    words = {"ingen": 0.0, "svært få": 0.01, "halvparten": 0.5, "alle": 1.0}
    m = re.fullmatch(r"(?:(nesten|drøyt) )?(.+)", text)
    qual, rest = _QUALIFIER[m.group(1) or ""], m.group(2)
    if text == "nesten alle":
        return 0.97, 0
    if rest in words:
        return words[rest], qual
    a, b = re.fullmatch(r"(\d+) av (\d+)", rest).groups()
    return int(a) / int(b), qual


def test_verbal_share_is_monotone_and_never_far_off():
    prev = (-1.0, 0)
    for k in range(0, 1001):
        p = k / 1000
        text = verbal_share(p)
        v = _phrase_value(text)
        assert v >= prev, (p, text)
        prev = v
        shown = int(nb.shown(p, share=True))  # as printed (half up)
        if 3 <= shown <= 95:  # an unqualified phrase rounds to the shown percent; a qualified one is its side of it
            gap = shown - 100 * v[0]
            if v[1] == 0:
                assert abs(gap) <= 0.5 + 1e-9, (p, text)
            else:
                assert gap * v[1] > 0 and abs(gap) <= 5 + 1e-9, (p, text)


def test_quote_lead_and_keyfacts_say_of_those_who_answered(report_data):
    from textmine.report.html import view_model

    vm = view_model(report_data, {})
    themed = [k for k in vm["keyfacts"] if "nevner" in k["text"]]
    # (the fixture is weighted: « (vektet)» after the weighted share, beside unweighted n; dec05g)
    assert themed and all(k["text"].startswith(" (vektet) av dem som svarte på «") for k in themed)
    for g in vm["quotes"]:
        assert g["lead"] == "" or re.match(r"^(<1|\d+)\u00a0% \(vektet\) av dem som svarte \(", g["lead"]), g["lead"]
        assert " av 10 av dem" not in g["lead"]


def test_question_labels_are_cut_at_a_word_boundary():
    from textmine.report.html import _short

    q = "Hva må til for at NAV sin oppfølging av sykmeldte skal bli bedre?"
    assert _short(q, 45) == "Hva må til for at NAV sin oppfølging av…"
    for n in range(10, len(q)):
        s = _short(q, n)
        assert len(s) <= n
        assert s.endswith("…")
        assert q.startswith(s[:-1])
        assert q[len(s) - 1] == " ", s  # the cut is at a space: no word is cut
    assert _short(q, 200) == q
    assert _short("Sykefraværsoppfølgingsrutinene", 10) == "Sykefraværsoppfølgingsrutinene"  # one long word: whole


def test_keyfact_question_not_cut_mid_word(report_data):
    from textmine.report.html import view_model

    long_q = "Hva må til for at NAV sin oppfølging av sykmeldte skal bli bedre for arbeidsgiverne?"
    r = replace(report_data, questions={k: long_q for k in report_data.questions})
    vm = view_model(r, {})
    text = next(k["text"] for k in vm["keyfacts"] if "nevner" in k["text"])
    quoted = re.search(r"«([^»]*)»", text).group(1)
    assert quoted.endswith("…") and long_q.startswith(quoted[:-1]) and long_q[len(quoted) - 1] == " "


# ------------------------------------------------------------------ 3. quote markers


def test_quotes_intro_names_the_markers_in_the_quotes():
    from textmine.report.html import quote_markers_note

    note = quote_markers_note(["F.nr: [FØDSELSNUMMER]", "til [EPOST]?", "konsulent [NAVN] var", "ring «…»", "kort […]"])
    assert "[EPOST], [FØDSELSNUMMER] og [NAVN]" in note and "«…»" in note
    assert "[…]" not in note
    only_typed = quote_markers_note(["til [EPOST]?"])
    assert "[EPOST]" in only_typed and "«…»" not in only_typed
    assert "«…»" in quote_markers_note(["ring «…»"]) and "[" not in quote_markers_note(["ring «…»"])


def test_rendered_quotes_intro_matches_the_quotes(report_data):
    from textmine.report.html import render_html

    q = report_data.quotes.copy()
    assert not q.empty
    q.loc[q.index[0], "text"] = "Ring meg på [TELEFON] i morgen"
    html = render_html(replace(report_data, quotes=q), charts={})
    intro = html[html.index('id="sitater"'):]
    intro = intro[:intro.index("</p>")]
    assert "[TELEFON]" in intro


# ------------------------------------------------------------------ 4. method notes in Norwegian


def test_model_note_is_norwegian():
    from textmine.report.views import method_lines, model_text

    assert model_text("SupervisedCoder (supervised), embedding e5-l6") == (
        "Veiledet klassifiseringsmodell (trent på manuelt kodede svar); språkmodell for tekstrepresentasjon: e5-l6.")
    assert model_text("KeywordCoder (keyword)").startswith("Nøkkelordkoding")
    assert "modellmappe default" in model_text("SupervisedCoder (supervised), embedding e5, modellmappe default")
    free = "Ingen automatisk koding i denne kjøringen: alle kodene er lest fra filer."
    assert model_text(free) == free
    lines = dict(method_lines({"model": "SupervisedCoder (supervised), embedding e5-l6",
                               "agreement": "Mot manuell koding av 1378 kommentarer: mikro-F1 0,86.",
                               "agreement_values": {"n": 1378}, "test": "to-utvalgs z-test"}))
    assert "SupervisedCoder" not in lines["Modell"] and "supervised" not in lines["Modell"]
    assert f"1{NBSP}378 kommentarer" in lines["Samsvar med manuell koding"]
    assert lines["Test for endring"].startswith("To-utvalgs")


def test_method_section_has_no_internal_names(report_data):
    from textmine.report.html import html_method_lines

    text = " ".join(m["value"] for m in html_method_lines(report_data))
    assert "textmine.summary" not in text
    assert "Vektet med «vekt»" not in text and "(variabelen «vekt»)" in text
    assert "innebygging:" not in text
    for m in html_method_lines(report_data):
        assert m["value"][:1] == m["value"][:1].upper(), m


# ------------------------------------------------------------------ 5. synthetic data


def test_synthetic_note_only_when_the_definition_says_so(tmp_path, report_data):
    import yaml

    from textmine.report.html import render_html
    from textmine.report.views import SYNTHETIC_NOTE, synthetic_note
    from textmine.survey import SurveyDefinition

    SURVEY = _conftest().SURVEY

    def definition(desc):
        d = dict(SURVEY)
        if desc is not None:
            d["description"] = desc
        p = tmp_path / f"s{abs(hash(desc))}.yaml"
        p.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
        return SurveyDefinition.from_yaml(p)

    assert synthetic_note(definition("Syntetisk arbeidsgiverundersøkelse (eksempeldata, ikke ekte svar)")) == SYNTHETIC_NOTE
    assert synthetic_note(definition("Arbeidsgiverundersøkelsen 2023")) is None
    assert synthetic_note(definition(None)) is None
    assert synthetic_note(SurveyDefinition.from_dict(SURVEY)) is None

    method = {**report_data.method, "synthetic": SYNTHETIC_NOTE}
    html = render_html(replace(report_data, method=method), charts={})
    assert html.index("Syntetiske data – ikke reelle svar") < html.index("<h1>")
    plain = render_html(replace(report_data, method={k: v for k, v in method.items() if k != "synthetic"}), charts={})
    assert "Syntetiske data" not in plain


def test_sample_survey_is_marked_synthetic():
    from pathlib import Path

    from textmine.report.views import SYNTHETIC_NOTE, synthetic_note
    from textmine.survey import SurveyDefinition

    path = Path(__file__).resolve().parents[2] / "data" / "sample" / "survey.yaml"
    assert synthetic_note(SurveyDefinition.from_yaml(path)) == SYNTHETIC_NOTE


# ------------------------------------------------------------------ 6. charts


def _rows(levels, hidden=()):
    out = []
    for t, share in (("Telefon og tilgjengelighet", 0.3), ("Ros og positive erfaringer", 0.2),
                     ("Regelverk og klart språk", 0.1)):
        for s in levels:
            out.append({"label": t, "segment": s, "share": share, "ci_low": share - 0.05, "ci_high": share + 0.05,
                        "suppressed": s in hidden, "count": 10, "base": 40})
    return pd.DataFrame(out)


def test_dot_chart_marks_a_fully_hidden_level():
    from textmine.report.charts import segment_dots

    rows = _rows(["1 ansatt", "2–9 ansatte", "10–49 ansatte"], hidden={"1 ansatt"})
    c = segment_dots(rows, name="t", title="Temaer etter antall ansatte", theme_order=list(dict.fromkeys(rows["label"])),
                     png=False)
    assert "Ikke vist: 1 ansatt (skjult fordi grunnlaget er for lite, eller for at skjulte" in c.svg
    assert "tall ikke skal kunne regnes ut)" in c.svg  # (secondary suppression: wrapped line)
    legend_labels = re.findall(r">([^<>]+)</text>", c.svg)
    assert "1 ansatt" not in legend_labels and "2–9 ansatte" in legend_labels
    assert "Segmenter: 2–9 ansatte, 10–49 ansatte." in c.alt and "Skjult: 1 ansatt" in c.alt


def test_panel_titles_are_wrapped_to_the_panel_and_share_one_scale():
    import matplotlib.pyplot as plt

    from textmine.report import charts as ch

    captured = {}
    real = ch.render

    def spy(fig, *a, **kw):
        axes = fig.axes
        captured["titles"] = [ax.get_title() for ax in axes]
        captured["xlims"] = {ax.get_xlim() for ax in axes}
        return real(fig, *a, **kw)

    levels = [f"Næring {i}" for i in range(10)]
    ch.render, orig = spy, ch.render
    try:
        ch.segment_bars(_rows(levels), name="t", title="Temaer etter næring, 2023: de vanligste temaene",
                        theme_order=list(dict.fromkeys(_rows(levels)["label"])), png=False)
    finally:
        ch.render = orig
        plt.close("all")
    assert all(len(line) <= 18 for t in captured["titles"] for line in t.split("\n")), captured["titles"]
    assert len(captured["xlims"]) == 1
