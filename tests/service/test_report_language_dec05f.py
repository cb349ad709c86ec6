"""``GET /waves/{id}/report`` in the report's two written standards: ``language=nb|nn`` (422 for another value),
by default the codebook's language when it is nb or nn, else bokmål; the cached report is kept per language."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from conftest import create_survey, hdr, sample_frame, to_csv_bytes, upload, wait_job

N = 80


@pytest.fixture
def coded_wave(client, keys):
    sid = create_survey(client, keys["analyst"])
    wave = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(N)), "w.csv").json()
    job = client.post(f"/waves/{wave['id']}/coding-jobs", json={}, headers=hdr(keys["analyst"])).json()
    assert wait_job(client, keys["analyst"], job["id"])["state"] == "done"
    return wave["id"], job["id"]


def _html(client, key, wave_id, query=""):
    r = client.get(f"/waves/{wave_id}/report{query}", headers=hdr(key))
    assert r.status_code == 200, r.text
    return r.text


def _html_lang(text: str) -> str:
    return re.search(r'<html[^>]*\blang="([^"]+)"', text).group(1)


def _xlsx_lang(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        core = z.read("docProps/core.xml").decode()
    return re.search(r"<dc:language>([^<]*)</dc:language>", core).group(1)


def test_html_report_in_both_languages_and_cached_per_language(client, keys, coded_wave):
    wave_id, _ = coded_wave
    nb = _html(client, keys["reader"], wave_id)
    assert _html_lang(nb) == "nb" and "Hovedfunn" in nb and "Hovudfunn" not in nb
    nn = _html(client, keys["reader"], wave_id, "?language=nn")
    assert _html_lang(nn) == "nn" and "Hovudfunn" in nn and "Hovedfunn" not in nn, "language=nn gave bokmål"
    assert "kommentarar er retta manuelt" in nn and "kommentarer er rettet manuelt" not in nn  # the service's note
    assert "kommentarer er rettet manuelt" in nb
    again = _html(client, keys["reader"], wave_id, "?language=nb")  # (not the cached nynorsk report)
    assert _html_lang(again) == "nb" and "Hovedfunn" in again


def test_xlsx_report_in_both_languages(client, keys, coded_wave):
    wave_id, _ = coded_wave
    for lang, doc, sheet in (("nb", "nb-NO", "Temaer"), ("nn", "nn-NO", "Tema")):
        r = client.get(f"/waves/{wave_id}/report?format=xlsx&language={lang}", headers=hdr(keys["analyst"]))
        assert r.status_code == 200, r.text
        assert _xlsx_lang(r.content) == doc, lang
        from openpyxl import load_workbook

        names = load_workbook(io.BytesIO(r.content), read_only=True).sheetnames
        assert sheet in names, (lang, names)


@pytest.mark.parametrize("value", ["de", "NB ", "bokmål", ""])
def test_other_language_is_422(client, keys, coded_wave, value):
    wave_id, _ = coded_wave
    r = client.get(f"/waves/{wave_id}/report", params={"language": value}, headers=hdr(keys["reader"]))
    assert r.status_code == 422, (value, r.status_code, r.text[:300])
    assert "language" in r.text


def test_default_is_the_codebooks_language(client, keys, coded_wave):
    from service.db.models import Codebook, CodingJob

    wave_id, job_id = coded_wave
    assert _html_lang(_html(client, keys["reader"], wave_id)) == "nb"  # the default codebook: bokmål
    with client.app.state.db.session() as s:
        cb = s.get(Codebook, s.get(CodingJob, job_id).codebook_id)
        cb.content = {**cb.content, "language": "nn"}
        s.commit()
    text = _html(client, keys["reader"], wave_id)
    assert _html_lang(text) == "nn" and "Hovudfunn" in text, "the codebook's language nn was not the default"
    assert _html_lang(_html(client, keys["reader"], wave_id, "?language=nb")) == "nb"  # asked for: wins


def test_language_of_unknown_value_in_codebook_defaults_to_bokmal():
    from service.web.reportdata import report_language

    assert report_language(None, None, {"language": "en"}) == "nb"
    assert report_language(None, None, {"language": "nn"}) == "nn"
    assert report_language("nb", None, {"language": "nn"}) == "nb"
    assert report_language(None, type("D", (), {"language": "nn"})(), {"language": "nb"}) == "nn"
