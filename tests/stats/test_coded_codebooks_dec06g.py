"""A coded file that records its codebook (``OUT.textmine.json``, what `textmine code` writes beside it) gives its
wave's codebook to `textmine summary` / `report` without ``--codebook WAVE=FILE``: a theme two waves' recorded
codebooks define differently is not compared. A ``--codebook WAVE=FILE`` that is not the recorded codebook, two
files of one wave that record different codebooks, or an edited record is a one-line error; files without a record
behave as before."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from textmine.codebook import Codebook
from textmine.pipeline import coded_identity, identity_path

from ..clitools import assert_clean_fail, run_cli
from ..smallwaves import write_mini_survey

KONTAKT_10 = {"id": "kontakt", "label": "Kontaktperson", "description": "Navngitt kontakt i NAV.",
              "keywords": ["kontakt"]}
KONTAKT_11 = {**KONTAKT_10, "label": "Fast kontaktperson i NAV", "description": "Fast kontaktperson over tid."}
ANNET = {"id": "annet", "label": "Annet", "description": "Alt annet.", "keywords": ["annet"]}
V10 = {"name": "arbeidsgiver", "version": "1.0", "themes": [KONTAKT_10, ANNET]}
V11 = {"name": "arbeidsgiver", "version": "1.1", "themes": [KONTAKT_11, ANNET]}
CB = {2022: Codebook.from_dict(V10), 2023: Codebook.from_dict(V11)}
WARNING = ("theme kontakt is defined differently in codebook 'arbeidsgiver' v1.0 (wave 2022) and v1.1 (wave 2023): "
           "not compared")


@pytest.fixture()
def waves(tmp_path):
    """The mini survey (w2022/2023.csv, s.yaml) and coded2022/2023.csv (every second respondent comments; themes
    at random, 2023 more «kontakt»), without records; cb10.yaml / cb11.yaml are the codebooks 1.0 and 1.1."""
    write_mini_survey(tmp_path, seed=3, n=400, ft=lambda i: "En kommentar" if i % 2 == 0 else "")
    rng = np.random.default_rng(5)
    for year in (2022, 2023):
        df = pd.read_csv(tmp_path / f"w{year}.csv", keep_default_na=False)
        c = df[df["ft"] != ""][["rid"]].rename(columns={"rid": "respondent_id"}).assign(
            question="ft", text_clean="En kommentar", is_non_answer=0, health_flag=0)
        for t in ("kontakt", "annet"):
            c[f"theme_{t}"] = (rng.random(len(c)) < (0.6 if (t, year) == ("kontakt", 2023) else 0.3)).astype(int)
        c.to_csv(tmp_path / f"coded{year}.csv", index=False)
        (tmp_path / f"cb1{year - 2022}.yaml").write_text(CB[year].to_yaml(), encoding="utf-8")
    return tmp_path


def _record(path, cb, **kw) -> None:
    """Write the record `textmine code` writes beside ``path`` (coded zero-shot with ``cb``)."""
    identity_path(path).write_text(json.dumps(coded_identity(cb, None, "ft", **kw)), encoding="utf-8")


def _summary(d, *extra, out="o"):
    return run_cli("summary", d / "w2022.csv", d / "w2023.csv", "--survey", d / "s.yaml", "--no-quotes", "--quiet",
                   "--coded", d / "coded2022.csv", "--coded", d / "coded2023.csv", "--out", d / out, *extra)


def _kontakt(out) -> pd.Series:
    ch = pd.read_csv(out / "changes.csv")
    return ch[(ch["kind"] == "theme") & (ch["segment"] == "Totalt") & (ch["denominator"] == "kommentatorer")
              ].set_index("item").loc["kontakt"]


def _meta(out) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))["meta"]


@pytest.mark.parametrize("extra", [[], ["plain"], ["2022=cb10.yaml"]])
def test_recorded_codebooks_mark_the_redefined_theme_without_codebook_options(waves, extra):
    for year in (2022, 2023):
        _record(waves / f"coded{year}.csv", CB[year])
    args = ["--codebook", waves / "cb11.yaml"] if extra == ["plain"] else [
        a for e in extra for a in ("--codebook", e.replace("cb10.yaml", str(waves / "cb10.yaml")))]
    res = _summary(waves, *args)
    assert res.exit_code == 0, res.output
    k = _kontakt(waves / "o")
    assert k["verdict"] == "ikke testbar" and np.isnan(k["p_value"])
    assert WARNING in " ".join(res.output.split())
    said = "wave 2022: its coded file(s) record codebook 'arbeidsgiver' v1.0"
    assert (said in " ".join(res.output.split())) == (extra == ["plain"])  # a plain --codebook it overrides: said
    meta = _meta(waves / "o")
    assert meta["codebooks"] == {"2022": {"name": "arbeidsgiver", "version": "1.0"},
                                 "2023": {"name": "arbeidsgiver", "version": "1.1"}}
    assert meta["theme_labels"]["kontakt"] == "Fast kontaktperson i NAV"


def test_files_without_a_record_are_compared_as_before(waves):
    res = _summary(waves)
    assert res.exit_code == 0, res.output
    assert not np.isnan(_kontakt(waves / "o")["p_value"]) and "defined differently" not in res.output
    assert "codebooks" not in _meta(waves / "o")


def test_the_same_recorded_codebook_in_both_waves_compares_every_theme(waves):
    for year in (2022, 2023):
        _record(waves / f"coded{year}.csv", CB[2023])
    res = _summary(waves)
    assert res.exit_code == 0, res.output
    assert not np.isnan(_kontakt(waves / "o")["p_value"]) and "defined differently" not in res.output


def test_a_wave_codebook_that_is_not_the_recorded_one_is_a_one_line_error(waves):
    for year in (2022, 2023):
        _record(waves / f"coded{year}.csv", CB[year])
    res = _summary(waves, "--codebook", f"2022={waves / 'cb11.yaml'}", "--codebook", f"2023={waves / 'cb11.yaml'}")
    assert_clean_fail(res, str(waves / "coded2022.csv"), "v1.0", "v1.1", CB[2022].hash[:12], CB[2023].hash[:12],
                      "--codebook 2022=FILE")
    assert len(res.output.strip().splitlines()) == 1 and not (waves / "o").exists()


def test_one_wave_given_its_codebook_and_the_other_recorded_needs_no_plain_codebook(waves):
    _record(waves / "coded2023.csv", CB[2023])
    res = _summary(waves, "--codebook", f"2022={waves / 'cb10.yaml'}")  # before: "2023 has no codebook"
    assert res.exit_code == 0, res.output
    assert _kontakt(waves / "o")["verdict"] == "ikke testbar"


def test_an_edited_record_is_refused(waves):
    _record(waves / "coded2022.csv", CB[2022])
    rec = identity_path(waves / "coded2022.csv")
    data = json.loads(rec.read_text(encoding="utf-8"))
    data["codebook_yaml"] = data["codebook_yaml"].replace("Navngitt kontakt", "Annen kontakt")
    rec.write_text(json.dumps(data), encoding="utf-8")
    assert_clean_fail(_summary(waves), str(rec), "edited")
    rec.write_text("{not json", encoding="utf-8")
    assert_clean_fail(_summary(waves), str(rec), "cannot be read")


def test_two_questions_of_one_wave_with_different_recorded_codebooks_are_refused(waves):
    spec = yaml.safe_load((waves / "s.yaml").read_text(encoding="utf-8"))
    spec["free_text"].append({"column": "ft2"})
    (waves / "s2.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    df = pd.read_csv(waves / "w2022.csv", keep_default_na=False).assign(ft2=lambda d: d["ft"])
    df.to_csv(waves / "w.csv", index=False)
    for q, year in (("ft", 2022), ("ft2", 2023)):  # what `textmine code --text-col Q` writes, roughly
        out = df.assign(theme_kontakt=1, theme_annet=0, themes="kontakt")
        out.to_csv(waves / f"c_{q}.csv", index=False)
        identity_path(waves / f"c_{q}.csv").write_text(json.dumps(coded_identity(CB[year], None, q)),
                                                       encoding="utf-8")
    res = run_cli("summary", waves / "w.csv", "--survey", waves / "s2.yaml", "--no-quotes", "--quiet",
                  "--coded", f"ft={waves / 'c_ft.csv'}", "--coded", f"ft2={waves / 'c_ft2.csv'}", "--out", waves / "o")
    assert_clean_fail(res, "wave 2022", str(waves / "c_ft.csv"), str(waves / "c_ft2.csv"), "v1.0", "v1.1")
    _record(waves / "c_ft2.csv", CB[2022])  # the same codebook: read
    res = run_cli("summary", waves / "w.csv", "--survey", waves / "s2.yaml", "--no-quotes", "--quiet",
                  "--coded", f"ft={waves / 'c_ft.csv'}", "--coded", f"ft2={waves / 'c_ft2.csv'}", "--out", waves / "o")
    assert res.exit_code == 0, res.output
    assert _meta(waves / "o")["codebooks"] == {"2022": {"name": "arbeidsgiver", "version": "1.0"}}


def test_questions_the_survey_gives_codebooks_of_their_own_are_not_refused(waves):
    spec = yaml.safe_load((waves / "s.yaml").read_text(encoding="utf-8"))
    spec["free_text"][0]["codebook"] = str(waves / "cb10.yaml")
    spec["free_text"].append({"column": "ft2", "codebook": str(waves / "cb11.yaml")})
    (waves / "s2.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    df = pd.read_csv(waves / "w2022.csv", keep_default_na=False).assign(ft2=lambda d: d["ft"])
    df.to_csv(waves / "w.csv", index=False)
    for q, year in (("ft", 2022), ("ft2", 2023)):  # each question coded with its own codebook, as the survey says
        df.assign(theme_kontakt=1, theme_annet=0, themes="kontakt").to_csv(waves / f"c_{q}.csv", index=False)
        identity_path(waves / f"c_{q}.csv").write_text(json.dumps(coded_identity(CB[year], None, q)),
                                                       encoding="utf-8")
    res = run_cli("summary", waves / "w.csv", "--survey", waves / "s2.yaml", "--no-quotes", "--quiet",
                  "--coded", f"ft={waves / 'c_ft.csv'}", "--coded", f"ft2={waves / 'c_ft2.csv'}", "--out", waves / "o")
    assert res.exit_code == 0, res.output
    assert not _meta(waves / "o").get("codebooks")  # no one recorded codebook for the wave: compared as before


def test_report_names_the_recorded_codebooks_in_the_method_section(waves):
    for year in (2022, 2023):
        _record(waves / f"coded{year}.csv", CB[year])
    res = run_cli("report", waves / "w2022.csv", waves / "w2023.csv", "--survey", waves / "s.yaml",
                  "--coded", waves / "coded2022.csv", "--coded", waves / "coded2023.csv", "--coder", "keyword",
                  "--language", "nb", "--out", waves / "r")
    assert res.exit_code == 0, res.output
    html = " ".join((waves / "r" / "rapport.html").read_text(encoding="utf-8").split())
    assert "rbeidsgiver versjon 1.0 (måling 2022); arbeidsgiver versjon 1.1 (måling 2023)" in html
    assert "theme kontakt is defined differently" in " ".join(res.output.split())
    res = run_cli("report", waves / "w2022.csv", waves / "w2023.csv", "--survey", waves / "s.yaml",
                  "--coded", waves / "coded2022.csv", "--coded", waves / "coded2023.csv", "--coder", "keyword",
                  "--codebook", f"2023={waves / 'cb10.yaml'}", "--codebook", f"2022={waves / 'cb10.yaml'}",
                  "--out", waves / "r2")
    assert_clean_fail(res, str(waves / "coded2023.csv"), "v1.1", "v1.0")
