"""Accessibility (WCAG 2.1 AA) of the service's pages: verdict badges and the focus ring with enough contrast,
quotes and review comments in another language marked with lang, the dashboard's segment tables explained in
text (not tooltips only), captions, abbreviations, Norwegian job states, keyboard-reachable scroll regions and the
session keep-alive behind the time-out warning."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import SAMPLE_CSV_2023, create_survey, hdr, issue_keys, make_settings, sample_frame

from service.web.pages import env, library_verdicts, verdict_class

WEB = Path(__file__).resolve().parents[2] / "service" / "web"
CSS = (WEB / "static" / "app.css").read_text(encoding="utf-8")


# ------------------------------------------------------------------ WCAG contrast (relative luminance formula)
def _luminance(colour: str) -> float:
    h = colour.lstrip("#")
    h = "".join(c * 2 for c in h) if len(h) == 3 else h
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _css_colour(value: str) -> str:
    """A colour of app.css, ``var(--x)`` resolved from :root."""
    m = re.fullmatch(r"var\(--([\w-]+)\)", value.strip())
    if not m:
        return value.strip()
    found = re.search(rf"--{m.group(1)}:(#[0-9a-fA-F]{{3,6}})", CSS)
    assert found, f"app.css: --{m.group(1)} is not defined in :root"
    return found.group(1)


def _background(selector: str) -> str | None:
    """The background colour app.css gives ``selector`` exactly (None without such a rule)."""
    m = re.search(re.escape(selector) + r"\{[^}]*background:([^;}]+)", CSS)
    return _css_colour(m.group(1)) if m else None


def test_contrast_formula_matches_known_values():
    assert round(contrast("#000", "#fff"), 2) == 21.0 and round(contrast("#f6b73c", "#fff"), 2) == 1.79


@pytest.mark.parametrize("verdict", library_verdicts())
def test_every_verdict_the_library_emits_renders_as_a_badge_with_a_readable_background(verdict):
    markup = env.get_template("theme.html").render(
        who=None, wave=SimpleNamespace(id=1, label="2023"), data=SimpleNamespace(segments={}), label="Telefon",
        blocks=[{"question": "q", "text": "Spørsmål", "overall": {"share": 0.2, "ci_low": 0.1, "ci_high": 0.3,
                                                                  "count": 20, "base": 100},
                 "segments": [], "quotes": [], "impact": [],
                 "changes": [{"prev_wave": "2022", "diff": 0.05, "prev_share": 0.15, "share": 0.2,
                              "verdict": verdict}]}])
    badge = re.search(r'<span class="badge ([^"]+)">([^<]+)</span>', markup)
    assert badge and html.unescape(badge.group(2)) == verdict, markup
    colour = _background(f".badge.{badge.group(1)}")
    assert colour is not None, f"app.css has no background rule for .badge.{badge.group(1)} (verdict «{verdict}»)"
    assert contrast("#ffffff", colour) >= 4.5, f"«{verdict}»: white on {colour} is {contrast('#fff', colour):.2f}:1"


def test_verdicts_include_the_ones_that_had_no_background_and_an_unknown_one_still_gets_one():
    assert {"ikke testbar", "for få svar", "forskjell", "ingen sikker forskjell"} <= set(library_verdicts())
    assert verdict_class("noe nytt") == "v-ukjent" and _background(".badge.v-ukjent")
    base = _background(".badge")
    assert base is not None and contrast("#ffffff", base) >= 4.5  # any badge: never white on nothing


def test_focus_ring_has_3_to_1_contrast_on_the_page_backgrounds():
    ring = re.search(r":focus-visible\{outline:\d+px solid ([^;}]+)", CSS)
    assert ring, "app.css: no :focus-visible outline"
    colour = _css_colour(ring.group(1))
    for background in ("#ffffff", "#f4f6f8", "#e6eef7", "#fff8e6"):  # page, table heads/cards, suggested theme, warning
        ratio = contrast(colour, background)
        assert ratio >= 3, f"focus {colour} on {background}: {ratio:.2f}:1"
    header = re.search(r"header\.top :focus-visible\{outline-color:([^;}]+)", CSS)
    accent = _css_colour("var(--accent)")
    assert header and contrast(_css_colour(header.group(1)), accent) >= 3  # links and button on the blue header


# ------------------------------------------------------------------ templates without a server
def _theme_page(quotes: list[dict]) -> str:
    return env.get_template("theme.html").render(
        who=None, wave=SimpleNamespace(id=1, label="2023"), data=SimpleNamespace(segments={"sektor": "Sektor"}),
        label="IA og forebygging",
        blocks=[{"question": "q", "text": "Spørsmål", "overall": {"share": 0.2, "ci_low": 0.1, "ci_high": 0.3,
                                                                  "count": 20, "base": 100},
                 "segments": [{"segment_var": "sektor", "segment": "Privat", "suppressed": False, "share": 0.2,
                               "ci_low": 0.1, "ci_high": 0.3, "count": 12, "base": 60}],
                 "quotes": quotes, "changes": [], "impact": []}])


def test_theme_page_quotes_carry_lang_and_no_empty_attribution():
    page = _theme_page([{"text": "Good service.", "attribution": "Privat virksomhet, Oslo", "language": "en"},
                        {"text": "Eg er nøgd.", "attribution": float("nan"), "language": "nn"},
                        {"text": "Bra.", "attribution": "", "language": "nb"},
                        {"text": "Fint.", "attribution": None}])
    assert '<blockquote lang="en">«Good service.»' in page and '<blockquote lang="nn">«Eg er nøgd.»' in page
    assert "<blockquote>«Bra.»" in page and "<blockquote>«Fint.»" in page
    assert page.count('class="attr"') == 1 and "– Privat virksomhet, Oslo" in page
    assert not re.search(r'class="attr">\s*–\s*(nan)?\s*<', page)


def test_theme_page_segment_table_has_a_caption_and_abbreviations_are_explained():
    page = _theme_page([])
    assert re.search(r"<table><caption>Andel som nevner «IA og forebygging», etter segment</caption>", page)
    assert '<abbr title="inkluderende arbeidsliv">IA</abbr>' in page
    assert re.search(r"Forkortelser: .*IA</abbr> = inkluderende arbeidsliv.*KI</abbr> = konfidensintervall", page)


def test_no_template_puts_a_plain_space_between_a_number_and_percent():
    for path in sorted((WEB / "templates").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\d %", text), f"{path.name}: «95 %» needs a non-breaking space (&nbsp;)"


def test_coding_page_states_in_norwegian_with_av_and_one_mapping_for_the_script():
    job = SimpleNamespace(id=7, state="done", done=691, total=691)
    page = env.get_template("coding.html").render(who=SimpleNamespace(role="analyst", can=lambda r: True),
                                                  wave=SimpleNamespace(id=1, label="2023", n_responses=691),
                                                  codebooks=[], job=job)
    assert "Jobb 7: ferdig (691 av 691)" in page and ": done" not in page
    names = json.loads(html.unescape(re.search(r"data-state-names='([^']+)'", page).group(1)))
    assert names == {"queued": "i kø", "running": "pågår", "done": "ferdig", "failed": "feilet",
                     "cancelled": "avbrutt"}
    assert "names = {" not in (WEB / "static" / "coding.js").read_text(encoding="utf-8")  # no second mapping
    assert re.search(r'<progress id="job-progress"[^>]*aria-labelledby="prog"', page)


def test_codebooks_table_has_a_caption_and_no_empty_header():
    row = SimpleNamespace(id=1, name="standard", version="1.0", content={"themes": [1, 2]},
                          created_at=__import__("datetime").datetime(2026, 12, 5, 10, 0))
    page = env.get_template("codebooks.html").render(who=SimpleNamespace(role="reader", can=lambda r: r == "reader"),
                                                     rows=[row])
    assert "<caption>Kodebøker og versjoner</caption>" in page
    assert not re.search(r"<th[^>]*>\s*</th>", page)


# ------------------------------------------------------------------ pages of a served, coded wave
@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(client logged in as analyst, keys, wave id): two coded waves of the sample (2022 compared with 2023)."""
    from fastapi.testclient import TestClient

    from conftest import coded_job, uploaded_wave
    from service.app import create_app

    tmp = tmp_path_factory.mktemp("a11y")
    app = create_app(make_settings(f"sqlite:///{tmp / 'a11y.db'}", tmp))
    with TestClient(app) as c:
        keys = issue_keys(app)
        sid = create_survey(c, keys["analyst"])
        for label, path in (("2022", None), ("2023", SAMPLE_CSV_2023)):
            frame = sample_frame(300) if path is None else sample_frame(300, path)
            wave = uploaded_wave(c, {"analyst": keys["analyst"]}, sid, frame, label)
            coded_job(c, keys, wave)
        assert c.post("/ui/login", data={"api_key": keys["analyst"]}, follow_redirects=False).status_code == 303
        yield c, keys, wave


