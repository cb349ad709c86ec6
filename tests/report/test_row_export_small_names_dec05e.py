"""Row-level exports name the report's small groups as its tables do (dec05e): a level the tables call
«Liten gruppe N» carries that name in «Kodede svar», kodede_svar.sav and the JSON's coded rows too.

Was: the rows named «Zeta kontor» (40 respondents, shown in the rows) while the tables, where it is hidden in one
question, called it «Liten gruppe N» with the same base, so the numbering could be matched back to the names.

Data: «kontor» is free-valued. «Zeta kontor» has 40 respondents in each wave, but only 3 of them answer question
«q_zz» in 2023 (hidden there); «AB 123» (4 respondents) is small everywhere."""

from __future__ import annotations

import pandas as pd
import pytest

from .test_small_groups_dec05c import _definition
from .test_small_groups_dec05c import _wave as _wave_c

ZETA = "Zeta kontor"
KONTOR = ["Kontor A"] * 120 + ["Kontor B"] * 100 + [ZETA] * 40 + ["AB 123"] * 4
KEY = b"dec05e-row-key-0123456789abcdef"


def _wave(year: int, seed: int, zeta_answers_zz: int):
    return _wave_c(year, seed, zeta_answers_zz, kontor=KONTOR)


@pytest.fixture(scope="module")
def report():
    """The report of the two waves with its small-level mapping, as ``report_from_summary`` keeps it."""
    from textmine.report import report_from_summary
    from textmine.summary import build_summary

    survey = _definition()
    f22, c22 = _wave(2022, 1, 40)
    f23, c23 = _wave(2023, 2, 3)
    frames, coded = {"2022": f22, "2023": f23}, {"2022": c22, "2023": c23}
    summary = build_summary(frames, survey, coded, theme_labels={"x": "Tema X", "y": "Tema Y", "z": "Tema Z"}, embedder="fallback")
    return report_from_summary(summary, survey, frames=frames, coded=coded, key=KEY)


def _table_names(r) -> set[str]:
    return set(r.themes.loc[r.themes["segment_var"] == "kontor", "segment"])


def test_the_tables_rename_zeta_and_the_level_hidden_beside_it(report):
    renamed = {level for c, level in report.small_levels if c == "kontor"}
    assert {ZETA, "AB 123"} <= renamed and len(renamed) >= 3  # Kontor B: hidden by secondary suppression
    assert not renamed & _table_names(report)


def test_the_coded_rows_name_the_renamed_levels_as_the_tables_do(report):
    from textmine.report.excel import export_rows

    rows, _ = export_rows(report)
    shown = set(rows["kontor"].dropna())
    real = {level for c, level in report.small_levels if c == "kontor"}
    assert not shown & real, f"«Kodede svar» names {shown & real}, which the tables call «Liten gruppe N»"
    neutral = shown - {"Kontor A"}
    assert neutral and neutral <= _table_names(report), (neutral, _table_names(report))
    assert all(x.startswith("Liten gruppe ") for x in neutral)
    kontor_b = report.small_levels[("kontor", "Kontor B")].capitalize()
    assert (rows["kontor"] == kontor_b).sum() == (report.coded["kontor"] == "Kontor B").sum() - \
        ((report.coded["kontor"] == "Kontor B") & rows["kontor"].isna().to_numpy()).sum()


def test_the_sav_has_no_renamed_level_name(report):
    from textmine.report.spss import coded_for_spss

    _, _, values = coded_for_spss(report)
    labels = set(values["kontor"].values())
    assert not labels & {level for c, level in report.small_levels if c == "kontor"}
    assert any(x.startswith("Liten gruppe ") for x in labels), labels


def test_neutral_row_levels_leaves_other_values_and_blanks():
    from textmine.rowdisclosure import neutral_row_levels

    rows = pd.DataFrame({"kontor": ["Kontor A", ZETA, None, "AB 123"], "sektor": [ZETA, "x", "y", "z"]})
    out = neutral_row_levels(rows, {("kontor", ZETA): "liten gruppe 2", ("kontor", "AB 123"): "liten gruppe 1"},
                             ["kontor", "sektor"])
    assert out["kontor"].tolist()[:2] == ["Kontor A", "Liten gruppe 2"] and pd.isna(out["kontor"][2])
    assert out["kontor"][3] == "Liten gruppe 1"
    assert out["sektor"].tolist() == [ZETA, "x", "y", "z"]  # another segment's equal value is not that level
    assert rows["kontor"][1] == ZETA  # the input is not changed


# ---------------------------------------------------------------- the service's quotes
def _service_conftest():
    """The service tests' fixtures (app, client, keys, uploads), loaded under their own module name."""
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "service" / "conftest.py"
    if "service_conftest_dec05e" not in sys.modules:
        spec = importlib.util.spec_from_file_location("service_conftest_dec05e", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["service_conftest_dec05e"] = module
        spec.loader.exec_module(module)
    return sys.modules["service_conftest_dec05e"]


_svc = _service_conftest()
db_url, app_factory, client, keys = _svc.db_url, _svc.app_factory, _svc.client, _svc.keys
OFFICES = {"Hammerfest legekontor": 3, "Kontor Vest": 500, "Kontor Sør": 900}  # the rest: «Kontor Nord»


def test_the_quotes_endpoint_names_levels_as_the_theme_pages_do(client, keys):
    import yaml

    d = yaml.safe_load(_svc.survey_yaml())
    d["segments"].append({"column": "kontor", "label": "Kontor"})
    r = client.post("/surveys", json={"name": "arbeidsgiver", "definition_yaml": yaml.safe_dump(d, allow_unicode=True)},
                    headers=_svc.hdr(keys["analyst"]))
    assert r.status_code == 201, r.text
    frame = _svc.sample_frame()
    offices = [k for k, n in OFFICES.items() for _ in range(n)]
    frame["kontor"] = offices + ["Kontor Nord"] * (len(frame) - len(offices))
    wave = _svc.upload(client, keys["analyst"], r.json()["id"], _svc.to_csv_bytes(frame), "w.csv").json()
    job = client.post(f"/waves/{wave['id']}/coding-jobs", json={}, headers=_svc.hdr(keys["analyst"])).json()
    _svc.wait_job(client, keys["reader"], job["id"])
    summary = client.get(f"/waves/{wave['id']}/summary", headers=_svc.hdr(keys["reader"])).json()["summary"]
    hidden = {row["value"] for t in ("indicators", "themes") for row in summary["tables"][t]
              if row["segment"] == "kontor" and row["suppressed"]}
    assert "Kontor Vest" in hidden  # hidden beside the small office (secondary suppression); the pages rename it
    attributions = []
    for theme in sorted({row["theme"] for row in summary["tables"]["themes"]}):
        q = client.get(f"/waves/{wave['id']}/themes/{theme}/quotes?n=6", headers=_svc.hdr(keys["reader"]))
        assert q.status_code == 200, q.text
        attributions += [item["attribution"] or "" for item in q.json()["quotes"]]
    parts = {p for a in attributions for p in a.split(", ")}
    named = parts & {"Hammerfest legekontor", "Kontor Vest"}
    assert not named, f"quote attributions name {named}; the theme pages say «Liten gruppe N»"
    neutral = {p for p in parts if p.startswith("Liten gruppe")}
    assert neutral and "Kontor Sør" in parts, parts  # the shown offices keep their names
    page = client.get(f"/waves/{wave['id']}/report", headers=_svc.hdr(keys["reader"]))
    assert page.status_code == 200 and "Kontor Vest" not in page.text
    assert all(x in page.text for x in neutral), (neutral, "not in the pages' report")
