"""``/metrics`` exposes the /classify result cache's hits and misses as Prometheus counters
(``textmine_classify_cache_hits_total`` / ``_misses_total``, ``# TYPE … counter``) beside the older gauge, every
series name is declared once with one TYPE, and no sample carries a key or the text of a comment."""

from __future__ import annotations

import re

from conftest import hdr, issue_keys, make_settings
from fastapi.testclient import TestClient

from service.app import create_app

SAMPLE = re.compile(r"^([a-z_]+)(\{[^}]*\})? (\S+)$")


def _types(text: str) -> dict[str, str]:
    return dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))


def _value(text: str, series: str) -> float:
    return float(next(line.rsplit(" ", 1)[1] for line in text.splitlines() if line.startswith(series + " ")))


def test_classify_cache_counts_are_counters_that_follow_the_cache(sqlite_url, tmp_path):
    app = create_app(make_settings(sqlite_url, tmp_path, warmup=False))
    secret = "Ring Kari Nordmann på 91234567 om telefonen"
    with TestClient(app) as c:
        keys = issue_keys(app)
        analyst, reader = hdr(keys["analyst"]), hdr(keys["reader"])
        assert c.post("/classify", json={"texts": [secret, "Lang ventetid"]}, headers=analyst).status_code == 200
        assert c.post("/classify", json={"texts": [secret, "Nytt svar"]}, headers=analyst).status_code == 200
        text = c.get("/metrics", headers=reader).text
    types = _types(text)
    assert types["textmine_classify_cache_hits_total"] == "counter"
    assert types["textmine_classify_cache_misses_total"] == "counter"
    assert types["textmine_http_requests_total"] == "counter"
    assert _value(text, "textmine_classify_cache_hits_total") == app.state.results.hits == 1
    assert _value(text, "textmine_classify_cache_misses_total") == app.state.results.misses == 3
    assert 'textmine_classify_cache{kind="hit"} 1' in text  # the older gauge stays for existing dashboards
    # every sample's family is declared exactly once; counters end in _total
    declared = re.findall(r"^# TYPE (\S+) ", text, re.M)
    assert len(declared) == len(set(declared))
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name = SAMPLE.match(line).group(1)
            family = re.sub(r"_(bucket|sum|count)$", "", name) if name not in types else name
            assert family in types, line
    assert all(name.endswith("_total") for name, kind in types.items() if kind == "counter")
    for leaked in ("91234567", "Nordmann", keys["reader"], keys["analyst"], "tm_"):
        assert leaked not in text
