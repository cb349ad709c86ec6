"""Codebook hierarchy in the report (dec05d): a parent theme («Ytelser og utbetaling») counts the answers with any of
its children, so the theme table shows the children indented under it with a note, the headline names the most
frequent leaf theme (or says the parent is a group), and the workbook's sheet «Temaer» keeps children under their
parent, with the parent's label beside them."""

from __future__ import annotations

import dataclasses
import html as htmllib
import re

import openpyxl
import pytest

from textmine.report import excel as xl
from textmine.report.html import render_html

PARENT, CHILDREN = "ros", ("telefon", "refusjon")


def _with_parent(report_data, *, codebook_children_first: bool = False):
    """The report data with «Ros» as the parent of «Telefon…» and «Refusjon…», its share the largest (a parent's share
    counts its children's answers)."""
    cb = [dict(t, parent=PARENT if t["id"] in CHILDREN else t.get("parent")) for t in report_data.codebook]
    if codebook_children_first:  # the codebook may list a child before its parent
        cb = [t for t in cb if t["id"] in CHILDREN] + [t for t in cb if t["id"] not in CHILDREN]
    th = report_data.themes.copy()
    top = (th["wave"] == "2023") & (th["segment_var"] == "Alle") & (th["theme"] == PARENT)
    th.loc[top, "share"] = 0.95
    return dataclasses.replace(report_data, codebook=cb, themes=th)


def _labels(report_data) -> dict[str, str]:
    return {t["id"]: t["label"] for t in report_data.codebook}


def _theme_table(html: str) -> str:
    i = html.index('id="tema"')
    return html[html.index("<table", i):html.index("</table>", i)]


def _row_heads(table: str) -> list[tuple[str, str]]:
    """(row class, visible row header) of each body row."""
    out = []
    for cls, head in re.findall(r'<tr(?: class="([^"]*)")?><th scope="row">(.*?)</th>', table, re.S):
        visible = re.sub(r'<span class="sr-only">.*?</span>', "", head)
        out.append((cls, htmllib.unescape(re.sub(r"<[^>]+>", "", visible)).strip()))
    return out


def test_children_are_shown_indented_right_under_their_parent(report_data):
    r = _with_parent(report_data)
    labels = _labels(r)
    rows = _row_heads(_theme_table(render_html(r, charts={})))
    names = [h for _, h in rows]
    parent_at = names.index(f"{labels[PARENT]} (gruppe)")
    kids = rows[parent_at + 1:parent_at + 1 + len(CHILDREN)]
    assert sorted(h for _, h in kids) == sorted(labels[c] for c in CHILDREN), rows
    assert all("child-theme" in cls for cls, _ in kids), rows
    others = [cls for i, (cls, _) in enumerate(rows) if not parent_at <= i <= parent_at + len(CHILDREN)]
    assert not any("child-theme" in c for c in others), rows


def test_a_child_row_says_its_parent_to_screen_readers(report_data):
    r = _with_parent(report_data)
    table = _theme_table(render_html(r, charts={}))
    for c in CHILDREN:
        assert f'<span class="sr-only">Undertema av «{_labels(r)[PARENT]}»: </span>{_labels(r)[c]}' in table


def test_the_theme_table_explains_what_a_parents_share_counts(report_data):
    r = _with_parent(report_data)
    html = render_html(r, charts={})
    i = html.index('id="tema"')
    section = htmllib.unescape(html[i:html.index("</section>", i)])
    assert "Andelen for en gruppe teller svar som nevner minst ett av undertemaene eller gruppen selv" in section
    assert f"«{_labels(r)[PARENT]}» samler" in section
    assert "Andelen for en gruppe" not in htmllib.unescape(render_html(report_data, charts={}))