def _tables(page: str) -> list[str]:
    return re.findall(r"<table[^>]*>.*?</table>", page, flags=re.S)


def test_dashboard_segment_tables_explain_hidden_cells_and_show_intervals_as_text(served):
    client, _, wave = served
    page = client.get(f"/ui/waves/{wave}?segment=sektor").text
    tables = [t for t in _tables(page) if "segment-table" in t]
    assert tables
    cells = []
    for table in tables:
        legend_id = re.search(r'aria-describedby="([^"]+)"', table).group(1)
        legend = re.search(rf'<p class="small" id="{re.escape(legend_id)}">(.*?)</p>', page, flags=re.S)
        assert legend and "–* = skjult" in legend.group(1) and "konfidensintervall" in legend.group(1)
        cells += re.findall(r"<td[^>]*>(.*?)</td>", table, flags=re.S)
        assert not re.search(r"<td[^>]* title=", table)  # no number explained in a tooltip only
    shown, hidden = [c for c in cells if "%" in c], [c for c in cells if "–*" in c]
    assert shown and all(re.search(r"KI \d", c) for c in shown), shown[:3]  # the interval as text in the cell
    assert hidden and all('<span class="sr-only">skjult</span>' in c for c in hidden), hidden[:3]
    region = re.search(r'<div class="scroll"([^>]*)>', page).group(1)
    assert 'tabindex="0"' in region and 'role="region"' in region and "aria-label=" in region


