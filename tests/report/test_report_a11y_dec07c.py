"""Accessibility review leftovers (WCAG 2.1 AA): the user's bokmål on a nynorsk page marked lang="nb" (3.1.2), the
glossary «Ord og metode» linked from the first use of each term (3.1.3), the fieldwork period in the intro, and the
PNG charts' alternative texts in a file beside them (1.1.1)."""

from __future__ import annotations

import copy
import csv
import html as html_lib
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from textmine.report.html import make_charts, render_html
from textmine.report.pagetext import mark_bokmal
from textmine.report.views import fieldwork_period, fieldwork_text
from textmine.report.wording import looks_bokmal

#: words that are bokmål and never nynorsk (not «mange», «andel(en)», «også»: those are nynorsk too)
BOKMAL_ONLY = frozenset("ikke hvor hva hvordan hvilke ble uten fra noen mye antall innen andelene kommentarer "
                        "tjenester sitater helhetlig".split())
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
#: (charts are role="img": their drawn text is presentational; their name is the aria-label, one string)
_SKIP = {"style", "script", "title", "svg"}


class _Texts(HTMLParser):
    """Each text node and title attribute of a page with the language it is in (the innermost lang)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []
        self.texts: list[tuple[str, str]] = []

    def _lang(self) -> str:
        return next((lang for _, lang in reversed(self.stack) if lang), "")

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in _VOID:
            self.stack.append((tag, a.get("lang") or ""))
        if a.get("title") and not self._skipped():
            self.texts.append((a.get("lang") or self._lang(), a["title"]))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def _skipped(self) -> bool:
        return any(t in _SKIP for t, _ in self.stack)

    def handle_data(self, data):
        if not self._skipped():
            self.texts.append((self._lang(), data))


def unmarked_bokmal(page: str) -> list[tuple[str, str]]:
    """(word, text) for each bokmål-only word of ``page`` outside elements marked lang="nb" and outside «…»."""
    parser = _Texts()
    parser.feed(page)
    joined = "\x00".join(text if lang != "nb" else " " for lang, text in parser.texts)
    joined = re.sub(r"«[^«»]*»", " ", joined)  # (a quote may span several text nodes)
    return [(w, chunk.strip()[:120]) for chunk in joined.split("\x00")
            for w in re.findall(r"[A-Za-zÆØÅæøå]+", chunk) if w.lower() in BOKMAL_ONLY]


@pytest.fixture(scope="module")
def pages(report_data):
    """The conftest's report rendered in bokmål and nynorsk (SVG charts only: fast)."""
    out = {}
    for lang in ("nb", "nn"):
        r = copy.copy(report_data)
        r.language = lang
        out[lang] = render_html(r, make_charts(r, png=False))
    return out


def test_nynorsk_page_marks_the_users_bokmal(pages):
    page = pages["nn"]
    assert '<html lang="nn">' in page
    assert unmarked_bokmal(page) == []
    # the fixture's bokmål labels are there, marked (the scan above would otherwise find «Antall», «kommentarer»)
    assert '<span lang="nb">Antall ansatte</span>' in page
    assert '<span lang="nb">Telefon og tilgjengelighet</span>' in page
    assert '<span lang="nb">«Har du andre kommentarer til NAV?»</span>' in page
    assert '<span lang="nb"><span' not in page  # (never nested)
    # the fixed text stays the page's own language
    assert '<h2 id="tema">Tema i fritekstsvara</h2>' in page
    assert not re.search(r'<span lang="nb">[^<]*(?:ikkje|Tema i|Metode)', page)


def test_scan_finds_unmarked_bokmal_and_bokmal_page_is_not_marked(pages):
    unmarked = re.sub(r'<span lang="nb">(.*?)</span>', r"\1", pages["nn"])
    assert {w.lower() for w, _ in unmarked_bokmal(unmarked)} >= {"antall", "kommentarer"}
    assert '<span lang="nb">' not in pages["nb"]
    # (the bokmål page is all bokmål: read as if it were marked nynorsk, the scan finds its fixed text)
    assert {"ikke", "andelene"} <= {w.lower() for w, _ in unmarked_bokmal(pages["nb"].replace('lang="nb"', 'lang="nn"'))}


