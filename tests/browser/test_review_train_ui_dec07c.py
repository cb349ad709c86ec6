"""The review page's accessibility leftovers and the «Tren ny modell» panel in headless chromium (dec07c), on pages
rendered from the real templates with the real static files; API calls are answered by the test. A suggested theme
says so in text («(foreslått)», in the box's accessible name too) and has a border of at least 3:1, not colour
alone (WCAG 1.4.1, 1.4.11); Option+digit on a Mac (event.key «¡», event.code Digit1) toggles the eleventh theme;
the help tells screen-reader users how to reach the single-key shortcuts (NVDA+Mellomrom, JAWS Insert+Z); the
training panel starts a training without blocking the page (button aria-disabled, one POST), shows progress, and
tells the quality before → after in the page's one live region."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from service.web.pages import _html_langs, env

STATIC = Path(__file__).resolve().parents[2] / "service" / "web" / "static"
BASE = "http://textmine.test"

pytestmark = pytest.mark.browser

THEMES = [{"id": f"t{i}", "label": f"Tema nummer {i}", "exclusive": False} for i in range(1, 13)]
ITEMS = [{"response_id": rid, "wave_id": 1, "question": "fritekst_generell", "text": text, "job_id": 1,
          "themes": ["t1"], "confidence": 0.3, "type": None, "language": "nb", "scores": {},
          "latest_correction_id": None}
         for rid, text in ((11, "Vanskelig å komme gjennom på telefon."), (12, "Lang saksbehandlingstid."))]
JOB = {"id": 5, "state": "queued", "codebook_id": 1, "name": None, "min_examples": 20, "min_theme_examples": 3,
       "model": None, "error": None, "done": 0, "total": 0, "eta_seconds": None, "created": True,
       "created_at": "2026-12-07T08:00:00Z"}
MODEL = {"id": 9, "name": "standard-1.0-supervised", "codebook_id": 1, "n_training": 42, "warnings": [],
         "created_at": "2026-12-07T08:03:00Z",
         "metrics": {"oof_macro_f1": 0.825, "oof_micro_f1": 0.81, "oof_exact_match": 0.55, "n_base_examples": 6900}}
DEFAULT = {"source": "default", "name": "default", "metrics": {"oof_macro_f1": 0.8, "oof_exact_match": 0.5}}
TRAIN_POST, TRAIN_GET = "/ui/api/models", "/ui/api/training-jobs/5"


def _who():
    return SimpleNamespace(role="analyst", can=lambda need: need in ("reader", "analyst"))


def _training(baseline):
    boot = json.dumps({"codebook_id": 1, "baseline": baseline}, ensure_ascii=False)
    return {"codebook": SimpleNamespace(name="standard", version="1.0"), "boot": boot}


def _fast(html: str) -> str:
    """The panel polling every 20 ms (train.js reads data-poll-ms)."""
    return html.replace('id="train" hidden', 'id="train" data-poll-ms="20" hidden')


def _review_html(baseline=DEFAULT) -> str:
    boot = {"items": ITEMS, "total": len(ITEMS), "wave_id": 1, "codebooks": {"1": {"id": 1, "themes": THEMES}},
            "default_codebook": {"id": 1, "themes": THEMES}, "langs": _html_langs(["nb"])}
    return _fast(env.get_template("review.html").render(
        who=_who(), total=len(ITEMS), wave_id=1, wave=SimpleNamespace(label="2023"),
        boot=json.dumps(boot, ensure_ascii=False), session_timing=None, training=_training(baseline)))


def _panel_html(baseline) -> str:
    """The panel alone, as the dashboard includes it (no live region of the page's own)."""
    panel = env.get_template("_train.html").render(training=_training(baseline))
    return _fast(f'<!DOCTYPE html><html lang="nb"><head><title>t</title><link rel="stylesheet" '
                 f'href="/ui/static/app.css"></head><body><main>{panel}</main><script src="/ui/static/api.js">'
                 f'</script><script src="/ui/static/train.js" defer></script></body></html>')


class Site:
    """Serves ``pages`` and /ui/static/*; answers API calls from ``replies`` ((method, path) → list of (status,
    body), used in turn, the last one kept) and records them; a path in ``held`` is not answered until the test
    calls :meth:`answer`."""

    def __init__(self, pages: dict, replies: dict | None = None, held: tuple = ()):
        self.pages, self.calls, self.held, self.pending = pages, [], held, []
        self.replies = {k: list(v) for k, v in (replies or {}).items()}

    def handle(self, route):
        req = route.request
        path = req.url[len(BASE):].split("?")[0]
        if path in self.pages:
            return route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self.pages[path])
        if path.startswith("/ui/static/"):
            return route.fulfill(status=200, content_type="text/javascript" if path.endswith(".js") else "text/css",
                                 body=(STATIC / path.rsplit("/", 1)[1]).read_text(encoding="utf-8"))
        self.calls.append((req.method, path, req.post_data))
        if path in self.held:
            self.pending.append(route)
            return None
        queue = self.replies.get((req.method, path)) or [(200, {"id": 1})]
        status, body = queue.pop(0) if len(queue) > 1 else queue[0]
        return route.fulfill(status=status, content_type="application/json", body=json.dumps(body))

    def answer(self, page, body: dict, status: int = 200) -> None:
        """Wait for the held request, then answer it."""
        for _ in range(500):
            if self.pending:
                break
            page.wait_for_timeout(10)
        assert self.pending, "the page did not ask"
        self.pending.pop(0).fulfill(status=status, content_type="application/json", body=json.dumps(body))


