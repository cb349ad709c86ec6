"""Report text and HTML after review D (2026-12-05): the plain-language shares, the change table per adjustment
family, secondary suppression and «Liten gruppe» explained, weighted shares said, the indicator table naming its
question, quote order and language, left-out themes named, consistent terms, the demo's method notes and the
reading order of chart descriptions."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from textmine.report.numbers import NBSP, verbal_share


def _section(html: str, anchor: str) -> str:
    i = html.index(f'id="{anchor}"')
    return html[i:html.index("</section>", i)]


# ------------------------------------------------------------------ item 11: «k av N» honest and consistent
@pytest.mark.parametrize("share,text", [(0.86, "nesten 9 av 10"), (0.08, "1 av 12"), (0.04, "1 av 25"),
                                        (0.03, "1 av 30"), (0.9, "9 av 10"), (0.5, "halvparten"),
                                        (0.84, "drøyt 8 av 10"), (0.67, "2 av 3")])
def test_verbal_share_rounds_honestly(share, text):
    assert verbal_share(share) == text


def test_same_shown_percent_gets_the_same_phrase():
    # 7 of 169 (4,1 %) and 6 of 169 (3,6 %) are both printed «4 %»: one phrase for both
    assert verbal_share(7 / 169) == verbal_share(0.0355) == "1 av 25"
    for k in range(2, 97):
        shares = [k / 100 - 0.0049, k / 100, k / 100 + 0.0049]
        assert len({verbal_share(p) for p in shares}) == 1, (k, [verbal_share(p) for p in shares])


def test_an_unqualified_phrase_rounds_to_the_shown_percent():
    for k in range(3, 96):
        text = verbal_share(k / 100)
        m = re.fullmatch(r"(\d+) av (\d+)", text)
        if m:
            assert abs(100 * int(m.group(1)) / int(m.group(2)) - k) <= 0.5 + 1e-9, (k, text)


# ------------------------------------------------------------------ item 7 and 6: change tables
def _two_question_report(report_data):
    """The synthetic report with a second free-text question (a copy of the first's theme rows and changes)."""
    q2 = "fritekst_sykefravaer"
    th = report_data.themes
    ch = report_data.changes
    extra_ch = ch[ch["kind"] == "tema"].assign(question=q2)
    extra_th = th[th["question"] == "fritekst_generell"].assign(question=q2)
    questions = {q2: "Hva må til for at oppfølgingen blir bedre?", **report_data.questions}
    return replace(report_data, questions=questions, themes=pd.concat([th, extra_th], ignore_index=True),
                   changes=pd.concat([ch, extra_ch], ignore_index=True))


def test_change_table_is_one_table_per_adjustment_family(report_data):
    from textmine.report.html import render_html, view_model

    r = _two_question_report(report_data)
    vm = view_model(r, {})
    titles = [t["title"] for t in vm["change_tables"]]
    # indicators first, then the themes of each question in the report's question order
    assert titles == ["Indikatorer", "Temaer, «Hva må til for at oppfølgingen blir bedre?»",
                      "Temaer, «Har du andre kommentarer til NAV?»"]
    for t in vm["change_tables"][1:]:
        assert len(t["rows"]) == (r.changes["kind"] == "tema").sum() / 2
    html = render_html(r, charts={})
    sec = _section(html, "endring")
    assert sec.count('<table class="change-table">') == 3
    assert '<th scope="col">Indikator/tema</th>' in sec and '<th scope="col">Hva</th>' not in sec
    assert sec.count("Grunnlag 2022 / 2023</th>") == 3
    assert "indikatorene for seg og temaene for hvert spørsmål for seg" in sec


def test_a_change_that_does_not_add_up_from_shown_shares_is_marked(report_data):
    from textmine.report.html import render_html, view_model

    ch = report_data.changes.copy()
    i = ch.index[ch["kind"] == "tema"][0]
    ch.loc[i, ["prev_share", "share", "diff"]] = [0.02841, 0.03379, 0.00538]  # 2,8 % → 3,4 %, +0,5 pp
    r = replace(report_data, changes=ch)
    row = next(c for c in view_model(r, {})["changes"] if c["label"] == ch.loc[i, "label"])
    assert (row["prev"], row["cur"], row["diff"]) == (f"2,8{NBSP}%", f"3,4{NBSP}%", f"+0,5{NBSP}pp")
    assert row["unrounded"]
    sec = _section(render_html(r, charts={}), "endring")
    assert "‡" in sec and "(merket ‡)" in sec
    ch.loc[i, ["prev_share", "share", "diff"]] = [0.28, 0.34, 0.06]  # 28 % → 34 %, +6 pp: adds up, no mark
    rows = view_model(replace(report_data, changes=ch), {})["changes"]
    row = next(c for c in rows if c["label"] == ch.loc[i, "label"])
    assert not row["unrounded"]


# ------------------------------------------------------------------ item 4: verdict basis explained
def test_verdict_basis_is_explained_for_changes_and_adjusted_effects(report_data):
    from textmine.report.html import render_html

    html = render_html(report_data, charts={})
    assert "mens 95&nbsp;%-intervallet ikke er justert" in _section(html, "endring")
    bet = _section(html, "betydning")
    assert "bygger på modellens eget intervall og justerte p-verdi" in bet
    method = _section(html, "metode")
    assert "ikke på den ujusterte forskjellen" in method


# ------------------------------------------------------------------ item 8: secondary suppression
def test_suppression_notes_mention_secondary_suppression(report_data):
    from textmine.report.html import render_html

    html = render_html(report_data, charts={})
    head = html[html.index("<header>"):html.index("</header>")]
    # (Dec 06: the complement rule's reason too)
    assert ("–* = skjult fordi grunnlaget er under 10, fordi det er for få i en av gruppene (nesten alle svarte likt), "
            "eller for at skjulte tall ikke skal kunne regnes ut.") in head
    assert "sekundær skjuling" in _section(html, "metode")
    seg = _section(html, "segment")
    if "–*" in seg:
        assert "eller for at skjulte tall ikke skal kunne regnes ut.</p>" in seg
        # the hidden cell says why to screen readers, not only in a title attribute
        assert '–*<span class="sr-only"> (skjult: for lite grunnlag' in seg


# ------------------------------------------------------------------ item 9: weighted shares, unweighted counts
def test_weighted_captions_say_counts_are_unweighted(report_data):
    from textmine.report.html import render_html

    assert str(report_data.method["weights"]).startswith("Vektet")
    html = render_html(report_data, charts={})
    assert "andeler vektet, antall og grunnlag uvektet" in _section(html, "segment")
    assert "andeler vektet, antall og grunnlag uvektet" in _section(html, "tema")
    plain = replace(report_data, method={**report_data.method, "weights": "Uvektet."})
    assert "uvektet</caption>" not in render_html(plain, charts={})
    assert "andeler vektet" not in render_html(plain, charts={})


# ------------------------------------------------------------------ item 10: indicator table names the question
def test_indicator_table_shows_the_theme_share_per_question(report_data):
    from textmine.report.html import render_html, view_model

    r = _two_question_report(report_data)
    th = r.themes
    th.loc[(th["question"] == "fritekst_sykefravaer") & (th["theme"] == "telefon"), "share"] = 0.42
    vm = view_model(r, {})
    assert vm["indicator_questions"] == ["Hva må til for at oppfølgingen blir…", "Har du andre kommentarer til NAV?"]
    tel = next(i for i in vm["indicators"] if i["label"] == "Telefon")
    assert tel["theme"] == "Telefon og tilgjengelighet"
    assert tel["theme_cells"][0]["share"] == f"42{NBSP}%"
    # the one-column form (the service's dashboard) names each question beside its share
    assert tel["theme_share"].startswith(f"42{NBSP}% («Hva må til for at…»); ")
    sec = _section(render_html(r, charts={}), "indikatorer")
    assert "Andel som nevner, «Har du andre kommentarer til NAV?» (n / grunnlag)" in sec


# ------------------------------------------------------------------ items 14, 21: quote order and language
def test_quotes_follow_question_order_and_share_and_carry_their_language(report_data):
    from textmine.report.html import render_html, view_model

    r = _two_question_report(report_data)
    q = r.quotes
    q2 = q.assign(question="fritekst_sykefravaer")
    quotes = pd.concat([q, q2], ignore_index=True)  # the general question's quotes listed first
    quotes["language"] = np.where(np.arange(len(quotes)) == 0, "en",
                                  np.where(np.arange(len(quotes)) == 1, "nn", "nb"))
    r = replace(r, quotes=quotes)
    groups = view_model(r, {})["quotes"]
    assert groups[0]["qid"] == "fritekst_sykefravaer"  # the report's question order, not the frame's
    overall = r.themes[(r.themes["wave"] == r.current_wave) & (r.themes["segment_var"] == "Alle")
                       & (r.themes["question"] == "fritekst_generell")].set_index("theme")["share"]
    gen = [g["theme"] for g in groups if g["qid"] == "fritekst_generell"]
    assert gen == sorted(gen, key=lambda t: -overall[t])
    html = render_html(r, charts={})
    assert html.count('<blockquote lang="en">') == 1 and html.count('<blockquote lang="nn">') == 1
    # an English quote is also marked in words, outside the quote (read in the page's language)
    assert html.count("(på engelsk)</div>") == 1 and "(på engelsk)</blockquote>" not in html
    assert 'lang="nb"' not in _section(html, "sitater")
    no_lang = replace(r, quotes=r.quotes.drop(columns=["language"]))
    assert "<blockquote lang=" not in render_html(no_lang, charts={})


# ------------------------------------------------------------------ item 15: left-out themes, controls named
def test_impact_names_the_themes_it_leaves_out(report_data):
    from textmine.report.html import impact_missing, render_html

    imp = report_data.impact
    dropped = imp["theme"].iloc[0]
    r = replace(report_data, impact=imp[imp["theme"] != dropped])
    notes = impact_missing(r)
    label = report_data.theme_label(dropped) if report_data.codebook else dropped
    assert len(notes) == 1 and f"«{label}»" in notes[0] and "Har du andre kommentarer til NAV?" in notes[0]
    assert notes[0] in render_html(r, charts={})
    assert impact_missing(report_data) == [] or all("Ikke med for" in n for n in impact_missing(report_data))


def test_method_names_the_control_variables(report_data):
    from textmine.report.html import html_method_lines

    lines = dict((m["name"], m["value"]) for m in html_method_lines(report_data))
    assert "kontrollvariablene sektor" in lines["Justert effekt (drivere)"]
    assert "kommentatorene" not in lines["Justert effekt (drivere)"]


# ------------------------------------------------------------------ item 18: «Liten gruppe» last, explained
def test_small_groups_are_capitalised_listed_last_and_explained(report_data):
    from textmine.report.html import render_html
    from textmine.report.views import neutral_small_levels

    th = report_data.themes
    rows = th[(th["wave"] == "2023") & (th["segment_var"] == "fylke")].copy()
    assert set(rows["segment"]) >= {"Oslo", "Vestland", "Nordland"}
    # pretend «Nordland» is a free-valued level hidden everywhere (listed before «Oslo» alphabetically)
    hid = rows["segment"] == "Nordland"
    rows.loc[hid, "suppressed"] = True
    named = neutral_small_levels(rows, {("fylke", "Nordland"): "liten gruppe"})
    for _, g in named.groupby(["question", "theme"], sort=False):
        assert list(g["segment"])[-1] == "Liten gruppe", list(g["segment"])
    other = th[~((th["wave"] == "2023") & (th["segment_var"] == "fylke"))]
    r = replace(report_data, themes=pd.concat([other, named], ignore_index=True))
    seg = _section(render_html(r, charts={}), "segment")
    block = seg[seg.index('data-segment="fylke"'):]
    block = block[:block.index("</details>")]
    # one row per theme × level: the level is each row's second row header, «Liten gruppe» the last of each theme
    groups = re.findall(r"<tbody>(.*?)</tbody>", block, re.S)
    assert groups
    for tbody in groups:
        levels = re.findall(r'<th scope="row">[^<]*</th><th scope="row">([^<]*)</th>', tbody)
        assert levels and levels[-1] == "Liten gruppe" and "Nordland" not in levels, levels
    assert "«Liten gruppe» = en gruppe med så få svar" in block


def test_charts_put_small_groups_last():
    from textmine.report.charts import small_last

    assert small_last(["Bygg", "liten gruppe 1", "Helse", "Liten gruppe 2"]) == [
        "Bygg", "Helse", "liten gruppe 1", "Liten gruppe 2"]


# ------------------------------------------------------------------ item 19, 22: terms and opening claim
def test_terms_are_consistent_and_the_opening_claim_is_true(report_data):
    from textmine.report.html import render_html, view_model
    from textmine.report.views import METHOD_NAMES, reader_terms

    assert "reelle" not in METHOD_NAMES["commenters"]
    assert reader_terms("én bryting × temaer; andelen mangler i en av bølgene") == \
        "én inndeling × temaer; andelen mangler i en av målingene"
    assert reader_terms("i bølgen, to bølger, per bølge") == "i målingen, to målinger, per måling"
    key = view_model(report_data, {})["keyfacts"][0]
    assert key["text"].startswith(" (vektet) svarer positivt på «Fornøyd med NAV»")  # (weighted fixture: dec05g)
    html = render_html(report_data, charts={})
    assert "Alle tall viser andel med 95" not in html
    assert "andelene av de spurte og av alle respondenter vises uten intervall" in html
    assert "andre som kommenterte" not in html


# ------------------------------------------------------------------ item 21: chart descriptions top to bottom
def test_chart_descriptions_read_top_to_bottom():
    from textmine.report.charts import change_dumbbell, impact_bars

    rows = pd.DataFrame({"label": ["Liten", "Stor"], "prev_share": [0.1, 0.5], "share": [0.12, 0.6],
                         "diff": [0.02, 0.1], "verdict": ["ingen sikker endring", "signifikant"]})
    c = change_dumbbell(rows, name="e", title="Endring", png=False)
    assert c.alt.index("Stor") < c.alt.index("Liten")  # the larger share is drawn at the top
    imp = pd.DataFrame({"label": ["Lav", "Høy"], "diff": [-0.1, 0.1], "ci_low": [-0.2, 0.0],
                        "ci_high": [0.0, 0.2], "n_with": [20, 30], "verdict": ["tendens", "forskjell"]})
    c = impact_bars(imp, name="b", title="Betydning", png=False)
    assert c.alt.index("Høy") < c.alt.index("Lav")


# ------------------------------------------------------------------ item 5: the demo's method notes
def test_build_report_describes_a_given_coder_and_reads_labels_beside_the_files(synthetic, survey, summary, tmp_path):
    from textmine.report.pipeline import KeywordCoder, build_report
    from textmine.codebook import Codebook

    cb = Codebook.from_dict(synthetic["codebook"])
    frames = {int(k): v for k, v in synthetic["frames"].items()}
    coded = {int(k): v for k, v in synthetic["coded"].items()}
    lab = coded[2023][["respondent_id", "question", "themes"]].head(50)
    lab.to_csv(tmp_path / "labels_2023.csv", index=False)
    sources = {w: tmp_path / f"w{w}.csv" for w in frames}
    r = build_report(frames, survey, codebook=cb, coded=coded, summary=summary, coder=KeywordCoder(cb),
                     sources=sources, model_folder=tmp_path / "no-model")
    assert r.method["model"] == "KeywordCoder (keyword)"
    assert r.method["agreement"].startswith("Mot manuell koding av 50 kommentarer")


def test_demo_report_has_the_model_and_agreement_notes(tmp_path, monkeypatch):
    """``textmine demo`` writes the same «Modell» and «Samsvar» notes as ``textmine report`` (small, fast stand-ins:
    the keyword coder and 300 respondents per sample wave)."""
    from ..clitools import run_fast_demo

    res = run_fast_demo(monkeypatch, tmp_path / "d")
    assert res.exit_code == 0, res.output
    html = (tmp_path / "d" / "rapport" / "rapport.html").read_text(encoding="utf-8")
    method = _section(html, "metode")
    assert "<dt>Modell</dt><dd>Nøkkelordkoding (kodebokens nøkkelord).</dd>" in method
    assert "Ingen manuelt kodede data tilgjengelig" not in method
    assert "<dt>Samsvar med manuell koding</dt><dd>Mot manuell koding av" in method
