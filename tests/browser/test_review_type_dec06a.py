"""The review page's comment type in headless chromium: the machine's type is shown and chosen in a labelled
control the keyboard reaches (``t``, arrows, ``Esc`` back), the accepted correction sends the chosen type, and the
item's reason for being queued is shown in the page's words; against the real server the stored correction has
the type chosen on the page."""

from __future__ import annotations

import json
from types import SimpleNamespace

import httpx
import pytest

from service.web.pages import REVIEW_REASONS, _html_langs, env

from .test_review_js_keys_dec05d import THEMES, _item, _posts, _who, open_page  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

TYPES = ["klage", "ønske", "ros"]


def _items() -> list[dict]:
    first = {**_item(21, "Ventetiden på telefon er altfor lang.", "nb"), "type": "Klage", "reason": "uncertain"}
    second = {**_item(22, "Takk for god hjelp med refusjonen.", "nb"), "type": None,
              "reason": "rare theme: refusjon"}
    third = {**_item(23, "Ventetida på telefon er altfor lang.", "nn"), "type": "ros", "reason": "near-duplicate"}
    return [first, second, third]


def _html(items: list[dict]) -> str:
    cb = {"id": 1, "themes": THEMES, "types": TYPES}
    boot = {"items": items, "total": len(items), "wave_id": 1, "codebooks": {"1": cb}, "default_codebook": cb,
            "langs": _html_langs(i["language"] for i in items), "reasons": REVIEW_REASONS}
    return env.get_template("review.html").render(
        who=_who(), total=len(items), wave_id=1, wave=SimpleNamespace(label="2023"),
        boot=json.dumps(boot, ensure_ascii=False).replace("</", "<\\/"), session_timing=None)


def test_machine_type_is_chosen_and_a_changed_type_is_sent(open_page):
    page, site = open_page({"/ui/review": _html(_items())}, "/ui/review")
    control = page.get_by_label("Kommentartype")
    assert control.evaluate("e => e.tagName") == "SELECT"
    assert control.locator("option").all_inner_texts() == ["(ingen type)", *TYPES]
    assert control.input_value() == "klage"  # the machine's "Klage", case ignored
    assert page.locator("#review-type-machine").inner_text() == "Modellens forslag: Klage"
    assert page.locator("#review-reason").inner_text() == "usikker kode"
    page.locator("#review").focus()
    page.keyboard.press("t")
    assert page.evaluate("document.activeElement.id") == "review-type"
    page.keyboard.press("ArrowDown")  # klage → ønske
    assert control.input_value() == "ønske"
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "review"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('review-count').textContent === '2'")
    (_, path, body), = _posts(site)
    assert path == "/ui/api/responses/21/codes"
    assert json.loads(body) == {"themes": ["telefon"], "type": "ønske", "codebook_id": 1,
                                "seen_correction_id": None}  # none seen: a clash is a 409 (review dec07b)


def test_reason_and_an_item_without_type(open_page):
    page, site = open_page({"/ui/review": _html(_items())}, "/ui/review")
    page.locator("#review").focus()
    page.keyboard.press("j")
    assert page.locator("#review-reason").inner_text() == "sjeldent tema: «Refusjon av sykepenger»"
    assert page.get_by_label("Kommentartype").input_value() == ""
    assert page.locator("#review-type-machine").inner_text() == "Modellen ga ingen type."
    page.keyboard.press("j")
    assert page.locator("#review-reason").inner_text() == "nesten lik en kommentar tidligere i køen"
    page.keyboard.press("a")
    page.wait_for_function("() => document.getElementById('review-count').textContent === '2'")
    (_, path, body), = _posts(site)
    assert path == "/ui/api/responses/23/codes" and json.loads(body)["type"] == "ros"  # the machine's, kept


def test_an_item_without_reason_hides_the_line(open_page):
    items = [{**i, "reason": None} for i in _items()]
    page, _ = open_page({"/ui/review": _html(items)}, "/ui/review")
    assert page.locator("#review-reason-line").is_hidden()


def test_type_corrected_on_the_page_is_stored(page, live_server, login):
    base, key, info = live_server
    wid = info["waves"]["2022"]  # (test_ui counts the corrections of 2023)
    login(page, base, key, f"/ui/review?wave_id={wid}")
    control = page.get_by_label("Kommentartype")
    types = control.locator("option").evaluate_all("os => os.map(o => o.value)")[1:]
    assert types == TYPES  # the sample codebook leaves 'types' out: the defaults
    machine = control.input_value()
    chosen = next(t for t in reversed(types) if t != machine)
    control.select_option(chosen)
    with page.expect_response(lambda r: r.request.method == "POST" and "/codes" in r.url) as reply:
        page.get_by_role("button", name="Godta (Enter)").click()
    stored = reply.value.json()
    assert reply.value.status == 201 and stored["type"] == chosen
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=180) as c:
        queue = c.get("/review-queue", params={"wave_id": wid, "limit": 500}).json()
        assert stored["response_id"] not in {i["response_id"] for i in queue["items"]}
        undone = c.delete(f"/responses/{stored['response_id']}/codes")  # leave the server as the other tests expect
        assert undone.status_code == 200, undone.text