def test_the_headline_names_the_most_frequent_leaf_theme_not_the_parent(report_data):
    r = _with_parent(report_data)
    html = htmllib.unescape(render_html(r, charts={}))
    facts = html[html.index('id="hovedfunn"'):html.index("</section>", html.index('id="hovedfunn"'))]
    th = r.themes
    overall = th[(th["wave"] == "2023") & (th["segment_var"] == "Alle") & ~th["suppressed"].astype(bool)]
    leaf = overall[overall["theme"] != PARENT].sort_values("share", ascending=False).iloc[0]
    assert f"nevner «{leaf['label']}»" in facts, facts
    assert f"nevner «{_labels(r)[PARENT]}»" not in facts, facts


def test_the_headline_says_a_parent_is_a_group_when_no_leaf_is_shown(report_data):
    r = _with_parent(report_data)
    th = r.themes.copy()
    overall = (th["wave"] == "2023") & (th["segment_var"] == "Alle")
    th.loc[overall & (th["theme"] != PARENT), "suppressed"] = True
    html = htmllib.unescape(render_html(dataclasses.replace(r, themes=th), charts={}))
    assert f"nevner minst ett av temaene i gruppen «{_labels(r)[PARENT]}»" in html


def test_segment_tables_keep_children_under_their_parent(report_data):
    r = _with_parent(report_data)
    html = render_html(r, charts={})
    block = re.search(r'<details(?: open)? data-segment="sektor">(.*?)</details>', html, re.S).group(1)
    themes = list(dict.fromkeys(htmllib.unescape(t) for t in
                                re.findall(r'<tbody><tr[^>]*><th scope="row">([^<]*)</th>', block)))
    at = themes.index(_labels(r)[PARENT])
    assert sorted(themes[at + 1:at + 1 + len(CHILDREN)]) == sorted(_labels(r)[c] for c in CHILDREN), themes


@pytest.fixture(scope="module")
def temaer(report_data, tmp_path_factory):
    r = _with_parent(report_data, codebook_children_first=True)
    path = xl.write_workbook(r, tmp_path_factory.mktemp("h") / "r.xlsx", row_level=False)
    ws = openpyxl.load_workbook(path)["Temaer"]
    rows = list(ws.iter_rows(values_only=True))
    return r, rows[0], rows[1:]


def test_sheet_temaer_has_the_parent_beside_each_child(temaer):
    r, header, rows = temaer
    assert header[header.index("Tema") + 1] == "Overordnet tema", header
    col, theme = header.index("Overordnet tema"), header.index("Tema-id")
    for row in rows:
        expected = _labels(r)[PARENT] if row[theme] in CHILDREN else None
        assert row[col] == expected, row


def test_sheet_temaer_lists_children_right_after_their_parent(temaer):
    _, header, rows = temaer
    theme, seg_var, wave = header.index("Tema-id"), header.index("Segmentvariabel"), header.index("Måling")
    blocks: dict[tuple, list[str]] = {}
    for row in rows:
        blocks.setdefault((row[wave], row[seg_var]), []).append(row[theme])
    for key, ids in blocks.items():
        order = list(dict.fromkeys(ids))
        at = order.index(PARENT)
        assert sorted(order[at + 1:at + 1 + len(CHILDREN)]) == sorted(CHILDREN), (key, order)


def test_sheet_temaer_is_unchanged_without_parents(report_data, tmp_path):
    ws = openpyxl.load_workbook(xl.write_workbook(report_data, tmp_path / "r.xlsx", row_level=False))["Temaer"]
    assert "Overordnet tema" not in [c.value for c in ws[1]]


def test_hierarchy_order_nests_children_and_drops_nothing():
    from textmine.report.views import hierarchy_order

    parents = {"b": "a", "c": "b", "d": "x", "e": "e"}
    assert hierarchy_order(["c", "d", "a", "b", "e", "f"], parents) == [
        ("d", 0), ("a", 0), ("b", 1), ("c", 2), ("e", 0), ("f", 0)]
    cycle = hierarchy_order(["p", "q"], {"p": "q", "q": "p"})
    assert sorted(t for t, _ in cycle) == ["p", "q"]
