"""The review page and codebook editor in headless chromium (review dec07b), on pages rendered from the real
templates with the real static files; API calls are answered by the test: a save clashing with another tab's
(409 ``correction_conflict``) is told in Norwegian with the stored codes; «Hopp over» past the last loaded comment
loads more or says there are none; one polite live region announces moves and saves once (WCAG 4.1.3); API
errors are Norwegian, a 401 ends the session with a login link, and the codebook editor ties a version clash and
a personal-data refusal to their fields; the top menu reflows at 320 px and the codebook table scrolls in a
focusable, labelled box (1.4.10); Enter on a theme box accepts (Space toggles it)."""

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
          {"id": "annet", "label": "Annet", "exclusive": True}]


def _item(rid: int, text: str) -> dict:
    return {"response_id": rid, "wave_id": 1, "question": "fritekst_generell", "text": text, "job_id": 1,
            "themes": ["telefon"], "confidence": 0.3, "type": None, "language": "nb", "scores": {},
            "latest_correction_id": None}


ITEMS = [_item(11, "Vanskelig å komme gjennom på telefon."), _item(12, "Lang saksbehandlingstid."),
         _item(13, "Bra service.")]


def _who():
    return SimpleNamespace(role="analyst", can=lambda need: need in ("reader", "analyst"))


def _review_html(items=ITEMS, total: int | None = None, timing=None) -> str:
    boot = {"items": items, "total": len(items) if total is None else total, "wave_id": 1,
            "codebooks": {"1": {"id": 1, "themes": THEMES}}, "default_codebook": {"id": 1, "themes": THEMES},
            "langs": _html_langs(i["language"] for i in items)}
    return env.get_template("review.html").render(
        who=_who(), total=boot["total"], wave_id=1, wave=SimpleNamespace(label="2023"),
        boot=json.dumps(boot, ensure_ascii=False).replace("</", "<\\/"), session_timing=timing)


def _codebook_html() -> str:
    content = {"name": "standard", "version": "1.0", "themes": [{"id": t["id"], "label": t["label"]} for t in THEMES]}
    row = SimpleNamespace(id=1, name="standard", version="1.0")
    return env.get_template("codebook_edit.html").render(
        who=_who(), row=row, versions=[row], boot=json.dumps({"id": 1, "content": content}, ensure_ascii=False),
        session_timing=None)


def _error(status: int, code: str, message: str = "an English message", details=None):
    return status, {"error": {"code": code, "message": message, "details": details or {}}}


class Site:
    """Serves ``pages`` and /ui/static/*; answers API calls from ``replies`` ((method, path) → a list of
    (status, body), used in turn; default 200 {"id": 1}) and records them."""

    def __init__(self, pages: dict[str, str], replies: dict | None = None):
        self.pages, self.calls, self.replies = pages, [], {k: list(v) for k, v in (replies or {}).items()}

    def handle(self, route):
        req = route.request
        path = req.url[len(BASE):].split("?")[0]
        if path in self.pages:
            return route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self.pages[path])
        if path.startswith("/ui/static/"):
            return route.fulfill(status=200, content_type="text/javascript" if path.endswith(".js") else "text/css",
                                 body=(STATIC / path.rsplit("/", 1)[1]).read_text(encoding="utf-8"))
        self.calls.append((req.method, req.url[len(BASE):], req.post_data))
        queue = self.replies.get((req.method, path)) or [(200, {"id": 1})]
        status, body = queue.pop(0) if len(queue) > 1 else queue[0]
        return route.fulfill(status=status, content_type="application/json", body=json.dumps(body))


@pytest.fixture()
def open_page(browser):
    contexts = []

    def _open(pages: dict[str, str], path: str, replies: dict | None = None, width: int = 1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="nb-NO")
        contexts.append(context)
        site = Site(pages, replies)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.route(BASE + "/**", site.handle)
        page.goto(BASE + path)
        page.wait_for_load_state("load")
        return page, site

    yield _open
    for c in contexts:
        c.close()


def _posts(site: Site) -> list:
    return [c for c in site.calls if c[0] == "POST"]