def test_dashboard_tables_have_captions_keyfacts_a_heading_and_the_report_downloads(served):
    client, _, wave = served
    page = client.get(f"/ui/waves/{wave}").text
    tables = _tables(page)
    assert len(tables) >= 3 and all("<caption" in t for t in tables), [t[:80] for t in tables if "<caption" not in t]
    assert re.search(r'<section aria-labelledby="hovedfunn"><h2 id="hovedfunn">Hovedfunn</h2>\s*<ul class="keyfacts">',
                     page)
    assert 'aria-label="Hovedfunn"' not in page
    link = re.search(r'<a class="button" href="/waves/\d+/report"([^>]*)>([^<]+)</a>', page)
    assert 'download="' in link.group(1) or link.group(2) == "Åpne HTML-rapport"
    assert '<abbr title="prosentpoeng">pp</abbr>' in page and '<abbr title="konfidensintervall">KI</abbr>' in page
    assert re.search(r"Forkortelser: .*IA</abbr> = inkluderende arbeidsliv", page)
    text = re.sub(r"<figure>.*?</figure>", "", page, flags=re.S)  # (the charts' SVG text is the library's)
    assert "95&nbsp;%" in text and "95 %" not in text
    badges = re.findall(r'<span class="badge ([^"]+)">', page)
    assert badges and all(_background(f".badge.{b}") for b in badges)


def test_review_items_carry_their_language_on_the_page_and_in_the_api(served):
    client, keys, _ = served
    api = client.get("/review-queue?limit=200", headers=hdr(keys["analyst"])).json()["items"]
    assert api and all("language" in i for i in api)
    assert {"en", "nb"} <= {i["language"] for i in api}  # the sample has English comments
    boot = json.loads(html.unescape(re.search(r"data-boot='([^']+)'", client.get("/ui/review").text).group(1)))
    by_id = {i["response_id"]: i["language"] for i in api}
    assert all(by_id.get(i["response_id"], i["language"]) == i["language"] for i in boot["items"])
    assert boot["langs"]["en"] == "en" and boot["langs"]["nn"] == "nn" and "nb" not in boot["langs"]


def test_pages_tell_the_browser_when_the_session_ends(served):
    client, _, wave = served
    page = client.get(f"/ui/waves/{wave}/coding").text
    body = re.search(r'<body data-session-idle="(\d+)" data-session-left="(\d+)">', page)
    assert body and int(body.group(1)) == 3600 and 0 < int(body.group(2)) <= 8 * 3600
    assert 'src="/ui/static/session.js"' in page and 'id="session-extend"' in page


def test_keep_alive_restarts_the_idle_timer_but_not_the_login_limit(served):
    client, keys, _ = served
    store = client.app.state.ui_sessions
    real_clock, start = store.clock, store.clock()
    try:
        assert client.post("/ui/session").status_code == 403  # the UI header is required (no cross-site posts)
        store.clock = lambda: start + 3500
        r = client.post("/ui/session", headers={"X-Textmine-UI": "1"})
        assert r.status_code == 200 and r.json()["idle"] == 3600 and r.json()["left"] <= 8 * 3600 - 3500
        store.clock = lambda: start + 7000  # 3500 s after the keep-alive: still within the idle hour
        assert client.get("/ui/codebooks", follow_redirects=False).status_code == 200
        store.clock = lambda: start + 7000 + 3601  # unused for more than an hour: ended
        assert client.post("/ui/session", headers={"X-Textmine-UI": "1"}).status_code == 401
    finally:
        store.clock = real_clock
        client.post("/ui/login", data={"api_key": keys["analyst"]}, follow_redirects=False)
