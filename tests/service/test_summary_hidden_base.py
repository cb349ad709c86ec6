"""GET /waves/{id}/summary publishes no number of a hidden cell.

Was: with ``suppression: flag`` (the sample survey's mode) the service returned the library summary as it is,
so a hidden row kept its base (n, n_total, n_mention …), shares and CIs for anyone with a reader key, while the
report views and exports blank them. Now a hidden row (primary or secondary) carries only what it is and its
flags; the visible rows are the library's, unchanged."""

from __future__ import annotations

import json

from conftest import create_survey, hdr, sample_frame, to_csv_bytes, upload, wait_job

from service import store

# what a hidden row may still say: which cell it is, and that it is hidden (``value`` is the segment level)
HIDDEN_ROW_KEEPS = {"kind", "wave", "wave_prev", "question", "theme", "indicator", "column", "label", "measure",
                    "group", "option", "exclusive", "item", "denominator", "segment", "value", "outcome", "weighted",
                    "applicable", "suppressed", "suppressed_secondary", "verdict", "verdict_unadjusted"}


def _summary_wave(client, keys) -> int:
    sid = create_survey(client, keys["analyst"])
    wave = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(150)), "a.csv").json()
    job = client.post(f"/waves/{wave['id']}/coding-jobs", json={}, headers=hdr(keys["analyst"])).json()
    assert wait_job(client, keys["reader"], job["id"])["state"] == "done"
    return wave["id"]


def _key(row: dict) -> tuple:
    """Which cell a row is (without its flags)."""
    return tuple((k, row[k]) for k in sorted(HIDDEN_ROW_KEEPS)
                 if k in row and not k.startswith(("suppressed", "verdict")))


def test_a_hidden_row_has_null_base_and_values_and_visible_rows_are_unchanged(client, keys):
    wave_id = _summary_wave(client, keys)
    r = client.get(f"/waves/{wave_id}/summary", headers=hdr(keys["reader"]))
    assert r.status_code == 200, r.text
    got = r.json()["summary"]
    with client.app.state.db.session() as s:  # the library summary as the store builds it (flag mode: all numbers)
        raw = json.loads(json.dumps(store.wave_summary(s, wave_id)["summary"]))
    assert got["meta"]["suppression"] == "flag"
    assert set(got["tables"]) == set(raw["tables"])
    seen = {"hidden": 0, "secondary": 0, "visible": 0}
    for name, rows in raw["tables"].items():
        published = got["tables"][name]
        assert len(published) == len(rows), name
        for want, row in zip(rows, published):
            assert _key(row) == _key(want), (name, row, want)
            if not want.get("suppressed"):
                assert row == want, (name, "a visible row changed", row, want)
                seen["visible"] += 1
                continue
            seen["hidden"] += 1
            seen["secondary"] += bool(want.get("suppressed_secondary"))
            assert row["suppressed"] is True, (name, row)
            leaked = {k: v for k, v in row.items() if k not in HIDDEN_ROW_KEEPS and v is not None}
            assert not leaked, (name, "hidden row publishes", leaked, "of", _key(row))
            for base in ("n", "n_total", "n_mention", "n_other", "n_prev", "n_eff", "count", "share", "ci_low"):
                if base in want:
                    assert row[base] is None, (name, base, row)
    assert seen["hidden"] and seen["secondary"] and seen["visible"], seen
    # the base the hidden rows used to publish (the leak closed here)
    hidden_bases = [r["n"] for r in raw["tables"]["themes"] if r["suppressed"] and r["n"]]
    assert hidden_bases, "the sample wave should have a hidden theme cell with commenters"
