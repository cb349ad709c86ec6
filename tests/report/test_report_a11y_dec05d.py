"""Accessibility audit of the HTML report and the workbook (dec05d, WCAG 2.1 AA / WCAG2ICT): every verdict badge
has a background with contrast, the impact chart's colours have contrast and a cue besides colour, the adjusted
effect's interval and model are visible text, chart text alternatives carry the values, one term for «ingen sikker
endring», no empty quote attribution, abbreviations spelled out, «95 %» never broken, the workbook has a title, a
language and header rows (Excel tables), segment blocks have headings; the exports mask declared aliases of a
left-out segment and compute the small-cell blanking once."""

from __future__ import annotations

import dataclasses
import html as htmllib
import re
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import pytest

from textmine.report import charts as ch
from textmine.report import excel as xl
from textmine.report.html import TEMPLATES, render_html
from textmine.report.model import ReportData

NBSP = "\u00a0"


def _luminance(colour: str) -> float:
    h = colour.lstrip("#")
    h = "".join(c * 2 for c in h) if len(h) == 3 else h
    rgb = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """The WCAG 2.1 contrast ratio of two colours (#rrggbb)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _section(html: str, anchor: str) -> str:
    i = html.index(f'id="{anchor}"')
    return html[i:html.index("</section>", i)]


# ------------------------------------------------------------------ 1: verdict badges (1.4.3)
def library_verdicts() -> set[str]:
    """Every verdict the library can print: the statistics module's VERDICT_* words and the summary's own."""
    from textmine import stats, summary

    words = {v for k, v in vars(stats).items() if k.startswith("VERDICT_") and isinstance(v, str)}
    words |= {v for k, v in vars(summary).items() if k.startswith("VERDICT_") and isinstance(v, str) and len(v) < 40}
    return words


def _css_backgrounds() -> dict[str, str]:
    """{badge class: background colour} from report.css, CSS variables resolved."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    variables = dict(re.findall(r"--([\w-]+):(#[0-9a-fA-F]{3,6})", css))
    out = {}
    for cls, value in re.findall(r"\.badge\.([^{\s]+)\{background:([^;}]+)[;}]", css):
        var = re.fullmatch(r"var\(--([\w-]+)\)", value.strip())
        out[cls] = variables[var.group(1)] if var else value.strip()
    return out


def test_every_library_verdict_has_a_badge_background_with_4_5_contrast():
    verdicts = library_verdicts()
    assert {"signifikant", "tendens", "ingen sikker endring", "ikke testbar", "for få svar"} <= verdicts, verdicts
    backgrounds = _css_backgrounds()
    for v in sorted(verdicts):
        cls = v.replace(" ", "-")
        assert cls in backgrounds, f"verdict «{v}»: no rule .badge.{cls}{{background:…}} in report.css"
        ratio = contrast("#ffffff", backgrounds[cls])
        assert ratio >= 4.5, f"verdict «{v}»: white on {backgrounds[cls]} is {ratio:.2f}:1, expected at least 4.5:1"


def test_change_table_badges_use_the_classes_the_css_styles():
    from textmine.report.model import VERDICTS

    ch_rows = pd.DataFrame({"kind": "indikator", "key": list(VERDICTS), "label": list(VERDICTS), "question": "",
                            "prev_wave": "2022", "wave": "2023", "prev_share": 0.4, "share": 0.5, "diff": 0.1,
                            "p_value": 0.01, "verdict": list(VERDICTS), "n_prev": 100, "n": 100, "ci_low": 0.01,
                            "ci_high": 0.2, "p_adjusted": 0.02, "suppressed": False})
    html = render_html(ReportData(title="t", waves=["2022", "2023"], changes=ch_rows), charts={})
    classes = set(re.findall(r'<span class="badge ([^"]+)">', html))
    assert classes == {v.replace(" ", "-") for v in VERDICTS}, classes
    assert classes <= set(_css_backgrounds()), classes - set(_css_backgrounds())


# ------------------------------------------------------------------ 2: impact chart (1.4.1, 1.4.11)
IMPACT_ROWS = pd.DataFrame({"label": ["Opp, sikker", "Usikker", "Ned, sikker", "Tendens", "Uvurdert"],
                            "diff": [0.12, 0.15, -0.09, 0.08, 0.01], "ci_low": [0.05, -0.02, -0.15, -0.01, -0.1],
                            "ci_high": [0.19, 0.32, -0.03, 0.17, 0.1], "n_with": [200, 15, 150, 60, 5],
                            "verdict": ["forskjell", "ingen sikker forskjell", "forskjell", "tendens", None]})


@pytest.mark.parametrize("key", list(ch.IMPACT_CLASSES))
def test_impact_bar_colours_have_3_to_1_contrast_against_white(key):
    colour = ch.IMPACT_CLASSES[key][1]
    assert contrast(colour, "#ffffff") >= 3.0, f"«{key}» bars {colour}: {contrast(colour, '#ffffff'):.2f}:1 < 3:1"


def test_a_sure_difference_is_labelled_on_the_bar_not_only_coloured():
    chart = ch.impact_bars(IMPACT_ROWS, name="t", title="t", png=False)
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", chart.svg)
    assert labels.count(ch.SURE_LABEL) == 2, f"expected «{ch.SURE_LABEL}» beside the 2 sure bars, got {labels}"
    legend = htmllib.unescape(chart.svg)
    assert f"(merket «{ch.SURE_LABEL}»)" in legend, "the legend does not say what the label means"


def test_no_sure_label_without_a_sure_difference():
    rows = IMPACT_ROWS[IMPACT_ROWS["verdict"] != "forskjell"]
    chart = ch.impact_bars(rows, name="t", title="t", png=False)
    assert ch.SURE_LABEL not in re.findall(r"<text[^>]*>([^<]*)</text>", chart.svg)


# ------------------------------------------------------------------ 3: adjusted effect in visible text (1.3.1)
def _visible_text(fragment: str) -> str:
    """The text a sighted reader sees (tags and their attributes, such as title, removed)."""
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment))


