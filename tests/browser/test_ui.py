"""The UI in headless chromium: login, dashboard with segment filter, review queue by keyboard, theme page,
codebook editor, coding job progress; screenshots are kept in tests/artifacts/."""

import re

import httpx

from service.web.session import COOKIE


def test_login_required_and_wrong_key_rejected(page, live_server, artifacts):
    base, _, info = live_server
    page.goto(base + f"/ui/waves/{info['waves']['2023']}")
    assert "/ui/login" in page.url
    page.get_by_label("API-nøkkel").fill("tm_feil_nokkel")
    page.get_by_role("button", name="Logg inn").click()
    assert page.get_by_role("alert").inner_text().startswith("Ukjent")
    assert "tm_feil" not in page.url
    page.screenshot(path=str(artifacts / "login_error.png"))


def test_login_and_dashboard_with_segment_filter(page, live_server, login, artifacts):
    base, key, info = live_server
    login(page, base, key)
    assert key not in page.url
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies[COOKIE]["httpOnly"] and cookies[COOKIE]["sameSite"] == "Strict"
    assert key not in cookies[COOKIE]["value"] and "textmine_key" not in cookies
    page.screenshot(path=str(artifacts / "home.png"), full_page=True)
    page.get_by_role("row", name=re.compile("^2023")).get_by_role("link", name="Oversikt").click()
    page.wait_for_url(re.compile(r"/ui/waves/\d+$"))
    assert "måling 2023" in page.locator("h1").inner_text()
    assert page.locator("figure svg").count() >= 4
    table = page.locator("#themes-fritekst_generell")
    assert table.locator("tbody tr").count() == 16
    assert re.search(r"\d+\u00a0%", table.locator("tbody tr").first.inner_text())
    assert page.locator(".badge").count() > 0
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
    page.get_by_label("Segment", exact=True).select_option("sektor")
    page.get_by_role("button", name="Vis").click()
    page.wait_for_url(re.compile(r"segment=sektor"))
    seg = page.locator('table.segment-table[data-segment="sektor"]').first
    headers = seg.locator("thead th").all_inner_texts()
    assert any("Privat" in h for h in headers) and any("Offentlig" in h for h in headers)
    assert page.locator('table.segment-table[data-segment="fylke"]').count() == 0
    page.screenshot(path=str(artifacts / "dashboard_sektor.png"), full_page=True)


def test_review_queue_keeps_an_exclusive_theme_alone(page, live_server, login):
    base, key, info = live_server
    login(page, base, key, f"/ui/review?wave_id={info['waves']['2023']}")
    boxes = page.locator("#review-themes input[type=checkbox]")
    ids = [boxes.nth(i).get_attribute("value") for i in range(boxes.count())]
    annet, other = page.locator("#theme-annet"), boxes.nth(ids.index("telefon"))
    if not annet.is_checked():
        annet.click()
    assert annet.is_checked() and [i for i in ids if page.locator(f"#theme-{i}").is_checked()] == ["annet"]
    page.keyboard.press(str(ids.index("telefon") + 1))  # choosing another theme clears the exclusive one
    assert other.is_checked() and not annet.is_checked()
    annet.click()  # and choosing the exclusive theme clears the others
    assert annet.is_checked() and [i for i in ids if page.locator(f"#theme-{i}").is_checked()] == ["annet"]


def test_review_queue_keyboard_correction_changes_count(page, live_server, login, artifacts):
    base, key, info = live_server
    wid = info["waves"]["2023"]
    login(page, base, key, f"/ui/review?wave_id={wid}")
    count = page.locator("#review-count")
    before = int(count.inner_text())
    assert before > 0
    text = page.locator("#review-text").inner_text()
    first_box = page.locator("#review-themes input[type=checkbox]").first
    was = first_box.is_checked()
    theme_id = first_box.get_attribute("value")
    page.screenshot(path=str(artifacts / "review_before.png"), full_page=True)
    page.keyboard.press("1")  # toggle the first theme
    assert first_box.is_checked() != was
    page.keyboard.press("Enter")  # accept
    page.wait_for_function("n => document.getElementById('review-count').textContent === String(n)", arg=before - 1)
    assert page.locator("#review-text").inner_text() != text
    page.screenshot(path=str(artifacts / "review_after.png"), full_page=True)
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=180) as c:
        queue = c.get("/review-queue", params={"wave_id": wid, "limit": 1}).json()
    assert queue["total"] == before - 1
    # the correction now feeds the dashboard: the stored codes for that comment changed
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=180) as c:
        html = c.get(f"/waves/{wid}/report").text
    assert "1 kommentarer er rettet manuelt" in html
    assert theme_id


