"""``textmine report`` across a codebook change (review dec07b): waves coded by different coders are refused (or,
with ``--allow-mixed-coding``, their theme changes are «ikke testbar», out of «Hovedfunn», and «Koding» says why);
hand labels beside waves with different codebooks are scored against each wave's own themes (no crash)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from textmine.codebook import Codebook
from textmine.pipeline import coded_identity, identity_path
from textmine.report.html import change_keyfacts
from textmine.report.pipeline import agreement, build_report, record_coder
from textmine.survey import SurveyDefinition

from ..clitools import assert_clean_fail, run_cli
from .conftest import SURVEY, make_codebook, make_wave

Q = "fritekst_generell"


@pytest.fixture(scope="module")
def cb():
    return Codebook.from_dict(make_codebook())


@pytest.fixture(scope="module")
def two_waves():
    """2022 and 2023 (telefon 25 % → 45 % of the commenters: a significant rise when one coder coded both)."""
    f22, c22 = make_wave(2022, 400, 1, telefon_rate=0.25)
    f23, c23 = make_wave(2023, 400, 2, telefon_rate=0.45)
    return {2022: f22, 2023: f23}, {2022: c22, 2023: c23}


def _report(cb, two_waves, records, **kw):
    frames, coded = two_waves
    return build_report(dict(frames), SurveyDefinition.from_dict(SURVEY), codebook=cb, coded=dict(coded),
                        code_missing=True, coded_records=records, embedder="fallback", **kw)


def _theme_changes(r) -> pd.DataFrame:
    return r.changes[r.changes["kind"] == "tema"]


def test_record_coder_names_what_the_record_says(cb):
    assert record_coder(coded_identity(cb, None, Q)) == "zero-shot"
    assert record_coder(coded_identity(cb, "/srv/models/default", Q)) == "default"
    assert record_coder(coded_identity(cb, None, Q, coded_by="corrections (textmine review)")) is None
    assert record_coder(None) is None


def test_the_same_coder_shows_the_significant_change(cb, two_waves):
    """The premise: with one model the rise of «telefon» is a main finding."""
    rec = coded_identity(cb, "models/default", Q)
    r = _report(cb, two_waves, {2022: {Q: rec}, 2023: {Q: rec}})
    assert any("Telefon" in f["text"] for f in change_keyfacts(r))


def test_model_then_zero_shot_is_refused(cb, two_waves):
    records = {2022: {Q: coded_identity(cb, "models/default", Q)}, 2023: {Q: coded_identity(cb, None, Q)}}
    with pytest.raises(ValueError, match=r"wave 2022 was coded by model 'default', wave 2023 by zero-shot"):
        _report(cb, two_waves, records)


def test_allow_mixed_coding_leaves_themes_untested_and_says_so(cb, two_waves):
    records = {2022: {Q: coded_identity(cb, "models/default", Q)}, 2023: {Q: coded_identity(cb, None, Q)}}
    warned: list[str] = []
    r = _report(cb, two_waves, records, allow_mixed_coding=True, on_warning=warned.append)
    t = _theme_changes(r)
    assert len(t) and (t["verdict"] == "ikke testbar").all() and t["p_value"].isna().all()
    assert not any("Telefon" in f["text"] for f in change_keyfacts(r))  # «Hovedfunn» does not lead with it
    assert "måling 2022 kodet med modellen «default» og måling 2023 med zero-shot" in r.method["coding"]
    assert "(ikke testbar)" in r.method["coding"]
    assert any("coded by model 'default' in 2022 and by zero-shot" in w for w in warned)


def test_a_file_without_a_record_is_compared_as_before(cb, two_waves):
    r = _report(cb, two_waves, {2022: {Q: coded_identity(cb, "models/default", Q)}})
    assert any("Telefon" in f["text"] for f in change_keyfacts(r))


# ------------------------------------------------------------------------------------------------- the CLI
def _files(tmp_path, two_waves, cbs=None):
    """s.yaml, w2022/2023.csv, c2022/2023.csv (long coded tables) and cb.yaml (or cb<year>.yaml from ``cbs``)."""
    frames, coded = two_waves
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(SURVEY, allow_unicode=True), encoding="utf-8")
    for year in (2022, 2023):
        text = coded[year].set_index("respondent_id")["text_clean"]
        frames[year].assign(**{Q: frames[year]["respondent_id"].map(text).fillna("")}).to_csv(
            tmp_path / f"w{year}.csv", index=False)
        coded[year].to_csv(tmp_path / f"c{year}.csv", index=False)
    for name, spec in (cbs or {"cb.yaml": make_codebook()}).items():
        (tmp_path / name).write_text(Codebook.from_dict(spec).to_yaml(), encoding="utf-8")
    return tmp_path


def test_cli_refuses_a_recorded_zero_shot_wave_beside_a_keyword_coded_one(tmp_path, two_waves, cb):
    d = _files(tmp_path, two_waves)
    frames, coded = two_waves  # 2022 as `textmine code` writes it: the wave's id and wave columns, the text column
    out = frames[2022][["respondent_id", "wave"]].merge(coded[2022], on="respondent_id").drop(columns="question")
    out.rename(columns={"text_clean": Q}).to_csv(d / "c2022.csv", index=False)
    identity_path(d / "c2022.csv").write_text(json.dumps(coded_identity(cb, None, Q)), encoding="utf-8")
    # 2022 read from its file (zero-shot), 2023 coded by this run's keyword coder
    args = ["report", d / "w2022.csv", d / "w2023.csv", "--survey", d / "s.yaml", "--codebook", d / "cb.yaml",
            "--coder", "keyword", "--coded", f"{Q}={d / 'c2022.csv'}"]
    assert_clean_fail(run_cli(*args, "--out", d / "o"), "wave 2022 was coded by zero-shot",
                      "wave 2023 by the keyword coder", "--allow-mixed-coding")
    res = run_cli(*args, "--out", d / "o", "--allow-mixed-coding")
    assert res.exit_code == 0, res.output
    changes = json.loads((d / "o" / "rapport.json").read_text(encoding="utf-8"))
    assert "nøkkelordkoding" in json.dumps(changes["method"], ensure_ascii=False)


def test_cli_scores_hand_labels_against_each_waves_own_codebook(tmp_path, two_waves):
    """Codebook 2.1 (2022) and 2.2 (2023: «ros» replaced by «ko»), labels_<wave>.csv beside both wave files: the
    agreement is reported, not an AttributeError."""
    new = make_codebook()
    new["version"] = "2.2"
    new["themes"] = [t for t in new["themes"] if t["id"] != "ros"] + [
        {"id": "ko", "label": "Telefonkø", "description": "", "keywords": ["kø"]}]
    frames, coded = two_waves
    c23 = coded[2023].drop(columns=["theme_ros", "themes"]).assign(theme_ko=0)
    d = _files(tmp_path, (frames, {2022: coded[2022], 2023: c23}), {"cb21.yaml": make_codebook(), "cb22.yaml": new})
    for year in (2022, 2023):  # (2023's labels still name «ros», which its codebook lacks: not scored there)
        coded[year][["respondent_id", "question", "themes"]].to_csv(d / f"labels_{year}.csv", index=False)
    res = run_cli("report", d / "w2022.csv", d / "w2023.csv", "--survey", d / "s.yaml", "--coder", "keyword",
                  "--codebook", f"2022={d / 'cb21.yaml'}", "--codebook", f"2023={d / 'cb22.yaml'}",
                  "--coded", d / "c2022.csv", "--coded", d / "c2023.csv", "--out", d / "o")
    assert res.exit_code == 0, res.output
    agree = json.loads((d / "o" / "rapport.json").read_text(encoding="utf-8"))["method"]["agreement_values"]
    assert agree["n"] == len(coded[2022]) + len(c23) and agree["micro_f1"] == 1.0


def test_agreement_skips_a_theme_a_wave_lacks():
    ids = ["a", "b"]
    coded = {2022: pd.DataFrame({"respondent_id": ["1", "2"], "question": "q", "theme_a": [1, 0]}),
             2023: pd.DataFrame({"respondent_id": ["3", "4"], "question": "q", "theme_b": [1, 0]})}
    labels = {2022: pd.DataFrame({"respondent_id": ["1", "2"], "question": "q", "themes": ["a", "b"]}),
              2023: pd.DataFrame({"respondent_id": ["3", "4"], "question": "q", "themes": ["b", "a"]})}
    per_wave = agreement(coded, labels, {2022: ["a"], 2023: ["b"]})  # each wave on its own codebook's themes
    assert per_wave["n"] == 4 and per_wave["micro_f1"] == 1.0 and per_wave["exact_match"] == 1.0
    flat = agreement(coded, labels, ids)  # one list: a theme without a column is skipped for that wave
    assert flat["n"] == 4 and flat["micro_f1"] == 1.0
    assert np.isfinite(flat["mean_kappa"])