def _status(page) -> str:
    return page.locator("#review-status").inner_text()


CODES = "/ui/api/responses/11/codes"


# ------------------------------------------------------------------ 1. two tabs correcting the same answer
def test_a_save_clashing_with_another_tab_is_told_with_the_stored_codes(open_page):
    clash = _error(409, "correction_conflict", details={
        "response_id": 11, "latest_id": 7, "latest_at": "2026-12-07T09:15:00Z", "seen_id": None, "codebook_id": 1,
        "themes": ["saksbehandling"], "type": "klage"})
    page, site = open_page({"/ui/review": _review_html()}, "/ui/review",
                           replies={("POST", CODES): [clash, (201, {"id": 8})]})
    page.locator("#review").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => /rettet/.test(document.getElementById('review-status').textContent)")
    status = _status(page)
    assert "Ikke lagret" in status and "«Saksbehandlingstid»" in status and "klage" in status, status
    assert "an English message" not in status
    assert page.locator("#review-text").inner_text() == ITEMS[0]["text"]  # still this comment, count unchanged
    assert page.locator("#review-count").inner_text() == "3"
    assert json.loads(_posts(site)[0][2])["seen_correction_id"] is None  # the queue item's (none seen)
    page.keyboard.press("Enter")  # replace the stored codes deliberately: now naming the one it was told of
    page.wait_for_function("() => document.getElementById('review-count').textContent === '2'")
    assert json.loads(_posts(site)[1][2])["seen_correction_id"] == 7


# ------------------------------------------------------------------ 2. skip past the last loaded comment
def test_skipping_past_the_last_loaded_comment_loads_more(open_page):
    more = {"items": [ITEMS[0], ITEMS[1], _item(14, "Flere kommentarer her.")], "total": 5, "limit": 52,
            "offset": 0}
    page, site = open_page({"/ui/review": _review_html(ITEMS[:2], total=5)}, "/ui/review",
                           replies={("GET", "/ui/api/review-queue"): [(200, more)]})
    page.locator("#review").focus()
    page.keyboard.press("s")
    page.keyboard.press("s")
    page.wait_for_function("() => document.getElementById('review-text').textContent === 'Flere kommentarer her.'")
    gets = [c for c in site.calls if c[0] == "GET"]
    assert len(gets) == 1 and "/ui/api/review-queue?" in gets[0][1] and "wave_id=1" in gets[0][1]
    assert _status(page).startswith("Kommentar 3 av 5")


def test_skipping_past_the_last_comment_says_there_are_no_more(open_page):
    page, site = open_page({"/ui/review": _review_html(ITEMS[:2])}, "/ui/review")
    page.locator("#review").focus()
    page.keyboard.press("s")
    page.keyboard.press("s")
    assert "Ingen flere kommentarer" in _status(page), _status(page)
    assert page.locator("#review-text").inner_text() == ITEMS[1]["text"] and not site.calls
    page.locator("#review-skip").click()
    assert "Ingen flere kommentarer" in _status(page)


# ------------------------------------------------------------------ 3. one live region (WCAG 4.1.3)
def test_one_live_region_outside_the_item_announces_moves_and_saves(open_page):
    page, _ = open_page({"/ui/review": _review_html(ITEMS[:2])}, "/ui/review")
    live = page.locator("[aria-live], [role=status], [role=alert]")
    assert live.count() == 1 and live.get_attribute("id") == "review-status"
    assert page.evaluate("() => !document.getElementById('review-item').contains("
                         "document.getElementById('review-status'))")
    page.locator("#review").focus()
    page.keyboard.press("j")
    assert _status(page) == "Kommentar 2 av 2: " + ITEMS[1]["text"]
    page.keyboard.press("k")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('review-count').textContent === '1'")
    assert _status(page).startswith("Lagret. 1 igjen. Kommentar 1 av 1: " + ITEMS[1]["text"])
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('review-count').textContent === '0'")
    assert page.locator("#review-empty").is_visible()
    assert page.locator("#review-status").is_visible() and _status(page).startswith("Lagret. 0 igjen.")


