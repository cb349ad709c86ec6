"""JSON API answers carry ``Cache-Control: no-store`` and ``X-Content-Type-Options: nosniff`` (data and errors
alike; downloads keep their Content-Disposition), and the report endpoint refuses an explicitly asked-for
comparison wave with the summary's errors (409 ``codebook_mismatch``)."""

from __future__ import annotations

import pytest
from conftest import SAMPLE_CSV_2023, coded_job, create_survey, hdr, sample_frame, uploaded_wave

from service import library

SECURE = {"cache-control": "no-store", "x-content-type-options": "nosniff"}


def _assert_secure(r, what: str) -> None:
    got = {name: r.headers.get(name) for name in SECURE}
    assert got == SECURE, f"{what} (status {r.status_code}): expected headers {SECURE}, got {got}"


@pytest.fixture
def two_waves(client, keys):
    """(survey id, wave 2022, wave 2023), each coded; 2022 with another codebook than 2023 (the default)."""
    sid = create_survey(client, keys["analyst"])
    w22 = uploaded_wave(client, keys, sid, sample_frame(40), "2022")
    w23 = uploaded_wave(client, keys, sid, sample_frame(40, SAMPLE_CSV_2023), "2023")
    other = client.post("/codebooks", json=dict(library.default_codebook_dict(), name="annen", version="9"),
                        headers=hdr(keys["analyst"]))
    assert other.status_code == 201, other.text
    coded_job(client, keys, w22, codebook_id=other.json()["id"])
    coded_job(client, keys, w23)
    return sid, w22, w23


def test_data_endpoints_are_not_cached_or_sniffed(client, keys, two_waves):
    sid, _, w23 = two_waves
    reader = hdr(keys["reader"])
    for url in ("/surveys", f"/surveys/{sid}", f"/waves/{w23}/summary", "/codebooks"):
        r = client.get(url, headers=reader)
        assert r.status_code == 200, (url, r.text)
        _assert_secure(r, f"GET {url}")
    r = client.get("/review-queue", headers=hdr(keys["analyst"]))
    assert r.status_code == 200, r.text
    _assert_secure(r, "GET /review-queue")


def test_error_responses_are_not_cached_or_sniffed(app_factory, keys):
    from fastapi.testclient import TestClient

    from conftest import issue_keys

    app = app_factory(max_request_bytes=2048)
    with TestClient(app) as c:
        key = issue_keys(app)["analyst"]
        cases = {"404": c.get("/waves/999/summary", headers=hdr(key)),
                 "401": c.get("/surveys"),
                 "422": c.get("/waves/abc/summary", headers=hdr(key)),
                 "413": c.post("/classify", content=b"x" * 5000,
                               headers={**hdr(key), "content-type": "application/json"})}
    for status, r in cases.items():
        assert str(r.status_code) == status and r.json()["error"]["code"], (status, r.text)
        _assert_secure(r, f"error {status}")


def test_download_keeps_its_content_disposition(client, keys, two_waves):
    _, _, w23 = two_waves
    r = client.get(f"/waves/{w23}/report?format=xlsx", headers=hdr(keys["reader"]))
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == f'attachment; filename="rapport_{w23}.xlsx"', dict(r.headers)
    _assert_secure(r, "xlsx report")


def test_report_refuses_an_asked_for_comparison_wave_like_the_summary(client, keys, two_waves):
    _, w22, w23 = two_waves
    reader = hdr(keys["reader"])
    summary = client.get(f"/waves/{w23}/summary?compare_wave_id={w22}", headers=reader)
    assert summary.status_code == 409 and summary.json()["error"]["code"] == "codebook_mismatch", summary.text
    for fmt in ("html", "xlsx"):
        r = client.get(f"/waves/{w23}/report?compare_wave_id={w22}&format={fmt}", headers=reader)
        assert r.status_code == 409, f"{fmt} report with compare_wave_id={w22}: {r.status_code}, expected 409"
        assert r.json()["error"] == summary.json()["error"], (r.json(), summary.json())


def test_report_still_compares_indicators_with_an_implicit_previous_wave(client, keys, two_waves):
    """No compare_wave_id: the previous wave (another codebook) gives the indicators only, with the note."""
    _, _, w23 = two_waves
    r = client.get(f"/waves/{w23}/report", headers=hdr(keys["reader"]))
    assert r.status_code == 200, r.text
    assert "2022: kodet med en annen kodebok – temaene sammenlignes ikke" in r.text
