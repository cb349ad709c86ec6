"""Printing the HTML report: segment tables in closed <details> print open (CSS only, no script)."""

from __future__ import annotations

import re

import pytest

from textmine.report.html import render_html

from ..browsertools import CHROMIUM, HAS_CHROMIUM, chromium



def _print_rules(html: str) -> list[str]:
    """The bodies of every ``@media print{…}`` block in the report's inline CSS (nested braces counted)."""
    css = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    out = []
    for m in re.finditer(r"@media\s+print\s*\{", css):
        depth, i = 1, m.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(css[i], 0)
            i += 1
        out.append(css[m.end():i - 1])
    return out


@pytest.fixture(scope="module")
def html(report_data):
    out = render_html(report_data, charts={})
    assert re.search(r"<details data-segment=", out), "the report has no closed segment table to print"
    return out


def test_print_css_opens_closed_details(html):
    rules = re.sub(r"/\*.*?\*/|\s+", "", "".join(_print_rules(html)), flags=re.S)
    # the pseudo-element gets a rule of its own: in a browser without it, a selector list holding it would drop
    # the whole rule (and with it the other print rules)
    body = re.search(r"(?:^|})details::details-content\{([^}]*)\}", rules)
    assert body, rules
    assert "content-visibility:visible" in body.group(1) and "display:block" in body.group(1)


def test_printing_needs_no_script(html):
    assert "<script" not in html and "onbeforeprint" not in html.lower()


def test_screen_still_collapses_the_other_segments(html):
    opened = re.findall(r"<details( open)? data-segment=", html)
    assert opened[0] == " open" and "" in opened[1:]
    css = re.search(r"<style>(.*?)</style>", html, re.S)[1]
    screen = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", css)
    assert "details-content" not in screen


@pytest.mark.skipif(not HAS_CHROMIUM, reason=f"chromium not installed at {CHROMIUM}")
def test_closed_segment_table_is_visible_when_printed(html):
    # in a thread of its own: the browser tests' session-wide Playwright keeps an event loop in this one, and the
    # sync API refuses to start inside it
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pool.submit(_print_check, html).result()


def _print_check(html: str) -> None:
    with chromium() as browser:
        page = browser.new_page()
        page.route("**/*", lambda route: route.abort())  # self-contained: nothing may be fetched
        page.set_content(html)
        table = page.locator("details:not([open]) table").first
        caption = table.locator("caption")
        assert not table.is_visible()  # on screen the segment stays collapsed
        page.emulate_media(media="print")
        assert table.is_visible() and caption.is_visible()
        assert "Andel av dem som svarte, etter" in caption.inner_text()
        box = table.bounding_box()
        assert box and box["height"] > 20
        page.emulate_media(media="screen")
        assert not table.is_visible()