def test_adjusted_effect_interval_model_and_reason_are_visible_text(report_data):
    imp = report_data.impact.copy()
    assert len(imp) >= 2
    imp["adjusted_pp"] = [3.5, float("nan")] + [float("nan")] * (len(imp) - 2)
    imp["adjusted_ci_low_pp"], imp["adjusted_ci_high_pp"] = 1.0, 6.0
    imp["adjusted_verdict"], imp["adjusted_method"] = "forskjell", "Logit-modell (testmodell)"
    q, theme = imp["question"].iloc[1], imp["theme"].iloc[1]
    method = {**report_data.method, "warnings": f"drivers {q} 2023: theme(s) {theme} left out of the adjusted model: "
                                                "linearly dependent"}
    html = render_html(dataclasses.replace(report_data, impact=imp, method=method), charts={})
    table = _section(html, "betydning")
    table = table[table.index("<table"):table.index("</table>")]
    cells = re.findall(r'<td class="num adjusted"[^>]*>(.*?)</td>', table, re.S)
    assert len(cells) == len(imp), cells
    text = [_visible_text(c) for c in cells]
    assert any(f"95{NBSP}% KI" in t and "Logit-modell (testmodell)" in t for t in text), text
    assert any("Ikke i modellen: det kan ikke skilles fra de andre temaene" in t for t in text), text
    assert not re.search(r'<td[^>]*title="[^"]*(KI|Ikke i modellen)', table), "the details are still only a tooltip"


# ------------------------------------------------------------------ 4: segment dot chart text alternative (1.1.1)
def test_segment_dot_chart_text_alternative_has_the_values():
    rows = pd.DataFrame({"label": ["Telefon", "Telefon", "Ros", "Ros"], "segment": ["Privat", "Offentlig"] * 2,
                         "share": [0.34, 0.2, 0.1, float("nan")], "ci_low": [0.3, 0.15, 0.05, float("nan")],
                         "ci_high": [0.38, 0.25, 0.15, float("nan")], "suppressed": [False, False, False, True]})
    chart = ch.segment_dots(rows, name="d", title="Temaer etter sektor", theme_order=["Telefon", "Ros"], png=False)
    assert f"Telefon: Privat 34{NBSP}%, Offentlig 20{NBSP}%" in chart.alt, chart.alt
    assert f"Ros: Privat 10{NBSP}% (skjult: Offentlig)" in chart.alt, chart.alt
    assert f"Telefon: Privat 34{NBSP}%" in htmllib.unescape(re.search(r'aria-label="([^"]*)"', chart.svg).group(1))


# ------------------------------------------------------------------ 5: one term for «ingen sikker endring»
def test_change_legend_uses_the_badge_term_not_uendret(report_data):
    html = render_html(report_data, charts={})
    legend = _section(html, "endring")
    assert "Uendret" not in legend and "Ingen sikker endring = " in legend
    template = (TEMPLATES / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"\buendret\b", template, re.IGNORECASE)


