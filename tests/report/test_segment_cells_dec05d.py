"""Segment tables of the HTML report paste into Excel/Word as numbers (dec05d): one measure a column, as the sheet
«Temaer» has them (n, grunnlag, andel, KI nedre, KI øvre), never share, count and interval stacked in one cell;
headers, caption, suppression marks and «Liten gruppe» rows keep working."""

from __future__ import annotations

import dataclasses
import html as htmllib
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from textmine.report.html import render_html

from ..browsertools import CHROMIUM, HAS_CHROMIUM, chromium
from textmine.report.views import neutral_small_levels

NBSP = "\u00a0"
#: the number columns of the sheet «Temaer», in its order
SEGMENT_COLUMNS = ("n (nevner temaet)", "Grunnlag (svarte)", "Andel av svarte (%)", "KI nedre (%)", "KI øvre (%)")
#: a number as a Norwegian Excel reads it from a pasted cell: digits, no-break spaces between groups, decimal comma
NUMBER = re.compile(rf"\d{{1,3}}(?:{NBSP}\d{{3}})*(?:,\d+)?")


class _Tables(HTMLParser):
    """Every table of a page as Excel pastes it: its caption, and its rows as lists of cells (text, tag, attrs)."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._cell: dict | None = None
        self._caption: list[str] | None = None
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append({"attrs": a, "caption": "", "rows": [], "tbodies": 0})
        elif tag == "caption":
            self._caption = []
        elif tag == "tbody" and self.tables:
            self.tables[-1]["tbodies"] += 1
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = {"tag": tag, "attrs": a, "text": [], "sr": [], "br": False}
            self.tables[-1]["rows"][-1].append(self._cell)
        elif tag == "br" and self._cell is not None:
            self._cell["br"] = True
        elif tag == "span" and "sr-only" in (a.get("class") or ""):
            self._hidden += 1
        elif tag == "span" and self._hidden:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._cell = None
        elif tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = "".join(self._caption).strip()
            self._caption = None
        elif tag == "span" and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if self._caption is not None:
            self._caption.append(data)
        if self._cell is not None:
            self._cell["sr" if self._hidden else "text"].append(data)


def _segment_tables(html: str) -> dict[str, dict]:
    """The segment tables of the report by segment column (the ``data-segment`` of their <details>)."""
    out = {}
    for m in re.finditer(r'<details(?: open)? data-segment="([^"]+)">(.*?)</details>', html, re.S):
        p = _Tables()
        p.feed(m.group(2))
        assert len(p.tables) == 1, m.group(1)
        out[m.group(1)] = p.tables[0]
    return out


def _text(cell: dict) -> str:
    return htmllib.unescape("".join(cell["text"])).strip()


def _with_hidden_and_large_cells(report_data):
    th = report_data.themes.copy()
    seg = (th["wave"] == "2023") & (th["segment_var"] == "sektor")
    first, second = th.index[seg][:2]
    th.loc[first, ["count", "base", "share", "ci_low", "ci_high"]] = float("nan")
    th.loc[first, "suppressed"] = True
    th.loc[second, ["count", "base", "share", "ci_low", "ci_high"]] = [1234, 2000, 0.617, 0.595, 0.638]
    return dataclasses.replace(report_data, themes=th), th.loc[first], th.loc[second]


@pytest.fixture(scope="module")
def sektor(report_data):
    r, hidden, big = _with_hidden_and_large_cells(report_data)
    return _segment_tables(render_html(r, charts={}))["sektor"], hidden, big


def _row(table: dict, theme: str, level: str) -> list[dict]:
    rows = [r for r in table["rows"] if len(r) > 2 and _text(r[0]) == theme and _text(r[1]) == level]
    assert len(rows) == 1, (theme, level, [[_text(c) for c in r] for r in table["rows"]][:5])
    return rows[0]


def test_segment_table_has_one_column_per_measure_as_the_sheet(sektor):
    table, _, _ = sektor
    head = table["rows"][0]
    assert [_text(c) for c in head] == ["Tema", "Sektor", *SEGMENT_COLUMNS]
    assert all(c["tag"] == "th" and c["attrs"].get("scope") == "col" for c in head)
    body = table["rows"][1:]
    assert body and all(len(r) == len(head) for r in body), "a row with merged or missing cells"
    for r in body:  # each row is headed by its theme and its level
        assert [(c["tag"], c["attrs"].get("scope")) for c in r[:2]] == [("th", "row"), ("th", "row")]


def test_every_number_cell_holds_one_number_and_nothing_is_stacked(sektor):
    table, _, _ = sektor
    for r in table["rows"]:
        for c in r:
            assert not c["br"], f"stacked cell: {_text(c)!r}"
    for r in table["rows"][1:]:
        for c in r[2:]:
            text = _text(c)
            where = f"{_text(r[0])}/{_text(r[1])}"
            assert NUMBER.fullmatch(text) or text in ("–*", "–"), f"not one number: {text!r} in {where}"


def test_a_shown_cell_pastes_as_count_base_share_and_interval_bounds(sektor):
    _, _, big = sektor
    table = sektor[0]
    cells = [_text(c) for c in _row(table, big["label"], big["segment"])[2:]]
    assert cells == [f"1{NBSP}234", f"2{NBSP}000", "62", "60", "64"], cells


def test_a_hidden_cell_marks_every_number_and_is_explained_once(sektor):
    table, hidden, _ = sektor
    row = _row(table, hidden["label"], hidden["segment"])
    assert [_text(c) for c in row[2:]] == ["–*"] * len(SEGMENT_COLUMNS)
    assert all("sup" in c["attrs"].get("class", "") for c in row[2:])
    explained = ["".join(c["sr"]) for c in row[2:] if c["sr"]]
    assert len(explained) == 1 and "skjult" in explained[0], explained


def test_caption_says_what_the_columns_hold(sektor):
    table, _, _ = sektor
    cap = htmllib.unescape(table["caption"])
    assert cap.startswith("Andel av dem som svarte, etter sektor"), cap
    assert "i prosent" in cap and "KI" in cap and "antall som nevner temaet (n)" in cap, cap


def test_rows_follow_the_themes_by_share_with_one_group_per_theme(report_data, sektor):
    table, _, _ = sektor
    th = report_data.themes
    overall = th[(th["wave"] == "2023") & (th["segment_var"] == "Alle")].sort_values("share", ascending=False)
    themes = list(dict.fromkeys(_text(r[0]) for r in table["rows"][1:]))
    assert themes == list(overall["label"])
    assert table["tbodies"] == len(themes)


def test_small_group_rows_come_last_in_each_theme_and_the_note_stays(report_data):
    th = report_data.themes
    rows = th[(th["wave"] == "2023") & (th["segment_var"] == "fylke")].copy()
    hid = rows["segment"].isin(["Nordland", "Oslo"])
    rows.loc[hid, "suppressed"] = True
    named = neutral_small_levels(rows, {("fylke", "Oslo"): "liten gruppe 1", ("fylke", "Nordland"): "liten gruppe 2"})
    other = th[~((th["wave"] == "2023") & (th["segment_var"] == "fylke"))]
    r = dataclasses.replace(report_data, themes=pd.concat([other, named], ignore_index=True))
    html = render_html(r, charts={})
    table = _segment_tables(html)["fylke"]
    groups: dict[str, list[str]] = {}
    for row in table["rows"][1:]:
        groups.setdefault(_text(row[0]), []).append(_text(row[1]))
    expected = ["Vestland", "Liten gruppe 1", "Liten gruppe 2"]
    assert groups and all(levels == expected for levels in groups.values()), groups
    block = html[html.index('data-segment="fylke"'):]
    block = block[:block.index("</details>")]
    assert "Oslo" not in block and "Nordland" not in block
    assert "«Liten gruppe» = en gruppe med så få svar" in block and "–* = skjult" in block


def _copied_text(html: str, segment: str) -> str:
    """The plain text a browser puts on the clipboard when the reader selects the whole segment table."""
    with chromium() as browser:
        page = browser.new_page()
        page.route("**/*", lambda route: route.abort())
        page.set_content(html)
        return page.evaluate("""(seg) => {
            const t = document.querySelector(`details[data-segment="${seg}"] table`);
            const range = document.createRange(); range.selectNode(t);
            const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
            return sel.toString(); }""", segment)


@pytest.mark.skipif(not HAS_CHROMIUM, reason=f"chromium not installed at {CHROMIUM}")
def test_a_copied_segment_table_has_one_value_per_cell(report_data):
    from concurrent.futures import ThreadPoolExecutor

    r, hidden, big = _with_hidden_and_large_cells(report_data)
    with ThreadPoolExecutor(1) as pool:  # a thread of its own: the sync API refuses to run inside an event loop
        text = pool.submit(_copied_text, render_html(r, charts={}), "sektor").result()
    lines = [line.split("\t") for line in text.strip().splitlines()]
    assert ["Tema", "Sektor", *SEGMENT_COLUMNS] in lines, lines[:3]
    assert [big["label"], big["segment"], f"1{NBSP}234", f"2{NBSP}000", "62", "60", "64"] in lines
    assert [hidden["label"], hidden["segment"], *["–*"] * len(SEGMENT_COLUMNS)] in lines  # no explanation pasted