# ------------------------------------------------------------------ 4. API errors in Norwegian
def test_a_401_ends_the_session_with_a_login_link(open_page):
    page, _ = open_page({"/ui/review": _review_html(timing={"idle": 600, "left": 3000})}, "/ui/review",
                        replies={("POST", CODES): [_error(401, "unauthenticated", "log in first")]})
    page.locator("#review").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.getElementById('session-warning').hidden")
    assert "Økten er avsluttet" in page.locator("#session-warning").inner_text()
    status = _status(page)
    assert "log in first" not in status and "Ikke lagret" in status, status
    assert page.locator("#review-status a").get_attribute("href").startswith("/ui/login?next=")
    assert page.evaluate("document.activeElement.textContent") == "Logg inn igjen"  # not pulled back to #review


def test_unknown_error_codes_get_a_norwegian_message_with_the_code(open_page):
    page, _ = open_page({"/ui/review": _review_html()}, "/ui/review",
                        replies={("POST", CODES): [_error(422, "brand_new_code", "something went wrong")]})
    page.locator("#review").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => /brand_new_code/.test(document.getElementById('review-status').textContent)")
    assert "something went wrong" not in _status(page) and "Ikke lagret" in _status(page)


def test_codebook_version_clash_is_tied_to_the_version_field(open_page):
    page, _ = open_page({"/ui/codebooks/1": _codebook_html()}, "/ui/codebooks/1",
                        replies={("POST", "/ui/api/codebooks"): [_error(409, "codebook_version_exists")]})
    page.get_by_role("button", name="Lagre ny versjon").click()
    field = page.locator("#cb-version")
    page.wait_for_function("() => document.getElementById('cb-version').getAttribute('aria-invalid') === 'true'")
    message = page.locator("#" + field.get_attribute("aria-describedby")).inner_text()
    assert "versjon" in message and "an English message" not in message
    assert page.evaluate("document.activeElement.id") == "cb-version"


def test_personal_data_refusal_is_tied_to_the_theme_label(open_page):
    refusal = _error(422, "personal_data_in_name", details={"found": ["a person's name"],
                                                            "field": "label of theme saksbehandling"})
    page, _ = open_page({"/ui/codebooks/1": _codebook_html()}, "/ui/codebooks/1",
                        replies={("POST", "/ui/api/codebooks"): [refusal]})
    page.get_by_role("button", name="Lagre ny versjon").click()
    page.wait_for_function("() => document.getElementById('label-saksbehandling')"
                           ".getAttribute('aria-invalid') === 'true'")
    field = page.locator("#label-saksbehandling")
    assert "personopplysninger" in page.locator("#" + field.get_attribute("aria-describedby")).inner_text()
    assert page.evaluate("document.activeElement.id") == "label-saksbehandling"
    assert page.locator("#cb-version").get_attribute("aria-invalid") is None


# ------------------------------------------------------------------ 5. reflow at 320 px (WCAG 1.4.10)
def test_menu_and_codebook_table_reflow_at_320_px(open_page):
    page, _ = open_page({"/ui/codebooks/1": _codebook_html()}, "/ui/codebooks/1", width=320)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    for link in page.locator("header.top nav a").all():
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, box
    box = page.locator("#cb-table").locator("xpath=..")
    assert box.get_attribute("class") == "scroll" and box.get_attribute("tabindex") == "0"
    assert box.get_attribute("role") == "region" and box.get_attribute("aria-label")
    review, _ = open_page({"/ui/review": _review_html()}, "/ui/review", width=320)
    assert review.evaluate("document.documentElement.scrollWidth") <= 320


# ------------------------------------------------------------------ 6. Enter on a theme box
def test_enter_on_a_theme_box_accepts_and_space_toggles_it(open_page):
    page, site = open_page({"/ui/review": _review_html()}, "/ui/review")
    page.locator("#theme-saksbehandling").focus()
    page.keyboard.press("Space")
    assert page.locator("#theme-saksbehandling").is_checked() and not _posts(site)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('review-count').textContent === '2'")
    (_, path, body), = _posts(site)
    assert path == CODES and set(json.loads(body)["themes"]) == {"telefon", "saksbehandling"}