# ------------------------------------------------------------------ 6: no empty attribution (1.3.1)
def test_a_quote_without_attribution_has_no_empty_attribution_element(report_data):
    quotes = report_data.quotes.head(3).copy()
    assert len(quotes) == 3
    quotes["attribution"] = ["Privat virksomhet", "", float("nan")]
    html = render_html(dataclasses.replace(report_data, quotes=quotes), charts={})
    section = _section(html, "sitater")
    assert section.count('<div class="attr">') == 1, re.findall(r'<div class="attr">[^<]*</div>', section)
    assert '<div class="attr">– Privat virksomhet</div>' in section
    assert not re.search(r'<div class="attr">–\s*</div>', section)


# ------------------------------------------------------------------ 7: abbreviations (3.1.4)
def test_a_theme_label_abbreviation_is_spelled_out_in_the_header(report_data):
    th = report_data.themes.copy()
    th.loc[th["theme"] == "ros", "label"] = "IA og forebygging av sykefravær"
    cb = [dict(t) for t in report_data.codebook] + [{"id": "x", "label": "x", "description":
                                                     "Inkluderende arbeidsliv (IA-avtalen) og forebygging"}]
    html = render_html(dataclasses.replace(report_data, themes=th, codebook=cb), charts={})
    header = html[html.index("<header>"):html.index("</header>")]
    assert '<abbr title="inkluderende arbeidsliv">IA</abbr> = inkluderende arbeidsliv' in header, header


def test_workbook_spells_out_bh_and_ki(report_data, tmp_path):
    wb = openpyxl.load_workbook(xl.write_workbook(report_data, tmp_path / "r.xlsx", row_level=False))
    notes = dict(wb["Metode"].iter_rows(min_row=2, values_only=True))
    text = notes.get("Forkortelser") or ""
    assert "BH = Benjamini–Hochberg" in text and "KI = konfidensintervall" in text, notes.keys()


# ------------------------------------------------------------------ 8: «95 %» never broken
def test_95_percent_has_a_no_break_space_in_the_report_text(report_data):
    template = (TEMPLATES / "report.html").read_text(encoding="utf-8")
    assert "95 %" not in template
    html = render_html(report_data, charts={})
    body = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    body = body[:body.index('id="metode"')]  # (the method notes quote the summary's rule texts)
    broken = re.findall(r".{30}95 %.{20}", htmllib.unescape(body))
    assert not broken, broken
    assert htmllib.unescape(body).count(f"95{NBSP}%") >= 5


# ------------------------------------------------------------------ 9: workbook title, language, header rows
@pytest.fixture(scope="module")
def workbook(report_data, tmp_path_factory):
    path = xl.write_workbook(report_data, tmp_path_factory.mktemp("wb") / "rapport.xlsx")
    return openpyxl.load_workbook(path)


def test_workbook_has_a_title_and_the_language_nb_no(workbook, report_data):
    assert workbook.properties.title == f"{report_data.title} – fritekstrapport {report_data.current_wave}"
    assert workbook.properties.language == "nb-NO"


def test_every_sheet_with_data_is_an_excel_table_with_its_header_row(workbook):
    names = set()
    for ws in workbook.worksheets:
        header = [c.value for c in ws[1]]
        if ws.max_row < 2:
            assert not ws.tables, ws.title
            continue
        assert len(ws.tables) == 1, f"sheet «{ws.title}»: expected one Excel table, got {list(ws.tables)}"
        table = next(iter(ws.tables.values()))
        assert table.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}{ws.max_row}", (ws.title, table.ref)
        assert table.headerRowCount in (None, 1)
        assert [c.name for c in table.tableColumns] == header, ws.title
        assert table.autoFilter is not None and table.autoFilter.ref == table.ref
        assert ws.auto_filter.ref is None, f"sheet «{ws.title}»: a sheet filter beside the table's own"
        assert ws.freeze_panes == "A2", ws.title
        names.add(table.displayName)
    assert len(names) >= 5 and all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n) for n in names), names


def test_tables_keep_the_number_formats_and_header_style(workbook):
    ws = workbook["Temaer"]
    header = [c.value for c in ws[1]]
    share = ws.cell(row=2, column=header.index("Andel av svarte") + 1)
    assert share.number_format == xl.PCT
    assert all(c.font.b for c in ws[1])


def test_table_name_is_a_valid_excel_name():
    assert xl.table_name("Kodede svar") == "Tabell_Kodede_svar"
    assert xl.table_name("Måling ønsket æ") == "Tabell_Maling_onsket_ae"


# ------------------------------------------------------------------ 10: headings for the segment blocks (2.4.6)
class _Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.levels: list[int] = []
        self.in_details = 0
        self.details_with_heading: list[bool] = []

    def handle_starttag(self, tag, attrs):
        if tag == "details":
            self.in_details += 1
            self.details_with_heading.append(False)
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))
            if self.in_details:
                self.details_with_heading[-1] = True

    def handle_endtag(self, tag):
        if tag == "details":
            self.in_details -= 1