@pytest.fixture()
def open_page(browser):
    contexts = []

    def _open(html: str, replies: dict | None = None, held: tuple = (), init_script: str | None = None):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO")
        contexts.append(context)
        if init_script:
            context.add_init_script(init_script)
        site = Site({"/ui/page": html}, replies, held)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.route(BASE + "/**", site.handle)
        page.goto(BASE + "/ui/page")
        page.wait_for_load_state("load")
        return page, site

    yield _open
    for c in contexts:
        c.close()


def _luminance(css: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", css)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _live(page, ident: str = "review-status") -> str:
    return page.locator("#" + ident).inner_text()


# ------------------------------------------------------------------ 1. «suggested» not by colour alone
def test_a_suggested_theme_is_told_in_text_and_has_a_3_to_1_border(open_page):
    page, _ = open_page(_review_html())
    suggested = page.get_by_role("checkbox", name="(foreslått)")
    assert suggested.count() == 1 and suggested.get_attribute("value") == "t1"  # in the box's accessible name
    assert page.locator("label.suggested .suggested-text").is_visible()
    assert page.get_by_role("checkbox", name="Tema nummer 2").count() == 1
    assert "foreslått" not in page.locator("#theme-t2").locator("xpath=..").inner_text()
    style = page.evaluate("""() => { const cs = getComputedStyle(document.querySelector('label.suggested'));
        const around = getComputedStyle(document.getElementById('review'));
        return {width: parseFloat(cs.borderTopWidth), style: cs.borderTopStyle, border: cs.borderTopColor,
                inside: cs.backgroundColor, outside: around.backgroundColor}; }""")
    assert style["width"] >= 1 and style["style"] == "solid", style
    assert _contrast(style["border"], style["outside"]) >= 3, style  # WCAG 1.4.11 against the page
    assert _contrast(style["border"], style["inside"]) >= 3, style  # and against its own background


# ------------------------------------------------------------------ 2. Option+digit on a Mac, help for readers
def test_option_digit_on_a_mac_toggles_the_themes_after_the_tenth(open_page):
    page, _ = open_page(_review_html(), init_script="Object.defineProperty(navigator, 'platform', "
                                                    "{get: () => 'MacIntel'})")
    assert page.locator("#theme-t11").locator("xpath=../kbd").inner_text() == "Option+1"
    page.locator("#review").focus()
    press = """([key, code]) => document.getElementById('review').dispatchEvent(new KeyboardEvent('keydown',
        {key: key, code: code, altKey: true, bubbles: true, cancelable: true}))"""
    assert page.evaluate(press, ["¡", "Digit1"]) is False  # handled: the «¡» is not typed
    assert page.locator("#theme-t11").is_checked()
    page.evaluate(press, ["™", "Digit2"])
    assert page.locator("#theme-t12").is_checked()
    assert "Option+2" in _live(page)
    assert page.evaluate(press, ["¡", "KeyQ"]) is True  # another key with the same character: not a theme key
    assert page.locator("#theme-t11").is_checked()


def test_alt_digit_still_works_where_it_types_the_digit(open_page):
    page, _ = open_page(_review_html())
    assert page.locator("#theme-t11").locator("xpath=../kbd").inner_text() == "Alt+1"
    page.locator("#review").focus()
    page.keyboard.press("Alt+1")
    assert page.locator("#theme-t11").is_checked() and page.locator("#theme-t1").is_checked()


def test_the_help_tells_screen_reader_users_how_to_use_the_shortcuts(open_page):
    page, _ = open_page(_review_html())
    help_text = page.locator("details.help").inner_text()
    assert "NVDA+Mellomrom" in help_text
    assert "JAWS" in help_text and "Insert+Z" in help_text and "Option" in help_text
    described = page.locator("#" + page.locator("#review").get_attribute("aria-describedby")).text_content()
    assert "NVDA+Mellomrom" in described  # read when the region gets focus


# ------------------------------------------------------------------ 3. «Tren ny modell»
def test_training_runs_without_blocking_the_page_and_tells_before_and_after(open_page):
    page, site = open_page(_review_html(), replies={("POST", TRAIN_POST): [(202, JOB)]}, held=(TRAIN_GET,))
    button = page.get_by_role("button", name="Tren ny modell")
    assert button.is_visible() and button.get_attribute("aria-disabled") == "false"
    button.focus()
    page.keyboard.press("Enter")
    site.answer(page, {**JOB, "state": "running", "done": 1, "total": 4, "eta_seconds": 90})
    page.wait_for_function("() => /steg 1 av 4/.test(document.getElementById('train-progress-text').textContent)")
    assert button.get_attribute("aria-disabled") == "true" and page.locator("#train-bar").is_visible()
    assert page.evaluate("document.activeElement.id") == "train-start"  # focus stays on the button
    assert button.is_disabled()  # aria-disabled: disabled to assistive technology (and Playwright)
    page.keyboard.press("Enter")  # a second press while it runs starts nothing
    button.click(force=True)
    assert _live(page) == "Treningen er i gang.", _live(page)  # queued → running, told once
    page.locator("#review").focus()
    page.keyboard.press("j")  # the page works meanwhile
    assert page.locator("#review-text").inner_text() == ITEMS[1]["text"]
    site.answer(page, {**JOB, "state": "done", "done": 4, "total": 4, "eta_seconds": 0, "model": MODEL})
    page.wait_for_function("() => /etter/.test(document.getElementById('review-status').textContent)")
    live = _live(page)
    assert "«standard-1.0-supervised»" in live and "42 rettede svar" in live and "standardmodellen" in live, live
    assert "Makro-F1 (snitt over temaene) 0,800 \u2192 0,825 (+0,025)" in live, live
    assert "Helt riktig kodede kommentarer 50,0\u00a0% \u2192 55,0\u00a0% (+5,0 prosentpoeng)" in live, live
    assert "Mikro-F1 (alle koder samlet) 0,810" in live  # no earlier figure: the new one alone
    rows = page.locator("#train-result tbody tr")
    assert rows.count() == 3
    assert rows.nth(0).locator("td").all_inner_texts() == ["0,800", "0,825", "+0,025"]
    assert rows.nth(1).locator("td").all_inner_texts() == ["–", "0,810", "–"]
    assert rows.nth(2).locator("td").all_inner_texts() == ["50,0\u00a0%", "55,0\u00a0%", "+5,0 prosentpoeng"]
    assert button.get_attribute("aria-disabled") == "false" and page.locator("#train-progress").is_hidden()
    assert [c[:2] for c in site.calls if c[0] == "POST"] == [("POST", TRAIN_POST)]
    assert json.loads(site.calls[0][2]) == {"codebook_id": 1}
    live_regions = page.locator("[aria-live], [role=status], [role=alert]")
    assert live_regions.count() == 1  # the review page's one live region (WCAG 4.1.3)


def test_a_refused_training_is_told_in_norwegian_and_the_button_works_again(open_page):
    refusal = {"error": {"code": "not_enough_corrections", "message": "an English message",
                         "details": {"found": 6, "needed": 20}}}
    page, site = open_page(_review_html(), replies={("POST", TRAIN_POST): [(422, refusal), (202, JOB)]},
                           held=(TRAIN_GET,))
    page.get_by_role("button", name="Tren ny modell").click()
    page.wait_for_function("() => /For få/.test(document.getElementById('review-status').textContent)")
    live = _live(page)
    assert "6 er lagret, minst 20 trengs" in live and "English" not in live, live
    assert page.locator("#train-message").inner_text() == live
    assert page.get_by_role("button", name="Tren ny modell").get_attribute("aria-disabled") == "false"
    page.get_by_role("button", name="Tren ny modell").click()  # tried again: a second POST
    site.answer(page, {**JOB, "state": "failed", "error": "the trainer stopped"})
    page.wait_for_function("() => /feilet/.test(document.getElementById('review-status').textContent)")
    assert page.locator("#train-message span[lang=en]").inner_text() == "the trainer stopped"
    assert len([c for c in site.calls if c[0] == "POST"]) == 2


def test_on_the_dashboard_the_panel_has_its_own_live_region_and_may_have_nothing_to_compare(open_page):
    page, site = open_page(_panel_html(None), replies={("POST", TRAIN_POST): [(202, {**JOB, "created": False})],
                                                       ("GET", TRAIN_GET): [(200, {**JOB, "state": "done",
                                                                                   "model": MODEL})]})
    live_regions = page.locator("[aria-live], [role=status], [role=alert]")
    assert live_regions.count() == 1 and live_regions.get_attribute("id") == "train-status"
    page.get_by_role("button", name="Tren ny modell").click()
    page.wait_for_function("() => /ferdig/.test(document.getElementById('train-status').textContent)")
    live = _live(page, "train-status")
    assert "Ingen tidligere modell å sammenligne med" in live and "0,825" in live and "\u2192" not in live, live
    page.get_by_role("button", name="Tren ny modell").click()  # a second training compares with the first
    page.wait_for_function("() => /\u2192/.test(document.getElementById('train-status').textContent)")
    assert "modell «standard-1.0-supervised»" in _live(page, "train-status")
    assert "0,825 \u2192 0,825 (0,000)" in _live(page, "train-status")  # no sign on no change
