"""The UI's scripts in headless chromium (Playwright), on pages rendered from the real templates and served with
the real static files (no server; API calls are answered and recorded by the test): review-queue keys only in
the review region and never on a link/summary/button, the single-key switch (WCAG 2.1.4), the comment's lang,
the status text, the session time-out warning (2.2.1) and the codebook editor's unsaved changes and errors."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from service.web.pages import _html_langs, env


STATIC = Path(__file__).resolve().parents[2] / "service" / "web" / "static"
BASE = "http://textmine.test"

pytestmark = pytest.mark.browser

THEMES = [{"id": "telefon", "label": "Telefon og tilgjengelighet", "exclusive": False},
          {"id": "saksbehandling", "label": "Saksbehandlingstid", "exclusive": False},
          {"id": "refusjon", "label": "Refusjon av sykepenger", "exclusive": False},
          {"id": "annet", "label": "Annet", "exclusive": True}]


def _item(rid: int, text: str, language: str | None) -> dict:
    return {"response_id": rid, "wave_id": 1, "question": "fritekst_generell", "text": text, "job_id": 1,
            "themes": ["telefon"], "confidence": 0.3, "type": None, "language": language, "scores": {"refusjon": 0.12}}


ITEMS = [_item(11, "Vanskelig å komme gjennom på telefon.", "nb"), _item(12, "More use of graded sick leave.", "en"),
         _item(13, "Eg fekk ikkje svar på søknaden.", "nn")]


def _who(role: str = "analyst"):
    return SimpleNamespace(role=role, can=lambda need: need in ("reader", role) or role == "admin")


def _review_html(items=ITEMS) -> str:
    boot = {"items": items, "total": len(items), "wave_id": 1, "codebooks": {"1": {"id": 1, "themes": THEMES}},
            "default_codebook": {"id": 1, "themes": THEMES}, "langs": _html_langs(i["language"] for i in items)}
    return env.get_template("review.html").render(
        who=_who(), total=len(items), wave_id=1, wave=SimpleNamespace(label="2023"),
        boot=json.dumps(boot, ensure_ascii=False).replace("</", "<\\/"), session_timing=None)


def _codebook_html() -> str:
    content = {"name": "standard", "version": "1.0", "themes": [{"id": t["id"], "label": t["label"]} for t in THEMES]}
    row = SimpleNamespace(id=1, name="standard", version="1.0")
    return env.get_template("codebook_edit.html").render(
        who=_who(), row=row, versions=[row], boot=json.dumps({"id": 1, "content": content}, ensure_ascii=False),
        session_timing=None)


def _home_html(idle: int, left: int) -> str:
    return env.get_template("codebooks.html").render(who=_who(), rows=[], session_timing={"idle": idle, "left": left})




class Site:
    """Serves ``pages`` (path → HTML) and /ui/static/*; records every other request (the API calls)."""

    def __init__(self, pages: dict[str, str], session_reply: dict | None = None):
        self.pages, self.calls, self.session_reply = pages, [], session_reply or {"idle": 60, "left": 1000}

    def handle(self, route):
        req = route.request
        path = req.url[len(BASE):].split("?")[0]
        if path in self.pages:
            return route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self.pages[path])
        if path.startswith("/ui/static/"):
            return route.fulfill(status=200, content_type="text/javascript" if path.endswith(".js") else "text/css",
                                 body=(STATIC / path.rsplit("/", 1)[1]).read_text(encoding="utf-8"))
        self.calls.append((req.method, path, req.post_data))
        body = self.session_reply if path == "/ui/session" else {"id": 1}
        return route.fulfill(status=200, content_type="application/json", body=json.dumps(body))


@pytest.fixture()
def open_page(browser):
    contexts = []

    def _open(pages: dict[str, str], path: str, clock: bool = False, **kw):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO")
        contexts.append(context)
        site = Site(pages, **kw)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if clock:
            page.clock.install()
        page.route(BASE + "/**", site.handle)
        page.goto(BASE + path)
        page.wait_for_load_state("load")
        return page, site

    yield _open
    for c in contexts:
        c.close()


def _posts(site: Site) -> list:
    return [c for c in site.calls if c[0] == "POST"]


# ------------------------------------------------------------------ review keys (WCAG 2.1.1 / 2.1.4)
def test_enter_on_skip_link_or_summary_and_letters_on_nav_links_never_save(open_page):
    page, site = open_page({"/ui/review": _review_html(), "/ui/codebooks": "<p>ok</p>"}, "/ui/review")
    page.locator("details.help summary").focus()
    page.keyboard.press("Enter")  # opens/closes the help, as a summary should
    assert page.locator("details.help").get_attribute("open") is None
    page.locator("a", has_text="Kodebøker").focus()
    page.keyboard.press("a")
    page.keyboard.press("1")
    assert not _posts(site), site.calls
    assert page.locator("#theme-telefon").is_checked()  # "1" outside the region: no toggle
    page.locator("a.skip").focus()
    page.keyboard.press("Enter")  # follows the skip link to #main
    assert page.url.endswith("/ui/review#main")
    assert not _posts(site), site.calls


def test_keys_in_the_review_region_toggle_and_accept(open_page):
    page, site = open_page({"/ui/review": _review_html()}, "/ui/review")
    page.locator("#review").focus()
    page.keyboard.press("3")
    assert page.locator("#theme-refusjon").is_checked()
    status = page.locator("#review-status").inner_text()
    assert status == "Valgt: «Refusjon av sykepenger» (tast 3).", status  # not "Valgt: 3Refusjon av sykepenger12 %"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('review-count').textContent === '2'")
    (method, path, body), = _posts(site)
    assert path == "/ui/api/responses/11/codes" and set(json.loads(body)["themes"]) == {"telefon", "refusjon"}


def test_enter_on_the_skip_button_does_not_accept(open_page):  # on a theme box it does (test_review_ui_dec07b)
    page, site = open_page({"/ui/review": _review_html()}, "/ui/review")
    page.locator("#review-skip").focus()
    page.keyboard.press("Enter")  # the button's own action: skip to the next comment
    assert not _posts(site), site.calls
    assert page.locator("#review-text").inner_text() == ITEMS[1]["text"]


def test_single_key_shortcuts_can_be_turned_off_and_stay_off(open_page):
    page, site = open_page({"/ui/review": _review_html()}, "/ui/review")
    switch = page.get_by_label("Bruk hurtigtaster med én tast (tall og bokstaver)")
    assert switch.is_checked()
    switch.uncheck()
    page.locator("#review").focus()
    for key in ("1", "a", "j"):
        page.keyboard.press(key)
    assert page.locator("#theme-telefon").is_checked()  # "1" did not toggle it off
    assert page.locator("#review-text").inner_text() == ITEMS[0]["text"] and not _posts(site)
    page.reload()
    page.wait_for_load_state("load")
    assert not page.locator("#review-shortcuts").is_checked()  # remembered (localStorage)
    page.locator("#review").focus()
    page.keyboard.press("1")
    assert page.locator("#theme-telefon").is_checked()
    page.keyboard.press("Enter")  # Enter (not a character key) still accepts in the region
    page.wait_for_function("() => document.getElementById('review-count').textContent === '2'")
    assert len(_posts(site)) == 1


def test_comment_in_english_or_nynorsk_gets_lang(open_page):
    page, _ = open_page({"/ui/review": _review_html()}, "/ui/review")
    text = page.locator("#review-text")
    assert text.get_attribute("lang") is None  # bokmål: the page's language
    page.locator("#review").focus()
    page.keyboard.press("j")
    assert text.get_attribute("lang") == "en"
    page.keyboard.press("j")
    assert text.get_attribute("lang") == "nn"
    page.keyboard.press("k")
    page.keyboard.press("k")
    assert text.get_attribute("lang") is None


def test_confidence_meter_has_an_accessible_name(open_page):
    page, _ = open_page({"/ui/review": _review_html()}, "/ui/review")
    assert page.get_by_role("meter", name="Modellens sikkerhet:").count() == 1


# ------------------------------------------------------------------ session time-out warning (WCAG 2.2.1)
def test_idle_warning_comes_in_time_and_extends_the_session(open_page):
    page, site = open_page({"/ui/codebooks": _home_html(idle=60, left=1000)}, "/ui/codebooks", clock=True,
                           session_reply={"idle": 60, "left": 900})
    warning = page.locator("#session-warning")
    page.clock.run_for(25_000)
    assert warning.is_hidden()
    page.clock.run_for(10_000)  # 35 s: the warning came 30 s before the idle end (at least 20 s, as WCAG asks)
    assert warning.is_visible()
    assert "Økten avsluttes om 30 sekunder fordi du ikke har vært aktiv" in warning.inner_text()
    assert page.evaluate("document.activeElement.id") == "session-extend"
    page.get_by_role("button", name="Forleng økten").click()
    page.wait_for_function("() => document.getElementById('session-warning').hidden")
    assert ("POST", "/ui/session", None) in site.calls
    page.clock.run_for(40_000)  # the idle timer restarted at 35 s: at 75 s a new warning, no expiry
    assert "avsluttes om" in warning.inner_text() and warning.is_visible()


def test_unanswered_warning_ends_with_a_login_link(open_page):
    page, _ = open_page({"/ui/codebooks": _home_html(idle=60, left=1000)}, "/ui/codebooks", clock=True)
    page.clock.run_for(61_000)
    warning = page.locator("#session-warning")
    assert "Økten er avsluttet" in warning.inner_text()
    assert page.get_by_role("link", name="Logg inn igjen").get_attribute("href") == "/ui/login?next=%2Fui%2Fcodebooks"


def test_the_login_time_limit_is_announced_without_an_extend_button(open_page):
    page, _ = open_page({"/ui/codebooks": _home_html(idle=3600, left=100)}, "/ui/codebooks", clock=True)
    page.clock.run_for(50_000)  # 50 s left of the login's 8 hours: cannot be extended
    warning = page.locator("#session-warning")
    assert warning.is_visible() and "kan ikke forlenges" in warning.inner_text()
    assert page.locator("#session-extend").is_hidden()


# ------------------------------------------------------------------ codebook editor
def test_unsaved_codebook_changes_make_the_browser_ask_before_leaving(open_page):
    page, _ = open_page({"/ui/codebooks/1": _codebook_html()}, "/ui/codebooks/1")
    leave = ("() => { const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); "
             "return e.defaultPrevented; }")
    assert page.evaluate(leave) is False
    page.locator("#label-telefon").fill("Telefon")
    assert page.evaluate(leave) is True


def test_invalid_new_theme_id_is_marked_described_and_focused(open_page):
    page, _ = open_page({"/ui/codebooks/1": _codebook_html()}, "/ui/codebooks/1")
    field = page.locator("#new-id")
    field.fill("Ugyldig Id")
    page.get_by_role("button", name="Legg til tema").click()
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby")
    assert "Ugyldig id" in page.locator(f"#{described}").inner_text()
    assert page.evaluate("document.activeElement.id") == "new-id"
    field.fill("ny_id")
    page.get_by_role("button", name="Legg til tema").click()
    assert field.get_attribute("aria-invalid") is None and page.locator("#cb-table tbody tr").count() == 5