def test_theme_page_shows_quotes_with_attribution(page, live_server, login, artifacts):
    base, key, info = live_server
    wid = info["waves"]["2023"]
    login(page, base, key, f"/ui/waves/{wid}")
    page.locator(".chips a").first.click()
    page.wait_for_url(re.compile(r"/themes/"))
    quotes = page.locator(".quotes li")
    assert quotes.count() >= 3
    assert page.locator(".quotes .attr").first.inner_text().startswith("–")
    page.screenshot(path=str(artifacts / "theme.png"), full_page=True)


def test_codebook_editor_saves_new_version(page, live_server, login, artifacts):
    base, key, _ = live_server
    login(page, base, key, "/ui/codebooks")
    page.get_by_role("link", name="Rediger").first.click()
    page.wait_for_url(re.compile(r"/ui/codebooks/\d+$"))
    old_url = page.url
    page.get_by_label("Navn på telefon").fill("Telefon, kø og åpningstider")
    page.get_by_label("Id (små bokstaver, tall, _)").fill("chatbot")
    page.get_by_label("Navn", exact=True).fill("Chatbot")
    page.get_by_label("Beskrivelse", exact=True).fill("Chatboten Frida på nav.no og automatiske svar.")
    page.get_by_role("button", name="Legg til tema").click()
    page.get_by_label("Velg Permittering og omstilling").check()
    page.get_by_label("Slå de valgte inn i").select_option("annet")
    page.get_by_role("button", name="Slå sammen").click()
    page.screenshot(path=str(artifacts / "codebook_edit.png"), full_page=True)
    page.get_by_role("button", name="Lagre ny versjon").click()
    page.wait_for_url(lambda u: u != old_url)
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=180) as c:
        cb = c.get("/codebooks/" + page.url.rsplit("/", 1)[1]).json()
    ids = [t["id"] for t in cb["content"]["themes"]]
    assert "chatbot" in ids and "permittering" not in ids and len(cb["versions"]) >= 2
    labels = {t["id"]: t["label"] for t in cb["content"]["themes"]}
    assert labels["telefon"] == "Telefon, kø og åpningstider"


def test_start_coding_job_and_watch_progress(page, live_server, login, artifacts):
    base, key, info = live_server
    wid = info["waves"]["2022"]
    login(page, base, key, f"/ui/waves/{wid}/coding")
    page.get_by_label("Kod på nytt selv om en lik jobb finnes").check()
    page.get_by_role("button", name="Start koding").click()
    page.wait_for_function("() => document.getElementById('job-text').textContent.includes('ferdig')", timeout=120_000)
    value = page.locator("#job-progress").evaluate("p => [p.value, p.max]")
    assert value[0] == value[1] > 0
    page.screenshot(path=str(artifacts / "coding_done.png"), full_page=True)


def test_report_endpoint_requires_key_and_is_self_contained(live_server):
    base, _, info = live_server
    wid = info["waves"]["2023"]
    with httpx.Client(base_url=base, timeout=180) as c:
        assert c.get(f"/waves/{wid}/report").status_code == 401
        r = c.get(f"/waves/{wid}/report", headers={"X-API-Key": info["reader_key"]})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "<svg" in r.text and "https://" not in r.text and "<script" not in r.text
        assert c.get("/waves/99999/report", headers={"X-API-Key": info["reader_key"]}).status_code == 404
        x = c.get(f"/waves/{wid}/report", params={"format": "xlsx"}, headers={"X-API-Key": info["reader_key"]})
        assert x.status_code == 200 and x.content[:2] == b"PK"


def test_reader_cannot_open_review_queue(page, live_server, login):
    base, _, info = live_server
    login(page, base, info["reader_key"], "/ui/review")
    assert page.locator("h1").inner_text() == "Ikke tilgang"


def test_report_for_uncoded_wave_shows_indicators_only(live_server):
    """A wave without a finished coding job still gets a report (indicators and their change)."""
    import io

    import pandas as pd

    from textmine.paths import SAMPLE_DIR

    base, key, info = live_server
    df = pd.read_csv(SAMPLE_DIR / "arbeidsgiver_2023.csv", dtype=str, keep_default_na=False).head(300)
    df["wave"] = "2024"
    df["respondent_id"] = df["respondent_id"].str.replace("AG2023", "AG2024")
    buf = io.StringIO()
    df.to_csv(buf, index=False)
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=180) as c:
        r = c.post(f"/surveys/{info['survey_id']}/waves", data={"label": "2024"},
                   files={"file": ("arbeidsgiver_2024.csv", buf.getvalue().encode(), "text/csv")})
        assert r.status_code == 201, r.text
        html = c.get(f"/waves/{r.json()['id']}/report").text
    assert "Endring siden 2023" in html and "Fornøyd med NAV, helhetlig sett" in html
    assert "ikke kodet ennå" in html