def test_mark_bokmal_marks_only_bokmal():
    page = ('<html lang="nn"><body><p>Etter Antall ansatte og Tal tilsette: «Kva meiner du?» og «Hva mener du?»</p>'
            '<blockquote lang="en">Hva</blockquote><style>p{}</style><svg><text>Antall ansatte</text></svg></body>'
            '</html>')
    out = mark_bokmal(page, ["Antall ansatte", "Tal tilsette"], "nn")
    assert out == ('<html lang="nn"><body><p>Etter <span lang="nb">Antall ansatte</span> og Tal tilsette: «Kva meiner '
                   'du?» og <span lang="nb">«Hva mener du?»</span></p><blockquote lang="en">Hva</blockquote>'
                   '<style>p{}</style><svg><text>Antall ansatte</text></svg></body></html>')
    assert mark_bokmal(page, ["Antall ansatte"], "nb") == page
    assert looks_bokmal("Fornøyd med NAV, helhetlig sett") and not looks_bokmal("Del positive")


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_glossary_linked_from_first_use(pages, lang):
    page = pages[lang]
    head, sep, glossary = page.partition('<section aria-labelledby="ord"')
    assert sep, "no «Ord og metode» section"
    assert '<h2 id="ord">Ord og metode</h2>' in glossary
    terms = re.findall(r'<dt id="ord-([\w-]+)">', glossary)
    assert {"ki", "z-test", "bh", "logit", "robust-se", "designeffekt"} <= set(terms), terms
    for key in terms:  # each linked once, before the glossary, to an entry that is there
        assert head.count(f'href="#ord-{key}"') == 1, key
    # the first use of each term in the running text is the linked one
    text = re.sub(r"<svg.*?</svg>|<style>.*?</style>|<title>.*?</title>", "", head, flags=re.S)
    body = text.split('<nav class="toc"', 1)[1]
    first_z = re.search(r"(?<!ord-)z-test", body)
    assert body[first_z.start() - len('<a href="#ord-z-test">'):first_z.start()] == '<a href="#ord-z-test">'
    assert re.search(r'<a href="#ord-logit">logit</a>', head)
    assert 'href="#ord"' in head.split("</header>")[0]  # the intro points to it
    words = {"nb": "Feilmarginen rundt et tall", "nn": "Feilmarginen rundt eit tal"}
    assert words[lang] in glossary


def test_fieldwork_period_from_a_date_column():
    frame = pd.DataFrame({"dato": ["2023-03-21", "2023-03-03", None, "2023-03-10"]})
    assert fieldwork_period(frame) == {"start": "2023-03-03", "end": "2023-03-21", "column": "dato"}
    assert fieldwork_period(pd.DataFrame({"svardato": ["14.03.2023", "02.05.2023"]}))["end"] == "2023-05-02"
    assert fieldwork_period(pd.DataFrame({"wave": [2023, 2023], "dato": ["ukjent", "x"]})) is None
    assert fieldwork_period(pd.DataFrame({"wave": [2023]})) is None
    assert fieldwork_text({"start": "2023-03-03", "end": "2023-03-21"}) == "3.–21. mars 2023"
    assert fieldwork_text({"start": "2023-02-28", "end": "2023-04-14"}) == "28. februar–14. april 2023"
    assert fieldwork_text({"start": "2022-12-20", "end": "2023-01-10"}) == "20. desember 2022–10. januar 2023"
    assert fieldwork_text(None) == ""


def test_report_intro_shows_fieldwork_only_when_the_data_has_dates(synthetic, summary, survey, pages):
    from textmine.report import report_from_summary

    frames = {int(k): v.copy() for k, v in synthetic["frames"].items()}
    frames[2023]["dato"] = pd.date_range("2023-03-01", periods=len(frames[2023]), freq="h").strftime("%Y-%m-%d")
    r = report_from_summary(summary, survey, frames=frames, codebook=synthetic["codebook"])
    page = render_html(r, {})
    intro = page.split("</header>")[0]
    assert '<p class="fieldwork">Datainnsamling: 1. mars–7. april 2023.</p>' in intro
    assert "Datainnsamling" not in pages["nb"]  # (the fixture's waves are named by year and carry no dates)


def test_png_charts_have_their_alt_texts_beside_them(report_data, tmp_path):
    from textmine.report.writer import write_report

    r = copy.copy(report_data)
    r.language = "nn"
    written = write_report(r, tmp_path, formats=("charts",))
    folder = tmp_path / "figurer"
    path = folder / "alt-tekster.csv"
    assert written["chart_alt"] == path
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert rows[0] == ["fil", "alternativ tekst"]
    alts = dict(rows[1:])
    assert sorted(alts) == sorted(p.name for p in folder.glob("*.png")) and len(alts) >= 3
    for name, text in alts.items():  # the text the page gives the same chart (its aria-label)
        svg = (folder / name).with_suffix(".svg").read_text(encoding="utf-8")
        label = html_lib.unescape(re.search(r'<svg[^>]*aria-label="([^"]*)"', svg).group(1))
        assert text == " ".join(label.split()), name
        assert text.strip()