def test_each_segment_block_has_a_heading_and_no_level_is_skipped(report_data):
    p = _Headings()
    p.feed(render_html(report_data))
    assert p.details_with_heading and all(p.details_with_heading), p.details_with_heading
    assert p.levels.count(1) == 1 and p.levels[0] == 1, p.levels
    for a, b in zip(p.levels, p.levels[1:]):
        assert b <= a + 1, f"heading level skipped: h{a} → h{b}"


# ------------------------------------------------------------------ 12: aliases of a left-out segment; one blanking
def _alias_report() -> ReportData:
    from textmine.report.views import report_labels
    from textmine.survey import SurveyDefinition

    survey = SurveyDefinition.from_dict({
        "name": "t", "id": "respondent_id", "wave": "wave", "min_cell": 3,
        "segments": [{"column": "avdeling", "label": "Avdeling", "levels": ["Nord", "Sør"],
                      "aliases": {"Nord": ["Nordkontoret"]}}],
        "indicators": [{"id": "h", "column": "q_h", "label": "H", "scale": [1, 5]}],
        "free_text": [{"column": "f", "label": "F"}]})
    n = 12
    coded = pd.DataFrame({"respondent_id": [f"R{i}" for i in range(n)], "wave": "2024", "question": "f",
                          "text_clean": ["Vi på Nordkontoret venter for lenge på svar."] + ["Greit nok."] * (n - 1),
                          "themes": "", "confidence": 0.9, "avdeling": ["Nord"] * 6 + ["Sør"] * 6})
    return ReportData(title="t", waves=["2024"], segments={"avdeling": "Avdeling"}, coded=coded,
                      method={"min_n": 3, "labels": report_labels(survey), "personal_ids": 0})


def test_report_labels_carry_the_declared_aliases():
    labels = _alias_report().method["labels"]
    assert labels["aliases"] == {"avdeling": {"Nord": ["Nordkontoret"]}}


def test_a_left_out_segments_alias_is_masked_in_the_row_export():
    r = _alias_report()
    rows, _ = xl.export_rows(r, omit=["avdeling"])
    assert "avdeling" not in rows.columns
    assert "Nordkontoret" not in rows["text_clean"].iloc[0], rows["text_clean"].iloc[0]
    assert "[AVDELING]" in rows["text_clean"].iloc[0]
    shown, _ = xl.export_rows(r)  # shown (6 a level, min_cell 3): the value is in the row, the text may name it
    assert shown["text_clean"].iloc[0] == r.coded["text_clean"].iloc[0]


def test_export_rows_computes_the_small_cell_blanking_once(report_data, monkeypatch):
    import textmine.rowdisclosure as rd

    calls = []
    real = rd.blank_small_cells

    def counted(out, segments, min_cell):
        calls.append(list(segments))
        return real(out, segments, min_cell)

    monkeypatch.setattr(rd, "blank_small_cells", counted)
    monkeypatch.setattr(xl, "_blank_small_cells", counted)
    xl.export_rows(report_data)
    computed = [c for c in calls if c]  # (a call without segments blanks nothing)
    assert len(computed) == 1, f"the blanking was computed {len(computed)} times: {calls}"


def test_export_rows_equal_the_two_step_path(report_data):
    from textmine.summary import mask_withheld_mentions

    omit = set(report_data.method.get("unattributed") or ())
    segments = [c for c in report_data.segments if c in report_data.coded.columns and c not in omit]
    columns = [c for c in report_data.segments if c in report_data.coded.columns]
    masked = mask_withheld_mentions(report_data.coded, xl._report_survey(report_data, columns, segments))
    expected, n_small, n_health = xl.safe_coded_rows(masked, segments, xl._min_cell(report_data))
    rows, counts = xl.export_rows(report_data)
    keep = [c for c in rows.columns if c in expected.columns]
    pd.testing.assert_frame_equal(rows[keep].reset_index(drop=True), expected[keep].reset_index(drop=True))
    assert (counts["small"], counts["health"]) == (n_small, n_health)


def test_method_texts_keep_95_and_percent_together(report_data):
    """The method notes the report, the workbook and the summary files print (verdict rule, test method, weights)
    never break a line between «95» and «%» either (WCAG audit dec05d, left from the first round)."""
    import textmine.summary as ts

    texts = (ts.VERDICT_RULE, ts.DIFFERENCE_RULE, ts.TEST_METHOD, report_data.method["weights"])
    for text in texts:
        assert "95 %" not in text and "95\u00a0%" in text, text
